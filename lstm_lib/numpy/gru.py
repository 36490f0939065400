"""The GRU with reset_after=True, as Keras 3 computes it: one step and a whole sequence,
forward and backward.

Shapes: B batch, T time steps, D input features, H units.
Weights in Keras 3 layout: kernel (D, 3H), recurrent_kernel (H, 3H), bias (2, 3H) whose row 0
is added to the input part and row 1 to the recurrent part; column blocks z, r, h. The
equations, in chapter 10's names:

    a = x @ kernel + bias[0]                   (B, 3H) = [a_z | a_r | a_h]   input part
    u = h_prev @ recurrent_kernel + bias[1]    (B, 3H) = [u_z | u_r | u_h]   recurrent part
    z = sigmoid(a_z + u_z)                     update gate
    r = sigmoid(a_r + u_r)                     reset gate
    h_tilde = tanh(a_h + r * u_h)              candidate; "reset after" the matrix product
    h = z * h_prev + (1 - z) * h_tilde

z is the update gate here, as in Keras and chapter 10, so its gradient is dz_update; the
gradients of the pre-activations are da and du, those of a and u.

API (every forward returns its output and a cache; the backward of the same thing takes the
upstream gradient and that cache, and returns the gradient of every input):

    gru_step_forward(x, h_prev, kernel, recurrent_kernel, bias) -> (h, cache)
    gru_step_backward(dh, cache) -> (dx, dh_prev, dkernel, drecurrent_kernel, dbias)
    gru_forward(x, h0, kernel, recurrent_kernel, bias) -> (hs, cache)
    gru_backward(dhs, cache) -> (dx, dh0, dkernel, drecurrent_kernel, dbias)

As in lstm.py, the step functions are the plain version, and the sequence functions the
optimised one of chapter 08 (time-major inside, the input parts of all steps as one product
before the loop, one fused recurrent product per step, the weight gradients as whole-sequence
products after the backward loop, each step's elementwise work written into output arrays
allocated once). gru_forward's cache holds the gates of every step as (B, T, H) arrays under
"z", "r" and "h_tilde". A gradient on the final state h_T is added to dhs[:, -1].
"""

import numpy as np

from .activations import sigmoid

__all__ = [
    "gru_step_forward",
    "gru_step_backward",
    "gru_forward",
    "gru_backward",
]


def _blocks(a):
    """Split the last axis, of size 3H, into the blocks z, r, h: views, not copies."""
    H = a.shape[-1] // 3
    return a[..., :H], a[..., H : 2 * H], a[..., 2 * H :]


# The plain version: one step.


def gru_step_forward(x, h_prev, kernel, recurrent_kernel, bias):
    """One time step.

    x: (B, D), h_prev: (B, H), kernel: (D, 3H), recurrent_kernel: (H, 3H), bias: (2, 3H)
    Returns h: (B, H) and the cache for gru_step_backward.
    """
    a_z, a_r, a_h = _blocks(x @ kernel + bias[0])
    u_z, u_r, u_h = _blocks(h_prev @ recurrent_kernel + bias[1])
    z = sigmoid(a_z + u_z)
    r = sigmoid(a_r + u_r)
    h_tilde = np.tanh(a_h + r * u_h)
    h = z * h_prev + (1 - z) * h_tilde
    cache = (x, h_prev, z, r, h_tilde, u_h, kernel, recurrent_kernel)
    return h, cache


def gru_step_backward(dh, cache):
    """Backward of gru_step_forward.

    dh: (B, H), the gradient of the loss with respect to h.
    Returns dx (B, D), dh_prev (B, H), dkernel (D, 3H), drecurrent_kernel (H, 3H),
    dbias (2, 3H).
    """
    x, h_prev, z, r, h_tilde, u_h, kernel, recurrent_kernel = cache
    # h = z * h_prev + (1 - z) * h_tilde
    dz_update = dh * (h_prev - h_tilde)
    dh_tilde = dh * (1 - z)
    # h_tilde = tanh(a_h + r * u_h)
    da_h = dh_tilde * (1 - h_tilde**2)
    dr = da_h * u_h
    du_h = da_h * r
    # z = sigmoid(a_z + u_z), r = sigmoid(a_r + u_r): a and u get the same gradient.
    da_z = dz_update * z * (1 - z)
    da_r = dr * r * (1 - r)
    da = np.concatenate([da_z, da_r, da_h], axis=1)
    du = np.concatenate([da_z, da_r, du_h], axis=1)
    # a = x @ kernel + bias[0], u = h_prev @ recurrent_kernel + bias[1]; h_prev is also used
    # directly in h, so dh_prev adds both.
    dx = da @ kernel.T
    dh_prev = dh * z + du @ recurrent_kernel.T
    dkernel = x.T @ da
    drecurrent_kernel = h_prev.T @ du
    dbias = np.stack([da.sum(axis=0), du.sum(axis=0)])
    return dx, dh_prev, dkernel, drecurrent_kernel, dbias


# The optimised version: the whole sequence.


