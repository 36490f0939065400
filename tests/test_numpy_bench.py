"""The benchmark's pieces that can be checked without timing anything long: the dispatcher,
the timing helpers, the flop count and the BLAS thread control."""

import numpy as np
import pytest

import lstm_lib.bench.__main__ as bench_main
from lstm_lib.bench import timing
from lstm_lib.bench.blas import blas_info, blas_threads
from lstm_lib.bench.numpy_bench import lstm_flops, recurrent_flops
from lstm_lib.bench.timing import alternate, median_ratio, print_table


def test_dispatcher_usage_and_unknown_subcommand(capsys):
    assert bench_main.main([]) == 2
    assert bench_main.main(["cuda"]) == 2
    assert "numpy" in capsys.readouterr().err
    assert bench_main.main(["--help"]) == 0


def test_dispatcher_runs_the_subcommand_main(monkeypatch):
    calls = []

    class Fake:
        @staticmethod
        def main(argv):
            calls.append(argv)
            return 0

    monkeypatch.setattr(bench_main.importlib, "import_module",
                        lambda name: calls.append(name) or Fake)
    assert bench_main.main(["numpy", "--quick"]) == 0
    assert calls == ["lstm_lib.bench.numpy_bench", ["--quick"]]


def test_alternate_times_every_candidate_each_round_in_alternating_order():
    log = []
    candidates = {"a": lambda: log.append("a"), "b": lambda: log.append("b")}
    times = alternate(candidates, rounds=3, warmup=1, settle=1)
    assert [len(times["a"]), len(times["b"])] == [3, 3]
    assert "".join(log) == "aabb" + "bbaa" + "aabb" + "bbaa"  # settle call, then the timed one
    assert median_ratio({"a": [2.0, 9.0, 3.0], "b": [1.0, 1.0, 1.0]}, "a", "b") == 3.0


def test_alternate_settles_for_at_least_settle_seconds(monkeypatch):
    clock = [0.0]  # a fake clock that each call of a candidate moves on by 0.1 s
    monkeypatch.setattr(timing.time, "perf_counter", lambda: clock[0])
    log = []

    def call(name):
        log.append(name)
        clock[0] += 0.1

    candidates = {"a": lambda: call("a"), "b": lambda: call("b")}
    times = alternate(candidates, rounds=2, warmup=0, settle=1, settle_seconds=0.25)
    # Untimed calls until 0.25 s have passed (three of 0.1 s), then the timed one.
    assert "".join(log) == "aaaabbbb" + "bbbbaaaa"
    np.testing.assert_allclose(times["a"] + times["b"], [0.1] * 4)


def test_print_table_aligns(capsys):
    print_table(["H", "ms"], [[64, "1.5"], [512, "12.25"]])
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 4 and len({len(line) for line in lines}) == 1


def test_lstm_flops_counts_three_products_per_matrix():
    B, T, D, H = 2, 3, 4, 5
    forward = T * (2 * B * D * 4 * H + 2 * B * H * 4 * H)
    assert lstm_flops(B, T, D, H) == 3 * forward
    # The step-to-step chain: one (B, H) @ (H, 4H) product forward and one backward per step.
    assert recurrent_flops(B, T, H) == 2 * T * 2 * B * H * 4 * H


def test_blas_threads_restores_the_setting():
    before = blas_info()["threads"]
    if before is None:
        pytest.skip("NumPy does not use an OpenBLAS this module can find")
    with blas_threads(1):
        assert blas_info()["threads"] == 1
        np.ones((64, 64)) @ np.ones((64, 64))
    assert blas_info()["threads"] == before


def test_blas_info_names_the_kernels_openblas_runs():
    info = blas_info()
    if info["library"] is None:
        pytest.skip("NumPy does not use an OpenBLAS this module can find")
    assert isinstance(info["kernels"], str) and info["kernels"]
    coretype = info["coretype"]
    if coretype:  # forced by the environment: OpenBLAS reports the type it was told
        assert info["kernels"].lower() == coretype.lower()


def test_benchmark_runs_end_to_end_on_a_tiny_shape(monkeypatch, capsys):
    from lstm_lib.bench import numpy_bench

    # The same code path, minus the waiting: no settling time, a small matmul for the peak.
    monkeypatch.setattr(numpy_bench, "alternate",
                        lambda c, r, w, settle_seconds: alternate(c, r, w))  # fmt: skip
    monkeypatch.setattr(numpy_bench, "matmul_peak", lambda: timing.matmul_peak(n=64))
    shape = ["--batch", "2", "--time", "3", "--input", "3", "--units", "4"]
    assert numpy_bench.main(["--quick", "--no-scaling", *shape]) == 0
    out = capsys.readouterr().out
    assert "B=2 T=3 D=3 H=4" in out
    assert "median keras_time / numpy_time:" in out and "for 1.5x, NumPy would need" in out
    error = float(out.split("gradients agree with Keras's to ")[1].split()[0])
    assert error < 1e-4
