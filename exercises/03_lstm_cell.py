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
# # Problem set 03 · The LSTM cell
#
# Four exercises on chapter 03, rising in difficulty (★ warm-up, ★★ core, ★★★ beyond the
# chapter): splitting the fused pre-activations into the four gate blocks, one LSTM step, an
# LSTM over a whole sequence from weights in PyTorch's layout, and a cell whose weights you set
# by hand to compute something the chapter's cell does not. All in the Keras 3 weight layout:
#
# | weight | shape | column blocks of width H |
# |---|---|---|
# | `kernel` | (D, 4H) | i, f, c, o |
# | `recurrent_kernel` | (H, 4H) | i, f, c, o |
# | `bias` | (4H,) | i, f, c, o |
#
# The check cells diagnose an LSTM step gate by gate: they tell you which gate, or which classic
# mistake, makes your result differ.

# %% nbgrader={"grade": false, "grade_id": "setup", "locked": true, "schema_version": 3, "solution": false, "task": false} deletable=false editable=false
import numpy as np

from lstm_lib.grading import check

rng = np.random.default_rng(0)


def sigmoid(x):
    """The logistic function, written with tanh so that it never overflows."""
    return 0.5 * (1.0 + np.tanh(0.5 * x))


# %% [markdown]
# ## Exercise 1 · The four gate blocks ★ (1 point)
#
# Write `split_gates(z)`. `z` has shape (..., 4H): any leading axes, such as (B, 4H) or
# (B, T, 4H), and the pre-activations of the four gates side by side on the last axis. Return
# the tuple `(z_i, z_f, z_c, z_o)` of its four blocks, each of shape (..., H), in the Keras
# order: input gate, forget gate, candidate ("c" block), output gate.

# %% nbgrader={"grade": false, "grade_id": "split_gates", "locked": false, "schema_version": 3, "solution": true, "task": false} deletable=false
def split_gates(z):
    # YOUR CODE HERE
    raise NotImplementedError()


# %% nbgrader={"grade": true, "grade_id": "check_split_gates", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false} deletable=false editable=false
check.split_gates(split_gates, points=1)


# %% [markdown]
# ## Exercise 2 · One LSTM step ★★ (3 points)
#
# Write `lstm_step_forward(x, h_prev, c_prev, kernel, recurrent_kernel, bias)` returning
# `(h, c)`:
#
# $$z = x W + h_{prev} U + b = [z_i \mid z_f \mid z_c \mid z_o]$$
# $$i = \sigma(z_i),\quad f = \sigma(z_f),\quad g = \tanh(z_c),\quad o = \sigma(z_o)$$
# $$c = f \odot c_{prev} + i \odot g, \qquad h = o \odot \tanh(c)$$
#
# - `x`: (B, D); `h_prev`, `c_prev`: (B, H);
# - `kernel` W: (D, 4H), `recurrent_kernel` U: (H, 4H), `bias` b: (4H,);
# - returns `h` and `c`, each (B, H), in that order.
#
# `sigmoid` is defined in the setup cell. One matrix product per weight: all four gates at once.

# %% nbgrader={"grade": false, "grade_id": "lstm_step_forward", "locked": false, "schema_version": 3, "solution": true, "task": false} deletable=false
def lstm_step_forward(x, h_prev, c_prev, kernel, recurrent_kernel, bias):
    # YOUR CODE HERE
    raise NotImplementedError()


# %% nbgrader={"grade": true, "grade_id": "check_lstm_step_forward", "locked": true, "points": 3, "schema_version": 3, "solution": false, "task": false} deletable=false editable=false
check.lstm_step_forward(lstm_step_forward, points=3)


