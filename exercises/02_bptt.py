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
# # Problem set 02 · Backpropagation through time
#
# Five exercises on chapter 02, rising in difficulty (★ warm-up, ★★ core, ★★★ beyond the
# chapter): the numerical gradient that tests a backward pass, clipping gradients by a global-norm
# limit learnt from the run, the backward pass of one vanilla RNN step, derived by you, backpropagation through time
# truncated to windows, and the backward pass of a leaky RNN step, which the chapter did not derive. The
# forward pass is given below; your backward passes consume the `cache` it returns. The check cells compare your
# gradients with a reference and name the first one that differs. Shapes: B batch, T time steps,
# D input features, H units.

# %% nbgrader={"grade": false, "grade_id": "setup", "locked": true, "schema_version": 3, "solution": false, "task": false} deletable=false editable=false
import numpy as np

from lstm_lib.grading import check

rng = np.random.default_rng(0)

# %% [markdown]
# The forward pass, as in chapter 01, now also returning what the backward pass needs.

# %% nbgrader={"grade": false, "grade_id": "given_forward", "locked": true, "schema_version": 3, "solution": false, "task": false} deletable=false editable=false
def rnn_step_forward(x, h_prev, kernel, recurrent_kernel, bias):
    """x (B, D), h_prev (B, H) -> h (B, H), and the cache for rnn_step_backward."""
    h = np.tanh(x @ kernel + h_prev @ recurrent_kernel + bias)
    cache = (x, h_prev, h, kernel, recurrent_kernel)
    return h, cache


def rnn_forward(x, h0, kernel, recurrent_kernel, bias):
    """x (B, T, D), h0 (B, H) -> hs (B, T, H), and caches: the list of the T step caches."""
    hs, caches, h = [], [], h0
    for t in range(x.shape[1]):
        h, cache = rnn_step_forward(x[:, t], h, kernel, recurrent_kernel, bias)
        hs.append(h)
        caches.append(cache)
    return np.stack(hs, axis=1), caches


# %% [markdown]
# ## Exercise 1 · The numerical gradient ★ (2 points)
#
# Write `numerical_gradient(f, x, eps=1e-5)`: `f` maps an array to a float and `x` is a float
# array of any shape. Return an array shaped like `x` whose entry `idx` is the central
# difference
#
# $$\frac{f(x + \epsilon e_{idx}) - f(x - \epsilon e_{idx})}{2\epsilon}$$
#
# where $e_{idx}$ is 1 at `idx` and 0 elsewhere. Perturb `x` in place, one entry at a time, and
# put each entry back afterwards: `x` must be unchanged when you return. (`np.ndindex(x.shape)`
# walks through every index.) You will use it to test your own backward passes below, before
# their check cells do.

# %% nbgrader={"grade": false, "grade_id": "numerical_gradient", "locked": false, "schema_version": 3, "solution": true, "task": false} deletable=false
def numerical_gradient(f, x, eps=1e-5):
    # YOUR CODE HERE
    raise NotImplementedError()


# %% nbgrader={"grade": true, "grade_id": "check_numerical_gradient", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false} deletable=false editable=false
check.numerical_gradient(numerical_gradient, points=2)


# %% [markdown]
# ## Exercise 2 · A clipping limit learnt from the run ★ (2 points)
#
# Chapter 02 clipped by the global norm with a `max_norm` chosen by hand. Choosing it is the hard
# part: too low and every step is shortened, too high and nothing is. Let the run choose: clip
# each step to the q-th quantile of the global norms of the steps before it. Write
# `adaptive_clip(grads, history, q)`:
#
# - `grads`: a list of arrays of any shapes; `history`: a list of at least one float, the global
#   norms of the earlier steps, measured before their clipping; `q`: a fraction in (0, 1);
# - the limit is the q-th quantile of `history` (`np.quantile`);
# - the global norm of `grads` is $\sqrt{\sum_k \lVert g_k \rVert^2}$ over every entry of
#   every array; when it exceeds the limit, scale all the arrays by `limit / norm`, otherwise
#   leave them as they are;
# - return `(clipped, new_history)`: a list of new arrays, and `history` followed by this step's
#   norm before clipping. Modify neither `grads` nor `history` in place.

# %% nbgrader={"grade": false, "grade_id": "adaptive_clip", "locked": false, "schema_version": 3, "solution": true, "task": false} deletable=false
def adaptive_clip(grads, history, q):
    # YOUR CODE HERE
    raise NotImplementedError()


# %% nbgrader={"grade": true, "grade_id": "check_adaptive_clip", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false} deletable=false editable=false
check.adaptive_clip(adaptive_clip, points=2)


# %% [markdown]
# ## Exercise 3 · Derive the backward pass of one step ★★ (3 points)
#
# The forward pass of one step, with a = the pre-activation:
#
# $$a = x W + h_{prev} U + b, \qquad h = \tanh(a)$$
#
# Write `rnn_step_backward(dh, cache)`. Given `dh` (B, H), the gradient of the loss with
# respect to the step's output h, and the `cache = (x, h_prev, h, kernel, recurrent_kernel)` of
# `rnn_step_forward`, return the gradients of the loss with respect to every input of the step,
# as a tuple in this order: `dx` (B, D), `dh_prev` (B, H), `dkernel` (D, H),
# `drecurrent_kernel` (H, H), `dbias` (H,).
#
# Derive them yourself: go back through the two lines of the forward pass, one at a time, with
# the chain rule. Two facts you need: tanh'(a) = 1 − tanh²(a), which the cache already holds as
# h; and a product `A @ B` sends `dC @ B.T` back to A and `A.T @ dC` back to B (check the shapes:
# each gradient has the shape of what it is the gradient of). Test your formulas on one small
# input with your `numerical_gradient` before you run the check cell.
#
# <details><summary>Hint: the formulas (open it once you have tried)</summary>
#
# | return | shape | formula, with da = dh ⊙ (1 − h²), the gradient through tanh |
# |---|---|---|
# | `dx` | (B, D) | da · Wᵀ |
# | `dh_prev` | (B, H) | da · Uᵀ |
# | `dkernel` | (D, H) | xᵀ · da |
# | `drecurrent_kernel` | (H, H) | h_prevᵀ · da |
# | `dbias` | (H,) | da summed over the batch |
#
# </details>

