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
# # Problem set 06 · Debugging a hand-written LSTM
#
# Chapter 06 found the classic mistakes of a from-scratch LSTM with three tools: shape checks,
# a comparison with a trusted reference, and the gradient check. Here you get a broken LSTM step
# and a broken loop, each with several planted bugs, and fix them; then you write the tool that
# points at the worst mismatch, and a gradient check that names which gradients of a backward
# pass are wrong (★ warm-up, ★★ core, ★★★ beyond the chapter). The check cells say which bugs
# are left.

# %% nbgrader={"grade": false, "grade_id": "setup", "locked": true, "schema_version": 3, "solution": false, "task": false} deletable=false editable=false
import numpy as np

from lstm_lib.grading import check

rng = np.random.default_rng(0)


def sigmoid(x):
    """The logistic function, written with tanh so that it never overflows."""
    return 0.5 * (1.0 + np.tanh(0.5 * x))


# %% [markdown]
# The broken code. It even runs, as long as D == H: try it with D ≠ H, compare its outputs
# with the equations of chapter 03, and read it line by line.

# %% nbgrader={"grade": false, "grade_id": "given_buggy", "locked": true, "schema_version": 3, "solution": false, "task": false} deletable=false editable=false
def buggy_lstm_step(x, h_prev, c_prev, kernel, recurrent_kernel, bias):
    H = h_prev.shape[1]
    z = x @ recurrent_kernel + h_prev @ kernel + bias
    i = sigmoid(z[:, :H])
    f = sigmoid(z[:, H:2 * H])
    g = sigmoid(z[:, 2 * H:3 * H])
    o = sigmoid(z[:, 3 * H:])
    c = f * c_prev + i * g
    h = o * np.tanh(c)
    return c, h


def buggy_lstm_forward(x, h0, c0, kernel, recurrent_kernel, bias):
    B, T, D = x.shape
    hs = np.zeros((B, T, h0.shape[1]))
    h, c = h0, c0
    for t in range(T - 1):
        h, c = lstm_step(x[:, t], h0, c, kernel, recurrent_kernel, bias)
        hs[:, t] = h
    return hs, h


# %% [markdown]
# ## Exercise 1 · Fix the step ★ (3 points)
#
# Write `lstm_step(x, h_prev, c_prev, kernel, recurrent_kernel, bias)`, the corrected
# `buggy_lstm_step`: it returns `(h, c)`, both (B, H), for `x` (B, D), `h_prev` and `c_prev`
# (B, H), `kernel` (D, 4H), `recurrent_kernel` (H, 4H) and `bias` (4H,) in the Keras layout
# (gate blocks i, f, c, o). There are three bugs; the check names the ones you have left.

# %% nbgrader={"grade": false, "grade_id": "lstm_step", "locked": false, "schema_version": 3, "solution": true, "task": false} deletable=false
def lstm_step(x, h_prev, c_prev, kernel, recurrent_kernel, bias):
    # YOUR CODE HERE
    raise NotImplementedError()


# %% nbgrader={"grade": true, "grade_id": "check_lstm_step", "locked": true, "points": 3, "schema_version": 3, "solution": false, "task": false} deletable=false editable=false
check.lstm_step(lstm_step, points=3)


# %% [markdown]
# ## Exercise 2 · Fix the loop ★ (2 points)
#
# Write `lstm_forward(x, h0, c0, kernel, recurrent_kernel, bias)`, the corrected
# `buggy_lstm_forward`, calling your `lstm_step`. It returns `(hs, c_T)`: `hs` (B, T, H), the
# hidden state after every one of the T steps, and `c_T` (B, H), the final *cell* state.
# Three bugs again.

# %% nbgrader={"grade": false, "grade_id": "lstm_forward", "locked": false, "schema_version": 3, "solution": true, "task": false} deletable=false
def lstm_forward(x, h0, c0, kernel, recurrent_kernel, bias):
    # YOUR CODE HERE
    raise NotImplementedError()


# %% nbgrader={"grade": true, "grade_id": "check_lstm_forward", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false} deletable=false editable=false
check.fixed_lstm_forward(lstm_forward, points=2)


# %% [markdown]
# ## Exercise 3 · Where is it worst? ★★ (2 points)
#
# A comparison that only says "not equal" does not help; the index of the worst entry does
# (it tells you the batch row, the time step, the gate block). Write
# `worst_mismatch(got, expected, atol=1e-6)`:
#
# - raise `ValueError` (with both shapes in the message) if the two arrays' shapes differ;
# - return `None` if every |got − expected| ≤ `atol`;
# - otherwise return the index of the largest |got − expected| as a tuple of ints
#   (`np.argmax` and `np.unravel_index` help).

# %% nbgrader={"grade": false, "grade_id": "worst_mismatch", "locked": false, "schema_version": 3, "solution": true, "task": false} deletable=false
def worst_mismatch(got, expected, atol=1e-6):
    # YOUR CODE HERE
    raise NotImplementedError()


# %% nbgrader={"grade": true, "grade_id": "check_worst_mismatch", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false} deletable=false editable=false
check.worst_mismatch(worst_mismatch, points=2)


# %% [markdown]
# ## Exercise 4 · A gradient check that points at the wrong gradient ★★★ (3 points)
#
# Chapter 06's gradient check compared one gradient at a time. Write the tool that takes a
# whole backward pass apart: `gradient_check(loss, params, grads)`, where `params` and `grads`
# are dicts from the same names (here "x", "h_prev", "c_prev", "kernel", "recurrent_kernel",
# "bias") to arrays, `loss(params)` returns a float, and `grads` holds a backward pass's
# answers, some of which may be wrong.
#
# For each name, compute the numerical gradient n by the central difference with eps = 1e-5,
# perturbing `params[name]` in place one entry at a time and putting it back, and the relative
# error ‖a − n‖ / (‖a‖ + ‖n‖) of the analytic gradient a over the whole array. Return
# `(errors, wrong)`: `errors` a dict name → relative error, `wrong` the list of the names whose
# error exceeds 1e-6. The check plants its bugs at random, some as small as one gate block off
# by 0.01 %.

# %% nbgrader={"grade": false, "grade_id": "gradient_check", "locked": false, "schema_version": 3, "solution": true, "task": false} deletable=false
def gradient_check(loss, params, grads):
    # YOUR CODE HERE
    raise NotImplementedError()


# %% nbgrader={"grade": true, "grade_id": "check_gradient_check", "locked": true, "points": 3, "schema_version": 3, "solution": false, "task": false} deletable=false editable=false
check.gradient_check(gradient_check, points=3)

# %% [markdown]
# ## Your progress
#
# Run this cell to see which checks pass in this session, your points so far, and what to look
# at next.

# %% nbgrader={"grade": false, "grade_id": "progress", "locked": true, "schema_version": 3, "solution": false, "task": false} deletable=false editable=false
check.progress("06")
