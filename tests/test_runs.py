"""Short/long budgets and recorded results."""

import numpy as np
import pytest

from lstm_lib import runs


def test_budget_is_short_by_default_and_long_under_reproduce(monkeypatch):
    monkeypatch.delenv(runs.RUN_VARIABLE, raising=False)
    assert runs.budget(short=100, long=5000) == 100
    monkeypatch.setenv(runs.RUN_VARIABLE, "long")
    assert runs.budget(short=100, long=5000) == 5000


def test_an_unknown_run_name_is_refused(monkeypatch):
    monkeypatch.setenv(runs.RUN_VARIABLE, "medium")
    with pytest.raises(ValueError, match="'short', 'long'.*'medium'"):
        runs.budget(1, 2)


def test_record_writes_rows_only_when_asked(monkeypatch, tmp_path):
    monkeypatch.delenv(runs.RESULTS_VARIABLE, raising=False)
    assert runs.record("e", "m", 1.5) == 1.5
    path = tmp_path / "results.jsonl"
    monkeypatch.setenv(runs.RESULTS_VARIABLE, str(path))
    assert runs.record("adding", "wrong", np.int64(3), paper="1 of 2,560") == 3
    runs.record("reber", "solved", np.float32(0.5), unit="fraction")
    rows = runs.read_results(path)
    assert [(r["experiment"], r["value"], r["paper"]) for r in rows] == [
        ("adding", 3, "1 of 2,560"), ("reber", 0.5, None)]
    assert all(r["run"] == "short" for r in rows)


def test_seed_is_the_chapters_own_by_default_and_moves_under_the_book_seed(monkeypatch):
    monkeypatch.delenv(runs.SEED_VARIABLE, raising=False)
    assert [runs.seed(n) for n in (0, 1, 13)] == [0, 1, 13]
    monkeypatch.setenv(runs.SEED_VARIABLE, "3")
    assert [runs.seed(n) for n in (0, 1, 13)] == [3000, 3001, 3013]


@pytest.mark.parametrize("text", ["-1", "two", "1.5"])
def test_a_bad_book_seed_is_refused_with_what_was_given(monkeypatch, text):
    monkeypatch.setenv(runs.SEED_VARIABLE, text)
    with pytest.raises(ValueError, match=f"LSTM_BOOK_SEED must be a whole number.*{text!r}"):
        runs.seed(0)


def test_a_chapter_seed_outside_the_stride_is_refused(monkeypatch):
    monkeypatch.delenv(runs.SEED_VARIABLE, raising=False)
    with pytest.raises(ValueError, match=r"\[0, 1000\).*1000"):
        runs.seed(1000)


def test_claim_returns_the_value_and_raises_when_it_does_not_hold(monkeypatch):
    monkeypatch.delenv(runs.CLAIMS_VARIABLE, raising=False)
    monkeypatch.delenv(runs.ON_FAILURE_VARIABLE, raising=False)
    assert runs.claim("accuracy", np.float32(0.9), above=0.85) == pytest.approx(0.9)
    assert runs.claim("loss", 1.2, below=2.0) == 1.2
    with pytest.raises(AssertionError, match="accuracy: 0.833 is not above 0.85"):
        runs.claim("accuracy", 0.833, above=0.85)
    with pytest.raises(AssertionError, match="loss: 2 is not below 2"):
        runs.claim("loss", 2.0, below=2.0)  # strict


def test_claim_needs_exactly_one_threshold():
    with pytest.raises(ValueError, match="exactly one of below= or above="):
        runs.claim("x", 1.0)
    with pytest.raises(ValueError, match="exactly one of below= or above="):
        runs.claim("x", 1.0, below=2, above=0)


def test_claims_are_recorded_with_seed_and_isa_and_may_only_be_recorded(monkeypatch, tmp_path):
    path = tmp_path / "claims.jsonl"
    monkeypatch.setenv(runs.CLAIMS_VARIABLE, str(path))
    monkeypatch.setenv(runs.SEED_VARIABLE, "2")
    monkeypatch.setenv("ONEDNN_MAX_CPU_ISA", "SSE41")
    monkeypatch.setenv(runs.ON_FAILURE_VARIABLE, "record")
    runs.claim("accuracy", 0.80, above=0.85)  # fails, but is only recorded
    runs.claim("loss", 0.5, below=2.0)
    rows = runs.read_results(path)
    assert [(r["claim"], r["held"], r["seed"], r["isa"]) for r in rows] == [
        ("accuracy", False, 2, "SSE41"), ("loss", True, 2, "SSE41")]
    assert runs.margin(rows[0]) == pytest.approx(-0.05 / 0.85)
    assert runs.margin(rows[1]) == pytest.approx(0.75)


def test_seeds_are_the_short_or_long_count_of_chapter_seeds(monkeypatch):
    monkeypatch.delenv(runs.RUN_VARIABLE, raising=False)
    monkeypatch.setenv(runs.SEED_VARIABLE, "2")
    assert runs.seeds(short=3, long=10) == [2000, 2001, 2002]
    monkeypatch.setenv(runs.RUN_VARIABLE, "long")
    assert runs.seeds(short=3, long=10) == [2000 + k for k in range(10)]


def test_over_seeds_runs_once_per_seed_and_adds_seed_time_and_budget():
    calls = []

    def experiment(cell, *, seed, steps):
        calls.append((cell, seed, steps))
        return {"wrong": seed * steps}

    results = runs.over_seeds(experiment, [0, 7], "lstm", steps=3)
    assert calls == [("lstm", 0, 3), ("lstm", 7, 3)]
    assert [(r["wrong"], r["seed"], r["budget"]) for r in results] == [
        (0, 0, {"steps": 3}), (21, 7, {"steps": 3})]
    assert all(r["seconds"] >= 0 for r in results)
    with pytest.raises(TypeError, match="run must return a dict of results, got float"):
        runs.over_seeds(lambda seed: 1.0, [0])


def test_results_table_describes_each_models_runs_and_quotes_the_paper():
    model_runs = [{"seed": s, "seconds": t, "budget": {"steps": 1000, "H": 16, "lr": 0.01}}
                  for s, t in [(0, 20.0), (1, 30.0)]]
    table = runs.results_table([("adding", "**paper**", "1 of 2,560 wrong", None),
                                ("adding", "LSTM", "wrong per seed: 0, 2", model_runs)])
    lines = table.splitlines()
    assert lines[0] == "| task | model | result on fresh test data | training budget |"
    assert lines[2] == "| adding | **paper** | 1 of 2,560 wrong | — |"
    assert lines[3] == ("| adding | LSTM | wrong per seed: 0, 2 | "
                        "2 seeds × steps 1,000, H 16, lr 0.01; 25 s per run |")
    assert "1 seed ×" in runs.results_table([("t", "m", "r", model_runs[:1])])
