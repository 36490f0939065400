"""The GRU with reset_after=True, as Keras 3 computes it: one step and a whole sequence,
forward and backward.

Shapes: B batch, T time steps, D input features, H units.
Weights in Keras 3 layout: kernel (D, 3H), recurrent_kernel (H, 3H), bias (2, 3H) whose row 0
is added to the input projection and row 1 to the recurrent one; column blocks z, r, h:

    x_proj = x @ kernel + bias[0]                  (B, 3H) = [x_z | x_r | x_h]
    h_proj = h_prev @ recurrent_kernel + bias[1]   (B, 3H) = [u_z | u_r | u_h]
    z = sigmoid(x_z + u_z)                         update gate
    r = sigmoid(x_r + u_r)                         reset gate
    h_tilde = tanh(x_h + r * u_h)                  candidate; "reset after" the matrix product
    h = z * h_prev + (1 - z) * h_tilde

API (every forward returns its output and a cache; the backward of the same thing takes the
upstream gradient and that cache, and returns the gradient of every input):

    gru_step_forward(x, h_prev, kernel, recurrent_kernel, bias) -> (h, cache)
    gru_step_backward(dh, cache) -> (dx, dh_prev, dkernel, drecurrent_kernel, dbias)
    gru_forward(x, h0, kernel, recurrent_kernel, bias) -> (hs, cache)
    gru_backward(dhs, cache) -> (dx, dh0, dkernel, drecurrent_kernel, dbias)

gru_forward's cache holds the gates of every step as (B, T, H) arrays under "z", "r" and
"h_tilde". A gradient on the final state h_T is added to dhs[:, -1] (h_T is hs[:, -1]).
The sequence is organised like lstm.py: time-major inside, input projections in one GEMM before
the loop, one fused recurrent GEMM per step, weight gradients as whole-sequence GEMMs after it.
"""

import numpy as np

from .activations import sigmoid

__all__ = [
    "cell_forward",
    "cell_backward",
    "gru_step_forward",
    "gru_step_backward",
    "gru_forward",
    "gru_backward",
]


def _blocks(a):
    """Split the last axis, of size 3H, into the blocks z, r, h: views, not copies."""
    H = a.shape[-1] // 3
    return a[..., :H], a[..., H : 2 * H], a[..., 2 * H :]


def cell_forward(x_proj, h_proj, h_prev, h):
    """The elementwise part of one step, from the two projections to the new state.

    x_proj: (B, 3H) input projection with bias[0]; overwritten with [z | r | h_tilde].
    h_proj: (B, 3H) recurrent projection with bias[1]. h_prev: (B, H).
    h: (B, H) array that receives the new state.
    """
    H = h_prev.shape[1]
    z, r, h_tilde = _blocks(x_proj)
    u_h = h_proj[:, 2 * H :]
    zr = x_proj[:, : 2 * H]  # z and r sit side by side: one sigmoid for both
    zr += h_proj[:, : 2 * H]
    sigmoid(zr, out=zr)
    h_tilde += r * u_h
    np.tanh(h_tilde, out=h_tilde)
    np.multiply(z, h_prev, out=h)
    h += (1 - z) * h_tilde


def cell_backward(dh, gates, u_h, h_prev, dx_proj, dh_proj):
    """Backward of cell_forward.

    dh: (B, H), everything the loss sends to this step's h.
    gates: (B, 3H) the activations [z | r | h_tilde]; u_h: (B, H) the h block of h_proj.
    dx_proj, dh_proj: (B, 3H) receive the gradients of x_proj and h_proj.
    Returns the part of dh_prev that skips the matrix product: (B, H).
    """
    H = h_prev.shape[1]
    z, r, h_tilde = _blocks(gates)
    dz, dr, dn = _blocks(dx_proj)  # dn: gradient of the candidate's pre-activation
    # h = z * h_prev + (1 - z) * h_tilde
    np.multiply(dh, h_prev - h_tilde, out=dz)
    np.multiply(dh * (1 - z), 1 - h_tilde * h_tilde, out=dn)  # and through tanh
    # pre-activation of h_tilde = x_h + r * u_h
    np.multiply(dn, u_h, out=dr)
    # Through the sigmoids of z and r, side by side: sigmoid' = s * (1 - s).
    zr = gates[:, : 2 * H]
    dx_proj[:, : 2 * H] *= zr * (1 - zr)
    # z and r add x_proj and h_proj, so both get the same gradient; the candidate does not.
    dh_proj[:, : 2 * H] = dx_proj[:, : 2 * H]
    np.multiply(dn, r, out=dh_proj[:, 2 * H :])
    return dh * z


