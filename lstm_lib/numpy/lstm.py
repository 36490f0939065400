"""The LSTM, as Keras 3 computes it: one step and a whole sequence, forward and backward.

Shapes: B batch, T time steps, D input features, H units.
Weights in Keras 3 layout: kernel (D, 4H), recurrent_kernel (H, 4H), bias (4H,), each split
into four column blocks of width H in the order i, f, c, o (the "c" block makes the candidate g):

    z = x @ kernel + h_prev @ recurrent_kernel + bias         (B, 4H) = [z_i | z_f | z_c | z_o]
    i, f, o = sigmoid(z_i), sigmoid(z_f), sigmoid(z_o)        input, forget, output gates
    g = tanh(z_c)                                             candidate
    c = f * c_prev + i * g                                    cell state
    h = o * tanh(c)                                           hidden state (the output)

API (every forward returns its outputs and a cache; the backward of the same thing takes the
upstream gradients and that cache, and returns the gradient of every input):

    lstm_step_forward(x, h_prev, c_prev, kernel, recurrent_kernel, bias) -> (h, c, cache)
    lstm_step_backward(dh, dc, cache) -> (dx, dh_prev, dc_prev, dkernel, drecurrent_kernel, dbias)
    lstm_forward(x, h0, c0, kernel, recurrent_kernel, bias) -> (hs, c_T, cache)
    lstm_backward(dhs, cache, dc_T=None) -> (dx, dh0, dc0, dkernel, drecurrent_kernel, dbias)

lstm_forward's cache holds the gate activations of every step as (B, T, H) arrays under
"i", "f", "g", "o", and the cell states under "c", for plotting. A gradient on the final hidden
state h_T is added to dhs[:, -1] (h_T is hs[:, -1]); one on c_T is the dc_T argument.

The step and the sequence share the elementwise part of a step (cell_forward / cell_backward);
they differ only in where the matrix products go. The sequence hoists them out of the loop:
one GEMM for the input projections of all steps before it, one fused GEMM h @ recurrent_kernel
for all four gates per step inside it, and the weight gradients as three GEMMs after it.
"""

import numpy as np

from .activations import sigmoid

__all__ = [
    "cell_forward",
    "cell_backward",
    "lstm_step_forward",
    "lstm_step_backward",
    "lstm_forward",
    "lstm_backward",
]


def _blocks(a):
    """Split the last axis, of size 4H, into the four gate blocks: views, not copies."""
    H = a.shape[-1] // 4
    return a[..., :H], a[..., H : 2 * H], a[..., 2 * H : 3 * H], a[..., 3 * H :]


def cell_forward(z, c_prev, c, tanh_c, h):
    """The elementwise part of one step, from pre-activations to the new states.

    z: (B, 4H) pre-activations; overwritten with the activations [i | f | g | o].
    c_prev: (B, H). c, tanh_c, h: (B, H) arrays that receive c, tanh(c) and h.
    Writing into arrays the caller owns lets lstm_forward keep every step without copying.
    """
    i, f, g, o = _blocks(z)
    # One sigmoid over the whole contiguous row is cheaper than three over strided blocks;
    # the candidate block, whose squashing is tanh, is computed first and put back after.
    tanh_zc = np.tanh(g)
    sigmoid(z, out=z)
    g[...] = tanh_zc
    np.multiply(f, c_prev, out=c)
    c += i * g
    np.tanh(c, out=tanh_c)
    np.multiply(o, tanh_c, out=h)


def cell_backward(dh, dc, gates, c_prev, tanh_c, dz):
    """Backward of cell_forward: from the gradients of h and c to those of z and c_prev.

    dh, dc: (B, H), everything the loss sends to this step's h and c.
    gates: (B, 4H) the activations [i | f | g | o]; c_prev, tanh_c: (B, H) from the forward.
    dz: (B, 4H) receives the gradient of the pre-activations. Returns dc_prev: (B, H).
    """
    i, f, g, o = _blocks(gates)
    di, df, dg, do = _blocks(dz)
    # h = o * tanh(c)
    np.multiply(dh, tanh_c, out=do)
    dc = dc + dh * o * (1 - tanh_c * tanh_c)
    # c = f * c_prev + i * g
    np.multiply(dc, g, out=di)
    np.multiply(dc, c_prev, out=df)
    np.multiply(dc, i, out=dg)
    dc_prev = dc * f
    # Through the squashing functions, whose derivatives are written with their outputs:
    # sigmoid' = s * (1 - s) over the whole row in one call, as in the forward, and then
    # tanh' = 1 - g**2 for the candidate block, computed before that call changes dg.
    dzc = dg * (1 - g * g)
    dz *= gates * (1 - gates)
    dg[...] = dzc
    return dc_prev


