"""Checkers for the character-level language model (problem set 09): batches of next-character
targets, bits per character, and sampling with a temperature (checked statistically: 20 000
draws must match softmax(logits / temperature) within 5 standard deviations per character)."""

import numpy as np

from .. import reference as ref
from ..feedback import Check, close, fmt

DRAWS = 20_000


def cut_windows(fn, points=None, seed=None, quiet=False):
    """fn(ids (N,), seq_len) -> (inputs, targets), each (n, seq_len), targets shifted by one."""
    with Check("cut_windows", points, seed, quiet) as c:
        seq_len = int(c.rng.integers(3, 8))
        k = int(c.rng.integers(2, 6))
        for N in (k * seq_len, k * seq_len + 1, k * seq_len + int(c.rng.integers(2, seq_len))):
            ids = c.rng.integers(0, 50, size=N)
            n = (N - 1) // seq_len
            out = c.outputs(c.call(fn, ids, seq_len), ("inputs", "targets"),
                            [(n, seq_len)] * 2, f"(n, seq_len) with n = (N - 1) // seq_len "
                            f"for N = {N}", dtype=np.int64)
            want = ids[:n * seq_len].reshape(n, seq_len), ids[1:n * seq_len + 1].reshape(
                n, seq_len)
            c.same("inputs", out[0], want[0], "inputs are ids[:n * seq_len], cut into rows "
                   "of seq_len.")
            if close(out[1], want[0]):
                c.fail("targets equal inputs: the target of ids[j] is the next id, ids[j + 1].")
            c.same("targets", out[1], want[1], "targets are the inputs shifted by one: "
                   "ids[1:n * seq_len + 1], cut into rows of seq_len.")


def bits_per_char(fn, points=None, seed=None, quiet=False, **sizes):
    """fn(logits (B, T, V), targets (B, T)) -> mean -log2 softmax(logits)[target], a float."""
    with Check("bits_per_char", points, seed, quiet) as c:
        B, T = c.sizes("B", "T", **sizes)
        V = int(c.rng.integers(10, 30))
        for scale, what in ((2.0, ""), (1000.0, " with logits in the thousands")):
            logits = c.randn(B, T, V, scale=scale)
            targets = c.rng.integers(0, V, size=(B, T))
            got = c.call(fn, logits, targets)
            if np.ndim(got) != 0:
                c.fail(f"should return one number, got shape {np.shape(got)}.")
            got = float(got)
            logp = ref.log_softmax(logits)
            nll = -np.take_along_axis(logp, targets[..., None], axis=-1)
            want = float(nll.mean() / np.log(2))
            if not np.isfinite(got):
                c.fail(f"the result is {got}{what}: exp overflowed. Subtract the max of each "
                       "row of logits before exp.")
            if close(got, want):
                continue
            hints = [(want * np.log(2), "this is in nats (natural log): divide by ln 2 for "
                                        "bits."),
                     (want * B * T, "this is the sum over the B * T characters: take the mean."),
                     (-want, "the sign is wrong: bits per char is -mean(log2 p).")]
            hint = next((h for v, h in hints if close(got, v)),
                        "mean over every character of -log2 softmax(logits)[target].")
            c.fail(f"got {fmt(got)}{what}, expected {fmt(want)}: {hint}")


def _clear_winner(rows, margin):
    """rows (B, V) with each row's largest logit raised to at least `margin` above the next, so
    that a correct sampler at a low temperature (or with huge logits) picks it every time."""
    rows = rows.copy()
    top = rows.argmax(axis=1)
    second = np.sort(rows, axis=1)[:, -2]
    rows[np.arange(len(rows)), top] = np.maximum(rows[np.arange(len(rows)), top], second + margin)
    return rows


def sample_with_temperature(fn, points=None, seed=None, quiet=False):
    """fn(logits (B, V), temperature, rng) -> (B,) ints drawn from softmax(logits / T)."""
    with Check("sample_with_temperature", points, seed, quiet) as c:
        V = int(c.rng.integers(4, 8))
        temperature = float(c.rng.choice([0.4, 0.5, 2.0, 2.5]))
        p = np.ones(V)
        while p.max() > 0.8:  # a near-certain winner would let a greedy sampler pass
            logits = c.randn(V, scale=1.5)
            p = ref.softmax(logits / temperature)
        draws = _draw(c, fn, np.tile(logits, (DRAWS, 1)), temperature, V)
        counts = np.bincount(draws, minlength=V)
        if not _consistent(counts, p):
            # Greedy first: at a peaked temperature the other variants can look greedy too.
            variants = [(np.eye(V)[np.argmax(logits)], "it always picks the most likely "
                         "character: draw at random from the probabilities."),
                        (ref.softmax(logits), "the temperature is ignored: divide the logits "
                         "by it before the softmax."),
                        (ref.softmax(logits * temperature), "the logits are multiplied by the "
                         "temperature; divide them by it."),
                        (np.full(V, 1 / V), "the draws are uniform: use the probabilities.")]
            hint = next((h for q, h in variants if _consistent(counts, q)),
                        "draw index k with probability softmax(logits / temperature)[k].")
            k = int(np.argmax(np.abs(counts / DRAWS - p)))
            c.fail(f"over {DRAWS} draws from one row of logits at temperature {temperature}, "
                   f"character {k} came {counts[k] / DRAWS:.3f} of the time, expected "
                   f"{p[k]:.3f}: {hint}")
        # Each row its own distribution; a very low temperature picks each row's argmax.
        rows = _clear_winner(c.randn(5, V, scale=3.0), margin=0.1)  # exp(-100) for the rest
        cold = _draw(c, fn, rows, 1e-3, V)
        if not np.array_equal(cold, rows.argmax(axis=1)):
            c.fail("at temperature 0.001 each row should give its own most likely index "
                   f"{rows.argmax(axis=1).tolist()}, got {cold.tolist()}: is every row of "
                   "logits used, with the softmax over the last axis?")
        hot = _clear_winner(c.randn(3, V, scale=1000.0), margin=50.0)
        if not np.array_equal(_draw(c, fn, hot, 0.5, V), hot.argmax(axis=1)):
            c.fail("with logits in the thousands the most likely index should come out every "
                   "time: subtract each row's max before exp, or exp overflows.")
        s = int(c.rng.integers(2**31))
        first = _draw(c, fn, rows, 1.0, V, np.random.default_rng(s))
        np.random.seed(s + 1)
        again = _draw(c, fn, rows, 1.0, V, np.random.default_rng(s))
        if not np.array_equal(first, again):
            c.fail("two calls with generators seeded alike gave different draws: take the "
                   "randomness from the rng argument (rng.random, rng.choice), not np.random.")


