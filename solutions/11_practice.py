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
# # Problem set 11 · LSTMs in practice
#
# Five exercises on chapter 11, on what real data asks of a recurrent layer, rising in
# difficulty (★ warm-up, ★★ core, ★★★ beyond the chapter): reading the last valid output of a
# padded batch, cutting a time series into training windows, bidirectional layers, masking
# sequences of different lengths, and backpropagation through the masked RNN. A vanilla RNN keeps the code short; everything
# carries over to the LSTM.

# %% nbgrader={"grade": false, "grade_id": "setup", "locked": true, "schema_version": 3, "solution": false, "task": false}
import numpy as np

from lstm_lib.grading import check

rng = np.random.default_rng(0)

# %% [markdown]
# The vanilla RNN of problem set 01, given.

# %% nbgrader={"grade": false, "grade_id": "given_rnn", "locked": true, "schema_version": 3, "solution": false, "task": false}
def rnn_forward(x, h0, kernel, recurrent_kernel, bias):
    """x (B, T, D), h0 (B, H) -> hs (B, T, H)."""
    hs, h = [], h0
    for t in range(x.shape[1]):
        h = np.tanh(x[:, t] @ kernel + h @ recurrent_kernel + bias)
        hs.append(h)
    return np.stack(hs, axis=1)


# %% [markdown]
# ## Exercise 1 · The last valid output ★ (1 point)
#
# A classifier reads each sequence's output at its last real step. Write
# `last_valid_output(hs, lengths)`: `hs` (B, T, H) are the outputs of a padded batch and
# `lengths` (B,) the number of real steps of each row (1 ≤ lengths[b] ≤ T). Return (B, H), row b
# being `hs[b, lengths[b] - 1]`, without a Python loop (index with two arrays).

# %% nbgrader={"grade": false, "grade_id": "last_valid_output", "locked": false, "schema_version": 3, "solution": true, "task": false}
def last_valid_output(hs, lengths):
    ### BEGIN SOLUTION
    return hs[np.arange(hs.shape[0]), lengths - 1]
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "check_last_valid_output", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
check.last_valid_output(last_valid_output, points=1)
### BEGIN HIDDEN TESTS
check.last_valid_output(last_valid_output, B=1, quiet=True)
### END HIDDEN TESTS

# %% [markdown]
# ## Exercise 2 · Windows of a series ★ (2 points)
#
# To forecast a series with an LSTM, cut it into windows. Write
# `make_windows(series, window, horizon=1)` for a 1-D `series` of length N: return `X` of shape
# (M, window, 1), where `X[m, :, 0] = series[m:m + window]`, and `y` of shape (M,), where
# `y[m] = series[m + window + horizon - 1]`, the value `horizon` steps after the window's last
# one. M = N − window − horizon + 1, every window that has its target.

# %% nbgrader={"grade": false, "grade_id": "make_windows", "locked": false, "schema_version": 3, "solution": true, "task": false}
def make_windows(series, window, horizon=1):
    ### BEGIN SOLUTION
    M = len(series) - window - horizon + 1
    X = np.stack([series[m:m + window] for m in range(M)])
    y = series[window + horizon - 1:]
    return X[..., None], y
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "check_make_windows", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false}
check.make_windows(make_windows, points=2)
### BEGIN HIDDEN TESTS
check.make_windows(make_windows, quiet=True)
### END HIDDEN TESTS

# %% [markdown]
# ## Exercise 3 · Bidirectional ★★ (2 points)
#
# Write `bidirectional_rnn(x, forward_weights, backward_weights)` as
# `keras.layers.Bidirectional(SimpleRNN(H, return_sequences=True))` computes it. Each weights
# argument is a tuple `(kernel, recurrent_kernel, bias)`. The forward RNN reads `x` (B, T, D)
# as it is; the backward RNN reads it in reverse time order, and its outputs are flipped back
# so that step t of both directions lines up. Both start from zeros. Return their concatenation
# on the last axis, forward first: (B, T, 2H). Use the given `rnn_forward`.

# %% nbgrader={"grade": false, "grade_id": "bidirectional_rnn", "locked": false, "schema_version": 3, "solution": true, "task": false}
def bidirectional_rnn(x, forward_weights, backward_weights):
    ### BEGIN SOLUTION
    h0 = np.zeros((x.shape[0], forward_weights[1].shape[1]))
    forward = rnn_forward(x, h0, *forward_weights)
    backward = rnn_forward(x[:, ::-1], h0, *backward_weights)[:, ::-1]
    return np.concatenate([forward, backward], axis=-1)
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "check_bidirectional_rnn", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false}
check.bidirectional_rnn(bidirectional_rnn, rnn_forward, points=2)
### BEGIN HIDDEN TESTS
check.bidirectional_rnn(bidirectional_rnn, rnn_forward, B=1, T=4, quiet=True)
### END HIDDEN TESTS

