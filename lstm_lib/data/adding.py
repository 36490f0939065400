"""The adding problem: remember two marked numbers over a long lag, then output their sum.

Hochreiter & Schmidhuber (1997), "Long Short-Term Memory", section 5.4, Experiment 4, and the
simpler variant most later papers use (Le et al. 2015, Arjovsky et al. 2016).

    adding_problem(batch_size, T, *, variant="paper", seed=None, rng=None)
        -> (x (B, T, 2), y (B, 1))
    adding_baseline_mse(variant="paper") -> float       MSE of always predicting the mean target
    adding_error_rate(pred, target, tol=0.04) -> float  the paper's criterion: fraction wrong
"""

import numpy as np

from ._random import resolve_rng

__all__ = [
    "ADDING_BASELINE_MSE",
    "ADDING_TOLERANCE",
    "adding_baseline_mse",
    "adding_error_rate",
    "adding_problem",
]

# Var(target), the MSE of predicting the mean target every time.
#   paper:  target = 0.5 + (X1 + X2) / 4, X2 ~ U[-1, 1] (variance 1/3), X1 the same except that it
#           is 0 when the first mark falls on the first pair (probability 1/10): Var(X1) = 0.9 / 3.
#           Var(target) = (0.3 + 1/3) / 16 = 19/480 = 0.03958.
#   modern: target = X1 + X2 with X1, X2 ~ U[0, 1]: Var = 2/12 = 1/6 = 0.1667, the "0.167"
#           baseline line in Le et al. (2015) and Arjovsky et al. (2016).
ADDING_BASELINE_MSE = {"paper": 19 / 480, "modern": 1 / 6}

# The paper's criterion: a sequence is processed correctly when |prediction - target| < 0.04.
ADDING_TOLERANCE = 0.04


def adding_problem(batch_size, T, *, variant="paper", variable_length=False, seed=None, rng=None):
    """A batch of the adding problem.

    Each step carries two inputs: x[..., 0] a random value, x[..., 1] a marker. Exactly two steps
    are marked with 1.0; the target, given only at the end, is a function of the two marked values
    X1 and X2. What a model has to remember: the two marked values (or their running sum) from the
    step where they appear until the end of the sequence, while ignoring every other value. The
    lag from the second mark to the end is at least T/2 steps.

    variant="paper" replicates Hochreiter & Schmidhuber (1997), section 5.4, faithfully:
      - values uniform in [-1, 1];
      - the first mark falls uniformly on one of the first ten pairs (its value is X1); the second
        on one of "the first T/2 - 1 still unmarked pairs" (X2), read literally: the k-th
        unmarked pair for k uniform in 0 .. T/2 - 2, so it never coincides with the first;
      - the marker is -1 at the first and the last pair, 1 at the two marked pairs, 0 elsewhere
        (a marked first pair carries 1, not -1);
      - "in the rare case where the first pair of the sequence got marked, we set X1 to zero":
        the first mark falling on the first pair (probability 1/10) gives X1 = 0, and the input
        value there is set to 0 as well, so the target can be recomputed from x. The second mark
        may also fall on the first pair (probability 0.9 / (T/2 - 1)); the paper zeroes only
        X1, and so does this;
      - target 0.5 + (X1 + X2) / 4.0, the sum scaled to [0, 1].
      The paper draws each sequence's length uniformly from T .. T + T/10. By default every
      sequence here has length T exactly (one array, no masks); variable_length=True draws the
      paper's lengths and left-pads each sequence with all-zero steps to T + T//10. A zero step
      looks like an unmarked step with value 0, which changes no target, so the padding is
      harmless and the end of every sequence is the last step of the array.
      Trivial baseline: predicting the mean 0.5 gives MSE = Var(target) = 19/480 = 0.0396, and
      gets about 84.6 % of sequences wrong by the paper's 0.04 criterion (the paper's LSTM: 1 of
      2,560 test sequences wrong at T = 100).

    variant="modern" (Le et al. 2015, Arjovsky et al. 2016): values uniform in [0, 1]; the marker
      is 1 at one uniformly chosen step in the first half (X1) and one in the second half (X2), 0
      elsewhere; target X1 + X2. Trivial baseline: predicting 1.0 gives MSE = 1/6 = 0.167.

    batch_size: B. T: number of time steps (paper: at least 12, so that the first ten pairs and
    the last pair are distinct; modern: at least 2). seed or rng: where the randomness comes from.
    Returns x: (B, T, 2) float32 (T + T//10 steps with variable_length) and y: (B, 1) float32.
    """
    rng = resolve_rng(seed, rng, caller="adding_problem")
    B = int(batch_size)
    if variant == "paper":
        return _paper(B, int(T), variable_length, rng)
    if variant == "modern":
        if variable_length:
            raise ValueError("adding_problem: variable_length is only defined for variant='paper'")
        return _modern(B, int(T), rng)
    raise ValueError(f"adding_problem: variant must be 'paper' or 'modern', got {variant!r}")


