"""The answers the checkers compare against: short float64 NumPy, independent of lstm_lib.numpy.

Shapes: B batch, T time, D input features, H units. Weights in Keras 3 layout (W kernel, U
recurrent kernel, b bias). The LSTM step takes knobs that reproduce the classic mistakes, so a
checker can tell a learner "your output is what swapping the forget and candidate blocks gives":

    lstm_step(x, h, c, W, U, b, order=(0, 1, 2, 3), gate=sigmoid, cand=np.tanh, cell=np.tanh)

`order` says which block of z each of i, f, g, o is read from.
"""

import numpy as np


def sigmoid(x):
    return 0.5 * (1.0 + np.tanh(0.5 * x))


def blocks(z, n):
    H = z.shape[-1] // n
    return [z[..., k * H:(k + 1) * H] for k in range(n)]


# -- vanilla RNN ---------------------------------------------------------------------------

def rnn_step(x, h, W, U, b):
    return np.tanh(x @ W + h @ U + b)


def rnn_forward(x, h0, W, U, b, step=rnn_step):
    """x (B, T, D) -> hs (B, T, H)."""
    hs, h = [], h0
    for t in range(x.shape[1]):
        h = step(x[:, t], h, W, U, b)
        hs.append(h)
    return np.stack(hs, axis=1)


def rnn_step_backward(dh, x, h_prev, h, W, U):
    """-> dx, dh_prev, dW, dU, db."""
    da = dh * (1 - h * h)
    return da @ W.T, da @ U.T, x.T @ da, h_prev.T @ da, da.sum(axis=0)


def leaky_rnn_step_backward(dh, x, h_prev, W, U, b, alpha, mistake=None):
    """h = (1 - alpha) h_prev + alpha tanh(x W + h_prev U + b). -> dx, dh_prev, dW, dU, db.

    mistake: None, "no_leak" (dh_prev misses the direct path (1 - alpha) dh),
    "leak_without_factor" (that path without 1 - alpha), "no_alpha" (da misses alpha).
    """
    h_tilde = np.tanh(x @ W + h_prev @ U + b)
    da = dh * (1 - h_tilde**2) * (1.0 if mistake == "no_alpha" else alpha)
    direct = {"no_leak": 0.0, "leak_without_factor": 1.0}.get(mistake, 1 - alpha) * dh
    return da @ W.T, direct + da @ U.T, x.T @ da, h_prev.T @ da, da.sum(axis=0)

def rnn_backward(dhs, x, h0, W, U, b, recurrent=True):
    """BPTT. recurrent=False drops the gradient flowing back through h (a classic mistake)."""
    hs = rnn_forward(x, h0, W, U, b)
    prev = np.concatenate([h0[:, None], hs[:, :-1]], axis=1)
    dx, dW, dU, db = np.zeros_like(x), np.zeros_like(W), np.zeros_like(U), np.zeros_like(b)
    dh_next = np.zeros_like(h0)
    for t in reversed(range(x.shape[1])):
        g = rnn_step_backward(dhs[:, t] + dh_next, x[:, t], prev[:, t], hs[:, t], W, U)
        dx[:, t], dh_next = g[0], g[1] if recurrent else 0 * g[1]
        dW, dU, db = dW + g[2], dU + g[3], db + g[4]
    return dx, dh_next, dW, dU, db


def masked_rnn_backward(dhs, x, mask, h0, W, U, b, mistake=None):
    """BPTT through the masked RNN as Keras runs it: a masked step holds the state and repeats
    the previous output, zeros before the row's first real step. -> dx, dh0, dW, dU, db.

    mistake: None, "stop" (a masked step stops the gradient to the earlier state), "leak" (a
    masked step backpropagates as a normal step would), "h0_output" (the outputs before the
    first real step are taken to be h0, so their gradient reaches dh0).
    """
    T = x.shape[1]
    hprev, h = [], h0
    for t in range(T):
        hprev.append(h)
        h = np.where(mask[:, t, None], rnn_step(x[:, t], h, W, U, b), h)
    # an output before the row's first real step is a constant zero: its gradient goes nowhere
    started = (np.cumsum(mask, axis=1) > 0) | (mistake == "h0_output")
    dx = np.zeros_like(x)
    dW, dU, db = np.zeros_like(W), np.zeros_like(U), np.zeros_like(b)
    dh_next = np.zeros_like(h0)
    for t in reversed(range(T)):
        keep = mask[:, t, None] | (mistake == "leak")
        dh = np.where(started[:, t, None], dhs[:, t], 0.0) + dh_next
        h_new = rnn_step(x[:, t], hprev[t], W, U, b)
        da = np.where(keep, dh * (1 - h_new**2), 0.0)
        dx[:, t] = da @ W.T
        held = 0 * dh if mistake in ("stop", "leak") else dh
        dh_next = np.where(keep, da @ U.T, held)
        dW, dU, db = dW + x[:, t].T @ da, dU + hprev[t].T @ da, db + da.sum(axis=0)
    return dx, dh_next, dW, dU, db

