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
# # Problem set 10 · Variants
#
# Five exercises on chapter 10 (★ warm-up, ★★ core, ★★★ beyond the chapter): the weights each
# variant keeps, the GRU as `keras.layers.GRU` computes it (one step, then a sequence), the LSTM
# with coupled input and forget gates, one of the variants of Greff et al.'s "LSTM: A Search
# Space Odyssey" (2017), and the minimal gated unit, a one-gate cell the chapter did not build.

# %% nbgrader={"grade": false, "grade_id": "setup", "locked": true, "schema_version": 3, "solution": false, "task": false} deletable=false editable=false
import numpy as np

from lstm_lib.grading import check

rng = np.random.default_rng(0)


def sigmoid(x):
    """The logistic function, written with tanh so that it never overflows."""
    return 0.5 * (1.0 + np.tanh(0.5 * x))


# %% [markdown]
# ## Exercise 1 · The weights of each variant ★ (1 point)
#
# Chapter 10 counts each cell's parameters; here you say where they sit. Write
# `weight_shapes(D, H)`, for D inputs and H units, returning a dict from variant name to the
# list of shapes that the variant's cell returns from `get_weights()`, in that order, each shape
# a tuple such as `(D, 4 * H)`. The keys are the chapter's six variants and one more:
#
# - `"LSTM"`, `"GRU"` (Keras's default, `reset_after=True`), `"peephole"`, `"coupled (CIFG)"`,
#   `"no forget gate"`, `"vanilla RNN"`: the cells of chapter 10 (the peephole cell's
#   `peephole` weight comes after the bias);
# - `"GRU (reset_after=False)"`: `keras.layers.GRUCell(H, reset_after=False)`, which the chapter
#   did not build. Ask where its reset gate acts, and whether its two biases could ever be told
#   apart.
#
# The check builds Keras's cells and compares. Sum the products of the shapes and you have the
# chapter's parameter counts.

# %% nbgrader={"grade": false, "grade_id": "weight_shapes", "locked": false, "schema_version": 3, "solution": true, "task": false} deletable=false
def weight_shapes(D, H):
    # YOUR CODE HERE
    raise NotImplementedError()


# %% nbgrader={"grade": true, "grade_id": "check_weight_shapes", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false} deletable=false editable=false
check.weight_shapes(weight_shapes, points=1)


# %% [markdown]
# ## Exercise 2 · One GRU step, as Keras computes it ★★ (3 points)
#
# Write `gru_step_forward(x, h_prev, kernel, recurrent_kernel, bias)` for Keras's default GRU
# (`reset_after=True`). `x` (B, D), `h_prev` (B, H), `kernel` (D, 3H), `recurrent_kernel`
# (H, 3H), both with column blocks z (update), r (reset), h (candidate); `bias` (2, 3H): row 0
# is added to the input part, row 1 to the recurrent part. With $a = x W + b_0$ and
# $u = h_{prev} U + b_1$, split into blocks $[a_z | a_r | a_h]$ and $[u_z | u_r | u_h]$:
#
# $$z = \sigma(a_z + u_z), \quad r = \sigma(a_r + u_r), \quad
#   \tilde h = \tanh(a_h + r \odot u_h), \quad h = z \odot h_{prev} + (1 - z) \odot \tilde h$$
#
# Return `h` (B, H). (The reset gate multiplies the recurrent part *after* the product, bias
# included: that is what `reset_after=True` means.)

# %% nbgrader={"grade": false, "grade_id": "gru_step_forward", "locked": false, "schema_version": 3, "solution": true, "task": false} deletable=false
def gru_step_forward(x, h_prev, kernel, recurrent_kernel, bias):
    # YOUR CODE HERE
    raise NotImplementedError()


# %% nbgrader={"grade": true, "grade_id": "check_gru_step_forward", "locked": true, "points": 3, "schema_version": 3, "solution": false, "task": false} deletable=false editable=false
check.gru_step_forward(gru_step_forward, points=3)


