"""Short and long runs of the book's experiments, their seeds, and the claims they assert.

Chapters train for a budget that fits in about two minutes on a 2-core CPU, and assert what that
run reaches. `make reproduce` runs the same chapters with the long budget
(LSTM_BOOK_RUN=long) and prints the results table that the README quotes. One code path serves
both: a chapter asks `budget(short=..., long=...)` for its step counts and thresholds, and
`record(...)` stores a result for the table.

A claim about a trained model must hold beyond the one run its author saw. Every seed a training
chapter uses comes from `seed(n)`, which is n itself by default and another stream under
LSTM_BOOK_SEED; every such claim is asserted with `claim(...)`, which `make robustness` collects
over several book seeds and capped instruction sets to show each claim's smallest margin.

A claimed run is repeated from several seeds: `over_seeds` runs a chapter's experiment once per
seed and times it, and `results_table` lays the runs out beside the paper's results.

    budget(short, long) -> short or long, by LSTM_BOOK_RUN ("short", the default, or "long")
    seed(n=0) -> n + 1000 * LSTM_BOOK_SEED (LSTM_BOOK_SEED defaults to 0: the chapter's own seeds)
    seeds(short, long) -> [seed(0), ..., seed(k - 1)], k = budget(short, long)
    over_seeds(run, seeds, *args, **budget) -> [run(*args, seed=s, **budget) for s in seeds],
        each dict with "seed", "seconds" and "budget" added
    results_table(rows) -> str, a Markdown table: task | model | result | training budget
    claim(name, value, below=None, above=None, unit="") -> value
        asserts value < below or value > above; appends a row to LSTM_BOOK_CLAIMS, if set
    record(experiment, metric, value, unit="", paper=None) -> value
        appends a row to the JSON-lines file named by LSTM_BOOK_RESULTS, if set
    read_results(path) -> list[dict]
"""

import json
import os
import time
from pathlib import Path

import numpy as np

RUN_VARIABLE = "LSTM_BOOK_RUN"
RESULTS_VARIABLE = "LSTM_BOOK_RESULTS"
RUNS = ("short", "long")
SEED_VARIABLE = "LSTM_BOOK_SEED"
CLAIMS_VARIABLE = "LSTM_BOOK_CLAIMS"
# "raise" (the default): a claim that does not hold raises AssertionError. "record": it is only
# written to LSTM_BOOK_CLAIMS, so that `make robustness` sees every claim of a chapter in one run.
ON_FAILURE_VARIABLE = "LSTM_BOOK_ON_FAILED_CLAIM"
ISA_VARIABLE = "ONEDNN_MAX_CPU_ISA"  # oneDNN's instruction-set cap: another CPU's arithmetic
SEED_STRIDE = 1000  # book seed k moves every chapter seed n to n + 1000 k: no overlap for n < 1000


def run_name() -> str:
    """Which run this is: 'short' (the chapter's default) or 'long' (make reproduce)."""
    name = os.environ.get(RUN_VARIABLE, "short")
    if name not in RUNS:
        raise ValueError(f"{RUN_VARIABLE} must be one of {RUNS}, got {name!r}")
    return name


def budget(short, long):
    """The short value in a chapter's normal run, the long one under `make reproduce`."""
    return long if run_name() == "long" else short


def book_seed() -> int:
    """LSTM_BOOK_SEED as an int (0 when unset)."""
    text = os.environ.get(SEED_VARIABLE, "0")
    try:
        value = int(text)
    except ValueError:
        raise ValueError(f"{SEED_VARIABLE} must be a whole number >= 0, got {text!r}") from None
    if value < 0:
        raise ValueError(f"{SEED_VARIABLE} must be a whole number >= 0, got {text!r}")
    return value


def seed(n: int = 0) -> int:
    """The seed a chapter writes as n: n itself by default, n + 1000 k under LSTM_BOOK_SEED=k.

    Every seed for initialisation, data order and sampling goes through here, so one variable
    re-runs a chapter's training from other random starts. (Seeds that define the task itself,
    such as a fixed test set, stay as they are.)
    """
    if not isinstance(n, (int, np.integer)) or not 0 <= n < SEED_STRIDE:
        raise ValueError(f"seed: n must be an int in [0, {SEED_STRIDE}), got {n!r}")
    return int(n) + SEED_STRIDE * book_seed()


def seeds(short: int, long: int) -> list[int]:
    """The seeds a claimed run is repeated with: seed(0) .. seed(k - 1), k = budget(short, long)."""
    return [seed(k) for k in range(budget(short, long))]


