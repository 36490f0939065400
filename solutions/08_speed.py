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
# Six exercises on chapter 08 (★ warm-up, ★★ core, ★★★ beyond the chapter). A time loop
# cannot be avoided, but most of the arithmetic can be taken out of it: fuse the four gates'
# weights into one matrix so that one product serves them all, hoist the input projection
# x · W out of the loop, since it does not depend on h, and the weight gradients out of the
# backward loop; time two versions fairly; then hoist Keras's GRU.
# Besides the values, the checks count the matrix products your code takes (every `@`,
# `np.matmul`, `np.dot`, `np.einsum`).

# %% nbgrader={"grade": false, "grade_id": "setup", "locked": true, "schema_version": 3, "solution": false, "task": false}
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

# %% nbgrader={"grade": false, "grade_id": "fuse_gate_weights", "locked": false, "schema_version": 3, "solution": true, "task": false}
def fuse_gate_weights(W_i, W_f, W_c, W_o):
    ### BEGIN SOLUTION
    return np.concatenate([W_i, W_f, W_c, W_o], axis=-1)
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "check_fuse_gate_weights", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
check.fuse_gate_weights(fuse_gate_weights, points=1)
### BEGIN HIDDEN TESTS
check.fuse_gate_weights(fuse_gate_weights, vector=True, quiet=True)
### END HIDDEN TESTS

# %% [markdown]
# ## Exercise 2 · The input projection of every step at once ★★ (2 points)
#
# Write `hoisted_input_projection(x, kernel, bias)`: for `x` (B, T, D), `kernel` (D, 4H) and
# `bias` (4H,), return `zx` (B, T, 4H) with `zx[:, t] = x[:, t] @ kernel + bias` for every t,
# computed with **one** matrix product for all B · T rows, not one per step.

# %% nbgrader={"grade": false, "grade_id": "hoisted_input_projection", "locked": false, "schema_version": 3, "solution": true, "task": false}
def hoisted_input_projection(x, kernel, bias):
    ### BEGIN SOLUTION
    B, T, D = x.shape
    return (x.reshape(B * T, D) @ kernel + bias).reshape(B, T, kernel.shape[1])
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "check_hoisted_input_projection", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false}
check.hoisted_input_projection(hoisted_input_projection, points=2)
### BEGIN HIDDEN TESTS
check.hoisted_input_projection(hoisted_input_projection, B=1, T=1, quiet=True)
### END HIDDEN TESTS

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

# %% nbgrader={"grade": false, "grade_id": "lstm_forward_hoisted", "locked": false, "schema_version": 3, "solution": true, "task": false}
def lstm_forward_hoisted(x, h0, c0, kernel, recurrent_kernel, bias):
    ### BEGIN SOLUTION
    B, T, D = x.shape
    H = h0.shape[1]
    zx = (x.reshape(B * T, D) @ kernel + bias).reshape(B, T, 4 * H)
    hs = np.empty((B, T, H))
    h, c = h0, c0
    for t in range(T):
        z = zx[:, t] + h @ recurrent_kernel
        i = sigmoid(z[:, :H])
        f = sigmoid(z[:, H:2 * H])
        g = np.tanh(z[:, 2 * H:3 * H])
        o = sigmoid(z[:, 3 * H:])
        c = f * c + i * g
        h = o * np.tanh(c)
        hs[:, t] = h
    return hs, c
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "check_lstm_forward_hoisted", "locked": true, "points": 3, "schema_version": 3, "solution": false, "task": false}
check.lstm_forward_hoisted(lstm_forward_hoisted, points=3)
### BEGIN HIDDEN TESTS
check.lstm_forward_hoisted(lstm_forward_hoisted, B=1, T=5, D=2, H=3, quiet=True)
### END HIDDEN TESTS

# %% [markdown]
# For exercise 4, chapter 08's change 3 on a backward pass the chapter did not write: a forward
# pass that keeps what the backward pass needs, and the backward pass as chapter 04 wrote it,
# four products a step.

