"""The Reber grammar and the embedded Reber grammar."""

import collections
import re

import numpy as np
import pytest

from lstm_lib.data import (
    REBER_SYMBOLS,
    is_reber,
    legal_next,
    reber_batch,
    reber_one_hot,
    reber_score,
    reber_strings,
)

# From the standard presentations of the grammar (e.g. Orr's CS449 notes on the Reber grammar).
REBER = ["BTSSXXTVVE", "BPVVE", "BTXXVPSE", "BPVPXVPXVPXVVE", "BTSXXVPSE", "BTXSE", "BPTTVPSE"]
# The same grammar as a regular expression, derived by hand from the automaton (an independent
# oracle): from the state after B T S* X (or B P T* V P) the loop is X T* V P, and it ends with
# S or X T* V V; or the short way round, B P T* V V.
REBER_RE = re.compile(r"B(TS*X|PT*VP)(XT*VP)*(S|XT*VV)E|BPT*VVE")
EMBEDDED_RE = re.compile(rf"BT({REBER_RE.pattern})TE|BP({REBER_RE.pattern})PE")
NOT_REBER = ["BTSSPXSE", "BPTVVB", "BTXXVVSE", "BPVSPSE", "BTSSSE", "BTXS", "TXSE", ""]


def test_known_strings():
    for s in REBER:
        assert is_reber(s, embedded=False), s
        assert is_reber("BT" + s + "TE") and is_reber("BP" + s + "PE"), s
        assert not is_reber("BT" + s + "PE") and not is_reber("BP" + s + "TE"), s
        assert not is_reber(s), s  # a plain Reber string is not an embedded one
    for s in NOT_REBER:
        assert not is_reber(s, embedded=False), s
        assert not is_reber("BT" + s + "TE"), s


@pytest.mark.parametrize("embedded", [False, True])
def test_generated_strings_are_in_the_grammar(embedded):
    strings = reber_strings(500, embedded=embedded, seed=0)
    assert all(is_reber(s, embedded=embedded) for s in strings)
    assert all((EMBEDDED_RE if embedded else REBER_RE).fullmatch(s) for s in strings)
    assert all(s[0] == "B" and s[-1] == "E" for s in strings)
    assert min(map(len, strings)) == (9 if embedded else 5)
    assert len(set(strings)) > 50


def test_embedded_penultimate_symbol_is_the_second_symbol():
    strings = reber_strings(1000, seed=1)
    assert all(s[1] == s[-2] and s[1] in "TP" for s in strings)
    assert all(is_reber(s[2:-2], embedded=False) for s in strings)
    assert 0.4 < np.mean([s[1] == "T" for s in strings]) < 0.6  # both branches, evenly


def test_random_strings_are_mostly_not_in_the_grammar():
    rng = np.random.default_rng(2)
    symbols = list(REBER_SYMBOLS[1:-1])
    strings = ["B" + "".join(rng.choice(symbols, size=n)) + "E" for n in rng.integers(3, 12, 5000)]
    verdicts = [is_reber(s, embedded=False) for s in strings]
    assert 0 < np.mean(verdicts) < 0.02
    assert verdicts == [bool(REBER_RE.fullmatch(s)) for s in strings]
    embedded = [("BT" if k % 2 else "BP") + s + ("TE" if k % 3 else "PE")
                for k, s in enumerate(strings)]
    assert [is_reber(s) for s in embedded] == [bool(EMBEDDED_RE.fullmatch(s)) for s in embedded]


def test_strings_are_deterministic_per_seed():
    assert reber_strings(20, seed=3) == reber_strings(20, rng=np.random.default_rng(3))
    assert reber_strings(20, seed=3) != reber_strings(20, seed=4)
    with pytest.raises(ValueError, match="seed"):
        reber_strings(2)


@pytest.mark.parametrize("embedded", [False, True])
def test_legal_next_agrees_with_what_the_grammar_produces(embedded):
    # For every prefix seen at least 20 times among many strings, the symbols that followed it
    # are exactly the legal ones (a branch taken with probability 1/2 is missed 20 times in a
    # row with probability 1e-6).
    followers = collections.defaultdict(set)
    counts = collections.Counter()
    strings = reber_strings(3000, embedded=embedded, seed=5)
    for s in strings:
        for t in range(len(s) - 1):
            followers[s[: t + 1]].add(s[t + 1])
            counts[s[: t + 1]] += 1
    checked = 0
    for prefix, n in counts.items():
        if n >= 20:
            row = legal_next(prefix, embedded=embedded)[-1]
            assert {REBER_SYMBOLS[k] for k in np.flatnonzero(row)} == followers[prefix], prefix
            checked += 1
    assert checked > 50
    for s in strings[:50]:
        targets = legal_next(s, embedded=embedded)
        assert targets.shape == (len(s), 7) and targets.dtype == np.float32
        assert not targets[-1].any()  # nothing follows the final E


