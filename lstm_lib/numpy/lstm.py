"""The LSTM, as Keras 3 computes it: one step and a whole sequence, forward and backward.

Shapes: B batch, T time steps, D input features, H units.
Weights in Keras 3 layout: kernel (D, 4H), recurrent_kernel (H, 4H), bias (4H,), each split
into four column blocks of width H in the order i, f, c, o (the "c" block makes the candidate g).
The equations, with the labels of chapters 03 and 04:

    (F1) z = x @ kernel + h_prev @ recurrent_kernel + bias    (B, 4H) = [z_i | z_f | z_c | z_o]
    (F2) i, f, o = sigmoid(z_i), sigmoid(z_f), sigmoid(z_o)   input, forget, output gates
         g = tanh(z_c)                                        candidate
    (F3) c = f * c_prev + i * g                               cell state
    (F4) h = o * tanh(c)                                      hidden state (the output)

API (every forward returns its outputs and a cache; the backward of the same thing takes the
upstream gradients and that cache, and returns the gradient of every input):

    lstm_step_forward(x, h_prev, c_prev, kernel, recurrent_kernel, bias) -> (h, c, cache)
    lstm_step_backward(dh, dc, cache) -> (dx, dh_prev, dc_prev, dkernel, drecurrent_kernel, dbias)
    lstm_forward(x, h0, c0, kernel, recurrent_kernel, bias) -> (hs, c_T, cache)
    lstm_backward(dhs, cache, dc_T=None) -> (dx, dh0, dc0, dkernel, drecurrent_kernel, dbias)

Two ways of writing the same arithmetic:

- The step functions are the plain version, line by line as chapter 04 derives it, each line
  labelled (F1)-(F4) or (B1)-(B14). Read them next to chapter 04.
- The sequence functions are the optimised version that chapter 08 takes apart: time-major
  arrays; the input projections of all T steps as one product before the loop; one fused
  h @ recurrent_kernel per step; dx and the weight gradients as whole-sequence products after
  the backward loop; and each step's elementwise work written into output arrays allocated
  once for the whole sequence (_gates_forward_into, _gates_backward_into). They compute the
  same numbers as a loop over the step functions (tests/test_numpy_gradients.py checks it).

lstm_forward's cache holds the gate activations of every step as (B, T, H) arrays under
"i", "f", "g", "o", and the cell states under "c", for plotting. A gradient on the final hidden
state h_T is added to dhs[:, -1] (h_T is hs[:, -1]); one on c_T is the dc_T argument.
"""

import numpy as np

from .activations import sigmoid

__all__ = [
    "lstm_step_forward",
    "lstm_step_backward",
    "lstm_forward",
    "lstm_backward",
]


def _blocks(a):
    """Split the last axis, of size 4H, into the four gate blocks: views, not copies."""
    H = a.shape[-1] // 4
    return a[..., :H], a[..., H : 2 * H], a[..., 2 * H : 3 * H], a[..., 3 * H :]


# The plain version: one step, as chapter 04 derives it.


def lstm_step_forward(x, h_prev, c_prev, kernel, recurrent_kernel, bias):
    """One time step.

    x: (B, D), h_prev: (B, H), c_prev: (B, H),
    kernel: (D, 4H), recurrent_kernel: (H, 4H), bias: (4H,)
    Returns h: (B, H), c: (B, H) and the cache for lstm_step_backward.
    """
    z = x @ kernel + h_prev @ recurrent_kernel + bias  # (F1)
    z_i, z_f, z_c, z_o = _blocks(z)
    i, f, g, o = sigmoid(z_i), sigmoid(z_f), np.tanh(z_c), sigmoid(z_o)  # (F2)
    c = f * c_prev + i * g  # (F3)
    tanh_c = np.tanh(c)  # kept for the backward, which needs it twice
    h = o * tanh_c  # (F4)
    cache = (x, h_prev, c_prev, i, f, g, o, tanh_c, kernel, recurrent_kernel)
    return h, c, cache


