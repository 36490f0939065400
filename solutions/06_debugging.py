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
# Chapter 06 found the classic mistakes of a from-scratch LSTM with four tools: shape checks,
# parity with a trusted reference, the gradient check and the overfit test. Here you build the
# tools and then use them on layers whose code you cannot read: the tool that points at the
# worst mismatch, an overfit test that a bug cannot pass, a gradient check that names which
# gradients of a backward pass are wrong, and a procedure that names the bug of a black-box
# LSTM (★ warm-up, ★★ core, ★★★ beyond the chapter).

# %% nbgrader={"grade": false, "grade_id": "setup", "locked": true, "schema_version": 3, "solution": false, "task": false}
import numpy as np

from lstm_lib.grading import check

rng = np.random.default_rng(0)


def sigmoid(x):
    """The logistic function, written with tanh so that it never overflows."""
    return 0.5 * (1.0 + np.tanh(0.5 * x))


# %% [markdown]
# A trusted reference for parity (chapter 03's LSTM, checked against `keras.layers.LSTM`):

# %% nbgrader={"grade": false, "grade_id": "given_reference", "locked": true, "schema_version": 3, "solution": false, "task": false}
def reference_lstm(x, h0, c0, kernel, recurrent_kernel, bias):
    """x (B, T, D), h0, c0 (B, H), Keras's weight layout -> hs (B, T, H), c_T (B, H)."""
    H = h0.shape[1]
    h, c, hs = h0, c0, []
    for t in range(x.shape[1]):
        z = x[:, t] @ kernel + h @ recurrent_kernel + bias
        i, f, o = sigmoid(z[:, :H]), sigmoid(z[:, H:2 * H]), sigmoid(z[:, 3 * H:])
        c = f * c + i * np.tanh(z[:, 2 * H:3 * H])
        h = o * np.tanh(c)
        hs.append(h)
    return np.stack(hs, axis=1), c


# %% [markdown]
# ## Exercise 1 · Where is it worst? ★ (2 points)
#
# A comparison that only says "not equal" does not help; the index of the worst entry does
# (it tells you the batch row, the time step, the gate block). Write
# `worst_mismatch(got, expected, atol=1e-6)`:
#
# - raise `ValueError` (with both shapes in the message) if the two arrays' shapes differ;
# - return `None` if every |got − expected| ≤ `atol`;
# - otherwise return the index of the largest |got − expected| as a tuple of ints
#   (`np.argmax` and `np.unravel_index` help).

# %% nbgrader={"grade": false, "grade_id": "worst_mismatch", "locked": false, "schema_version": 3, "solution": true, "task": false}
def worst_mismatch(got, expected, atol=1e-6):
    ### BEGIN SOLUTION
    got, expected = np.asarray(got), np.asarray(expected)
    if got.shape != expected.shape:
        raise ValueError(f"shapes differ: {got.shape} vs {expected.shape}")
    err = np.abs(got - expected)
    if err.max() <= atol:
        return None
    return tuple(int(i) for i in np.unravel_index(np.argmax(err), err.shape))
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "check_worst_mismatch", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false}
check.worst_mismatch(worst_mismatch, points=2)
### BEGIN HIDDEN TESTS
check.worst_mismatch(worst_mismatch, quiet=True)
### END HIDDEN TESTS

# %% [markdown]
# ## Exercise 2 · An overfit test that a bug fails ★★ (3 points)
#
# An overfit test is only as good as its data: chapter 06 showed one passed by a broken gradient
# and one beaten by a bug. Design an overfit test that a correct LSTM passes and one whose bias
# has a batch axis, (B, 4H), fails. Write `overfit_test(fit)`, returning `True` when the layer
# behind `fit` passes your test and `False` when it fails. `fit(x, y, steps=200)` trains a fresh
# LSTM layer with a linear readout of $h_T$ on `x` (B, T, D) and targets `y` (B, 1) (the mean
# squared error, Adam, a new random start each call) and returns the loss at every step. You
# cannot see the layer's weights, only how it learns. Try your test on
# `check.trainer("none")` and `check.trainer("batch_axis_bias")`; the check runs it on both.