# %% [markdown]
# ## Exercise 4 · Masking ★★ (3 points)
#
# Padded batches hold sequences of different lengths; a mask says which steps are real. Write
# `masked_rnn_forward(x, mask, h0, kernel, recurrent_kernel, bias)`, the vanilla RNN with a
# `mask` (B, T) of booleans, as Keras's generic loop runs it (`keras.layers.SimpleRNN`, and
# `keras.layers.LSTM` with `use_cudnn=False`): where `mask[b, t]` is True, row b takes a normal
# step; where it is False, row b skips the step, keeping its state, and its output at t repeats
# its previous *output*. Before a row's first real step there is no previous output: the
# output is zeros there, while the state, `h0`, is carried on to the first real step. Return
# `hs` (B, T, H). (`np.where(mask[:, t, None], new, old)` picks row by row.)

# %% nbgrader={"grade": false, "grade_id": "masked_rnn_forward", "locked": false, "schema_version": 3, "solution": true, "task": false}
def masked_rnn_forward(x, mask, h0, kernel, recurrent_kernel, bias):
    ### BEGIN SOLUTION
    hs = []
    h, out = h0, np.zeros_like(h0)  # the output differs from the state until a real step
    for t in range(x.shape[1]):
        h_new = np.tanh(x[:, t] @ kernel + h @ recurrent_kernel + bias)
        h = np.where(mask[:, t, None], h_new, h)
        out = np.where(mask[:, t, None], h_new, out)
        hs.append(out)
    return np.stack(hs, axis=1)
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "check_masked_rnn_forward", "locked": true, "points": 3, "schema_version": 3, "solution": false, "task": false}
check.masked_rnn_forward(masked_rnn_forward, points=3)
### BEGIN HIDDEN TESTS
check.masked_rnn_forward(masked_rnn_forward, B=4, T=6, D=1, H=2, quiet=True)
### END HIDDEN TESTS

# %% [markdown]
# ## Exercise 5 · Backpropagation through a masked RNN ★★★ (3 points)
#
# Chapter 02 derived BPTT for the plain RNN, chapter 11 masked its forward pass; neither
# differentiated the masked one. Write `masked_rnn_backward(dhs, x, mask, h0, kernel,
# recurrent_kernel, bias)`: `dhs` (B, T, H) is the gradient of the loss with respect to every
# output of `masked_rnn_forward` (exercise 4) on the same arguments. Return `(dx, dh0, dkernel,
# drecurrent_kernel, dbias)`, shapes (B, T, D), (B, H), (D, H), (H, H), (H,).
#
# Run the forward pass again to get the states, then walk back from t = T − 1 to 0. Ask, for a
# row masked at step t, what the step computed, and so what its gradient is; and what the
# zeros written before a row's first real step depend on. Test your answer with a numerical
# gradient before the check cell.

# %% nbgrader={"grade": false, "grade_id": "masked_rnn_backward", "locked": false, "schema_version": 3, "solution": true, "task": false}
def masked_rnn_backward(dhs, x, mask, h0, kernel, recurrent_kernel, bias):
    ### BEGIN SOLUTION
    T = x.shape[1]
    h_prevs, h = [], h0
    for t in range(T):
        h_prevs.append(h)
        h_new = np.tanh(x[:, t] @ kernel + h @ recurrent_kernel + bias)
        h = np.where(mask[:, t, None], h_new, h)
    started = np.cumsum(mask, axis=1) > 0  # (B, T): row b has had a real step by step t
    dx = np.zeros_like(x)
    dkernel = np.zeros_like(kernel)
    drecurrent_kernel = np.zeros_like(recurrent_kernel)
    dbias = np.zeros_like(bias)
    dh_next = np.zeros_like(h0)
    for t in reversed(range(T)):
        keep = mask[:, t, None]
        # before the first real step the output is a constant zero: dhs[:, t] reaches nothing
        dh = np.where(started[:, t, None], dhs[:, t], 0.0) + dh_next
        h_new = np.tanh(x[:, t] @ kernel + h_prevs[t] @ recurrent_kernel + bias)
        da = np.where(keep, dh * (1 - h_new * h_new), 0.0)  # a held row computed nothing
        dx[:, t] = da @ kernel.T
        dh_next = np.where(keep, da @ recurrent_kernel.T, dh)  # a held row passes dh on
        dkernel += x[:, t].T @ da
        drecurrent_kernel += h_prevs[t].T @ da
        dbias += da.sum(axis=0)
    return dx, dh_next, dkernel, drecurrent_kernel, dbias
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "check_masked_rnn_backward", "locked": true, "points": 3, "schema_version": 3, "solution": false, "task": false}
check.masked_rnn_backward(masked_rnn_backward, points=3)
### BEGIN HIDDEN TESTS
check.masked_rnn_backward(masked_rnn_backward, B=4, T=6, D=1, H=2, quiet=True)
check.masked_rnn_backward(masked_rnn_backward, T=3, quiet=True)
### END HIDDEN TESTS

# %% [markdown]
# ## Your progress
#
# Run this cell to see which checks pass in this session, your points so far, and what to look
# at next.

# %% nbgrader={"grade": false, "grade_id": "progress", "locked": true, "schema_version": 3, "solution": false, "task": false}
check.progress("11")
