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
# chapter): the size of the layer, one step of a vanilla (Elman) RNN, the loop over a whole
# sequence, and an RNN whose weights you choose so that it counts. Write your code where it says `# YOUR CODE HERE`, then run
# the check cell below it: it calls your function on fresh random inputs, compares it with a
# reference, and says what differs. Shapes use B (batch), T (time steps), D (input features) and
# H (units). Weights are stored as Keras stores them:
# `kernel` (D, H), `recurrent_kernel` (H, H), `bias` (H,).

# %% nbgrader={"grade": false, "grade_id": "setup", "locked": true, "schema_version": 3, "solution": false, "task": false}
import numpy as np

from lstm_lib.grading import check

rng = np.random.default_rng(0)

# %% [markdown]
# ## Exercise 1 · How many weights? ★ (1 point)
#
# Write `simple_rnn_param_count(D, H)` that returns, as an `int`, the number of trainable
# numbers in `keras.layers.SimpleRNN(H)` reading D input features: the sizes of the kernel, the
# recurrent kernel and the bias added up. (Keras's `model.summary()` prints the same number.)

# %% nbgrader={"grade": false, "grade_id": "simple_rnn_param_count", "locked": false, "schema_version": 3, "solution": true, "task": false}
def simple_rnn_param_count(D, H):
    ### BEGIN SOLUTION
    return D * H + H * H + H
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "check_simple_rnn_param_count", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
check.simple_rnn_param_count(simple_rnn_param_count, points=1)
### BEGIN HIDDEN TESTS
check.simple_rnn_param_count(simple_rnn_param_count, quiet=True)
### END HIDDEN TESTS

# %% [markdown]
# ## Exercise 2 · One step ★ (2 points)
#
# Write `rnn_step_forward(x, h_prev, kernel, recurrent_kernel, bias)` that returns the next
# hidden state
#
# $$h = \tanh(x \cdot W + h_{prev} \cdot U + b)$$
#
# - `x`: (B, D), the inputs at this step; `h_prev`: (B, H), the previous hidden state;
# - `kernel` W: (D, H), `recurrent_kernel` U: (H, H), `bias` b: (H,);
# - returns `h`: (B, H).
#
# One line of NumPy: `@` for the products, `np.tanh`; the bias broadcasts over the batch.

# %% nbgrader={"grade": false, "grade_id": "rnn_step_forward", "locked": false, "schema_version": 3, "solution": true, "task": false}
def rnn_step_forward(x, h_prev, kernel, recurrent_kernel, bias):
    ### BEGIN SOLUTION
    return np.tanh(x @ kernel + h_prev @ recurrent_kernel + bias)
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "check_rnn_step_forward", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false}
check.rnn_step_forward(rnn_step_forward, points=2)
### BEGIN HIDDEN TESTS
check.rnn_step_forward(rnn_step_forward, B=1, D=1, H=1, quiet=True)
check.rnn_step_forward(rnn_step_forward, B=4, D=3, H=3, quiet=True)
### END HIDDEN TESTS

# %% [markdown]
# ## Exercise 3 · A whole sequence ★★ (2 points)
#
# Write `rnn_forward(x, h0, kernel, recurrent_kernel, bias)` that runs the step over every time
# step of `x` and returns all the hidden states.
#
# - `x`: (B, T, D), batch-major like Keras; `h0`: (B, H), the initial state;
# - returns `hs`: (B, T, H), where `hs[:, t]` is the state *after* reading `x[:, t]`
#   (so `hs[:, -1]` is the final state h_T).
#
# Loop over t, carry h from one step to the next, and collect the states (`np.stack(...,
# axis=1)` turns a list of T arrays (B, H) into one (B, T, H)). Write the step inline or call
# your `rnn_step_forward`.

# %% nbgrader={"grade": false, "grade_id": "rnn_forward", "locked": false, "schema_version": 3, "solution": true, "task": false}
def rnn_forward(x, h0, kernel, recurrent_kernel, bias):
    ### BEGIN SOLUTION
    hs = []
    h = h0
    for t in range(x.shape[1]):
        h = np.tanh(x[:, t] @ kernel + h @ recurrent_kernel + bias)
        hs.append(h)
    return np.stack(hs, axis=1)
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "check_rnn_forward", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false}
check.rnn_forward(rnn_forward, points=2)
### BEGIN HIDDEN TESTS
check.rnn_forward(rnn_forward, T=1, quiet=True)
check.rnn_forward(rnn_forward, B=1, T=9, D=1, H=2, quiet=True)
### END HIDDEN TESTS

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
# weights with your `rnn_forward` before the check cell.
#
# <details><summary>Hint (open it once you have tried)</summary>
#
# The state has to carry a running sum, but every step squashes it with tanh. Near 0, tanh(a) is
# almost a: keep what each step adds tiny (about 1e-4) so that the sum stays there, and undo that
# scale in the readout.
#
# </details>

# %% nbgrader={"grade": false, "grade_id": "bracket_counter", "locked": false, "schema_version": 3, "solution": true, "task": false}
def bracket_counter():
    ### BEGIN SOLUTION
    scale = 1e-4  # the count stays below 0.01, where tanh(a) = a to 1 part in 10**4
    kernel = np.array([[scale], [-scale]])  # "(" adds, ")" subtracts
    recurrent_kernel = np.array([[1.0]])  # carry the count unchanged
    bias = np.array([0.0])
    readout = np.array([1.0 / scale])
    return kernel, recurrent_kernel, bias, readout
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "check_bracket_counter", "locked": true, "points": 3, "schema_version": 3, "solution": false, "task": false}
check.bracket_counter(bracket_counter, points=3)
### BEGIN HIDDEN TESTS
check.bracket_counter(bracket_counter, T=1, quiet=True)
check.bracket_counter(bracket_counter, T=100, quiet=True)
### END HIDDEN TESTS

# %% [markdown]
# ## Your progress
#
# Run this cell to see which checks pass in this session, your points so far, and what to look
# at next.

# %% nbgrader={"grade": false, "grade_id": "progress", "locked": true, "schema_version": 3, "solution": false, "task": false}
check.progress("01")
