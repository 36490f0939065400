"""The Reber grammar and the embedded Reber grammar: next-symbol prediction with a long-range twist.

Hochreiter & Schmidhuber (1997), section 5.1 (Experiment 1), after Reber (1967), Cleeremans,
Servan-Schreiber & McClelland (1989), Smith & Zipser and Fahlman. Seven symbols, B T P S X V E.

The Reber grammar is a finite automaton; every string starts with B and ends with E, and where
two edges leave a state each is taken with probability 1/2:

    start -B-> 1     1 -T-> 2   1 -P-> 3     2 -S-> 2   2 -X-> 4     3 -T-> 3   3 -V-> 5
    4 -X-> 3   4 -S-> 6     5 -P-> 4   5 -V-> 6     6 -E-> accept

    e.g. BTXSE, BPVVE, BTSSXXTVVE, BPTTVPXVVE

The embedded Reber grammar wraps a Reber string in B T ... T E or B P ... P E. Predicting the
symbol before the last (T or P) needs the second symbol, seen a whole Reber string earlier.

    reber_strings(n, *, embedded=True, seed=None, rng=None) -> list[str]
    is_reber(string, *, embedded=True) -> bool
    legal_next(string, *, embedded=True) -> (len(string), 7) multi-hot of the symbols allowed next
    reber_one_hot(strings, length=None) -> (x (B, T, 7), lengths (B,))
    reber_batch(strings, *, embedded=True) -> (x (B, T, 7), y (B, T, 7), mask (B, T))
    reber_score(probs, y, mask, threshold=0.3) -> ReberScore(strings, steps, penultimate)
"""

from typing import NamedTuple

import numpy as np

from ._random import resolve_rng

__all__ = [
    "REBER_SYMBOLS",
    "ReberScore",
    "is_reber",
    "legal_next",
    "reber_batch",
    "reber_one_hot",
    "reber_score",
    "reber_strings",
]

REBER_SYMBOLS = "BTPSXVE"
_INDEX = {symbol: i for i, symbol in enumerate(REBER_SYMBOLS)}

# state -> {symbol: next state}
_REBER = {
    "start": {"B": 1},
    1: {"T": 2, "P": 3},
    2: {"S": 2, "X": 4},
    3: {"T": 3, "V": 5},
    4: {"X": 3, "S": 6},
    5: {"P": 4, "V": 6},
    6: {"E": "accept"},
    "accept": {},
}


def _embed(inner):
    """The embedded grammar: B, then T or P, an inner string, the same T or P again, then E."""
    grammar = {"start": {"B": "open"}, "open": {"T": ("T", "start"), "P": ("P", "start")}}
    for branch in "TP":
        for state, edges in inner.items():
            grammar[(branch, state)] = {s: (branch, nxt) for s, nxt in edges.items()}
        grammar[(branch, "accept")] = {branch: "close"}  # only the branch letter can follow
    grammar["close"] = {"E": "accept"}
    grammar["accept"] = {}
    return grammar


_EMBEDDED = _embed(_REBER)


def _grammar(embedded):
    return _EMBEDDED if embedded else _REBER


def _walk(string, grammar):
    """The states visited after each symbol, or None where the string leaves the grammar."""
    state, states = "start", []
    for symbol in string:
        state = grammar[state].get(symbol)
        if state is None:
            return None
        states.append(state)
    return states


def reber_strings(n, *, embedded=True, seed=None, rng=None):
    """n random strings of the (embedded) Reber grammar, each branch taken with probability 1/2.

    Reber strings have at least 5 symbols (BTXSE, BPVVE), embedded ones at least 9; the loops
    make longer strings geometrically rarer. Returns a list of n str.
    """
    rng = resolve_rng(seed, rng, caller="reber_strings")
    grammar = _grammar(embedded)
    strings = []
    for _ in range(int(n)):
        state, symbols = "start", []
        while state != "accept":
            edges = list(grammar[state].items())
            symbol, state = edges[rng.integers(len(edges))] if len(edges) > 1 else edges[0]
            symbols.append(symbol)
        strings.append("".join(symbols))
    return strings


def is_reber(string, *, embedded=True):
    """True when the whole string belongs to the (embedded) Reber grammar."""
    states = _walk(string, _grammar(embedded))
    return bool(states) and states[-1] == "accept"


def legal_next(string, *, embedded=True):
    """Which symbols may follow each prefix of a string: (len(string), 7) float32 multi-hot.

    Row t marks the symbols the grammar allows after string[: t + 1], in REBER_SYMBOLS order;
    after the final E the row is all zeros. Raises ValueError when the string leaves the grammar.
    """
    grammar = _grammar(embedded)
    states = _walk(string, grammar)
    if states is None:
        kind = "embedded Reber" if embedded else "Reber"
        raise ValueError(f"legal_next: {string!r} is not a prefix of any {kind} string")
    targets = np.zeros((len(string), len(REBER_SYMBOLS)), dtype=np.float32)
    for t, state in enumerate(states):
        for symbol in grammar[state]:
            targets[t, _INDEX[symbol]] = 1.0
    return targets


