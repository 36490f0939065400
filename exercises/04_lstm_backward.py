# ---
# jupyter:
#   jupytext:
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#       jupytext_version: 1.19.6
#   kernelspec:
#     display_name: Python 3 (LSTM book, CPU)
#     language: python
#     name: lstm-cpu
# ---

# %% [markdown]
# # Problem set 04 · Backpropagation through the LSTM
#
# Five exercises on chapter 04 (★ warm-up, ★★ core, ★★★ beyond the chapter): the derivatives
# of the sigmoid and tanh from their outputs, the backward pass of one LSTM step, derived by
# you, backpropagation through two stacked layers, a measurement of how far back the gradient
# reaches, and the backward pass of a cell the chapter did not derive. The forward passes are
# given; your backward passes consume their caches. When a gradient is wrong the check says
# which one, and for the weight gradients which gate's block of columns differs first.

# %% nbgrader={"grade": false, "grade_id": "setup", "locked": true, "schema_version": 3, "solution": false, "task": false} deletable=false editable=false
import numpy as np

from lstm_lib.grading import check

rng = np.random.default_rng(0)


def sigmoid(x):
    """The logistic function, written with tanh so that it never overflows."""
    return 0.5 * (1.0 + np.tanh(0.5 * x))


# %% [markdown]
# The forward pass of chapter 03, now also returning what the backward pass needs.

# %% nbgrader={"grade": false, "grade_id": "given_forward", "locked": true, "schema_version": 3, "solution": false, "task": false} deletable=false editable=false
def lstm_step_forward(x, h_prev, c_prev, kernel, recurrent_kernel, bias):
    """x (B, D), h_prev, c_prev (B, H) -> h, c (B, H), and the cache for lstm_step_backward."""
    H = h_prev.shape[1]
    z = x @ kernel + h_prev @ recurrent_kernel + bias
    i, f, o = sigmoid(z[:, :H]), sigmoid(z[:, H:2 * H]), sigmoid(z[:, 3 * H:])
    g = np.tanh(z[:, 2 * H:3 * H])
    c = f * c_prev + i * g
    h = o * np.tanh(c)
    cache = (x, h_prev, c_prev, i, f, g, o, c, kernel, recurrent_kernel)
    return h, c, cache


def lstm_forward(x, h0, c0, kernel, recurrent_kernel, bias):
    """x (B, T, D) -> hs (B, T, H), c_T (B, H), and caches: the list of the T step caches."""
    hs, caches, h, c = [], [], h0, c0
    for t in range(x.shape[1]):
        h, c, cache = lstm_step_forward(x[:, t], h, c, kernel, recurrent_kernel, bias)
        hs.append(h)
        caches.append(cache)
    return np.stack(hs, axis=1), c, caches


# %% [markdown]
# ## Exercise 1 · Derivatives from the outputs ★ (1 point)
#
# The backward pass needs σ'(z) and tanh'(z) at every gate, but the forward pass above does not
# keep z: its cache holds the gates' *outputs* i, f, g, o. Both derivatives can be written with
# the output alone. Given `y` (B, H), computed in the forward pass as `y = sigmoid(z)` or
# `y = np.tanh(z)`, and `dy` (B, H), the gradient of the loss with respect to y, write
#
# - `sigmoid_backward(dy, y)` returning dz, the gradient with respect to z, when y = σ(z);
# - `tanh_backward(dy, y)` returning dz when y = tanh(z).
#
# Use `dy` and `y` only: there is no z to call `sigmoid` on. Start from σ' = σ(1 − σ) and
# tanh' = 1 − tanh², and ask what σ(z) and tanh(z) are here. You may call both in the exercises
# that follow.

# %% nbgrader={"grade": false, "grade_id": "derivatives_from_outputs", "locked": false, "schema_version": 3, "solution": true, "task": false} deletable=false
def sigmoid_backward(dy, y):
    # YOUR CODE HERE
    raise NotImplementedError()


def tanh_backward(dy, y):
    # YOUR CODE HERE
    raise NotImplementedError()


# %% nbgrader={"grade": true, "grade_id": "check_derivatives_from_outputs", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false} deletable=false editable=false
check.derivatives_from_outputs(sigmoid_backward, tanh_backward, points=1)