def lstm_step_forward(x, h_prev, c_prev, kernel, recurrent_kernel, bias):
    """One time step.

    x: (B, D), h_prev: (B, H), c_prev: (B, H),
    kernel: (D, 4H), recurrent_kernel: (H, 4H), bias: (4H,)
    Returns h: (B, H), c: (B, H) and the cache for lstm_step_backward.
    """
    z = x @ kernel + h_prev @ recurrent_kernel + bias
    h, c, tanh_c = (np.empty_like(c_prev, dtype=z.dtype) for _ in range(3))
    cell_forward(z, c_prev, c, tanh_c, h)
    cache = (x, h_prev, c_prev, z, tanh_c, kernel, recurrent_kernel)
    return h, c, cache


def lstm_step_backward(dh, dc, cache):
    """Backward of lstm_step_forward.

    dh, dc: (B, H), the gradients of the loss with respect to h and c.
    Returns dx (B, D), dh_prev (B, H), dc_prev (B, H),
    dkernel (D, 4H), drecurrent_kernel (H, 4H), dbias (4H,).
    """
    x, h_prev, c_prev, gates, tanh_c, kernel, recurrent_kernel = cache
    dz = np.empty_like(gates)
    dc_prev = cell_backward(dh, dc, gates, c_prev, tanh_c, dz)
    dx = dz @ kernel.T
    dh_prev = dz @ recurrent_kernel.T
    dkernel = x.T @ dz
    drecurrent_kernel = h_prev.T @ dz
    dbias = dz.sum(axis=0)
    return dx, dh_prev, dc_prev, dkernel, drecurrent_kernel, dbias


def lstm_forward(x, h0, c0, kernel, recurrent_kernel, bias):
    """A whole sequence.

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
    # x_t @ kernel does not depend on h, so the input projections of all T steps are one GEMM.
    # Each step then adds its recurrent part in place, and cell_forward turns that slice into
    # the step's gate activations, so this one array ends up holding every step's gates.
    gates = np.matmul(x_tm, kernel).reshape(T, B, 4 * H)
    gates += bias
    hs, c, tanh_c = (np.empty((T, B, H), dtype=gates.dtype) for _ in range(3))
    h_prev, c_prev = h0, c0
    for t in range(T):
        z = gates[t]
        z += h_prev @ recurrent_kernel  # one fused GEMM for all four gates
        cell_forward(z, c_prev, c[t], tanh_c[t], hs[t])
        h_prev, c_prev = hs[t], c[t]
    i, f, g, o = (_batch_major(a) for a in _blocks(gates))
    cache = {
        "x_tm": x_tm, "h0": h0, "c0": c0, "kernel": kernel, "recurrent_kernel": recurrent_kernel,
        "gates": gates, "c_tm": c, "tanh_c": tanh_c, "hs_tm": hs,
        "i": i, "f": f, "g": g, "o": o, "c": _batch_major(c),
    }  # fmt: skip
    return _batch_major(hs), c[-1].copy(), cache


def lstm_backward(dhs, cache, dc_T=None):
    """Backward of lstm_forward (backpropagation through time).

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
    # The gradients of the pre-activations, kept for all steps so that the weight gradients
    # become three whole-sequence GEMMs after the loop instead of 3T small ones inside it.
    dz = np.empty_like(gates)
    dh_next = np.zeros_like(h0)
    dc_next = np.zeros_like(c0) if dc_T is None else dc_T
    for t in reversed(range(T)):
        c_prev = c[t - 1] if t > 0 else c0
        dh = dhs[:, t] + dh_next
        dc_next = cell_backward(dh, dc_next, gates[t], c_prev, tanh_c[t], dz[t])
        dh_next = dz[t] @ recurrent_kernel.T
    dz2 = dz.reshape(T * B, 4 * H)
    dx = _batch_major((dz2 @ kernel.T).reshape(T, B, -1))
    dkernel = x_tm.T @ dz2
    # Step t multiplied h_{t-1} by recurrent_kernel: h0 at t = 0, then hs[:-1] (contiguous).
    drecurrent_kernel = h0.T @ dz[0] + hs[:-1].reshape(-1, H).T @ dz2[B:]
    dbias = dz2.sum(axis=0)
    return dx, dh_next, dc_next, dkernel, drecurrent_kernel, dbias


def _batch_major(a):
    """(T, B, ...) -> (B, T, ...), a view."""
    return a.swapaxes(0, 1)
