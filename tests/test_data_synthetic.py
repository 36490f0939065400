"""The seeded task generators: adding problem, copy task, noisy sines, minibatches."""

import numpy as np
import pytest

from lstm_lib.data import (
    ADDING_BASELINE_MSE,
    adding_baseline_mse,
    adding_error_rate,
    adding_problem,
    copy_baseline_loss,
    copy_task,
    minibatches,
    noisy_sines,
    one_hot,
    sine_windows,
)

# --- every generator: explicit randomness, determinism, dtypes -------------------------------

GENERATORS = {
    "adding paper": lambda **kw: adding_problem(8, 40, **kw),
    "adding modern": lambda **kw: adding_problem(8, 40, variant="modern", **kw),
    "adding variable": lambda **kw: adding_problem(8, 40, variable_length=True, **kw),
    "copy": lambda **kw: copy_task(8, delay=12, **kw),
    "sines": lambda **kw: noisy_sines(8, 50, **kw),
    "sine windows": lambda **kw: sine_windows(8, 30, horizon=3, **kw),
}


@pytest.mark.parametrize("make", GENERATORS.values(), ids=GENERATORS.keys())
def test_same_seed_same_data_other_seed_other_data(make):
    first, again, other = make(seed=3), make(seed=3), make(seed=4)
    for a, b in zip(first, again, strict=True):
        np.testing.assert_array_equal(a, b)
    assert any(not np.array_equal(a, c) for a, c in zip(first, other, strict=True))


@pytest.mark.parametrize("make", GENERATORS.values(), ids=GENERATORS.keys())
def test_rng_is_the_same_as_its_seed(make):
    for a, b in zip(make(seed=11), make(rng=np.random.default_rng(11)), strict=True):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("make", GENERATORS.values(), ids=GENERATORS.keys())
def test_randomness_must_be_explicit(make):
    with pytest.raises(ValueError, match="seed"):
        make()
    with pytest.raises(ValueError, match="not both"):
        make(seed=1, rng=np.random.default_rng(1))


@pytest.mark.parametrize("make", GENERATORS.values(), ids=GENERATORS.keys())
def test_inputs_are_float32_batch_time_features(make):
    x = make(seed=0)[0]
    assert x.dtype == np.float32
    assert x.shape[0] == 8 and x.ndim in (2, 3)


# --- adding problem, the paper's variant -----------------------------------------------------


def marks(x):
    """Positions of the two +1 markers in each row: (B, 2), sorted."""
    rows, cols = np.nonzero(x[..., 1] == 1.0)
    assert np.array_equal(np.bincount(rows, minlength=len(x)), np.full(len(x), 2))
    return cols.reshape(-1, 2)


def test_adding_paper_shapes_and_ranges():
    x, y = adding_problem(64, 100, seed=0)
    assert x.shape == (64, 100, 2) and y.shape == (64, 1)
    assert x.dtype == y.dtype == np.float32
    assert np.all(np.abs(x[..., 0]) <= 1.0)
    assert set(np.unique(x[..., 1])) <= {-1.0, 0.0, 1.0}
    assert np.all((0.0 <= y) & (y <= 1.0))


def test_adding_paper_target_is_recomputed_from_the_marked_values():
    x, y = adding_problem(500, 60, seed=1)
    m = marks(x)
    rows = np.arange(len(x))[:, None]
    expected = 0.5 + x[rows, m, 0].sum(axis=1) / 4.0
    np.testing.assert_allclose(y[:, 0], expected, rtol=0, atol=1e-6)


