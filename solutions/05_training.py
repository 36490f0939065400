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
# Five exercises on chapter 05, the pieces of a training loop around the LSTM, rising in
# difficulty (★ warm-up, ★★ core, ★★★ beyond the chapter): chrono initialisation for a range of
# memories, the softmax cross-entropy loss with its gradient, one step of Adam exactly as Keras
# takes it, forget biases designed for a given half-life, and a whole training step, wired from
# the library's pieces, that must learn one batch by heart.

# %% nbgrader={"grade": false, "grade_id": "setup", "locked": true, "schema_version": 3, "solution": false, "task": false}
import numpy as np

from lstm_lib.grading import check
from lstm_lib.numpy import clip_by_global_norm, mse

rng = np.random.default_rng(0)

# %% [markdown]
# ## Exercise 1 · Chrono initialisation for a range of memories ★ (2 points)
#
# A unit whose forget gate sits at σ(b_f) remembers for about m = 1 / (1 − σ(b_f)) steps.
# Chrono initialisation (Tallec & Ollivier, 2018) spreads the units' memories over the lengths a
# task needs; chapter 05 drew them between 2 and T_max. Here the task's dependencies span
# T_min to T_max steps, so draw each unit's memory **m uniformly in [T_min, T_max]** and work out
# the forget bias b_f that gives it. Set the input bias to b_i = −b_f, as chrono does, and the
# other two blocks to zero.
#
# Write `chrono_bias(H, T_min, T_max, rng)`: `rng` is a `np.random.Generator`; draw the H
# memories with it (one call, so that the same seed gives the same biases). Return the LSTM's
# `bias` (4H,) in the block order of Keras and this book, [i | f | c | o].

# %% nbgrader={"grade": false, "grade_id": "chrono_bias", "locked": false, "schema_version": 3, "solution": true, "task": false}
def chrono_bias(H, T_min, T_max, rng):
    ### BEGIN SOLUTION
    memory = rng.uniform(T_min, T_max, size=H)
    b_f = np.log(memory - 1)  # 1 / (1 - sigmoid(b_f)) = 1 + exp(b_f) = memory
    return np.concatenate([-b_f, b_f, np.zeros(H), np.zeros(H)])
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "check_chrono_bias", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false}
check.chrono_bias(chrono_bias, points=2)
### BEGIN HIDDEN TESTS
check.chrono_bias(chrono_bias, H=1, quiet=True)
### END HIDDEN TESTS

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

# %% nbgrader={"grade": false, "grade_id": "softmax_cross_entropy", "locked": false, "schema_version": 3, "solution": true, "task": false}
def softmax_cross_entropy(logits, y):
    ### BEGIN SOLUTION
    B = logits.shape[0]
    z = logits - logits.max(axis=1, keepdims=True)
    log_p = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
    loss = -log_p[np.arange(B), y].mean()
    dlogits = np.exp(log_p)
    dlogits[np.arange(B), y] -= 1
    return loss, dlogits / B
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "check_softmax_cross_entropy", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false}
check.softmax_cross_entropy(softmax_cross_entropy, points=2)
### BEGIN HIDDEN TESTS
check.softmax_cross_entropy(softmax_cross_entropy, B=1, K=2, quiet=True)
check.softmax_cross_entropy(softmax_cross_entropy, B=7, K=30, quiet=True)
### END HIDDEN TESTS

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

# %% nbgrader={"grade": false, "grade_id": "adam_step", "locked": false, "schema_version": 3, "solution": true, "task": false}
def adam_step(param, grad, m, v, t, learning_rate=0.001, beta_1=0.9, beta_2=0.999,
              epsilon=1e-7):
    ### BEGIN SOLUTION
    m = beta_1 * m + (1 - beta_1) * grad
    v = beta_2 * v + (1 - beta_2) * grad * grad
    alpha = learning_rate * np.sqrt(1 - beta_2**t) / (1 - beta_1**t)
    param = param - alpha * m / (np.sqrt(v) + epsilon)
    return param, m, v
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "check_adam_step", "locked": true, "points": 3, "schema_version": 3, "solution": false, "task": false}
check.adam_step(adam_step, points=3)
### BEGIN HIDDEN TESTS
check.adam_step(adam_step, hyper=True, quiet=True)
### END HIDDEN TESTS

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

# %% nbgrader={"grade": false, "grade_id": "half_life_bias", "locked": false, "schema_version": 3, "solution": true, "task": false}
def half_life_bias(half_lives):
    ### BEGIN SOLUTION
    f = 2.0 ** (-1.0 / half_lives)  # f ** k = 1/2
    b_f = np.log(f / (1 - f))  # the logit: sigmoid(b_f) = f
    return np.concatenate([-b_f, b_f, np.zeros_like(b_f), np.zeros_like(b_f)])
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "check_half_life_bias", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false}
check.half_life_bias(half_life_bias, points=2)
### BEGIN HIDDEN TESTS
check.half_life_bias(half_life_bias, H=1, quiet=True)
check.half_life_bias(half_life_bias, H=9, quiet=True)
### END HIDDEN TESTS

# %% [markdown]
# ## Exercise 5 · A training step that learns one batch by heart ★★★ (3 points)
#
# Chapter 05's model read only the last hidden state. Here the head predicts at **every** step:
# the adding problem with an answer after each step, y[:, t] the sum of the marked values seen
# so far. Wire one training step from the library's pieces:
#
# - `rnn` is an `lstm_lib.numpy.LSTM`, `head` a `Dense(H, 1)`, `optimizer` an object with
#   `step(params, grads)` (an `Adam`, say); `x` (B, T, 2), `y` (B, T, 1);
# - the loss is `mse` of the head's predictions (B, T, 1) against `y`;
# - backpropagate through the head and the LSTM with their `backward` methods, clip all
#   gradients together with `clip_by_global_norm(grads, max_norm)`, and take one
#   `optimizer.step` on the model's parameters `rnn.params + head.params`;
# - return the loss (a float).
#
# The check looks at what your step hands the optimizer, then runs it 200 times with Adam on one
# fixed batch: a right step drives the loss on that batch close to zero.

# %% nbgrader={"grade": false, "grade_id": "train_step", "locked": false, "schema_version": 3, "solution": true, "task": false}
def train_step(rnn, head, optimizer, x, y, max_norm=1.0):
    ### BEGIN SOLUTION
    hs, _ = rnn.forward(x)  # (B, T, H)
    loss, dp = mse(head.forward(hs), y)  # a prediction (B, T, 1) at every step
    d_hs, head_grads = head.backward(dp)  # (B, T, H): every step gets its gradient
    _, _, rnn_grads = rnn.backward(d_hs)
    grads, _ = clip_by_global_norm(rnn_grads + head_grads, max_norm)
    optimizer.step(rnn.params + head.params, grads)
    return loss
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "check_train_step", "locked": true, "points": 3, "schema_version": 3, "solution": false, "task": false}
check.train_step(train_step, points=3)
### BEGIN HIDDEN TESTS
check.train_step(train_step, B=1, T=2, H=1, steps=0, quiet=True)
### END HIDDEN TESTS

# %% [markdown]
# ## Your progress
#
# Run this cell to see which checks pass in this session, your points so far, and what to look
# at next.

# %% nbgrader={"grade": false, "grade_id": "progress", "locked": true, "schema_version": 3, "solution": false, "task": false}
check.progress("05")