# %% nbgrader={"grade": false, "grade_id": "rnn_step_backward", "locked": false, "schema_version": 3, "solution": true, "task": false} deletable=false
def rnn_step_backward(dh, cache):
    # YOUR CODE HERE
    raise NotImplementedError()


# %% nbgrader={"grade": true, "grade_id": "check_rnn_step_backward", "locked": true, "points": 3, "schema_version": 3, "solution": false, "task": false} deletable=false editable=false
check.rnn_step_backward(rnn_step_backward, rnn_step_forward, points=3)


# %% [markdown]
# ## Exercise 4 · Truncated backpropagation through time ★★ (3 points)
#
# Chapter 02 walked back through the whole sequence and mentioned the cheaper alternative that
# long sequences need: *truncated* BPTT. The forward pass runs over the whole sequence as usual,
# the state carried from step to step; the backward pass cuts the sequence into windows of `k`
# steps, **[0, k), [k, 2k), ...** (the last may be shorter), and backpropagates within each
# window only: no gradient flows from a window back into the one before it. This is what
# training on a long stream in chunks does (chapter 09).
#
# Write `truncated_rnn_backward(dhs, caches, k)`: `dhs` (B, T, H) is the gradient of the loss
# with respect to every output `hs[:, t]` of `rnn_forward`, `caches` the list it returned.
# Return `(dx, dh0, dkernel, drecurrent_kernel, dbias)` with shapes (B, T, D), (B, H), (D, H),
# (H, H), (H,): the gradients truncated BPTT computes, `dh0` being what flows out of step 0.
# For k ≥ T they are those of full BPTT. Work out from the chain rule where the cut goes; you
# may call your `rnn_step_backward`, and a numerical gradient of a suitable loss tells you
# whether your windows are the right ones.

# %% nbgrader={"grade": false, "grade_id": "truncated_rnn_backward", "locked": false, "schema_version": 3, "solution": true, "task": false} deletable=false
def truncated_rnn_backward(dhs, caches, k):
    # YOUR CODE HERE
    raise NotImplementedError()


# %% nbgrader={"grade": true, "grade_id": "check_truncated_rnn_backward", "locked": true, "points": 3, "schema_version": 3, "solution": false, "task": false} deletable=false editable=false
check.truncated_rnn_backward(truncated_rnn_backward, rnn_forward, points=3)


# %% [markdown]
# The forward step of a *leaky* RNN, for exercise 5: the new state is a mix of the old one and
# the vanilla RNN's update, with a leak rate α in (0, 1) (Jaeger's leaky-integrator units; a
# small α makes a slowly changing state).
#
# $$\tilde h = \tanh(x W + h_{prev} U + b), \qquad h = (1 - α)\, h_{prev} + α\, \tilde h$$

# %% nbgrader={"grade": false, "grade_id": "given_leaky_forward", "locked": true, "schema_version": 3, "solution": false, "task": false} deletable=false editable=false
def leaky_rnn_step_forward(x, h_prev, kernel, recurrent_kernel, bias, alpha):
    """x (B, D), h_prev (B, H), alpha a float -> h (B, H), and the cache for the backward."""
    h_tilde = np.tanh(x @ kernel + h_prev @ recurrent_kernel + bias)
    h = (1 - alpha) * h_prev + alpha * h_tilde
    cache = (x, h_prev, h_tilde, kernel, recurrent_kernel, alpha)
    return h, cache


# %% [markdown]
# ## Exercise 5 · Backward through a leaky step ★★★ (3 points)
#
# Chapter 02 derived the backward pass of the vanilla step; this one it did not. Write
# `leaky_rnn_step_backward(dh, cache)` for `leaky_rnn_step_forward` above, with `cache = (x,
# h_prev, h_tilde, kernel, recurrent_kernel, alpha)`. Return `(dx, dh_prev, dkernel,
# drecurrent_kernel, dbias)`, shapes (B, D), (B, H), (D, H), (H, H), (H,).
#
# Derive it: go back through the two lines, and count every way each input reaches h. Test it
# with your `numerical_gradient` before the check cell.

# %% nbgrader={"grade": false, "grade_id": "leaky_rnn_step_backward", "locked": false, "schema_version": 3, "solution": true, "task": false} deletable=false
def leaky_rnn_step_backward(dh, cache):
    # YOUR CODE HERE
    raise NotImplementedError()


# %% nbgrader={"grade": true, "grade_id": "check_leaky_rnn_step_backward", "locked": true, "points": 3, "schema_version": 3, "solution": false, "task": false} deletable=false editable=false
check.leaky_rnn_step_backward(leaky_rnn_step_backward, leaky_rnn_step_forward, points=3)

# %% [markdown]
# ## Your progress
#
# Run this cell to see which checks pass in this session, your points so far, and what to look
# at next.

# %% nbgrader={"grade": false, "grade_id": "progress", "locked": true, "schema_version": 3, "solution": false, "task": false} deletable=false editable=false
check.progress("02")
