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
# # Problem set 05 · Training
#
# Four exercises on chapter 05, the pieces of a training loop around the LSTM, rising in
# difficulty (★ warm-up, ★★ core, ★★★ beyond the chapter): the forget-gate bias that Hochreiter
# & Schmidhuber's successors found so helpful, the softmax cross-entropy loss with its gradient,
# one step of Adam exactly as Keras takes it, and forget biases designed for a given half-life.

# %% nbgrader={"grade": false, "grade_id": "setup", "locked": true, "schema_version": 3, "solution": false, "task": false} deletable=false editable=false
import numpy as np

from lstm_lib.grading import check

rng = np.random.default_rng(0)

# %% [markdown]
# ## Exercise 1 · The forget-gate bias ★ (1 point)
#
# Keras's LSTM starts with `unit_forget_bias=True`: the bias is zero except for the forget
# gate's block, which is 1, so that the cell remembers by default at the start of training.
# Write `lstm_bias_init(H, forget_bias=1.0)` that returns that bias, a float array of shape
# (4H,) in the block order i, f, c, o, with the forget block set to `forget_bias`.

# %% nbgrader={"grade": false, "grade_id": "lstm_bias_init", "locked": false, "schema_version": 3, "solution": true, "task": false} deletable=false
def lstm_bias_init(H, forget_bias=1.0):
    # YOUR CODE HERE
    raise NotImplementedError()


# %% nbgrader={"grade": true, "grade_id": "check_lstm_bias_init", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false} deletable=false editable=false
check.lstm_bias_init(lstm_bias_init, points=1)


# %% [markdown]
# ## Exercise 2 · Softmax cross-entropy ★★ (2 points)
#
# Write `softmax_cross_entropy(logits, y)`: `logits` (B, K) are unnormalised scores over K
# classes, `y` (B,) the integer labels. Return `(loss, dlogits)`:
#
# - `loss`: a float, the mean over the batch of $-\log \mathrm{softmax}(\text{logits}_b)_{y_b}$;
# - `dlogits` (B, K): its gradient, $(\mathrm{softmax}(\text{logits}) - \mathrm{onehot}(y)) / B$.
#
# It must work for any logits, even in the thousands: subtract each row's maximum before `exp`
# (softmax does not change when a constant is added to a row).

# %% nbgrader={"grade": false, "grade_id": "softmax_cross_entropy", "locked": false, "schema_version": 3, "solution": true, "task": false} deletable=false
def softmax_cross_entropy(logits, y):
    # YOUR CODE HERE
    raise NotImplementedError()


# %% nbgrader={"grade": true, "grade_id": "check_softmax_cross_entropy", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false} deletable=false editable=false
check.softmax_cross_entropy(softmax_cross_entropy, points=2)


# %% [markdown]
# ## Exercise 3 · One Adam step, as Keras takes it ★★ (3 points)
#
# Write `adam_step(param, grad, m, v, t, learning_rate=0.001, beta_1=0.9, beta_2=0.999,
# epsilon=1e-7)` (Keras's defaults). `param`, `grad`, `m`, `v` are arrays of one shape; `t` is
# the number of this step, counting from 1. Return the new `(param, m, v)`:
#
# $$m \leftarrow \beta_1 m + (1 - \beta_1)\,g, \qquad v \leftarrow \beta_2 v + (1 - \beta_2)\,g^2$$
# $$\alpha = \text{lr}\,\frac{\sqrt{1 - \beta_2^t}}{1 - \beta_1^t}, \qquad
#   \text{param} \leftarrow \text{param} - \alpha\,\frac{m}{\sqrt{v} + \epsilon}$$
#
# This is `keras.optimizers.Adam`'s update. It differs from the textbook form of Kingma & Ba
# only in where ε goes, which matters when gradients are tiny: the check tries those too.

# %% nbgrader={"grade": false, "grade_id": "adam_step", "locked": false, "schema_version": 3, "solution": true, "task": false} deletable=false
def adam_step(param, grad, m, v, t, learning_rate=0.001, beta_1=0.9, beta_2=0.999,
              epsilon=1e-7):
    # YOUR CODE HERE
    raise NotImplementedError()


# %% nbgrader={"grade": true, "grade_id": "check_adam_step", "locked": true, "points": 3, "schema_version": 3, "solution": false, "task": false} deletable=false editable=false
check.adam_step(adam_step, points=3)


# %% [markdown]
# ## Exercise 4 · A forget bias for a half-life ★★★ (2 points)
#
# Chapter 05 worked out that along the cell state the gradient reaching k steps back is
# multiplied by about σ(b_f)^k at initialisation, and chrono initialisation turned that into
# biases for a *mean* memory of T steps, with the input bias b_i = −b_f. Design the biases for a
# *half-life* instead: write `half_life_bias(half_lives)` for `half_lives` (H,), one per unit, in
# steps (floats ≥ 2). Return the LSTM's `bias` (4H,) in the block order [i | f | g | o] such
# that unit j's forget gate at initialisation, σ(b_f), keeps exactly half of the gradient after
# `half_lives[j]` steps; set b_i = −b_f as chrono does, and the g and o blocks to zero.

# %% nbgrader={"grade": false, "grade_id": "half_life_bias", "locked": false, "schema_version": 3, "solution": true, "task": false} deletable=false
def half_life_bias(half_lives):
    # YOUR CODE HERE
    raise NotImplementedError()


# %% nbgrader={"grade": true, "grade_id": "check_half_life_bias", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false} deletable=false editable=false
check.half_life_bias(half_life_bias, points=2)

# %% [markdown]
# ## Your progress
#
# Run this cell to see which checks pass in this session, your points so far, and what to look
# at next.

# %% nbgrader={"grade": false, "grade_id": "progress", "locked": true, "schema_version": 3, "solution": false, "task": false} deletable=false editable=false
check.progress("05")
