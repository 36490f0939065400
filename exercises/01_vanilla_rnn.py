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
# # Problem set 01 · The vanilla RNN
#
# Four exercises on chapter 01, rising in difficulty (★ warm-up, ★★ core, ★★★ beyond the
# chapter): how large a layer a parameter budget allows, a single-example step made to work on a
# batch, an RNN that reads a whole sequence and predicts one number from its last state, and an
# RNN whose weights you choose so that it counts.
# Write your code where it says `# YOUR CODE HERE`, then run the check cell below it: it calls
# your function on fresh random inputs, compares it with a reference, and says what differs.
# Shapes use B (batch), T (time steps), D (input features) and H (units). Weights are stored as
# Keras stores them, `kernel` (D, H), `recurrent_kernel` (H, H), `bias` (H,), except in
# exercise 2, which starts from a textbook's layout.

# %% nbgrader={"grade": false, "grade_id": "setup", "locked": true, "schema_version": 3, "solution": false, "task": false} deletable=false editable=false
import math

import numpy as np

from lstm_lib.grading import check

rng = np.random.default_rng(0)

# %% [markdown]
# ## Exercise 1 · The largest layer a budget allows ★ (1 point)
#
# A model is `keras.layers.SimpleRNN(H)` reading D input features, followed by
# `keras.layers.Dense(K)` on its last hidden state. You may spend at most `budget` trainable
# numbers (what Keras's `model.summary()` would report as the total). Write
# `largest_units(budget, D, K)` that returns the largest H, as an `int`, whose model fits in the
# budget. Work out the count from the shapes of the weights; budgets always allow H = 1.

# %% nbgrader={"grade": false, "grade_id": "largest_units", "locked": false, "schema_version": 3, "solution": true, "task": false} deletable=false
def largest_units(budget, D, K):
    # YOUR CODE HERE
    raise NotImplementedError()


# %% nbgrader={"grade": true, "grade_id": "check_largest_units", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false} deletable=false editable=false
check.largest_units(largest_units, points=1)


# %% [markdown]
# Many textbooks write the RNN for one example, with column vectors and the weights on the
# left. This step, for exercise 2, is correct for a single sequence:

# %% nbgrader={"grade": false, "grade_id": "given_single_step", "locked": true, "schema_version": 3, "solution": false, "task": false} deletable=false editable=false
def rnn_step_single(x, h_prev, W_xh, W_hh, b_h):
    """One example: x (D,), h_prev (H,); W_xh (H, D), W_hh (H, H), b_h (H,) -> h (H,)."""
    return np.tanh(W_xh @ x + W_hh @ h_prev + b_h)


# %% [markdown]
# ## Exercise 2 · From one example to a batch ★ (2 points)
#
# Write `rnn_step_batch(x, h_prev, W_xh, W_hh, b_h)` that takes a whole batch, `x` (B, D) and
# `h_prev` (B, H), with **the same weights in the same layout** as `rnn_step_single` above, and
# returns `h` (B, H) whose row b equals `rnn_step_single(x[b], h_prev[b], W_xh, W_hh, b_h)`. No
# loop over the batch: one matrix product per weight. Work out each product from the shapes;
# one mistake here raises no error at all, it only gives wrong numbers. (Compare with Keras's
# layout: which arrays are `kernel` and `recurrent_kernel`?)

# %% nbgrader={"grade": false, "grade_id": "rnn_step_batch", "locked": false, "schema_version": 3, "solution": true, "task": false} deletable=false
def rnn_step_batch(x, h_prev, W_xh, W_hh, b_h):
    # YOUR CODE HERE
    raise NotImplementedError()


# %% nbgrader={"grade": true, "grade_id": "check_rnn_step_batch", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false} deletable=false editable=false
check.rnn_step_batch(rnn_step_batch, points=2)


# %% [markdown]
# ## Exercise 3 · Many to one: an RNN that reads a sequence and predicts one number ★★ (2 points)
#
# Chapter 01 put a linear readout on every state, one prediction per step. Many tasks want one
# prediction per *sequence* (a sentiment, the next value, the sum of the marked numbers): the
# RNN reads the whole sequence, and the readout reads its last state alone,
#
# $$y = h_T W_{hy} + b_y.$$
#
# Write `rnn_many_to_one(x, h0, W_xh, W_hh, b_h, W_hy, b_y)` that returns `(y, h_T)`:
#
# - `x`: (B, T, D), batch-major like Keras; `h0`: (B, H), the initial state;
# - the RNN's weights in Keras's layout (not exercise 2's): `W_xh` (D, H), `W_hh` (H, H),
#   `b_h` (H,), so a step is h = tanh(x_t · W_xh + h_prev · W_hh + b_h);
# - the readout: `W_hy` (H, K), `b_y` (K,), K outputs per sequence;
# - returns `y`: (B, K), one prediction per sequence, and `h_T`: (B, H), the state after the
#   last step.
#
# Work out from the shapes where the readout goes, and which state it reads.

# %% nbgrader={"grade": false, "grade_id": "rnn_many_to_one", "locked": false, "schema_version": 3, "solution": true, "task": false} deletable=false
def rnn_many_to_one(x, h0, W_xh, W_hh, b_h, W_hy, b_y):
    # YOUR CODE HERE
    raise NotImplementedError()


# %% nbgrader={"grade": true, "grade_id": "check_rnn_many_to_one", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false} deletable=false editable=false
check.rnn_many_to_one(rnn_many_to_one, points=2)


# %% [markdown]
# ## Exercise 4 · An RNN that counts brackets, by hand ★★★ (3 points)
#
# Chapter 01 ran an RNN with random weights; here you choose them. The input is a sequence of
# brackets, one-hot: `x[:, t] = [1, 0]` for "(" and `[0, 1]` for ")". Design a vanilla RNN
# (h_t = tanh(x_t W + h_{t−1} U + b), from h_0 = 0) and a linear readout such that
# `h_T @ readout` is the depth at the end, the number of "(" minus the number of ")", within 0.1
# on every sequence of up to 100 steps.
#
# Write `bracket_counter()` that returns `(kernel, recurrent_kernel, bias, readout)`: `kernel`
# (2, H), `recurrent_kernel` (H, H), `bias` (H,), `readout` (H,), H of your choice. Try your
# weights before the check cell: this is a many-to-one RNN, so your `rnn_many_to_one` of
# exercise 3 runs it, with `W_hy = readout[:, None]` and `b_y = np.zeros(1)`.
#
# <details><summary>Hint (open it once you have tried)</summary>
#
# The state has to carry a running sum, but every step squashes it with tanh. Near 0, tanh(a) is
# almost a: keep what each step adds tiny (about 1e-4) so that the sum stays there, and undo that
# scale in the readout.
#
# </details>

# %% nbgrader={"grade": false, "grade_id": "bracket_counter", "locked": false, "schema_version": 3, "solution": true, "task": false} deletable=false
def bracket_counter():
    # YOUR CODE HERE
    raise NotImplementedError()


# %% nbgrader={"grade": true, "grade_id": "check_bracket_counter", "locked": true, "points": 3, "schema_version": 3, "solution": false, "task": false} deletable=false editable=false
check.bracket_counter(bracket_counter, points=3)

# %% [markdown]
# ## Your progress
#
# Run this cell to see which checks pass in this session, your points so far, and what to look
# at next.

# %% nbgrader={"grade": false, "grade_id": "progress", "locked": true, "schema_version": 3, "solution": false, "task": false} deletable=false editable=false
check.progress("01")