def test_adding_paper_marker_positions_follow_the_paper():
    T = 100
    x, _ = adding_problem(20000, T, seed=2)
    m = marks(x)
    # one mark among the first ten pairs, the other among the first T/2 - 1 still unmarked pairs
    assert m[:, 0].max() <= 9
    assert m[:, 1].max() == T // 2 - 1  # the (T/2 - 1)-th unmarked pair can be pair T/2 - 1
    assert np.all(m[:, 0] != m[:, 1])
    # -1 at the first and the last pair unless marked, 0 everywhere else
    first_marked = x[:, 0, 1] == 1.0
    assert np.all(x[~first_marked, 0, 1] == -1.0)
    assert np.all(x[:, -1, 1] == -1.0)
    n_minus = (x[..., 1] == -1.0).sum(axis=1)
    np.testing.assert_array_equal(n_minus, 2 - first_marked)
    # the first mark lands on pair 1 with probability 1/10, and then X1 = 0
    x1_zeroed = first_marked & (x[:, 0, 0] == 0.0)
    assert abs(x1_zeroed.mean() - 0.1) < 0.01
    # the second mark can land there too (the paper zeroes only X1): 0.9 / (T/2 - 1)
    assert abs((first_marked & ~x1_zeroed).mean() - 0.9 / (T // 2 - 1)) < 0.005


def test_adding_paper_baseline_is_the_variance_of_the_target():
    _, y = adding_problem(100_000, 24, seed=3)
    assert adding_baseline_mse() == ADDING_BASELINE_MSE["paper"] == pytest.approx(19 / 480)
    assert np.mean((y - 0.5) ** 2) == pytest.approx(19 / 480, rel=0.02)
    # always predicting 0.5 gets about 84.6 % of the sequences wrong by the 0.04 criterion
    assert adding_error_rate(np.full_like(y, 0.5), y) == pytest.approx(0.8458, abs=0.005)


def test_adding_paper_variable_length_is_left_padded():
    T = 50
    x, y = adding_problem(400, T, variable_length=True, seed=4)
    assert x.shape == (400, T + T // 10, 2)
    start = np.argmax(x[..., 1] != 0.0, axis=1)  # the first pair carries -1 or +1
    lengths = x.shape[1] - start
    assert lengths.min() == T and lengths.max() == T + T // 10
    padding = np.arange(x.shape[1]) < start[:, None]
    assert np.all(x[padding] == 0.0)
    assert np.all(x[:, -1, 1] == -1.0)
    m = marks(x) - start[:, None]  # positions within each sequence
    assert m[:, 0].max() <= 9 and m[:, 1].max() <= T // 2 - 1
    rows = np.arange(len(x))[:, None]
    np.testing.assert_allclose(y[:, 0], 0.5 + x[rows, marks(x), 0].sum(1) / 4, atol=1e-6)


def test_adding_paper_rejects_short_sequences():
    with pytest.raises(ValueError, match="T >= 12"):
        adding_problem(4, 10, seed=0)


# --- adding problem, the modern variant ------------------------------------------------------


def test_adding_modern_one_mark_in_each_half_and_target_is_the_sum():
    T = 30
    x, y = adding_problem(2000, T, variant="modern", seed=5)
    assert x.shape == (2000, T, 2) and y.shape == (2000, 1)
    assert set(np.unique(x[..., 1])) == {0.0, 1.0}
    assert np.all((0.0 <= x[..., 0]) & (x[..., 0] <= 1.0))
    m = marks(x)
    assert np.all(m[:, 0] < T // 2) and np.all(m[:, 1] >= T // 2)
    rows = np.arange(len(x))[:, None]
    np.testing.assert_allclose(y[:, 0], x[rows, m, 0].sum(axis=1), atol=1e-6)


def test_adding_modern_baseline_is_one_sixth():
    _, y = adding_problem(100_000, 10, variant="modern", seed=6)
    assert adding_baseline_mse("modern") == pytest.approx(1 / 6)
    assert np.mean((y - 1.0) ** 2) == pytest.approx(1 / 6, rel=0.02)


def test_adding_rejects_unknown_variants():
    with pytest.raises(ValueError, match="variant"):
        adding_problem(2, 20, variant="other", seed=0)
    with pytest.raises(ValueError, match="variable_length"):
        adding_problem(2, 20, variant="modern", variable_length=True, seed=0)
    with pytest.raises(ValueError, match="variant"):
        adding_baseline_mse("other")


def test_adding_error_rate_counts_errors_of_at_least_the_tolerance():
    target = np.array([[0.5], [0.5], [0.5], [0.04]])
    pred = np.array([0.5, 0.53, 0.6, 0.0])  # right, right, wrong, exactly 0.04 off: wrong
    assert adding_error_rate(pred, target) == 0.5
    assert adding_error_rate(pred, target, tol=0.2) == 0.0
    with pytest.raises(ValueError, match="same number"):
        adding_error_rate(pred[:3], target)


# --- copy task -------------------------------------------------------------------------------


def test_copy_task_layout():
    S, K, delay = 5, 6, 20
    x, y, mask = copy_task(16, n_symbols=S, alphabet_size=K, delay=delay, seed=0)
    T = delay + 2 * S
    assert x.shape == (16, T, K + 2) and x.dtype == np.float32
    assert y.shape == mask.shape == (16, T) and y.dtype == np.int64 and mask.dtype == bool
    np.testing.assert_array_equal(x.sum(-1), 1.0)  # one-hot
    symbols = x.argmax(-1)
    assert np.all((1 <= symbols[:, :S]) & (symbols[:, :S] <= K))
    assert np.all(symbols[:, S + delay - 1] == K + 1)  # the delimiter, just before recall
    others = np.ones(T, dtype=bool)
    others[:S] = others[S + delay - 1] = False
    assert np.all(symbols[:, others] == 0)
    # recall: the last S targets are the S input symbols, in order; blanks before
    np.testing.assert_array_equal(y[:, -S:], symbols[:, :S])
    assert np.all(y[:, :-S] == 0)
    np.testing.assert_array_equal(mask, np.arange(T)[None, :].repeat(16, 0) >= T - S)


def test_copy_task_baselines():
    assert copy_baseline_loss(alphabet_size=8) == pytest.approx(np.log(8))
    assert copy_baseline_loss(10, 8, 100, recall_only=False) == pytest.approx(10 * np.log(8) / 120)
    _, y, mask = copy_task(4000, alphabet_size=8, delay=3, seed=1)
    # the recalled symbols are uniform over the alphabet: the memoryless loss is log K
    freq = np.bincount(y[mask], minlength=9)[1:] / mask.sum()
    assert np.all(np.abs(freq - 1 / 8) < 0.01)


def test_copy_task_rejects_empty_sizes():
    with pytest.raises(ValueError, match="delay"):
        copy_task(2, delay=0, seed=0)


# --- noisy sines ------------------------------------------------------------------------------


def test_noisy_sines_noise_has_the_requested_size():
    series, clean = noisy_sines(200, 300, noise_std=0.2, seed=0)
    assert series.shape == clean.shape == (200, 300)
    assert series.dtype == clean.dtype == np.float32
    assert np.std(series - clean) == pytest.approx(0.2, rel=0.02)
    quiet, clean0 = noisy_sines(5, 50, noise_std=0.0, seed=1)
    np.testing.assert_array_equal(quiet, clean0)
    assert np.all(np.abs(clean) <= 1.0)


def test_sine_windows_are_consecutive_values_of_one_series():
    x, y = sine_windows(64, 40, horizon=5, seed=2)
    series, _ = noisy_sines(64, 45, seed=2)
    assert x.shape == (64, 40, 1) and y.shape == (64, 5)
    np.testing.assert_array_equal(x[..., 0], series[:, :40])
    np.testing.assert_array_equal(y, series[:, 40:])


def test_sine_windows_baselines_in_the_docstring():
    x, y = sine_windows(50_000, 32, seed=3)
    naive = np.mean((x[:, -1, 0] - y[:, 0]) ** 2)
    assert 0.02 < naive < 0.035  # "about 0.03": twice the noise variance plus the signal's change


# --- minibatches and one-hot -----------------------------------------------------------------


def test_minibatches_visit_every_sample_once_in_seeded_order():
    a, b = np.arange(10), np.arange(10) * 10
    batches = list(minibatches(a, b, batch_size=4, seed=0))
    assert [len(x) for x, _ in batches] == [4, 4, 2]
    seen = np.concatenate([x for x, _ in batches])
    assert sorted(seen) == list(range(10)) and not np.array_equal(seen, a)
    for x, y in batches:
        np.testing.assert_array_equal(y, x * 10)
    again = np.concatenate([x for x, _ in minibatches(a, b, batch_size=4, seed=0)])
    np.testing.assert_array_equal(seen, again)


def test_minibatches_options():
    a = np.arange(10)
    assert [len(x) for (x,) in minibatches(a, batch_size=4, drop_last=True, seed=0)] == [4, 4]
    in_order = np.concatenate([x for (x,) in minibatches(a, batch_size=3, shuffle=False)])
    np.testing.assert_array_equal(in_order, a)
    with pytest.raises(ValueError, match="first axis"):
        minibatches(a, a[:5], batch_size=2, seed=0)
    with pytest.raises(ValueError, match="seed"):
        minibatches(a, batch_size=2)


def test_one_hot():
    ids = np.array([[0, 2], [1, 1]])
    x = one_hot(ids, 3)
    assert x.shape == (2, 2, 3) and x.dtype == np.float32
    np.testing.assert_array_equal(x.argmax(-1), ids)
    with pytest.raises(ValueError, match="0 .. 2"):
        one_hot([3], 3)