def over_seeds(run, seeds, *args, **budget) -> list[dict]:
    """Call run(*args, seed=s, **budget) for every seed s; each call returns a dict of results.

    Returns those dicts, each with "seed" (s), "seconds" (the wall time of that call) and
    "budget" (the keyword arguments, which results_table describes) added.
    """
    results = []
    for s in seeds:
        start = time.perf_counter()
        result = run(*args, seed=s, **budget)
        if not isinstance(result, dict):
            raise TypeError(f"over_seeds: run must return a dict of results, "
                            f"got {type(result).__name__}")
        results.append({**result, "seed": s, "seconds": time.perf_counter() - start,
                        "budget": dict(budget)})
    return results


def results_table(rows) -> str:
    """A Markdown table of results beside a paper's: task | model | result | training budget.

    rows: (task, model, result, results) each. result is the text of the result column; results
    is the list over_seeds returned for that model (the budget column gives the number of seeds,
    the budget and the mean time per run), or None for a row quoted from a paper.
    """
    lines = ["| task | model | result on fresh test data | training budget |", "|---|---|---|---|"]
    for task, model, result, model_runs in rows:
        lines.append(f"| {task} | {model} | {result} | {_budget_text(model_runs)} |")
    return "\n".join(lines)


def _budget_text(results) -> str:
    if not results:
        return "—"
    n = len(results)
    budget = ", ".join(f"{key} {_number(value)}" for key, value in results[0]["budget"].items())
    seconds = float(np.mean([r["seconds"] for r in results]))
    return f"{n} seed{'s' if n > 1 else ''} × {budget}; {seconds:.0f} s per run"


def _number(value) -> str:
    """1,000 for whole numbers, 0.01 for others, anything else as str."""
    if isinstance(value, (bool, np.bool_)):
        return str(value)
    if isinstance(value, (int, np.integer)):
        return f"{value:,}"
    if isinstance(value, (float, np.floating)):
        return f"{value:g}"
    return str(value)


def claim(name: str, value, *, below=None, above=None, unit: str = ""):
    """Assert that value < below (or value > above), and record it; return the value.

    name says what is claimed, e.g. "11 Reber classifier: test accuracy". The row written to
    LSTM_BOOK_CLAIMS (if set) carries the threshold and the run's book seed and oneDNN ISA cap,
    from which `make robustness` prints each claim's values and its smallest margin.
    """
    if (below is None) == (above is None):
        raise ValueError(f"claim {name!r}: give exactly one of below= or above=")
    value = _plain(value)
    direction, threshold = ("below", below) if below is not None else ("above", above)
    held = bool(value < threshold) if direction == "below" else bool(value > threshold)
    _append_row(CLAIMS_VARIABLE, {
        "claim": name, "value": value, "threshold": _plain(threshold), "direction": direction,
        "held": held, "unit": unit, "seed": book_seed(), "isa": os.environ.get(ISA_VARIABLE, ""),
        "run": run_name()})
    if not held and os.environ.get(ON_FAILURE_VARIABLE, "raise") != "record":
        raise AssertionError(f"{name}: {value:.4g}{' ' + unit if unit else ''} is not {direction} "
                             f"{threshold:.4g} (book seed {book_seed()})")
    return value


def margin(row: dict) -> float:
    """How far a recorded claim cleared its threshold, relative to the threshold (< 0: failed)."""
    value, threshold = row["value"], row["threshold"]
    gap = threshold - value if row["direction"] == "below" else value - threshold
    return gap / abs(threshold) if threshold else gap


def record(experiment: str, metric: str, value, unit: str = "", paper: str | None = None):
    """Record one result (and return the value, so a cell can assert on it in the same line).

    experiment: e.g. "05 adding problem, T=100"; metric: e.g. "test sequences wrong";
    paper: what the original paper reports for the same metric, as text, if anything.
    """
    _append_row(RESULTS_VARIABLE, {
        "experiment": experiment, "metric": metric, "value": _plain(value), "unit": unit,
        "paper": paper, "run": run_name(), "time": time.strftime("%Y-%m-%d %H:%M:%S")})
    return value


def _append_row(variable: str, row: dict) -> None:
    """Append row as one JSON line to the file the environment variable names, if it is set."""
    path = os.environ.get(variable)
    if path:
        with open(path, "a", encoding="utf-8") as f:
            f.write(json.dumps(row) + "\n")


def read_results(path) -> list[dict]:
    path = Path(path)
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


def _plain(value):
    """NumPy scalars to Python numbers, so json can write them."""
    return value.item() if hasattr(value, "item") else value
