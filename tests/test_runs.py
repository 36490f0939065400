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