def _paper(B, T, variable_length, rng):
    if T < 12:
        raise ValueError(f"adding_problem: the paper's variant needs T >= 12, got {T}")
    T_max = T + T // 10 if variable_length else T
    lengths = rng.integers(T, T_max + 1, size=B) if variable_length else np.full(B, T)
    start = T_max - lengths  # index of each sequence's first pair (left padding before it)
    rows = np.arange(B)

    values = rng.uniform(-1.0, 1.0, size=(B, T_max))
    first = rng.integers(0, 10, size=B)
    k = rng.integers(0, T // 2 - 1, size=B)  # the k-th pair that is still unmarked
    second = k + (k >= first)

    values[np.arange(T_max) < start[:, None]] = 0.0  # padding
    values[first == 0, start[first == 0]] = 0.0  # X1 = 0 when the first pair is marked
    markers = np.zeros((B, T_max))
    markers[rows, start] = -1.0
    markers[:, -1] = -1.0
    markers[rows, start + first] = 1.0
    markers[rows, start + second] = 1.0

    y = 0.5 + (values * (markers == 1.0)).sum(axis=1, keepdims=True) / 4.0
    return np.stack([values, markers], axis=-1).astype(np.float32), y.astype(np.float32)


def _modern(B, T, rng):
    if T < 2:
        raise ValueError(f"adding_problem: T must be at least 2, got {T}")
    half = T // 2
    values = rng.uniform(0.0, 1.0, size=(B, T))
    markers = np.zeros((B, T))
    rows = np.arange(B)
    markers[rows, rng.integers(0, half, size=B)] = 1.0
    markers[rows, rng.integers(half, T, size=B)] = 1.0
    y = (values * markers).sum(axis=1, keepdims=True)
    return np.stack([values, markers], axis=-1).astype(np.float32), y.astype(np.float32)


def adding_baseline_mse(variant="paper"):
    """The MSE of the trivial model that always predicts the mean target: Var(target).

    paper: 19/480 = 0.0396. modern: 1/6 = 0.167. A model has learned something only below it.
    """
    try:
        return ADDING_BASELINE_MSE[variant]
    except KeyError:
        raise ValueError(
            f"adding_baseline_mse: variant must be 'paper' or 'modern', got {variant!r}") from None


def adding_error_rate(pred, target, tol=ADDING_TOLERANCE):
    """Fraction of sequences processed wrongly: |pred - target| >= tol (paper: tol = 0.04).

    pred, target: (B,) or (B, 1). The paper reports its LSTM at T = 100 as 1 wrong sequence of
    2,560 test sequences (0.04 %); always predicting 0.5 gets about 84.6 % wrong.
    """
    pred = np.asarray(pred, dtype=np.float64).reshape(-1)
    target = np.asarray(target, dtype=np.float64).reshape(-1)
    if pred.shape != target.shape:
        raise ValueError(
            f"adding_error_rate: pred and target must hold the same number of sequences, got "
            f"{pred.size} and {target.size}")
    return float(np.mean(np.abs(pred - target) >= tol))