def reber_one_hot(strings, length=None):
    """One-hot encode strings, zero-padded at the end to a common length.

    strings: B strings over REBER_SYMBOLS. length: T, at least the longest string (default: it).
    Returns x: (B, T, 7) float32, with all-zero rows after each string ends, and
    lengths: (B,) int64.
    """
    lengths = np.array([len(s) for s in strings], dtype=np.int64)
    T = int(lengths.max(initial=0)) if length is None else int(length)
    if lengths.size and lengths.max() > T:
        raise ValueError(f"reber_one_hot: length must be >= {lengths.max()}, got {T}")
    x = np.zeros((len(strings), T, len(REBER_SYMBOLS)), dtype=np.float32)
    for b, string in enumerate(strings):
        try:
            x[b, np.arange(len(string)), [_INDEX[s] for s in string]] = 1.0
        except KeyError as error:
            raise ValueError(
                f"reber_one_hot: symbols must be in {REBER_SYMBOLS!r}, got {error.args[0]!r} "
                f"in {string!r}") from None
    return x, lengths


def reber_batch(strings, *, embedded=True):
    """Inputs, multi-hot next-symbol targets and mask for next-symbol prediction.

    The network reads a string one symbol at a time and predicts, at every step, the set of
    symbols that may come next (there is nothing to predict after the final E, so it is not an
    input). What a model has to remember: the current state of the automaton, and for the
    embedded grammar also the second symbol, T or P, until the step before last, where it is
    the only legal symbol. Trivial baseline: a model that tracks the inner grammar but forgets
    the second symbol can only guess there, getting the penultimate symbol right half the time
    and (by the paper's all-steps criterion) no string right.

    strings: B strings of the grammar. Returns, with T = longest string - 1:
      x: (B, T, 7) float32, one-hot of every symbol but the last, zero-padded;
      y: (B, T, 7) float32, y[b, t] = legal_next(strings[b])[t], the symbols allowed after
        x[b, : t + 1];
      mask: (B, T) bool, True on the len(string) - 1 real steps of each string.
    """
    x, lengths = reber_one_hot([s[:-1] for s in strings])
    y = np.zeros_like(x)
    for b, string in enumerate(strings):
        if not is_reber(string, embedded=embedded):
            kind = "embedded Reber" if embedded else "Reber"
            raise ValueError(f"reber_batch: {string!r} is not an {kind} string")
        y[b, : len(string) - 1] = legal_next(string, embedded=embedded)[:-1]
    mask = np.arange(x.shape[1]) < lengths[:, None]
    return x, y, mask


class ReberScore(NamedTuple):
    strings: float  # fraction of strings with every step right: the paper's criterion
    steps: float  # fraction of real steps right
    penultimate: float  # fraction of strings whose symbol before last is the most probable one


def reber_score(probs, y, mask, threshold=0.3):
    """Score next-symbol predictions the way the paper does.

    A step is right when the network predicts exactly the legal next symbols:
      threshold=t: every legal symbol's output is above t and every other output is at most t.
        The default 0.3 suits softmax outputs (at most two symbols are legal at once, so a
        perfect softmax gives each >= 0.5) as well as sigmoid outputs trained on y.
      threshold=None: the legal symbols' outputs are the most active ones (each above every
        illegal one), the criterion of Hochreiter & Schmidhuber (1997).
    A string is right when all its steps are. The penultimate score isolates the long-range
    dependency of the embedded grammar: at the step whose target is the symbol before last (T or
    P, copied from the second symbol), is that symbol the argmax? Chance for a model without
    memory of the second symbol: 0.5.

    probs: (B, T, 7) outputs; y: (B, T, 7) multi-hot targets and mask: (B, T) bool, from
    reber_batch. Returns ReberScore(strings, steps, penultimate), fractions in [0, 1].
    """
    probs, y, mask = np.asarray(probs), np.asarray(y) > 0.5, np.asarray(mask, dtype=bool)
    if probs.shape != y.shape or mask.shape != y.shape[:2]:
        raise ValueError(
            f"reber_score: probs and y must be (B, T, 7) and mask (B, T), got {probs.shape}, "
            f"{y.shape} and {mask.shape}")
    if threshold is None:
        lowest_legal = np.where(y, probs, np.inf).min(axis=-1)
        highest_illegal = np.where(y, -np.inf, probs).max(axis=-1)
        step_right = lowest_legal > highest_illegal
    else:
        step_right = ((probs > threshold) == y).all(axis=-1)
    string_right = (step_right | ~mask).all(axis=1)

    rows = np.arange(len(mask))
    before_last = mask.sum(axis=1) - 2  # its target is the symbol before the final E
    penultimate = probs[rows, before_last].argmax(-1) == y[rows, before_last].argmax(-1)
    return ReberScore(
        strings=float(string_right.mean()),
        steps=float(step_right[mask].mean()),
        penultimate=float(penultimate.mean()),
    )