# %% [markdown]
# ## Exercise 2 · Derive the backward pass of one step ★★ (3 points)
#
# The forward pass of one step (chapter 03), with σ the sigmoid and z split into four blocks of
# H columns in Keras's order [i | f | g | o]:
#
# $$z = x W + h_{prev} U + b, \quad i = σ(z_i),\ f = σ(z_f),\ g = \tanh(z_g),\ o = σ(z_o)$$
#
# $$c = f ⊙ c_{prev} + i ⊙ g, \qquad h = o ⊙ \tanh(c)$$
#
# Write `lstm_step_backward(dh, dc, cache)`. `dh` and `dc` (B, H) are the gradients of the loss
# with respect to the step's outputs h and c; `cache = (x, h_prev, c_prev, i, f, g, o, c,
# kernel, recurrent_kernel)` comes from `lstm_step_forward`. Return
# `(dx, dh_prev, dc_prev, dkernel, drecurrent_kernel, dbias)` with shapes (B, D), (B, H),
# (B, H), (D, 4H), (H, 4H), (4H,).
#
# Derive the backward equations yourself, going back through the forward's lines from the last.
# Mind that c reaches the loss twice: through `dc` and through h. σ' = σ(1 − σ) and
# tanh' = 1 − tanh². Test your formulas with a numerical gradient (problem set 02) before the
# check cell; when a term is wrong the check names it, and the gate block it falls in.
#
# <details><summary>Hint: the backward equations (open it once you have tried)</summary>
#
# 1. h = o ⊙ tanh(c) sends gradient to c too: dc_total = dc + dh ⊙ o ⊙ (1 − tanh²(c));
# 2. the gradients of the four pre-activations:
#    dz_i = dc_total ⊙ g ⊙ i(1 − i), dz_f = dc_total ⊙ c_prev ⊙ f(1 − f),
#    dz_g = dc_total ⊙ i ⊙ (1 − g²), dz_o = dh ⊙ tanh(c) ⊙ o(1 − o);
# 3. dz = [dz_i | dz_f | dz_g | dz_o], (B, 4H), in the Keras block order;
# 4. dx = dz Wᵀ, dh_prev = dz Uᵀ, dc_prev = dc_total ⊙ f, dkernel = xᵀ dz,
#    drecurrent_kernel = h_prevᵀ dz, dbias = dz summed over the batch.
#
# </details>

# %% nbgrader={"grade": false, "grade_id": "lstm_step_backward", "locked": false, "schema_version": 3, "solution": true, "task": false} deletable=false
def lstm_step_backward(dh, dc, cache):
    # YOUR CODE HERE
    raise NotImplementedError()


# %% nbgrader={"grade": true, "grade_id": "check_lstm_step_backward", "locked": true, "points": 3, "schema_version": 3, "solution": false, "task": false} deletable=false editable=false
check.lstm_step_backward(lstm_step_backward, lstm_step_forward, points=3)


# %% [markdown]
# Chapter 04's backpropagation through time, written with your `lstm_step_backward`: it walks
# back from the last step, adding the gradient carried through h and c to each step's own. You
# may call it in the exercises that follow.

# %% nbgrader={"grade": false, "grade_id": "given_lstm_backward", "locked": true, "schema_version": 3, "solution": false, "task": false} deletable=false editable=false
def lstm_backward(dhs, caches, dc_T=None):
    """dhs (B, T, H), the caches of lstm_forward, dc_T (B, H) or None
    -> dx (B, T, D), dh0, dc0 (B, H), dkernel (D, 4H), drecurrent_kernel (H, 4H), dbias (4H,)."""
    dxs = []
    dh_next = 0
    dc_next = 0 if dc_T is None else dc_T
    dkernel = drecurrent_kernel = dbias = 0
    for t in reversed(range(dhs.shape[1])):
        dx, dh_next, dc_next, dk, dr, db = lstm_step_backward(
            dhs[:, t] + dh_next, dc_next, caches[t])
        dxs.append(dx)
        dkernel = dkernel + dk
        drecurrent_kernel = drecurrent_kernel + dr
        dbias = dbias + db
    return np.stack(dxs[::-1], axis=1), dh_next, dc_next, dkernel, drecurrent_kernel, dbias


# %% [markdown]
# ## Exercise 3 · Backpropagation through two stacked LSTM layers ★★ (3 points)
#
# Chapter 04 took the gradient through one LSTM layer. Stack two: layer 1 reads x (B, T, D),
# layer 2 reads layer 1's hidden states, and the loss reads layer 2's.
#
# ```python
# hs1, c1_T, caches1 = lstm_forward(x, h0_1, c0_1, kernel1, recurrent_kernel1, bias1)
# hs2, c2_T, caches2 = lstm_forward(hs1, h0_2, c0_2, kernel2, recurrent_kernel2, bias2)
# ```
#
# Write `stacked_lstm_backward(dhs, caches1, caches2)`. `dhs` (B, T, H) is the gradient of the
# loss with respect to every `hs2[:, t]`; the loss does not read `hs1` or the final cell states.
# Return `(dx, grads1, grads2)`: dx (B, T, D), the gradient with respect to x, and for each layer
# the tuple `(dh0, dc0, dkernel, drecurrent_kernel, dbias)` of its initial states and weights.
#
# Ask what reaches each `hs1[:, t]`, and from where. You may call `lstm_backward`.

# %% nbgrader={"grade": false, "grade_id": "stacked_lstm_backward", "locked": false, "schema_version": 3, "solution": true, "task": false} deletable=false
def stacked_lstm_backward(dhs, caches1, caches2):
    # YOUR CODE HERE
    raise NotImplementedError()