def _draw(c, fn, logits, temperature, V, rng=None):
    rng = rng if rng is not None else np.random.default_rng(int(c.rng.integers(2**31)))
    out = c.outputs(c.call(fn, logits, temperature, rng), "indices", (len(logits),), "(B,)",
                    dtype=np.int64)
    if out.min() < 0 or out.max() >= V:
        c.fail(f"indices must be in 0..{V - 1} (V = {V}); got {out.min()}..{out.max()}.")
    return out


def _consistent(counts, p, sigmas=5.0):
    n = counts.sum()
    return bool(np.all(np.abs(counts - n * p) <= sigmas * np.sqrt(n * p * (1 - p)) + 3))


def _nucleus(logits, top_p, exclude_crossing=False, least_first=False):
    """softmax(logits) kept on the smallest set of most likely indices whose total is at least
    top_p, renormalised. The mistakes: the index that crosses top_p left out; least likely
    first."""
    p = ref.softmax(logits)
    order = np.argsort(p if least_first else -p)
    before = np.cumsum(p[order]) - p[order]  # the total of the more likely indices
    keep = order[(before + p[order] <= top_p) if exclude_crossing else (before < top_p)]
    q = np.zeros_like(p)
    q[keep] = p[keep]
    return q / q.sum()


def sample_top_p(fn, points=None, seed=None, quiet=False):
    """fn(logits (B, V), top_p, rng) -> (B,) ints drawn from the nucleus of softmax(logits)."""
    with Check("sample_top_p", points, seed, quiet) as c:
        V = int(c.rng.integers(5, 9))
        logits = c.randn(V, scale=1.5)
        p = np.sort(ref.softmax(logits))[::-1]
        k = int(c.rng.integers(1, V - 2))  # the nucleus: the k + 1 most likely
        top_p = float(p[:k].sum() + 0.5 * p[k])  # half-way into the crossing index's share
        draws = c.outputs(c.call(fn, np.tile(logits, (DRAWS, 1)), top_p,
                                 np.random.default_rng(int(c.rng.integers(2**31)))),
                          "indices", (DRAWS,), "(B,)", dtype=np.int64)
        if draws.min() < 0 or draws.max() >= V:
            c.fail(f"indices must be in 0..{V - 1} (V = {V}); got {draws.min()}..{draws.max()}.")
        counts = np.bincount(draws, minlength=V)
        want = _nucleus(logits, top_p)
        if not _consistent(counts, want):
            full = ref.softmax(logits)
            least = _nucleus(logits, top_p, least_first=True)
            variants = [
                (_nucleus(logits, top_p, exclude_crossing=True), "the nucleus stops one index "
                 "short: keep adding the most likely indices until their total *reaches* top_p, "
                 "so the index that crosses top_p is in."),
                (full, "top_p is ignored: these are draws from the whole softmax."),
                (least, "the nucleus holds the *least* likely indices: sort by probability, "
                 "largest first."),
                (full * (full >= top_p) / max((full * (full >= top_p)).sum(), 1e-12),
                 "top_p is used as a probability threshold for each index; it is a threshold "
                 "for the running total of the most likely indices."),
            ]
            hint = next((h for q, h in variants if _consistent(counts, q)),
                        "keep the smallest set of most likely indices whose probabilities add "
                        "up to at least top_p, renormalise them, and draw from those.")
            j = int(np.argmax(np.abs(counts / DRAWS - want)))
            c.fail(f"over {DRAWS} draws from one row of logits with top_p = {top_p:.3f} "
                   f"(the nucleus is the {k + 1} most likely of {V}), index {j} came "
                   f"{counts[j] / DRAWS:.3f} of the time, expected {want[j]:.3f}: {hint}")
        rows = _clear_winner(c.randn(5, V, scale=3.0), margin=0.5)
        tiny = c.outputs(c.call(fn, rows, 1e-6, np.random.default_rng(1)), "indices", (5,),
                         "(B,)", dtype=np.int64)
        if not np.array_equal(tiny, rows.argmax(axis=1)):
            c.fail(f"with top_p = 1e-6 each row should give its own most likely index "
                   f"{rows.argmax(axis=1).tolist()}, got {tiny.tolist()}: is every row's "
                   "nucleus computed from that row?")
        hot = _clear_winner(c.randn(3, V, scale=1000.0), margin=50.0)
        got = c.outputs(c.call(fn, hot, 0.5, np.random.default_rng(2)), "indices", (3,),
                        "(B,)", dtype=np.int64)
        if not np.array_equal(got, hot.argmax(axis=1)):
            c.fail("with logits in the thousands the most likely index should come out every "
                   "time: subtract each row's max before exp, or exp overflows.")