# %% nbgrader={"grade": false, "grade_id": "given_backward", "locked": true, "schema_version": 3, "solution": false, "task": false}
def lstm_forward_cache(x, h0, c0, kernel, recurrent_kernel, bias):
    """x (B, T, D) -> hs (B, T, H), c_T (B, H), cache: a dict of x, h_prev and c_prev (B, T, H)
    (the states each step read: h0 and c0 first), gates (B, T, 4H) (i, f, g, o after their
    activations), c (B, T, H), kernel and recurrent_kernel."""
    H = h0.shape[1]
    h, c, rows = h0, c0, {"h_prev": [], "c_prev": [], "gates": [], "c": []}
    for t in range(x.shape[1]):
        z = x[:, t] @ kernel + h @ recurrent_kernel + bias
        gates = np.concatenate([sigmoid(z[:, :2 * H]), np.tanh(z[:, 2 * H:3 * H]),
                                sigmoid(z[:, 3 * H:])], axis=1)
        rows["h_prev"].append(h)
        rows["c_prev"].append(c)
        c = gates[:, H:2 * H] * c + gates[:, :H] * gates[:, 2 * H:3 * H]
        h = gates[:, 3 * H:] * np.tanh(c)
        rows["gates"].append(gates)
        rows["c"].append(c)
    cache = {name: np.stack(values, axis=1) for name, values in rows.items()}
    hs = np.concatenate([cache["h_prev"][:, 1:], h[:, None]], axis=1)  # the states written
    return hs, c, {"x": x, **cache, "kernel": kernel, "recurrent_kernel": recurrent_kernel}


def step_backward(dh, dc_next, cache, t):
    """The elementwise backward of step t: dh, dc_next (B, H) -> dz (B, 4H), dc_prev (B, H)."""
    H = dh.shape[1]
    gates = cache["gates"][:, t]
    i, f, g, o = (gates[:, k * H:(k + 1) * H] for k in range(4))
    tanh_c = np.tanh(cache["c"][:, t])
    dc = dc_next + dh * o * (1 - tanh_c**2)
    dz = np.concatenate([dc * g * i * (1 - i), dc * cache["c_prev"][:, t] * f * (1 - f),
                         dc * i * (1 - g**2), dh * tanh_c * o * (1 - o)], axis=1)
    return dz, dc * f


def lstm_backward_loop(dhs, cache):
    """dhs (B, T, H) -> dx, dh0, dc0, dkernel, drecurrent_kernel, dbias: 4T matrix products."""
    B, T, H = dhs.shape
    x, W, U = cache["x"], cache["kernel"], cache["recurrent_kernel"]
    dx, dW, dU, db = np.empty_like(x), np.zeros_like(W), np.zeros_like(U), np.zeros(4 * H)
    dh_next, dc_next = np.zeros((B, H)), np.zeros((B, H))
    for t in reversed(range(T)):
        dz, dc_next = step_backward(dhs[:, t] + dh_next, dc_next, cache, t)
        dx[:, t] = dz @ W.T
        dW += x[:, t].T @ dz
        dU += cache["h_prev"][:, t].T @ dz
        db += dz.sum(axis=0)
        dh_next = dz @ U.T
    return dx, dh_next, dc_next, dW, dU, db


# %% [markdown]
# ## Exercise 4 · The weight gradients after the loop ★★ (3 points)
#
# Of `lstm_backward_loop`'s four products a step only `dh_next = dz @ U.T` feeds the next iteration; `dx`, `dW` and
# `dU` are dead ends inside the loop. Write `lstm_backward_hoisted(dhs, cache)`, with the same
# arguments and results as `lstm_backward_loop` (use `step_backward`), in **T + 3** matrix
# products: the loop keeps every step's dz in a (B, T, 4H) array, and after it one product each
# gives dx, dkernel and drecurrent_kernel over all B · T rows at once, so that their count
# falls from 3T to 3. The check counts your products, and names the states a product must read.