def gru_forward(x, h0, kernel, recurrent_kernel, bias):
    """A whole sequence, optimised (chapter 08, applied to the GRU): the same numbers as
    gru_step_forward over every step.

    x: (B, T, D), h0: (B, H), kernel: (D, 3H), recurrent_kernel: (H, 3H), bias: (2, 3H)
    Returns hs: (B, T, H), the hidden state after every step (hs[:, -1] is h_T), and the cache.
    """
    B, T, D = x.shape
    H = h0.shape[1]
    # Time-major inside, (T, B, ...), so each step works on contiguous blocks (see lstm.py).
    x_tm = x.transpose(1, 0, 2).reshape(T * B, D)
    # The input parts a of all T steps in one GEMM.
    a = np.matmul(x_tm, kernel).reshape(T, B, 3 * H)
    a += bias[0]
    # The outputs of every step, written by the loop: [z | r | h_tilde], u_h and h.
    gates = np.empty_like(a)
    u_h_out, hs_out = (np.empty((T, B, H), dtype=a.dtype) for _ in range(2))
    u = np.empty((B, 3 * H), dtype=a.dtype)  # this step's recurrent part
    h_prev = h0
    for t in range(T):
        np.matmul(h_prev, recurrent_kernel, out=u)  # one fused GEMM for all three blocks
        u += bias[1]
        _gates_forward_into(a[t], u, h_prev, gates[t], u_h_out[t], hs_out[t])
        h_prev = hs_out[t]
    z, r, h_tilde = (block.swapaxes(0, 1) for block in _blocks(gates))
    cache = {
        "x_tm": x_tm, "h0": h0, "kernel": kernel, "recurrent_kernel": recurrent_kernel,
        "gates": gates, "u_h": u_h_out, "hs_tm": hs_out, "z": z, "r": r, "h_tilde": h_tilde,
    }  # fmt: skip
    return hs_out.swapaxes(0, 1), cache


def _gates_forward_into(a, u, h_prev, gates, u_h, h):
    """The elementwise part of one step, written into the caller's output arrays.

    a, u: (B, 3H) the input and recurrent parts; h_prev: (B, H).
    Outputs: gates (B, 3H) receives [z | r | h_tilde]; u_h (B, H) the h block of u (the
    backward needs it); h (B, H) the new state.
    """
    H = h_prev.shape[1]
    z, r, h_tilde = _blocks(gates)
    # z and r sit side by side in a, u and gates: one sigmoid for both.
    sigmoid(a[:, : 2 * H] + u[:, : 2 * H], out=gates[:, : 2 * H])
    u_h[...] = u[:, 2 * H :]
    np.tanh(a[:, 2 * H :] + r * u_h, out=h_tilde)
    np.multiply(z, h_prev, out=h)  # h = z * h_prev + (1 - z) * h_tilde, in two parts
    h += (1 - z) * h_tilde


def gru_backward(dhs, cache):
    """Backward of gru_forward (backpropagation through time), optimised.

    dhs: (B, T, H), the gradient of the loss with respect to every hs[:, t].
    Returns dx (B, T, D), dh0 (B, H), dkernel (D, 3H), drecurrent_kernel (H, 3H),
    dbias (2, 3H).
    """
    x_tm, h0, hs, gates, u_h = (cache[k] for k in ("x_tm", "h0", "hs_tm", "gates", "u_h"))
    kernel, recurrent_kernel = cache["kernel"], cache["recurrent_kernel"]
    T, B, H = hs.shape
    # Outputs: the gradients of a and u for every step, kept for whole-sequence weight GEMMs.
    da_out, du_out = np.empty_like(gates), np.empty_like(gates)
    dh_next = np.zeros_like(h0)
    for t in reversed(range(T)):
        h_prev = hs[t - 1] if t > 0 else h0
        dh = dhs[:, t] + dh_next  # h_t feeds the loss and step t + 1
        dh_direct = _gates_backward_into(dh, gates[t], u_h[t], h_prev, da_out[t], du_out[t])
        dh_next = dh_direct + du_out[t] @ recurrent_kernel.T
    da, du = da_out.reshape(T * B, 3 * H), du_out.reshape(T * B, 3 * H)
    dx = (da @ kernel.T).reshape(T, B, -1).swapaxes(0, 1)
    dkernel = x_tm.T @ da
    # Step t multiplied h_{t-1} by recurrent_kernel: h0 at t = 0, then hs[:-1] (contiguous).
    drecurrent_kernel = h0.T @ du_out[0] + hs[:-1].reshape(-1, H).T @ du[B:]
    dbias = np.stack([da.sum(axis=0), du.sum(axis=0)])
    return dx, dh_next, dkernel, drecurrent_kernel, dbias


def _gates_backward_into(dh, gates, u_h, h_prev, da, du):
    """Backward of _gates_forward_into, written into the caller's output arrays.

    dh: (B, H), everything the loss sends to this step's h.
    gates: (B, 3H) the activations [z | r | h_tilde]; u_h, h_prev: (B, H) from the forward.
    Outputs: da, du (B, 3H) receive the gradients of a and u.
    Returns the part of dh_prev that skips the matrix product, dh * z: (B, H).
    """
    H = h_prev.shape[1]
    z, r, h_tilde = _blocks(gates)
    da_z, da_r, da_h = _blocks(da)
    dz_update = dh * (h_prev - h_tilde)  # h = z * h_prev + (1 - z) * h_tilde
    np.multiply(dh * (1 - z), 1 - h_tilde * h_tilde, out=da_h)  # and through the tanh
    np.multiply(dz_update, z * (1 - z), out=da_z)  # through the sigmoid
    np.multiply(da_h * u_h, r * (1 - r), out=da_r)  # dr = da_h * u_h, through the sigmoid
    # z and r add a and u, so both get the same gradient; the candidate's u_h is scaled by r.
    du[:, : 2 * H] = da[:, : 2 * H]
    np.multiply(da_h, r, out=du[:, 2 * H :])
    return dh * z