def test_embedded_legal_next_before_last_is_only_the_second_symbol():
    for s in reber_strings(50, seed=6):
        targets = legal_next(s)
        np.testing.assert_array_equal(np.flatnonzero(targets[len(s) - 3]),
                                      [REBER_SYMBOLS.index(s[1])])
        np.testing.assert_array_equal(np.flatnonzero(targets[1]), [REBER_SYMBOLS.index("B")])


def test_legal_next_rejects_strings_outside_the_grammar():
    with pytest.raises(ValueError, match="not a prefix"):
        legal_next("BTTE", embedded=False)


def test_one_hot_pads_with_zeros():
    x, lengths = reber_one_hot(["BPVVE", "BTXSE", "BTSSXSE"])
    assert x.shape == (3, 7, 7) and x.dtype == np.float32
    np.testing.assert_array_equal(lengths, [5, 5, 7])
    assert "".join(REBER_SYMBOLS[k] for k in x[2].argmax(-1)) == "BTSSXSE"
    assert not x[0, 5:].any() and np.all(x[0, :5].sum(-1) == 1)
    with pytest.raises(ValueError, match="symbols"):
        reber_one_hot(["BAD"])


def test_batch_inputs_targets_and_mask():
    strings = reber_strings(32, seed=7)
    x, y, mask = reber_batch(strings)
    T = max(map(len, strings)) - 1
    assert x.shape == y.shape == (32, T, 7) and mask.shape == (32, T)
    np.testing.assert_array_equal(mask.sum(1), [len(s) - 1 for s in strings])
    for b, s in enumerate(strings):
        n = len(s) - 1
        np.testing.assert_array_equal(x[b, :n], reber_one_hot([s[:-1]])[0][0])
        np.testing.assert_array_equal(y[b, :n], legal_next(s)[:-1])
        assert not x[b, n:].any() and not y[b, n:].any()
    with pytest.raises(ValueError, match="not an embedded Reber string"):
        reber_batch(["BTBTXSEPE"])


def test_score_of_perfect_and_memoryless_predictions():
    strings = reber_strings(64, seed=8)
    x, y, mask = reber_batch(strings)
    softmax_like = y / np.maximum(y.sum(-1, keepdims=True), 1)
    sigmoid_like = 0.05 + 0.9 * y
    for probs in (softmax_like, sigmoid_like):
        for threshold in (0.3, None):
            assert reber_score(probs, y, mask, threshold=threshold) == (1.0, 1.0, 1.0)

    # forget the second symbol: swap T and P at the step before last in half the strings
    probs = softmax_like.copy()
    rows = np.arange(32)
    before_last = mask.sum(1)[:32] - 2
    t, p = REBER_SYMBOLS.index("T"), REBER_SYMBOLS.index("P")
    probs[rows, before_last, t], probs[rows, before_last, p] = (
        probs[rows, before_last, p], probs[rows, before_last, t].copy())
    score = reber_score(probs, y, mask)
    assert score.strings == 0.5 and score.penultimate == 0.5
    assert score.steps == pytest.approx(1 - 32 / mask.sum())


def test_score_threshold_criterion():
    strings = reber_strings(10, seed=9)
    x, y, mask = reber_batch(strings)
    uniform = np.full(y.shape, 1 / 7)  # below 0.3 everywhere: the legal symbols are missed
    assert reber_score(uniform, y, mask).strings == 0.0
    # all illegal symbols low but one legal symbol under the threshold: wrong by the threshold,
    # right by the paper's "most active" criterion
    probs = 0.05 + 0.9 * y
    probs[0, 0, REBER_SYMBOLS.index("T")] = 0.25  # after B: T and P are legal
    assert reber_score(probs, y, mask).strings == 0.9
    assert reber_score(probs, y, mask, threshold=None).strings == 1.0