# -- LSTM ----------------------------------------------------------------------------------

def lstm_step(x, h, c, W, U, b, order=(0, 1, 2, 3), gate=sigmoid, cand=np.tanh, cell=np.tanh):
    """-> h, c. z = x W + h U + b, split into [i | f | g | o]."""
    z = blocks(x @ W + h @ U + b, 4)
    i, f, o = gate(z[order[0]]), gate(z[order[1]]), gate(z[order[3]])
    g = cand(z[order[2]])
    c_new = f * c + i * g
    return o * cell(c_new), c_new


def lstm_forward(x, h0, c0, W, U, b, step=lstm_step):
    """x (B, T, D) -> hs (B, T, H), c_T (B, H)."""
    hs, h, c = [], h0, c0
    for t in range(x.shape[1]):
        h, c = step(x[:, t], h, c, W, U, b)
        hs.append(h)
    return np.stack(hs, axis=1), c


def lstm_step_backward(dh, dc, x, h_prev, c_prev, W, U, b, mistake=None):
    """-> dx, dh_prev, dc_prev, dW, dU, db. Recomputes the forward.

    mistake: None, or one of "no_h_to_c" (dc ignores the path through h = o tanh(c)),
    "dc_prev_without_f", "sigmoid_derivative_for_g".
    """
    i, f, g, o = blocks(x @ W + h_prev @ U + b, 4)
    i, f, o, g = sigmoid(i), sigmoid(f), sigmoid(o), np.tanh(g)
    c = f * c_prev + i * g
    tc = np.tanh(c)
    dc_total = dc if mistake == "no_h_to_c" else dc + dh * o * (1 - tc * tc)
    dg_pre = dc_total * i * (g * (1 - g) if mistake == "sigmoid_derivative_for_g" else 1 - g * g)
    dz = np.concatenate([
        dc_total * g * i * (1 - i),
        dc_total * c_prev * f * (1 - f),
        dg_pre,
        dh * tc * o * (1 - o),
    ], axis=-1)
    dc_prev = dc_total if mistake == "dc_prev_without_f" else dc_total * f
    return dz @ W.T, dz @ U.T, dc_prev, x.T @ dz, h_prev.T @ dz, dz.sum(axis=0)


def lstm_backward(dhs, x, h0, c0, W, U, b, dc_T=None, mistake=None):
    """BPTT through lstm_forward. -> dx, dh0, dc0, dW, dU, db.

    mistake: None, "no_dh_next" (the gradient through h_{t+1} is dropped) or "no_dc_next".
    """
    T = x.shape[1]
    hs, cs, h, c = [], [], h0, c0
    for t in range(T):
        h, c = lstm_step(x[:, t], h, c, W, U, b)
        hs.append(h)
        cs.append(c)
    hprev = [h0] + hs[:-1]
    cprev = [c0] + cs[:-1]
    dx = np.zeros_like(x)
    dW, dU, db = np.zeros_like(W), np.zeros_like(U), np.zeros_like(b)
    dh_next = np.zeros_like(h0)
    dc_next = np.zeros_like(c0) if dc_T is None else dc_T
    for t in reversed(range(T)):
        g = lstm_step_backward(dhs[:, t] + dh_next, dc_next, x[:, t], hprev[t], cprev[t],
                               W, U, b)
        dx[:, t], dh_next, dc_next = g[0], g[1], g[2]
        if mistake == "no_dh_next":
            dh_next = 0 * dh_next
        if mistake == "no_dc_next":
            dc_next = 0 * dc_next
        dW, dU, db = dW + g[3], dU + g[4], db + g[5]
    return dx, dh_next, dc_next, dW, dU, db


def cifg_step(x, h, c, W, U, b):
    """The coupled input-forget gate LSTM: blocks [i | g | o] of width H, f = 1 - i."""
    i, g, o = blocks(x @ W + h @ U + b, 3)
    i, g, o = sigmoid(i), np.tanh(g), sigmoid(o)
    c_new = (1 - i) * c + i * g
    return o * np.tanh(c_new), c_new



