"""Black-box LSTM layers with one bug from chapter 06's catalogue, for problem set 06.

    Suspect = suspect(seed)            # a layer class; its bug drawn from the seed
    layer = Suspect(units)
    layer.build((B, T, D))             # or the first call builds it
    layer.set_weights([kernel, recurrent_kernel, bias]); layer.get_weights()
    hs, c_T = layer(x, h0, c0)         # x (B, T, D), h0, c0 (B, H) -> hs (B, T, H), c_T (B, H)
    dkernel, drecurrent_kernel, dbias = layer.backward(dhs)   # of sum(hs * dhs), last call

BUGS names what can be wrong ("none" included). Every class is built by the same code, with the
bug closed over as data: reading this file tells you the catalogue, not which bug a given seed
drew. Finding that is the exercise: shapes, parity with a trusted reference, the gate-isolation
probe, a gradient check at T = 1 and at T > 1.
"""

import numpy as np

BUGS = (
    "none",               # a correct LSTM
    "swapped_kernels",    # z = x @ recurrent_kernel + h @ kernel
    "batch_axis_bias",    # the bias built (B, 4H) from the first batch
    "time_axis_kept",     # x[:, t:t+1], (B, 1, D), where x[:, t] is (B, D)
    "sigmoid_candidate",  # g = sigmoid(z_c)
    "gate_order",         # the blocks read as i, c, f, o (TF1's order), not Keras's i, f, c, o
    "h_c_swapped",        # the step returns (c, h), the loop unpacks (h, c)
    "loop_one_short",     # for t in range(T - 1)
    "tanh_prime_of_c",    # backward: tanh'(c) written 1 - c**2
    "no_cell_carry",      # backward: dc_prev computed, never carried to the step before
)


def suspect(seed, bug=None):
    """A layer class with one bug of BUGS: `bug` if given, else drawn from seed."""
    rng = np.random.default_rng(seed)
    if bug is None:
        bug = BUGS[int(rng.integers(len(BUGS)))]
    if bug not in BUGS:
        raise ValueError(f"suspect: bug must be one of {BUGS}, got {bug!r}")
    return _layer_class(bug, int(rng.integers(2**31)))


def _sigmoid(z):
    return 0.5 * (1.0 + np.tanh(0.5 * z))


def _layer_class(bug, seed):
    blocks = (0, 2, 1, 3) if bug == "gate_order" else (0, 1, 2, 3)  # where i, f, g, o are read
    candidate = _sigmoid if bug == "sigmoid_candidate" else np.tanh

    class Suspect:
        """An LSTM layer in Keras's weight layout, suspected of one bug. See lstm_lib.grading
        .suspect for its use."""

        def __init__(self, units):
            self.units = int(units)
            self.built = False

        def build(self, input_shape):
            B, T, D = input_shape
            H = self.units
            rng = np.random.default_rng(seed)
            self.kernel = 0.5 * rng.standard_normal((D, 4 * H))
            self.recurrent_kernel = 0.5 * rng.standard_normal((H, 4 * H))
            self.bias = np.zeros((B, 4 * H) if bug == "batch_axis_bias" else 4 * H)
            self.built = True

        def get_weights(self):
            self._need_build("get_weights")
            return [self.kernel.copy(), self.recurrent_kernel.copy(), self.bias.copy()]

        def set_weights(self, weights):
            self._need_build("set_weights")
            kernel, recurrent_kernel, bias = weights
            self.kernel[...] = kernel
            self.recurrent_kernel[...] = recurrent_kernel
            self.bias[...] = bias

        def _need_build(self, what):
            if not self.built:
                raise RuntimeError(f"{what}: build the layer first, layer.build((B, T, D)), "
                                   "or call it once")

        def step(self, x_t, h, c):
            W, U = self.kernel, self.recurrent_kernel
            if bug == "swapped_kernels":
                W, U = U, W
            z = x_t @ W + h @ U + self.bias
            H = self.units
            i, f, g, o = (z[..., k * H:(k + 1) * H] for k in blocks)
            i, f, g, o = _sigmoid(i), _sigmoid(f), candidate(g), _sigmoid(o)
            c_new = f * c + i * g
            h_new = o * np.tanh(c_new)
            self._steps.append((x_t, h, c, i, f, g, o, c_new))
            return (c_new, h_new) if bug == "h_c_swapped" else (h_new, c_new)

        def __call__(self, x, h0, c0):
            x, h, c = (np.asarray(a, dtype=np.float64) for a in (x, h0, c0))
            if not self.built:
                self.build(x.shape)
            T = x.shape[1]
            self._steps, hs = [], []
            for t in range(T - 1 if bug == "loop_one_short" else T):
                x_t = x[:, t:t + 1] if bug == "time_axis_kept" else x[:, t]
                h, c = self.step(x_t, h, c)
                hs.append(h)
            return np.stack(hs, axis=1), c

        def backward(self, dhs):
            """dhs (B, T, H): the gradient of the loss on every h_t of the last call ->
            [dkernel, drecurrent_kernel, dbias], as get_weights()."""
            U = self.recurrent_kernel
            dW, dU, db = np.zeros_like(self.kernel), np.zeros_like(U), np.zeros_like(self.bias)
            dh_next = dc_next = 0.0
            for t in reversed(range(len(self._steps))):
                x_t, h_prev, c_prev, i, f, g, o, c = self._steps[t]
                dh = dhs[:, t] + dh_next
                tanh_c = np.tanh(c)
                do = dh * tanh_c
                dc = dc_next + dh * o * (1 - (c**2 if bug == "tanh_prime_of_c" else tanh_c**2))
                dz = np.concatenate([dc * g * i * (1 - i), dc * c_prev * f * (1 - f),
                                     dc * i * (1 - g**2), do * o * (1 - o)], axis=-1)
                dW += x_t.T @ dz
                dU += h_prev.T @ dz
                db += dz if db.ndim == 2 else dz.sum(axis=0)
                dh_next = dz @ U.T
                dc_next = 0.0 if bug == "no_cell_carry" else dc * f
            return [dW, dU, db]

    return Suspect
