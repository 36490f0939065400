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
# # Problem set 08 · Making it fast
#
# Four exercises on chapter 08 (★ warm-up, ★★ core, ★★★ beyond the chapter). A time loop
# cannot be avoided, but most of the arithmetic can be taken out of it: fuse the four gates'
# weights into one matrix so that one product serves them all, and hoist the input projection
# x · W out of the loop, since it does not depend on h; then do the same for Keras's GRU.
# Besides the values, the checks count the matrix products your code takes (every `@`,
# `np.matmul`, `np.dot`, `np.einsum`).

# %% nbgrader={"grade": false, "grade_id": "setup", "locked": true, "schema_version": 3, "solution": false, "task": false} deletable=false editable=false
import numpy as np

from lstm_lib.grading import check

rng = np.random.default_rng(0)


def sigmoid(x):
    """The logistic function, written with tanh so that it never overflows."""
    return 0.5 * (1.0 + np.tanh(0.5 * x))


# %% [markdown]
# ## Exercise 1 · Fuse the gates ★ (1 point)
#
# Some code (and some papers) keep one weight matrix per gate. Write
# `fuse_gate_weights(W_i, W_f, W_c, W_o)` that puts four per-gate arrays of the same shape
# (..., H), such as four (D, H) kernels or four (H,) biases, side by side into one (..., 4H),
# in the Keras order i, f, c, o.

# %% nbgrader={"grade": false, "grade_id": "fuse_gate_weights", "locked": false, "schema_version": 3, "solution": true, "task": false} deletable=false
def fuse_gate_weights(W_i, W_f, W_c, W_o):
    # YOUR CODE HERE
    raise NotImplementedError()


# %% nbgrader={"grade": true, "grade_id": "check_fuse_gate_weights", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false} deletable=false editable=false
check.fuse_gate_weights(fuse_gate_weights, points=1)


# %% [markdown]
# ## Exercise 2 · The input projection of every step at once ★★ (2 points)
#
# Write `hoisted_input_projection(x, kernel, bias)`: for `x` (B, T, D), `kernel` (D, 4H) and
# `bias` (4H,), return `zx` (B, T, 4H) with `zx[:, t] = x[:, t] @ kernel + bias` for every t,
# computed with **one** matrix product for all B · T rows, not one per step.

# %% nbgrader={"grade": false, "grade_id": "hoisted_input_projection", "locked": false, "schema_version": 3, "solution": true, "task": false} deletable=false
def hoisted_input_projection(x, kernel, bias):
    # YOUR CODE HERE
    raise NotImplementedError()


# %% nbgrader={"grade": true, "grade_id": "check_hoisted_input_projection", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false} deletable=false editable=false
check.hoisted_input_projection(hoisted_input_projection, points=2)


# %% [markdown]
# ## Exercise 3 · The hoisted LSTM ★★ (3 points)
#
# Write `lstm_forward_hoisted(x, h0, c0, kernel, recurrent_kernel, bias)`, the LSTM of problem
# set 03 (returning `hs` (B, T, H) and `c_T` (B, H)) restructured for speed:
#
# - before the loop, one product gives the input part of z for every step (exercise 2);
# - inside the loop, one product `h @ recurrent_kernel` per step gives the recurrent part of
#   all four gates at once.
#
# That is T + 1 matrix products in all; the check fails a version that takes more.

# %% nbgrader={"grade": false, "grade_id": "lstm_forward_hoisted", "locked": false, "schema_version": 3, "solution": true, "task": false} deletable=false
def lstm_forward_hoisted(x, h0, c0, kernel, recurrent_kernel, bias):
    # YOUR CODE HERE
    raise NotImplementedError()


# %% nbgrader={"grade": true, "grade_id": "check_lstm_forward_hoisted", "locked": true, "points": 3, "schema_version": 3, "solution": false, "task": false} deletable=false editable=false
check.lstm_forward_hoisted(lstm_forward_hoisted, points=3)


# %% [markdown]
# ## Exercise 4 · The hoisted GRU ★★★ (3 points)
#
# Chapter 08 hoisted the LSTM; hoist Keras's GRU. Write `gru_forward_hoisted(x, h0, kernel,
# recurrent_kernel, bias)`, the GRU of problem set 10 as `keras.layers.GRU` computes it
# (`reset_after=True`), over a sequence: `x` (B, T, D), `h0` (B, H), `kernel` (D, 3H),
# `recurrent_kernel` (H, 3H), `bias` (2, 3H) (row 0 the input bias, row 1 the recurrent bias),
# blocks [z | r | h~]:
#
# $$z = σ(x W_z + b^{in}_z + h U_z + b^{rec}_z), \quad r = σ(x W_r + b^{in}_r + h U_r + b^{rec}_r)$$
#
# $$\tilde h = \tanh\big(x W_h + b^{in}_h + r ⊙ (h U_h + b^{rec}_h)\big), \quad
#   h_{new} = z ⊙ h + (1 - z) ⊙ \tilde h$$
#
# Return `hs` (B, T, H), in T + 1 matrix products: can one product a step serve all three
# blocks, though r acts on the recurrent term? Where exactly it acts decides.

# %% nbgrader={"grade": false, "grade_id": "gru_forward_hoisted", "locked": false, "schema_version": 3, "solution": true, "task": false} deletable=false
def gru_forward_hoisted(x, h0, kernel, recurrent_kernel, bias):
    # YOUR CODE HERE
    raise NotImplementedError()


# %% nbgrader={"grade": true, "grade_id": "check_gru_forward_hoisted", "locked": true, "points": 3, "schema_version": 3, "solution": false, "task": false} deletable=false editable=false
check.gru_forward_hoisted(gru_forward_hoisted, points=3)

# %% [markdown]
# ## Your progress
#
# Run this cell to see which checks pass in this session, your points so far, and what to look
# at next.

# %% nbgrader={"grade": false, "grade_id": "progress", "locked": true, "schema_version": 3, "solution": false, "task": false} deletable=false editable=false
check.progress("08")
