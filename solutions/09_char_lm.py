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
# # Problem set 09 · A character-level language model
#
# Four exercises on chapter 09 (★ warm-up, ★★ core, ★★★ beyond the chapter), the pieces around
# the LSTM of a character language model: cutting a text into (input, next character) training
# pairs, measuring the model in bits per character, generating text by sampling with a
# temperature, and nucleus sampling, which the chapter did not use. Characters are integer ids
# 0..V − 1 here.

# %% nbgrader={"grade": false, "grade_id": "setup", "locked": true, "schema_version": 3, "solution": false, "task": false}
import numpy as np

from lstm_lib.grading import check

rng = np.random.default_rng(0)

# %% [markdown]
# ## Exercise 1 · Next-character training pairs ★ (2 points)
#
# Write `cut_windows(ids, seq_len)`: `ids` is a 1-D integer array, the text as character ids,
# of length N. Return `(inputs, targets)`, two integer arrays of shape (n, seq_len) with
# n = (N − 1) // seq_len: `inputs` is `ids[:n * seq_len]` cut into n rows of `seq_len`, and
# `targets` the same shifted by one character, so that `targets[r, j]` is the character that
# follows `inputs[r, j]`. Leftover characters at the end are dropped. (The chapter's
# `lstm_lib.data.char_batches` does this too, then shuffles the windows into batches.)

# %% nbgrader={"grade": false, "grade_id": "cut_windows", "locked": false, "schema_version": 3, "solution": true, "task": false}
def cut_windows(ids, seq_len):
    ### BEGIN SOLUTION
    n = (len(ids) - 1) // seq_len
    inputs = ids[:n * seq_len].reshape(n, seq_len)
    targets = ids[1:n * seq_len + 1].reshape(n, seq_len)
    return inputs, targets
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "check_cut_windows", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false}
check.cut_windows(cut_windows, points=2)
### BEGIN HIDDEN TESTS
check.cut_windows(cut_windows, quiet=True)
### END HIDDEN TESTS

# %% [markdown]
# ## Exercise 2 · Bits per character ★★ (2 points)
#
# Write `bits_per_char(logits, targets)`: `logits` (B, T, V) are the model's scores for the next
# character at every position, `targets` (B, T) the characters that came. Return, as a float,
# the mean over the B · T positions of $-\log_2 \mathrm{softmax}(\text{logits})[\text{target}]$:
# the cross-entropy in bits (nats / ln 2). A model that knows nothing scores log2(V); the
# chapter's LSTM gets about 2.5 in its two-minute run and under 2 in its long run. Make it
# stable for logits in the thousands.

# %% nbgrader={"grade": false, "grade_id": "bits_per_char", "locked": false, "schema_version": 3, "solution": true, "task": false}
def bits_per_char(logits, targets):
    ### BEGIN SOLUTION
    z = logits - logits.max(axis=-1, keepdims=True)
    log_p = z - np.log(np.exp(z).sum(axis=-1, keepdims=True))
    picked = np.take_along_axis(log_p, targets[..., None], axis=-1)
    return -picked.mean() / np.log(2)
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "check_bits_per_char", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false}
check.bits_per_char(bits_per_char, points=2)
### BEGIN HIDDEN TESTS
check.bits_per_char(bits_per_char, B=1, T=1, quiet=True)
### END HIDDEN TESTS

# %% [markdown]
# ## Exercise 3 · Sampling with a temperature ★★ (3 points)
#
# Write `sample_with_temperature(logits, temperature, rng)`: `logits` (B, V) are the scores of
# B independent next-character distributions, `temperature` > 0 a float, `rng` a
# `np.random.Generator`. Return a (B,) integer array: for each row b, an index k drawn with
# probability $\mathrm{softmax}(\text{logits}_b / \text{temperature})_k$. A temperature below 1
# sharpens the distribution (towards the most likely character), above 1 flattens it.
#
# Take all the randomness from `rng` (`rng.random`, `rng.choice`), never from `np.random`, so
# that a seed reproduces a sample. Stay stable for logits in the thousands and temperatures near
# zero. The check draws 20 000 samples and compares their frequencies with the softmax.

# %% nbgrader={"grade": false, "grade_id": "sample_with_temperature", "locked": false, "schema_version": 3, "solution": true, "task": false}
def sample_with_temperature(logits, temperature, rng):
    ### BEGIN SOLUTION
    z = logits / temperature
    p = np.exp(z - z.max(axis=1, keepdims=True))
    cdf = p.cumsum(axis=1)
    u = rng.random((logits.shape[0], 1)) * cdf[:, -1:]
    return (cdf < u).sum(axis=1)
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "check_sample_with_temperature", "locked": true, "points": 3, "schema_version": 3, "solution": false, "task": false}
check.sample_with_temperature(sample_with_temperature, points=3)
### BEGIN HIDDEN TESTS
check.sample_with_temperature(sample_with_temperature, quiet=True)
### END HIDDEN TESTS

# %% [markdown]
# ## Exercise 4 · Nucleus sampling ★★★ (3 points)
#
# A temperature reshapes the whole distribution; *nucleus* (top-p) sampling (Holtzman et al.
# 2020) instead cuts off its unlikely tail. Write `sample_top_p(logits, top_p, rng)`: for each
# of the B rows of `logits` (B, V), keep the smallest set of most likely indices whose softmax
# probabilities add up to at least `top_p` (0 < top_p ≤ 1), renormalise their probabilities,
# and draw one index from them with `rng` (a `np.random.Generator`). Return the (B,) integer
# indices. With top_p = 1 this is plain sampling; with a tiny top_p, the most likely index.

# %% nbgrader={"grade": false, "grade_id": "sample_top_p", "locked": false, "schema_version": 3, "solution": true, "task": false}
def sample_top_p(logits, top_p, rng):
    ### BEGIN SOLUTION
    z = logits - logits.max(axis=1, keepdims=True)
    p = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)
    out = np.empty(len(logits), dtype=np.int64)
    for row, probs in enumerate(p):
        order = np.argsort(-probs)
        total_before = np.cumsum(probs[order]) - probs[order]
        nucleus = order[total_before < top_p]  # up to and including the index that crosses
        kept = probs[nucleus] / probs[nucleus].sum()
        out[row] = nucleus[rng.choice(len(nucleus), p=kept)]
    return out
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "check_sample_top_p", "locked": true, "points": 3, "schema_version": 3, "solution": false, "task": false}
check.sample_top_p(sample_top_p, points=3)
### BEGIN HIDDEN TESTS
check.sample_top_p(sample_top_p, quiet=True)
### END HIDDEN TESTS

# %% [markdown]
# ## Your progress
#
# Run this cell to see which checks pass in this session, your points so far, and what to look
# at next.

# %% nbgrader={"grade": false, "grade_id": "progress", "locked": true, "schema_version": 3, "solution": false, "task": false}
check.progress("09")