# %% [markdown]
# ## Exercise 3 · The GRU over a sequence ★★ (2 points)
#
# Write `gru_forward(x, h0, kernel, recurrent_kernel, bias)`: `x` (B, T, D), `h0` (B, H);
# return `hs` (B, T, H), the state after every step. You may call your `gru_step_forward`.

# %% nbgrader={"grade": false, "grade_id": "gru_forward", "locked": false, "schema_version": 3, "solution": true, "task": false} deletable=false
def gru_forward(x, h0, kernel, recurrent_kernel, bias):
    # YOUR CODE HERE
    raise NotImplementedError()


# %% nbgrader={"grade": true, "grade_id": "check_gru_forward", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false} deletable=false editable=false
check.gru_forward(gru_forward, points=2)


# %% [markdown]
# ## Exercise 4 · Coupled input and forget gates ★★ (2 points)
#
# The coupled-gate LSTM (CIFG) drops the forget gate and uses f = 1 − i: what is written
# replaces what is forgotten. It has three blocks instead of four. Write
# `coupled_lstm_step(x, h_prev, c_prev, kernel, recurrent_kernel, bias)` with `kernel`
# (D, 3H), `recurrent_kernel` (H, 3H), `bias` (3H,), blocks in the order i, c, o:
#
# $$i = \sigma(z_i), \quad g = \tanh(z_c), \quad o = \sigma(z_o), \quad
#   c = (1 - i) \odot c_{prev} + i \odot g, \quad h = o \odot \tanh(c)$$
#
# Return `(h, c)`, both (B, H).

# %% nbgrader={"grade": false, "grade_id": "coupled_lstm_step", "locked": false, "schema_version": 3, "solution": true, "task": false} deletable=false
def coupled_lstm_step(x, h_prev, c_prev, kernel, recurrent_kernel, bias):
    # YOUR CODE HERE
    raise NotImplementedError()


# %% nbgrader={"grade": true, "grade_id": "check_coupled_lstm_step", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false} deletable=false editable=false
check.coupled_lstm_step(coupled_lstm_step, points=2)


# %% [markdown]
# ## Exercise 5 · A gated unit the chapter did not build ★★★ (2 points)
#
# The GRU has two gates; the *minimal gated unit* (MGU, Zhou et al. 2016) keeps one, a forget
# gate f that both resets the state the candidate reads and mixes old and new:
#
# $$f = \sigma(x W_f + h_{prev} U_f + b_f), \quad
#   \tilde h = \tanh\big(x W_h + (f \odot h_{prev})\, U_h + b_h\big), \quad
#   h = (1 - f) \odot h_{prev} + f \odot \tilde h$$
#
# Write `mgu_step_forward(x, h_prev, kernel, recurrent_kernel, bias)` with `kernel` (D, 2H),
# `recurrent_kernel` (H, 2H), `bias` (2H,), two blocks in the order [f | h~] (W_f is
# `kernel[:, :H]`, W_h `kernel[:, H:]`, and so on). Return `h` (B, H). Mind where the gate acts:
# the fused `h_prev @ recurrent_kernel` of chapter 10's cells cannot give (f ⊙ h_prev) U_h.

# %% nbgrader={"grade": false, "grade_id": "mgu_step_forward", "locked": false, "schema_version": 3, "solution": true, "task": false} deletable=false
def mgu_step_forward(x, h_prev, kernel, recurrent_kernel, bias):
    # YOUR CODE HERE
    raise NotImplementedError()


# %% nbgrader={"grade": true, "grade_id": "check_mgu_step_forward", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false} deletable=false editable=false
check.mgu_step_forward(mgu_step_forward, points=2)

# %% [markdown]
# ## Your progress
#
# Run this cell to see which checks pass in this session, your points so far, and what to look
# at next.

# %% nbgrader={"grade": false, "grade_id": "progress", "locked": true, "schema_version": 3, "solution": false, "task": false} deletable=false editable=false
check.progress("10")
