"""Short and long runs of the book's experiments, and the results they record.

Chapters train for a budget that fits in about two minutes on a 2-core CPU, and assert what that
run reaches. `make reproduce` runs the same chapters with the long budget
(LSTM_BOOK_RUN=long) and prints the results table that the README quotes. One code path serves
both: a chapter asks `budget(short=..., long=...)` for its step counts and thresholds, and
`record(...)` stores a result for the table.

    budget(short, long) -> short or long, by LSTM_BOOK_RUN ("short", the default, or "long")
    record(experiment, metric, value, unit="", paper=None) -> value
        appends a row to the JSON-lines file named by LSTM_BOOK_RESULTS, if set
    read_results(path) -> list[dict]
"""

import json
import os
import time
from pathlib import Path

RUN_VARIABLE = "LSTM_BOOK_RUN"
RESULTS_VARIABLE = "LSTM_BOOK_RESULTS"
RUNS = ("short", "long")


def run_name() -> str:
    """Which run this is: 'short' (the chapter's default) or 'long' (make reproduce)."""
    name = os.environ.get(RUN_VARIABLE, "short")
    if name not in RUNS:
        raise ValueError(f"{RUN_VARIABLE} must be one of {RUNS}, got {name!r}")
    return name


def budget(short, long):
    """The short value in a chapter's normal run, the long one under `make reproduce`."""
    return long if run_name() == "long" else short


def record(experiment: str, metric: str, value, unit: str = "", paper: str | None = None):
    """Record one result (and return the value, so a cell can assert on it in the same line).

    experiment: e.g. "05 adding problem, T=100"; metric: e.g. "test sequences wrong";
    paper: what the original paper reports for the same metric, as text, if anything.
    """
    path = os.environ.get(RESULTS_VARIABLE)
    if path:
        row = {"experiment": experiment, "metric": metric, "value": _plain(value), "unit": unit,
               "paper": paper, "run": run_name(), "time": time.strftime("%Y-%m-%d %H:%M:%S")}
        with open(path, "a", encoding="utf-8") as f:
            f.write(json.dumps(row) + "\n")
    return value


def read_results(path) -> list[dict]:
    path = Path(path)
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


def _plain(value):
    """NumPy scalars to Python numbers, so json can write them."""
    return value.item() if hasattr(value, "item") else value
