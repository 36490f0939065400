"""`make reproduce`: run the long versions of the book's experiments and print the results table.

Every chapter that trains takes its budget from `lstm_lib.runs.budget(short, long)`. This script
executes those chapters top to bottom with LSTM_BOOK_RUN=long, so the same cells (and the same
assertions, with their long-run thresholds) run for the long budget, and collects what the cells
`record` into one table. Nothing is written into book/; no .ipynb is left behind.

    python -m teaching_tools.reproduce [CHAPTER ...] [--kernel lstm-cpu] [--results FILE]
"""

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

import jupytext
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

from lstm_lib import runs

ROOT = Path(__file__).resolve().parents[1]


def chapters_with_budgets() -> list[Path]:
    return sorted(p for p in (ROOT / "book").glob("*.md") if "runs.budget(" in p.read_text())


def execute_chapter(path: Path, kernel: str, env: dict, timeout=None) -> None:
    """Run a chapter top to bottom in a fresh kernel, in its folder, with this process's
    environment changed by env (a value of None removes that variable). Raises
    CellExecutionError at the first cell that fails."""
    notebook = jupytext.read(path, fmt="md:myst")
    kernel_env = {**os.environ, **env}
    kernel_env = {name: value for name, value in kernel_env.items() if value is not None}
    client = NotebookClient(notebook, kernel_name=kernel, timeout=timeout,
                            resources={"metadata": {"path": str(path.parent)}})
    client.execute(env=kernel_env)


def run_chapter(path: Path, kernel: str, results: Path) -> float:
    """Execute one chapter with the long budget; return its wall time in seconds."""
    start = time.monotonic()
    execute_chapter(path, kernel, {runs.RUN_VARIABLE: "long", runs.RESULTS_VARIABLE: str(results)})
    return time.monotonic() - start


def format_table(rows: list[dict], times: dict[str, float]) -> str:
    """The results as a Markdown table; a result that is text over several lines (a sample a
    model wrote) follows the table as a block of its own, labelled with its experiment."""
    texts = [row for row in rows if isinstance(row["value"], str) and "\n" in row["value"]]
    lines = ["| experiment | metric | long run | paper |", "|---|---|---|---|"]
    for row in rows:
        if any(row is text for text in texts):
            continue
        value = row["value"]
        shown = f"{value:.4g}" if isinstance(value, float) else str(value)
        unit = f" {row['unit']}" if row["unit"] else ""
        lines.append(f"| {row['experiment']} | {row['metric']} | {shown}{unit} | "
                     f"{row['paper'] or '—'} |")
    for row in texts:
        lines += ["", f"{row['experiment']}, {row['metric']} (run {row['run']}, {row['time']}):",
                  "", "```text", row["value"], "```"]
    lines.append("")
    lines += [f"{name}: {seconds / 60:.1f} min" for name, seconds in times.items()]
    return "\n".join(lines)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("chapters", nargs="*", help="chapter files (default: all that train)")
    parser.add_argument("--kernel", default="lstm-cpu")
    parser.add_argument("--results", type=Path, help="JSON-lines file to append results to")
    args = parser.parse_args(argv)
    chapters = [Path(c).resolve() for c in args.chapters] or chapters_with_budgets()
    if not chapters:
        print("no chapter takes a long budget (none calls runs.budget)", file=sys.stderr)
        return 1
    results = args.results or Path(tempfile.mkdtemp()) / "results.jsonl"
    times, failed = {}, []
    for path in chapters:
        print(f"running {path.name} with the long budget ...", flush=True)
        try:
            times[path.name] = run_chapter(path, args.kernel, results)
        except CellExecutionError as error:
            failed.append(path.name)
            print(f"{path.name} FAILED:\n{str(error)[-2000:]}", file=sys.stderr)
    print(format_table(runs.read_results(results), times))
    print(f"\nresults: {results}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