# %% nbgrader={"grade": false, "grade_id": "lstm_backward_hoisted", "locked": false, "schema_version": 3, "solution": true, "task": false}
def lstm_backward_hoisted(dhs, cache):
    ### BEGIN SOLUTION
    B, T, H = dhs.shape
    dz = np.empty((B, T, 4 * H))
    dh_next, dc_next = np.zeros((B, H)), np.zeros((B, H))
    for t in reversed(range(T)):
        dz[:, t], dc_next = step_backward(dhs[:, t] + dh_next, dc_next, cache, t)
        dh_next = dz[:, t] @ cache["recurrent_kernel"].T  # the one product the loop needs
    dZ = dz.reshape(B * T, 4 * H)  # every step's rows, batch-major like x and h_prev
    dx = (dZ @ cache["kernel"].T).reshape(cache["x"].shape)
    dW = cache["x"].reshape(B * T, cache["kernel"].shape[0]).T @ dZ
    dU = cache["h_prev"].reshape(B * T, H).T @ dZ
    return dx, dh_next, dc_next, dW, dU, dZ.sum(axis=0)
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "check_lstm_backward_hoisted", "locked": true, "points": 3, "schema_version": 3, "solution": false, "task": false}
check.lstm_backward_hoisted(lstm_backward_hoisted, points=3)
### BEGIN HIDDEN TESTS
check.lstm_backward_hoisted(lstm_backward_hoisted, B=1, T=2, D=2, H=3, quiet=True)
check.lstm_backward_hoisted(lstm_backward_hoisted, T=9, quiet=True)
### END HIDDEN TESTS

# %% [markdown]
# ## Exercise 5 · Timing fairly ★★ (2 points)
#
# On a shared machine the load drifts, and now and then a call is hit by a spike. Chapter 08
# compares two versions fairly: it alternates them, and takes the median of the per-round
# ratios. Write `fair_ratio(a, b, rounds, clock)`: call the functions `a()` and `b()` `rounds`
# times each, a then b in round 0, b then a in round 1, a then b in round 2, and so on; time each
# call with `clock()` (seconds, like `time.perf_counter`: `start = clock()` before the call,
# `clock() - start` after); return the median over the rounds of time(a) / time(b), a float.
# The check hands you stand-ins for a and b and a clock of its own, on which the stand-ins take
# times it chose: it knows every duration, and whether your calls alternate.

# %% nbgrader={"grade": false, "grade_id": "fair_ratio", "locked": false, "schema_version": 3, "solution": true, "task": false}
def fair_ratio(a, b, rounds, clock):
    ### BEGIN SOLUTION
    ratios = []
    for r in range(rounds):
        order = [("a", a), ("b", b)] if r % 2 == 0 else [("b", b), ("a", a)]
        seconds = {}
        for name, fn in order:
            start = clock()
            fn()
            seconds[name] = clock() - start
        ratios.append(seconds["a"] / seconds["b"])
    return float(np.median(ratios))
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "check_fair_ratio", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false}
check.fair_ratio(fair_ratio, points=2)
### BEGIN HIDDEN TESTS
check.fair_ratio(fair_ratio, rounds=1, quiet=True)
check.fair_ratio(fair_ratio, rounds=12, quiet=True)
### END HIDDEN TESTS

# %% [markdown]
# ## Exercise 6 · The hoisted GRU ★★★ (3 points)
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

# %% nbgrader={"grade": false, "grade_id": "gru_forward_hoisted", "locked": false, "schema_version": 3, "solution": true, "task": false}
def gru_forward_hoisted(x, h0, kernel, recurrent_kernel, bias):
    ### BEGIN SOLUTION
    H = h0.shape[1]
    zx = x @ kernel + bias[0]  # every step's input projection, one product
    hs, h = [], h0
    for t in range(x.shape[1]):
        zh = h @ recurrent_kernel + bias[1]  # all three blocks: r multiplies the product
        z = sigmoid(zx[:, t, :H] + zh[:, :H])
        r = sigmoid(zx[:, t, H:2 * H] + zh[:, H:2 * H])
        h_tilde = np.tanh(zx[:, t, 2 * H:] + r * zh[:, 2 * H:])
        h = z * h + (1 - z) * h_tilde
        hs.append(h)
    return np.stack(hs, axis=1)
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "check_gru_forward_hoisted", "locked": true, "points": 3, "schema_version": 3, "solution": false, "task": false}
check.gru_forward_hoisted(gru_forward_hoisted, points=3)
### BEGIN HIDDEN TESTS
check.gru_forward_hoisted(gru_forward_hoisted, T=1, quiet=True)
check.gru_forward_hoisted(gru_forward_hoisted, B=1, T=7, D=2, H=3, quiet=True)
### END HIDDEN TESTS

# %% [markdown]
# ## Your progress
#
# Run this cell to see which checks pass in this session, your points so far, and what to look
# at next.

# %% nbgrader={"grade": false, "grade_id": "progress", "locked": true, "schema_version": 3, "solution": false, "task": false}
check.progress("08")
