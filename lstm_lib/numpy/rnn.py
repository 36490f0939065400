"""The vanilla (Elman) RNN, Keras's SimpleRNN: one step and a whole sequence, forward and backward.

Shapes: B batch, T time steps, D input features, H units.
Weights in Keras 3 layout: kernel (D, H), recurrent_kernel (H, H), bias (H,).

    h = tanh(x @ kernel + h_prev @ recurrent_kernel + bias)

API (every forward returns its output and a cache; the backward of the same thing takes the
upstream gradient and that cache, and returns the gradient of every input):

    rnn_step_forward(x, h_prev, kernel, recurrent_kernel, bias) -> (h, cache)
    rnn_step_backward(dh, cache) -> (dx, dh_prev, dkernel, drecurrent_kernel, dbias)
    rnn_forward(x, h0, kernel, recurrent_kernel, bias) -> (hs, cache)
    rnn_backward(dhs, cache) -> (dx, dh0, dkernel, drecurrent_kernel, dbias)

A gradient on the final state h_T is not a separate argument of rnn_backward: h_T is hs[:, -1],
so add it to dhs[:, -1].
"""

import numpy as np

__all__ = ["rnn_step_forward", "rnn_step_backward", "rnn_forward", "rnn_backward"]


def rnn_step_forward(x, h_prev, kernel, recurrent_kernel, bias):
    """One time step.

    x: (B, D), h_prev: (B, H), kernel: (D, H), recurrent_kernel: (H, H), bias: (H,)
    Returns h: (B, H) and the cache for rnn_step_backward.
    """
    h = np.tanh(x @ kernel + h_prev @ recurrent_kernel + bias)
    cache = (x, h_prev, h, kernel, recurrent_kernel)
    return h, cache


def rnn_step_backward(dh, cache):
    """Backward of rnn_step_forward.

    dh: (B, H), the gradient of the loss with respect to h.
    Returns dx (B, D), dh_prev (B, H), dkernel (D, H), drecurrent_kernel (H, H), dbias (H,).
    """
    x, h_prev, h, kernel, recurrent_kernel = cache
    da = dh * (1 - h * h)  # through tanh: tanh' = 1 - tanh**2, and h is that tanh
    dx = da @ kernel.T
    dh_prev = da @ recurrent_kernel.T
    dkernel = x.T @ da
    drecurrent_kernel = h_prev.T @ da
    dbias = da.sum(axis=0)
    return dx, dh_prev, dkernel, drecurrent_kernel, dbias


def rnn_forward(x, h0, kernel, recurrent_kernel, bias):
    """A whole sequence.

    x: (B, T, D), h0: (B, H), kernel: (D, H), recurrent_kernel: (H, H), bias: (H,)
    Returns hs: (B, T, H), the hidden state after every step (hs[:, -1] is h_T), and the cache.
    """
    B, T, D = x.shape
    H = h0.shape[1]
    # x_t @ kernel does not depend on h, so the input projections of all T steps are one GEMM.
    a = (x.reshape(B * T, D) @ kernel + bias).reshape(B, T, H)
    hs = np.empty((B, T, H), dtype=a.dtype)
    h = h0
    for t in range(T):
        a_t = a[:, t]
        a_t += h @ recurrent_kernel
        h = np.tanh(a_t, out=hs[:, t])
    cache = {"x": x, "h0": h0, "hs": hs, "kernel": kernel, "recurrent_kernel": recurrent_kernel}
    return hs, cache


def rnn_backward(dhs, cache):
    """Backward of rnn_forward (backpropagation through time).

    dhs: (B, T, H), the gradient of the loss with respect to every hs[:, t]; the loss reaches
    h_t both directly (dhs[:, t]) and through h_{t+1}, and the loop adds the two.
    Returns dx (B, T, D), dh0 (B, H), dkernel (D, H), drecurrent_kernel (H, H), dbias (H,).
    """
    x, h0, hs = cache["x"], cache["h0"], cache["hs"]
    kernel, recurrent_kernel = cache["kernel"], cache["recurrent_kernel"]
    B, T, D = x.shape
    H = h0.shape[1]
    # The gradients of the pre-activations, kept for all steps so that the weight gradients
    # become three whole-sequence GEMMs after the loop instead of 3T small ones inside it.
    da = np.empty((B, T, H), dtype=hs.dtype)
    dh_next = np.zeros_like(h0)
    for t in reversed(range(T)):
        dh = dhs[:, t] + dh_next
        h = hs[:, t]
        da[:, t] = dh * (1 - h * h)
        dh_next = da[:, t] @ recurrent_kernel.T
    da2 = da.reshape(B * T, H)
    h_prev = np.concatenate([h0[:, None], hs[:, :-1]], axis=1).reshape(B * T, H)
    dx = (da2 @ kernel.T).reshape(B, T, D)
    dkernel = x.reshape(B * T, D).T @ da2
    drecurrent_kernel = h_prev.T @ da2
    dbias = da2.sum(axis=0)
    return dx, dh_next, dkernel, drecurrent_kernel, dbias