# %% nbgrader={"grade": true, "grade_id": "check_stacked_lstm_backward", "locked": true, "points": 3, "schema_version": 3, "solution": false, "task": false} deletable=false editable=false
check.stacked_lstm_backward(stacked_lstm_backward, lstm_forward, points=3)


# %% [markdown]
# ## Exercise 4 · How far back does the gradient reach? ★★ (3 points)
#
# Chapter 04 plotted the size of the gradient against the time lag. Turn that picture into a
# number: for a given forget bias and input scale, at which lag has the gradient fallen below a
# threshold? Write `vanishing_lag(kernel, recurrent_kernel, forget_bias, x, input_scale,
# threshold)`:
#
# - the LSTM has the given `kernel` (D, 4H) and `recurrent_kernel` (H, 4H), and a bias that is
#   zero except for its forget block, set to `forget_bias`; it reads `input_scale * x`, with x
#   (B, T, D), from zero initial states;
# - the loss L is the sum of the last hidden state h_T (it reads no other step);
# - `norms` (T,): `norms[k]` is the mean over the batch of the norm (over the D features) of
#   ∂L/∂x at lag k, the step t = T − 1 − k, divided by the same at lag 0, so `norms[0]` is 1;
# - `lag`: the smallest k with `norms[k] < threshold`, or None if there is none.
#
# Return `(norms, lag)`. Use this notebook's `lstm_forward` and `lstm_backward`.

# %% nbgrader={"grade": false, "grade_id": "vanishing_lag", "locked": false, "schema_version": 3, "solution": true, "task": false} deletable=false
def vanishing_lag(kernel, recurrent_kernel, forget_bias, x, input_scale, threshold):
    # YOUR CODE HERE
    raise NotImplementedError()


# %% nbgrader={"grade": true, "grade_id": "check_vanishing_lag", "locked": true, "points": 3, "schema_version": 3, "solution": false, "task": false} deletable=false editable=false
check.vanishing_lag(vanishing_lag, points=3)


# %% [markdown]
# The forward step of the coupled input–forget gate LSTM (chapter 10), for exercise 5.

# %% nbgrader={"grade": false, "grade_id": "given_cifg_forward", "locked": true, "schema_version": 3, "solution": false, "task": false} deletable=false editable=false
def cifg_step_forward(x, h_prev, c_prev, kernel, recurrent_kernel, bias):
    """x (B, D), h_prev, c_prev (B, H); kernel (D, 3H), recurrent_kernel (H, 3H), bias (3H,)
    -> h, c (B, H), and the cache for cifg_step_backward."""
    H = h_prev.shape[1]
    z = x @ kernel + h_prev @ recurrent_kernel + bias
    i, g, o = sigmoid(z[:, :H]), np.tanh(z[:, H:2 * H]), sigmoid(z[:, 2 * H:])
    c = (1 - i) * c_prev + i * g
    h = o * np.tanh(c)
    cache = (x, h_prev, c_prev, i, g, o, c, kernel, recurrent_kernel)
    return h, c, cache


# %% [markdown]
# ## Exercise 5 · Backward through a cell the chapter did not derive ★★★ (3 points)
#
# The coupled input–forget gate LSTM (CIFG, chapter 10) has no forget gate of its own: it uses
# f = 1 − i, so what is written replaces what is forgotten. Three blocks [i | g | o] instead of
# four. Its forward step is given above. Derive its backward pass, as the chapter did for the
# LSTM, and write `cifg_step_backward(dh, dc, cache)` with `cache = (x, h_prev, c_prev, i, g, o,
# c, kernel, recurrent_kernel)`. Return `(dx, dh_prev, dc_prev, dkernel, drecurrent_kernel,
# dbias)` with shapes (B, D), (B, H), (B, H), (D, 3H), (H, 3H), (3H,).
#
# Go back through the forward's lines and ask, for each quantity, every way it reaches the loss.
# A numerical gradient (problem set 02) of your own tells you whether you have them all.

# %% nbgrader={"grade": false, "grade_id": "cifg_step_backward", "locked": false, "schema_version": 3, "solution": true, "task": false} deletable=false
def cifg_step_backward(dh, dc, cache):
    # YOUR CODE HERE
    raise NotImplementedError()


# %% nbgrader={"grade": true, "grade_id": "check_cifg_step_backward", "locked": true, "points": 3, "schema_version": 3, "solution": false, "task": false} deletable=false editable=false
check.cifg_step_backward(cifg_step_backward, cifg_step_forward, points=3)

# %% [markdown]
# ## Your progress
#
# Run this cell to see which checks pass in this session, your points so far, and what to look
# at next.

# %% nbgrader={"grade": false, "grade_id": "progress", "locked": true, "schema_version": 3, "solution": false, "task": false} deletable=false editable=false
check.progress("04")