# %% nbgrader={"grade": false, "grade_id": "overfit_test", "locked": false, "schema_version": 3, "solution": true, "task": false}
def overfit_test(fit):
    ### BEGIN SOLUTION
    B, T, D = 8, 6, 3  # any sizes with B > 1  # pragma: no mutate
    rng = np.random.default_rng()
    x = np.repeat(rng.normal(size=(1, T, D)), B, axis=0)  # B copies of one sequence
    y = rng.normal(size=(B, 1))  # and B different targets
    # A correct model gives identical inputs one prediction: its loss never goes below Var(y).
    # A loss far below that is too good to be true: per-example parameters memorised y.
    return bool(min(fit(x, y)) > y.var() / 2.0)
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "check_overfit_test", "locked": true, "points": 3, "schema_version": 3, "solution": false, "task": false}
check.overfit_test(overfit_test, points=3)
### BEGIN HIDDEN TESTS
check.overfit_test(overfit_test, quiet=True)
### END HIDDEN TESTS

# %% [markdown]
# ## Exercise 3 · A gradient check that points at the wrong gradient ★★★ (3 points)
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

# %% nbgrader={"grade": false, "grade_id": "gradient_check", "locked": false, "schema_version": 3, "solution": true, "task": false}
def gradient_check(loss, params, grads):
    ### BEGIN SOLUTION
    eps = 1e-5
    errors, wrong = {}, []
    for name, p in params.items():
        numerical = np.zeros_like(p)
        for idx in np.ndindex(p.shape):
            old = p[idx]
            p[idx] = old + eps
            up = loss(params)
            p[idx] = old - eps
            down = loss(params)
            p[idx] = old
            numerical[idx] = (up - down) / (2 * eps)
        a = grads[name]
        errors[name] = np.linalg.norm(a - numerical) / (np.linalg.norm(a)
                                                         + np.linalg.norm(numerical))
        if errors[name] > 1e-6:
            wrong.append(name)
    return errors, wrong
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "check_gradient_check", "locked": true, "points": 3, "schema_version": 3, "solution": false, "task": false}
check.gradient_check(gradient_check, points=3)
### BEGIN HIDDEN TESTS
check.gradient_check(gradient_check, quiet=True)
check.gradient_check(gradient_check, quiet=True)
### END HIDDEN TESTS

# %% [markdown]
# ## Exercise 4 · Name the bug of a black box ★★★ (3 points)
#
# Chapter 06 read its suspect's code. Often you cannot: the layer is someone else's, or too big
# to read. `check.suspect()` makes a black-box LSTM layer with one bug from chapter 06's
# catalogue, drawn at random, or with none:
#
# ```python
# Suspect = check.suspect()              # a layer class; check.suspect(bug="gate_order") to practise
# layer = Suspect(units)                  # H = units
# layer.build((B, T, D))                  # creates the weights (the first call does it too)
# layer.get_weights(); layer.set_weights([kernel, recurrent_kernel, bias])   # Keras's layout
# hs, c_T = layer(x, h0, c0)              # x (B, T, D), h0, c0 (B, H) -> hs (B, T, H), c_T (B, H)
# dkernel, drecurrent_kernel, dbias = layer.backward(dhs)   # of sum(hs * dhs), for the last call
# ```
#
# The names, `check.BUGS`: `"none"`, `"swapped_kernels"` (the input meets the recurrent
# kernel), `"batch_axis_bias"`, `"time_axis_kept"` (the slice `x[:, t:t+1]`),
# `"sigmoid_candidate"`, `"gate_order"` (blocks read in another order than i, f, c, o),
# `"h_c_swapped"`, `"loop_one_short"`, `"tanh_prime_of_c"` (the backward pass writes tanh'(c) as
# 1 − c²), `"no_cell_carry"` (the backward pass drops the cell-state gradient between steps).
#
# Write `name_the_bug(Suspect)` that finds out, by running it, which bug a suspect class has, and
# returns its name. Use chapter 06's method, cheapest first: shapes at sizes that are all
# different; parity of one step with `reference_lstm` (against each of its outputs) and, where
# the gates differ, the gate-isolation probe (zero kernels, ±20 biases); a gradient check at T = 1
# and at T > 1. The check hands your function several suspects with bugs drawn at random (and,
# hidden, one of each), so a guess does not pass; it tells you which one you misnamed.