# %% [markdown]
# ## Exercise 3 · An LSTM over a sequence from PyTorch's weights ★★ (2 points)
#
# A colleague hands you an LSTM trained in PyTorch. `torch.nn.LSTM` keeps its weights in a
# layout of its own:
#
# | weight | shape | row blocks of height H |
# |---|---|---|
# | `weight_ih` | (4H, D) | i, f, g, o |
# | `weight_hh` | (4H, H) | i, f, g, o |
# | `bias_ih` | (4H,) | i, f, g, o |
# | `bias_hh` | (4H,) | i, f, g, o |
#
# and it computes each step's pre-activations as
# $z = x\,W_{ih}^\top + b_{ih} + h_{prev} W_{hh}^\top + b_{hh}$. Its candidate is called g.
#
# Write `lstm_forward_torch(x, h0, c0, weight_ih, weight_hh, bias_ih, bias_hh)` that runs this
# LSTM over a whole sequence and returns `(hs, c_T)`:
#
# - `x`: (B, T, D); `h0`, `c0`: (B, H), the initial states;
# - `hs`: (B, T, H), the hidden state after each step (`hs[:, -1]` is h_T);
# - `c_T`: (B, H), the cell state after the last step.
#
# Do not rewrite the step: convert the weights once to the Keras layout of exercise 2 and call
# your `lstm_step_forward` at every step, carrying both states. The conversion is the exercise:
# compare the two layouts shape by shape, and the two formulas for z term by term.

# %% nbgrader={"grade": false, "grade_id": "lstm_forward_torch", "locked": false, "schema_version": 3, "solution": true, "task": false} deletable=false
def lstm_forward_torch(x, h0, c0, weight_ih, weight_hh, bias_ih, bias_hh):
    # YOUR CODE HERE
    raise NotImplementedError()


# %% nbgrader={"grade": true, "grade_id": "check_lstm_forward_torch", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false} deletable=false editable=false
check.lstm_forward_torch(lstm_forward_torch, points=2)


# %% [markdown]
# ## Exercise 4 · A cell that subtracts, by hand ★★★ (3 points)
#
# Chapter 03 set an LSTM's weights by hand so that a linear readout of its last hidden state
# gives the adding problem's *sum* X1 + X2: a latch and an accumulator, recurrent kernel zero.
# Now make it give the *difference* X1 − X2, the first marked value minus the second, within
# 0.04 on every sequence. The input is the adding problem's modern variant: at each step
# `x[:, t, 0]` is a value in [0, 1] and `x[:, t, 1]` a marker, 1 at exactly two steps (one in
# each half of the sequence) and 0 elsewhere.
#
# Write `hand_set_difference()` that returns `(kernel, recurrent_kernel, bias, readout)`:
# `kernel` (2, 4H), `recurrent_kernel` (H, 4H), `bias` (4H,) in the Keras layout [i | f | g | o]
# with H units of your choice, and `readout` (H,). The check runs your weights from zero states
# on fresh sequences of 20 to 120 steps (and 2 and 300) and compares `h_T @ readout` with
# X1 − X2.
#
# The marker alone cannot tell the first marked step from the second; what the cell has already
# seen can. Test your weights before the check cell: build a sequence or two (a marker in each
# half), run your `lstm_step_forward` over them and compare `h_T @ readout` with X1 − X2.
#
# <details><summary>Hint (open it once you have tried)</summary>
#
# X1 − X2 = 2·X1 − (X1 + X2). Keep the chapter's accumulator; add a unit that latches the first
# value only, whose input gate a *flag* unit shuts once a marker has been seen (through
# `recurrent_kernel`: h of the flag is about tanh(1) after the first marker).
#
# </details>

# %% nbgrader={"grade": false, "grade_id": "hand_set_difference", "locked": false, "schema_version": 3, "solution": true, "task": false} deletable=false
def hand_set_difference():
    # YOUR CODE HERE
    raise NotImplementedError()


# %% nbgrader={"grade": true, "grade_id": "check_hand_set_difference", "locked": true, "points": 3, "schema_version": 3, "solution": false, "task": false} deletable=false editable=false
check.hand_set_difference(hand_set_difference, points=3)

# %% [markdown]
# ## Your progress
#
# Run this cell to see which checks pass in this session, your points so far, and what to look
# at next.

# %% nbgrader={"grade": false, "grade_id": "progress", "locked": true, "schema_version": 3, "solution": false, "task": false} deletable=false editable=false
check.progress("03")