def lstm_step_backward(dh, dc, cache):
    """Backward of lstm_step_forward.

    dh, dc: (B, H), the gradients of the loss with respect to h and c.
    Returns dx (B, D), dh_prev (B, H), dc_prev (B, H),
    dkernel (D, 4H), drecurrent_kernel (H, 4H), dbias (4H,).
    """
    x, h_prev, c_prev, i, f, g, o, tanh_c, kernel, recurrent_kernel = cache
    # Through (F4), h = o * tanh(c): c reaches the loss through h and directly, so dc adds both.
    do = dh * tanh_c  # (B1)
    dc = dc + dh * o * (1 - tanh_c**2)  # (B2)
    # Through (F3), c = f * c_prev + i * g.
    di = dc * g  # (B3)
    df = dc * c_prev  # (B4)
    dg = dc * i  # (B5)
    dc_prev = dc * f  # (B6)
    # Through (F2), the derivatives written with the outputs: sigmoid' = s (1 - s),
    # tanh' = 1 - tanh**2.
    dz_i = di * i * (1 - i)  # (B7)
    dz_f = df * f * (1 - f)
    dz_o = do * o * (1 - o)
    dz_c = dg * (1 - g**2)  # (B8)
    dz = np.concatenate([dz_i, dz_f, dz_c, dz_o], axis=1)  # (B9)
    # Through (F1), z = x @ kernel + h_prev @ recurrent_kernel + bias.
    dx = dz @ kernel.T  # (B10)
    dh_prev = dz @ recurrent_kernel.T  # (B11)
    dkernel = x.T @ dz  # (B12)
    drecurrent_kernel = h_prev.T @ dz  # (B13)
    dbias = dz.sum(axis=0)  # (B14): one bias served every example
    return dx, dh_prev, dc_prev, dkernel, drecurrent_kernel, dbias


# The optimised version: the whole sequence, as chapter 08 presents it.


def lstm_forward(x, h0, c0, kernel, recurrent_kernel, bias):
    """A whole sequence, optimised (chapter 08): the same numbers as lstm_step_forward over
    every step.

    x: (B, T, D), h0: (B, H), c0: (B, H),
    kernel: (D, 4H), recurrent_kernel: (H, 4H), bias: (4H,)
    Returns hs: (B, T, H), the hidden state after every step (hs[:, -1] is h_T),
    c_T: (B, H), the final cell state, and the cache (gates of every step: cache["i"], ...).
    """
    B, T, D = x.shape
    H = h0.shape[1]
    # Inside, arrays are time-major, (T, B, ...), so that each step reads and writes contiguous
    # (B, ...) blocks, which NumPy processes several times faster than strided ones.
    x_tm = x.transpose(1, 0, 2).reshape(T * B, D)
    # (F1), its input part: x_t @ kernel + bias does not depend on h, so one GEMM for all steps.
    xw = np.matmul(x_tm, kernel).reshape(T, B, 4 * H)
    xw += bias
    # The outputs of every step, written by the loop: the activations [i | f | g | o], c,
    # tanh(c) (for the backward) and h.
    gates = np.empty_like(xw)
    c_out, tanh_c_out, hs_out = (np.empty((T, B, H), dtype=xw.dtype) for _ in range(3))
    z = np.empty((B, 4 * H), dtype=xw.dtype)  # this step's pre-activations
    h_prev, c_prev = h0, c0
    for t in range(T):
        np.matmul(h_prev, recurrent_kernel, out=z)  # (F1): one fused GEMM for all four gates
        z += xw[t]
        _gates_forward_into(z, c_prev, gates[t], c_out[t], tanh_c_out[t], hs_out[t])
        h_prev, c_prev = hs_out[t], c_out[t]
    i, f, g, o = (_batch_major(a) for a in _blocks(gates))
    cache = {
        "x_tm": x_tm, "h0": h0, "c0": c0, "kernel": kernel, "recurrent_kernel": recurrent_kernel,
        "gates": gates, "c_tm": c_out, "tanh_c": tanh_c_out, "hs_tm": hs_out,
        "i": i, "f": f, "g": g, "o": o, "c": _batch_major(c_out),
    }  # fmt: skip
    return _batch_major(hs_out), c_out[-1].copy(), cache


def _gates_forward_into(z, c_prev, gates, c, tanh_c, h):
    """(F2)-(F4) for one step, written into the caller's output arrays, so that the sequence
    keeps every step's values without copying them.

    z: (B, 4H) pre-activations, c_prev: (B, H).
    Outputs: gates (B, 4H) receives [i | f | g | o]; c, tanh_c, h (B, H) receive c, tanh(c), h.
    """
    H = c_prev.shape[1]
    # (F2). NumPy runs a call over a whole contiguous (B, 4H) row several times faster per
    # element than over a strided (B, 2H) or (B, H) block (measured: 3.6x for the sigmoid at
    # B=64 H=128), so the sigmoid is computed over all four blocks at once, and then the
    # candidate's block gets its tanh instead: two calls, not four.
    sigmoid(z, out=gates)
    np.tanh(z[:, 2 * H : 3 * H], out=gates[:, 2 * H : 3 * H])
    i, f, g, o = _blocks(gates)
    np.multiply(f, c_prev, out=c)  # (F3), in two parts: f * c_prev, then + i * g
    c += i * g
    np.tanh(c, out=tanh_c)  # (F4)
    np.multiply(o, tanh_c, out=h)