def gru_step_forward(x, h_prev, kernel, recurrent_kernel, bias):
    """One time step.

    x: (B, D), h_prev: (B, H), kernel: (D, 3H), recurrent_kernel: (H, 3H), bias: (2, 3H)
    Returns h: (B, H) and the cache for gru_step_backward.
    """
    H = h_prev.shape[1]
    x_proj = x @ kernel + bias[0]
    h_proj = h_prev @ recurrent_kernel + bias[1]
    h = np.empty_like(h_prev, dtype=x_proj.dtype)
    cell_forward(x_proj, h_proj, h_prev, h)
    cache = (x, h_prev, x_proj, h_proj[:, 2 * H :], kernel, recurrent_kernel)
    return h, cache


def gru_step_backward(dh, cache):
    """Backward of gru_step_forward.

    dh: (B, H), the gradient of the loss with respect to h.
    Returns dx (B, D), dh_prev (B, H), dkernel (D, 3H), drecurrent_kernel (H, 3H),
    dbias (2, 3H).
    """
    x, h_prev, gates, u_h, kernel, recurrent_kernel = cache
    dx_proj, dh_proj = np.empty_like(gates), np.empty_like(gates)
    dh_prev = cell_backward(dh, gates, u_h, h_prev, dx_proj, dh_proj)
    dx = dx_proj @ kernel.T
    dh_prev += dh_proj @ recurrent_kernel.T
    dkernel = x.T @ dx_proj
    drecurrent_kernel = h_prev.T @ dh_proj
    dbias = np.stack([dx_proj.sum(axis=0), dh_proj.sum(axis=0)])
    return dx, dh_prev, dkernel, drecurrent_kernel, dbias


def gru_forward(x, h0, kernel, recurrent_kernel, bias):
    """A whole sequence.

    x: (B, T, D), h0: (B, H), kernel: (D, 3H), recurrent_kernel: (H, 3H), bias: (2, 3H)
    Returns hs: (B, T, H), the hidden state after every step (hs[:, -1] is h_T), and the cache.
    """
    B, T, D = x.shape
    H = h0.shape[1]
    # Time-major inside, (T, B, ...), so each step works on contiguous blocks (see lstm.py).
    x_tm = x.transpose(1, 0, 2).reshape(T * B, D)
    # All T input projections in one GEMM; each step's slice becomes that step's gates.
    gates = np.matmul(x_tm, kernel).reshape(T, B, 3 * H)
    gates += bias[0]
    hs, u_h = (np.empty((T, B, H), dtype=gates.dtype) for _ in range(2))
    h_prev = h0
    for t in range(T):
        h_proj = h_prev @ recurrent_kernel  # one fused GEMM for all three blocks
        h_proj += bias[1]
        u_h[t] = h_proj[:, 2 * H :]
        cell_forward(gates[t], h_proj, h_prev, hs[t])
        h_prev = hs[t]
    z, r, h_tilde = (a.swapaxes(0, 1) for a in _blocks(gates))
    cache = {
        "x_tm": x_tm, "h0": h0, "kernel": kernel, "recurrent_kernel": recurrent_kernel,
        "gates": gates, "u_h": u_h, "hs_tm": hs, "z": z, "r": r, "h_tilde": h_tilde,
    }  # fmt: skip
    return hs.swapaxes(0, 1), cache


def gru_backward(dhs, cache):
    """Backward of gru_forward (backpropagation through time).

    dhs: (B, T, H), the gradient of the loss with respect to every hs[:, t].
    Returns dx (B, T, D), dh0 (B, H), dkernel (D, 3H), drecurrent_kernel (H, 3H),
    dbias (2, 3H).
    """
    x_tm, h0, hs, gates, u_h = (cache[k] for k in ("x_tm", "h0", "hs_tm", "gates", "u_h"))
    kernel, recurrent_kernel = cache["kernel"], cache["recurrent_kernel"]
    T, B, H = hs.shape
    # The gradients of both projections for all steps, for whole-sequence weight GEMMs.
    dx_proj, dh_proj = np.empty_like(gates), np.empty_like(gates)
    dh_next = np.zeros_like(h0)
    for t in reversed(range(T)):
        h_prev = hs[t - 1] if t > 0 else h0
        dh = dhs[:, t] + dh_next
        dh_next = cell_backward(dh, gates[t], u_h[t], h_prev, dx_proj[t], dh_proj[t])
        dh_next += dh_proj[t] @ recurrent_kernel.T
    dx2, dh2 = dx_proj.reshape(T * B, 3 * H), dh_proj.reshape(T * B, 3 * H)
    dx = (dx2 @ kernel.T).reshape(T, B, -1).swapaxes(0, 1)
    dkernel = x_tm.T @ dx2
    # Step t multiplied h_{t-1} by recurrent_kernel: h0 at t = 0, then hs[:-1] (contiguous).
    drecurrent_kernel = h0.T @ dh_proj[0] + hs[:-1].reshape(-1, H).T @ dh2[B:]
    dbias = np.stack([dx2.sum(axis=0), dh2.sum(axis=0)])
    return dx, dh_next, dkernel, drecurrent_kernel, dbias
