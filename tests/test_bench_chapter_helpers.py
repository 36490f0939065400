"""The benchmark helpers chapter 08 shows: counting matrix products, the progress-bar timing, and
the candidates of its timing over sizes."""

import numpy as np
import pytest

import lstm_lib.numpy as lnp
from lstm_lib.bench import timing
from lstm_lib.bench.counting import Counting, count_products
from lstm_lib.bench.scaling import scaling_candidates


def test_count_products_counts_matmul_and_the_at_operator():
    a, b = np.ones((2, 3)), np.ones((3, 4))
    assert count_products(lambda a, b: a @ b, [a, b]) == 1
    assert count_products(lambda a, b: np.matmul(a, b) @ b.T, [a, b]) == 2
    assert count_products(lambda a, b: np.tanh(a) * 2 + a.sum(), [a, b]) == 0


def test_counting_follows_the_data_through_other_operations():
    def fn(a, w):
        stacked = np.stack([a, a], axis=1).reshape(-1, 3)  # np.stack: __array_function__
        joined = np.concatenate([stacked, np.tanh(stacked)])
        out = np.empty((joined.shape[0], 4))
        np.matmul(joined[:, :3], w, out=out)  # a slice of a result, with out=
        return out.T @ joined

    a, w = np.ones((2, 3)), np.ones((3, 4))
    assert count_products(fn, [a, w]) == 2
    assert count_products(lambda a, w: [a[:, [0]] @ w[[0]] for _ in range(5)], [a, w]) == 5


def test_counting_computes_what_numpy_computes():
    r = np.random.default_rng(0)
    x, h0, c0 = r.normal(size=(3, 5, 4)), r.normal(size=(3, 2)), r.normal(size=(3, 2))
    W, U, b = r.normal(size=(4, 8)), r.normal(size=(2, 8)), r.normal(size=8)
    plain = lnp.lstm_forward(x, h0, c0, W, U, b)
    counted = lnp.lstm_forward(*(a.view(Counting) for a in (x, h0, c0, W, U, b)))
    for ours, theirs in zip(counted[:2], plain[:2], strict=True):  # hs, c_T
        np.testing.assert_array_equal(np.asarray(ours), theirs)
    z = np.tanh(x.view(Counting)) @ W
    assert isinstance(z, Counting)
    np.testing.assert_array_equal(z.view(np.ndarray), np.tanh(x) @ W)
    # Hoisted input projection, then one product per step (see lstm_lib/numpy/lstm.py).
    assert count_products(lnp.lstm_forward, [x, h0, c0, W, U, b]) == 1 + x.shape[1]


def test_count_products_starts_from_zero_each_time():
    a = np.ones((2, 2))
    assert [count_products(lambda a: a @ a @ a, [a]) for _ in range(3)] == [2, 2, 2]


def test_timed_times_like_alternate_and_reports_every_turn(monkeypatch):
    bars = []

    class Bar:  # stands in for tqdm: records the total and the updates
        def __init__(self, total, desc):
            self.total, self.desc, self.n = total, desc, 0
            bars.append(self)

        def update(self):
            self.n += 1

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return False

    monkeypatch.setattr(timing, "tqdm", Bar)
    log = []
    candidates = {"a": lambda: log.append("a"), "b": lambda: log.append("b")}
    times = timing.timed(candidates, rounds=3, warmup=1, desc="demo")
    assert [len(times["a"]), len(times["b"])] == [3, 3]
    assert "".join(log) == "aabb" + "bbaa" + "aabb" + "bbaa"
    assert [(bar.total, bar.n, bar.desc) for bar in bars] == [(8, 8, "demo")]


def test_alternate_calls_on_turn_after_each_turn():
    log = []
    candidates = {"a": lambda: log.append("a"), "b": lambda: log.append("b")}
    timing.alternate(candidates, rounds=2, warmup=1, settle=1,
                     on_turn=lambda name: log.append(name.upper()))
    assert "".join(log) == "aaAbbB" + "bbBaaA" + "aaAbbB"


def _naive_numpy(x, h0, c0, W, U, b, dhs):
    """Forward + backward with lstm_lib.numpy: the interface scaling_candidates expects."""
    hs, c_T, cache = lnp.lstm_forward(x, h0, c0, W, U, b)
    return [hs, *lnp.lstm_backward(dhs, cache)]


def test_scaling_candidates_cover_every_size_grouped_by_implementation():
    calls = []

    def recording(x, h0, c0, W, U, b, dhs):
        calls.append((x.shape, h0.shape, W.shape, U.shape, b.shape, dhs.shape))

    sizes = [(3, 4), (5, 4), (3, 6)]
    candidates = scaling_candidates(sizes, {"one": recording, "two": recording}, {},
                                    batch=2, features=5)  # fmt: skip
    assert list(candidates) == [(name, T, H) for name in ("one", "two") for T, H in sizes]
    candidates[("two", 5, 4)]()
    assert calls == [((2, 5, 5), (2, 4), (5, 16), (4, 16), (16,), (2, 5, 4))]
    with pytest.raises(KeyError):
        candidates[("one", 4, 3)]


def test_scaling_candidates_give_every_implementation_the_same_problem():
    from lstm_lib.tf_startup import import_tensorflow

    import_tensorflow()  # first: TensorFlow's C++ start-up lines stay out of the output
    import keras

    from lstm_lib import tensorflow as ltf

    sizes = [(3, 4), (6, 4), (3, 2)]
    tf_layers = {"ours": lambda units: ltf.LSTM(units, return_sequences=True),
                 "keras": lambda units: keras.layers.LSTM(units, return_sequences=True,
                                                             use_cudnn=False)}  # fmt: skip
    candidates = scaling_candidates(sizes, {"numpy": _naive_numpy}, tf_layers, batch=2,
                                    features=3)  # fmt: skip
    for T, H in sizes:
        hs, dx, _, _, dW, dU, db = candidates[("numpy", T, H)]()
        for name in tf_layers:  # hs, dx, dW, dU, db, traced once per H and reused for each T
            results = candidates[(name, T, H)]()
            for what, ours, theirs in zip(["hs", "dx", "dW", "dU", "db"], results,
                                          [hs, dx, dW, dU, db], strict=True):
                np.testing.assert_allclose(ours, theirs, rtol=1e-4, atol=1e-5,
                                           err_msg=f"{name}, T={T} H={H}: {what}")
    # A new problem at every size: the inputs differ between two lengths of the same H.
    short, long = candidates[("numpy", 3, 4)]()[0], candidates[("numpy", 6, 4)]()[0]
    assert short.shape == (2, 3, 4) and not np.allclose(short, long[:, :3])