def lstm_backward(dhs, cache, dc_T=None):
    """Backward of lstm_forward (backpropagation through time), optimised (chapter 08).

    dhs: (B, T, H), the gradient of the loss with respect to every hs[:, t]; the loss reaches
    h_t both directly (dhs[:, t]) and through step t + 1, and the loop adds the two.
    dc_T: (B, H) or None, the gradient with respect to the final cell state.
    Returns dx (B, T, D), dh0 (B, H), dc0 (B, H),
    dkernel (D, 4H), drecurrent_kernel (H, 4H), dbias (4H,).
    """
    x_tm, h0, c0, hs, c = cache["x_tm"], cache["h0"], cache["c0"], cache["hs_tm"], cache["c_tm"]
    gates, tanh_c = cache["gates"], cache["tanh_c"]
    kernel, recurrent_kernel = cache["kernel"], cache["recurrent_kernel"]
    T, B, H = hs.shape
    # Output: the gradients of the pre-activations of every step, kept so that the weight
    # gradients become three whole-sequence GEMMs after the loop instead of 3T small ones.
    dz_out = np.empty_like(gates)
    d_gates = np.empty((B, 4 * H), dtype=gates.dtype)  # this step's [di | df | dg | do]
    candidate = np.zeros(4 * H, dtype=gates.dtype)
    candidate[2 * H : 3 * H] = 1
    dh_next = np.zeros_like(h0)
    dc_next = np.zeros_like(c0) if dc_T is None else dc_T
    for t in reversed(range(T)):
        c_prev = c[t - 1] if t > 0 else c0
        dh = dhs[:, t] + dh_next  # h_t feeds the loss and step t + 1
        dc_next = _gates_backward_into(
            dh, dc_next, gates[t], c_prev, tanh_c[t], candidate, d_gates, dz_out[t]
        )
        dh_next = dz_out[t] @ recurrent_kernel.T  # (B11): the one product the loop waits for
    dz = dz_out.reshape(T * B, 4 * H)
    dx = _batch_major((dz @ kernel.T).reshape(T, B, -1))  # (B10), all steps at once
    dkernel = x_tm.T @ dz  # (B12), summed over batch and steps
    # (B13): step t multiplied h_{t-1} by recurrent_kernel: h0 at t = 0, then hs[:-1].
    drecurrent_kernel = h0.T @ dz_out[0] + hs[:-1].reshape(-1, H).T @ dz[B:]
    dbias = dz.sum(axis=0)  # (B14)
    return dx, dh_next, dc_next, dkernel, drecurrent_kernel, dbias


def _gates_backward_into(dh, dc, gates, c_prev, tanh_c, candidate, d_gates, dz):
    """(B1)-(B9) for one step: from the gradients of h and c to those of z and c_prev.

    dh, dc: (B, H), everything the loss sends to this step's h and c.
    gates: (B, 4H) the activations [i | f | g | o]; c_prev, tanh_c: (B, H) from the forward.
    candidate: (4H,) 1 in the candidate's block, 0 in the others.
    Outputs: d_gates (B, 4H) receives the gradients of the activations [di | df | dg | do],
    dz (B, 4H) those of the pre-activations (B9). Returns dc_prev: (B, H).
    """
    i, f, g, o = _blocks(gates)
    di, df, dg, do = _blocks(d_gates)
    np.multiply(dh, tanh_c, out=do)  # (B1)
    dc = dc + dh * o * (1 - tanh_c * tanh_c)  # (B2)
    np.multiply(dc, g, out=di)  # (B3)
    np.multiply(dc, c_prev, out=df)  # (B4)
    np.multiply(dc, i, out=dg)  # (B5)
    # (B7), (B8) over the whole row at once (see _gates_forward_into): sigmoid' = s (1 - s)
    # and tanh' = 1 - g**2 = (1 + g)(1 - g) are both (y + a)(1 - y), with a = 0 for the
    # sigmoid blocks and a = 1 for the candidate's.
    np.multiply(d_gates, (gates + candidate) * (1 - gates), out=dz)
    return dc * f  # (B6)


def _batch_major(a):
    """(T, B, ...) -> (B, T, ...), a view."""
    return a.swapaxes(0, 1)