def cifg_step_backward(dh, dc, x, h_prev, c_prev, W, U, b, mistake=None):
    """-> dx, dh_prev, dc_prev, dW, dU, db of cifg_step, blocks [i | g | o]. Recomputes the
    forward.

    mistake: None, or one of "f_constant" (dz_i misses the path through f = 1 - i),
    "f_sign" (that path with the wrong sign), "dc_prev_times_i", "dc_prev_without_f",
    "no_h_to_c".
    """
    i, g, o = blocks(x @ W + h_prev @ U + b, 3)
    i, g, o = sigmoid(i), np.tanh(g), sigmoid(o)
    c = (1 - i) * c_prev + i * g
    tc = np.tanh(c)
    dc_total = dc if mistake == "no_h_to_c" else dc + dh * o * (1 - tc * tc)
    via_f = {"f_constant": 0 * c_prev, "f_sign": c_prev}.get(mistake, -c_prev)
    dz = np.concatenate([
        dc_total * (g + via_f) * i * (1 - i),
        dc_total * i * (1 - g * g),
        dh * tc * o * (1 - o),
    ], axis=-1)
    dc_prev = {"dc_prev_times_i": dc_total * i,
               "dc_prev_without_f": dc_total}.get(mistake, dc_total * (1 - i))
    return dz @ W.T, dz @ U.T, dc_prev, x.T @ dz, h_prev.T @ dz, dz.sum(axis=0)

# -- GRU (Keras, reset_after=True) ---------------------------------------------------------

def gru_step(x, h, W, U, b, reset_after=True, swap_zr=False, keras_interp=True):
    """b: (2, 3H) = [input bias; recurrent bias]. Blocks [z | r | h~]."""
    xz, xr, xh = blocks(x @ W + b[0], 3)
    if reset_after:
        hz, hr, hh = blocks(h @ U + b[1], 3)
    else:
        hz, hr, _ = blocks(h @ U + b[1], 3)
    z, r = sigmoid(xz + hz), sigmoid(xr + hr)
    if swap_zr:
        z, r = r, z
    if reset_after:
        cand = np.tanh(xh + r * hh)
    else:
        H = h.shape[-1]
        cand = np.tanh(xh + (r * h) @ U[:, 2 * H:] + b[1][2 * H:])
    return z * h + (1 - z) * cand if keras_interp else (1 - z) * h + z * cand


def gru_forward(x, h0, W, U, b):
    hs, h = [], h0
    for t in range(x.shape[1]):
        h = gru_step(x[:, t], h, W, U, b)
        hs.append(h)
    return np.stack(hs, axis=1)



def mgu_step(x, h, W, U, b, mistake=None):
    """The minimal gated unit (Zhou et al. 2016): blocks [f | h~] of width H.
    f = sigma(x W_f + h U_f + b_f), h~ = tanh(x W_h + (f * h) U_h + b_h),
    h_new = (1 - f) * h + f * h~.

    mistake: None, "gate_after_product" (f * (h U_h)), "swapped_mix" (f * h + (1 - f) * h~),
    "no_gate_in_candidate" (h U_h), "swapped_blocks".
    """
    H = h.shape[1]
    Wf, Wh = (W[:, H:], W[:, :H]) if mistake == "swapped_blocks" else (W[:, :H], W[:, H:])
    Uf, Uh = (U[:, H:], U[:, :H]) if mistake == "swapped_blocks" else (U[:, :H], U[:, H:])
    bf, bh = (b[H:], b[:H]) if mistake == "swapped_blocks" else (b[:H], b[H:])
    f = sigmoid(x @ Wf + h @ Uf + bf)
    recurrent = {"gate_after_product": f * (h @ Uh),
                 "no_gate_in_candidate": h @ Uh}.get(mistake, (f * h) @ Uh)
    h_tilde = np.tanh(x @ Wh + recurrent + bh)
    if mistake == "swapped_mix":
        return f * h + (1 - f) * h_tilde
    return (1 - f) * h + f * h_tilde

# -- training ------------------------------------------------------------------------------

def log_softmax(logits):
    z = logits - logits.max(axis=-1, keepdims=True)
    return z - np.log(np.exp(z).sum(axis=-1, keepdims=True))


def softmax(logits):
    return np.exp(log_softmax(logits))


def softmax_cross_entropy(logits, y):
    """logits (B, K), y (B,) ints -> mean loss, dlogits (B, K)."""
    B = logits.shape[0]
    logp = log_softmax(logits)
    d = np.exp(logp)
    d[np.arange(B), y] -= 1
    return -logp[np.arange(B), y].mean(), d / B


def adam_step(p, g, m, v, t, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7,
              textbook=False):
    """One Adam update as Keras 3 computes it -> p, m, v. t counts from 1."""
    m = beta_1 * m + (1 - beta_1) * g
    v = beta_2 * v + (1 - beta_2) * g * g
    if textbook:  # Kingma & Ba: epsilon added to the bias-corrected sqrt(v)
        step = learning_rate * (m / (1 - beta_1**t)) / (np.sqrt(v / (1 - beta_2**t)) + epsilon)
    else:
        alpha = learning_rate * np.sqrt(1 - beta_2**t) / (1 - beta_1**t)
        step = alpha * m / (np.sqrt(v) + epsilon)
    return p - step, m, v


def clip_by_global_norm(grads, max_norm):
    norm = np.sqrt(sum(float(np.sum(g * g)) for g in grads))
    scale = max_norm / max(norm, max_norm)
    return [g * scale for g in grads], norm