# %% nbgrader={"grade": false, "grade_id": "name_the_bug", "locked": false, "schema_version": 3, "solution": true, "task": false}
def name_the_bug(Suspect):
    ### BEGIN SOLUTION
    B, T, D, H = 2, 3, 4, 5  # all different, and 4H = 20 too  # pragma: no mutate
    rng = np.random.default_rng()
    x, h0, c0 = rng.normal(size=(B, T, D)), rng.normal(size=(B, H)), rng.normal(size=(B, H))
    weights = [rng.normal(size=(D, 4 * H)), rng.normal(size=(H, 4 * H)), rng.normal(size=4 * H)]

    def run(x, weights):
        layer = Suspect(H)
        layer.build(x.shape)
        layer.set_weights(weights)
        return layer, *layer(x, h0, c0)

    # 1. Shapes, at sizes that are all different.
    layer = Suspect(H)
    layer.build(x.shape)
    if layer.get_weights()[2].shape != (4 * H,):
        return "batch_axis_bias"
    try:
        _, hs, c_T = run(x, weights)
    except ValueError:  # x_t (B, D) met a matrix of H rows
        return "swapped_kernels"
    if hs.ndim != 3:
        return "time_axis_kept"
    if hs.shape[1] != T:
        return "loop_one_short"
    # 2. Parity of one step with the reference, against each of its outputs.
    x1 = x[:, :1]  # one step: (B, 1, D)
    _, h1, c1 = run(x1, weights)
    want_h, want_c = reference_lstm(x1, h0, c0, *weights)
    if np.allclose(h1, want_c[:, None]) and np.allclose(c1, want_h[:, 0]):
        return "h_c_swapped"
    if not np.allclose(h1, want_h):
        # The probe: zero kernels; i open, f shut, o open, so that c = g(r) whatever c_prev.
        r = rng.normal(size=H)
        big = np.full(H, 20.0)
        layer = Suspect(H)
        layer.build(x1.shape)
        layer.set_weights([np.zeros((D, 4 * H)), np.zeros((H, 4 * H)),
                           np.concatenate([big, -big, r, big])])
        g = layer(x1, h0, c0)[1]
        return "sigmoid_candidate" if np.allclose(g, sigmoid(r)) else "gate_order"
    # 3. A gradient check of the bias, at T = 1 (inside a step), then at T > 1 (between steps).
    for x_part, bug in [(x1, "tanh_prime_of_c"), (x, "no_cell_carry")]:
        dhs = rng.normal(size=(B, x_part.shape[1], H))
        layer, _, _ = run(x_part, weights)
        analytic = layer.backward(dhs)[2]
        numeric = np.zeros(4 * H)
        for k in range(4 * H):
            step = np.zeros(4 * H)
            step[k] = 1e-6
            up = run(x_part, [*weights[:2], weights[2] + step])[1]
            down = run(x_part, [*weights[:2], weights[2] - step])[1]
            numeric[k] = np.sum((up - down) * dhs) / 2e-6
        if not np.allclose(analytic, numeric, rtol=1e-5, atol=1e-7):
            return bug
    return "none"
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "check_name_the_bug", "locked": true, "points": 3, "schema_version": 3, "solution": false, "task": false}
check.name_the_bug(name_the_bug, points=3)
### BEGIN HIDDEN TESTS
check.name_the_bug(name_the_bug, boxes="all", quiet=True)
check.name_the_bug(name_the_bug, boxes="all", quiet=True)
### END HIDDEN TESTS

# %% [markdown]
# ## Your progress
#
# Run this cell to see which checks pass in this session, your points so far, and what to look
# at next.

# %% nbgrader={"grade": false, "grade_id": "progress", "locked": true, "schema_version": 3, "solution": false, "task": false}
check.progress("06")
