"""Grade a class's problem sets: python -m teaching_tools.grade SUBMISSION... [--csv F] [--json F]

Each SUBMISSION is a filled-in problem set, jupytext .py or .ipynb, or a folder searched for
them. It is matched to solutions/ by file name (03_lstm_cell.ipynb, or 03_lstm_cell_alice.py,
is graded against solutions/03_lstm_cell.py), its locked and check cells are restored from
there (hidden tests included), and it runs in a kernel of its own with a time limit per cell
and one for the whole submission, a memory limit and an output limit, in a temporary copy: the
file itself is never modified.
Submissions run in parallel (--jobs, default: the number of CPUs).

It prints a table per submission; --csv writes one row per submission and check
(submission, notebook, grade_id, points, max_points, status, message), --json the same
grouped by submission.
"""

import argparse
import csv
import json
import os
import sys
import time
from concurrent.futures import ThreadPoolExecutor, as_completed
from pathlib import Path

from jupyter_client.kernelspec import KernelSpecManager

from .autograde import SUFFIXES, Graded, Limits, Score, grade_submission

ROOT = Path(__file__).resolve().parent.parent
FIELDS = ["submission", "notebook", "grade_id", "points", "max_points", "status", "message"]


def expand(paths):
    """Files to grade: the files named, and the .py/.ipynb files inside the folders named."""
    found = []
    for p in map(Path, paths):
        if p.is_dir():
            files = sorted(f for f in p.rglob("*") if f.suffix in SUFFIXES and f.is_file()
                           and not any(part.startswith(".") for part in f.relative_to(p).parts))
            found += _one_per_notebook(files)
        else:
            found.append(p)
    return found


def _one_per_notebook(files):
    """A notebook paired as .py and .ipynb is graded once, from the file saved last."""
    newest = {}
    for f in files:
        key = f.with_suffix("")
        if key not in newest or f.stat().st_mtime > newest[key].stat().st_mtime:
            newest[key] = f
    return [f for f in files if newest[f.with_suffix("")] == f]


def short(text, width):
    text = " ".join(str(text).split())
    return text if len(text) <= width else text[: width - 1] + "\u2026"


def fmt_points(x):
    return f"{x:g}"


def table(graded):
    head = (f"{graded.submission}  ({graded.notebook or '?'}: "
            f"{fmt_points(graded.points)}/{fmt_points(graded.max_points)} points, "
            f"{graded.seconds:.1f} s)")
    lines = [head]
    width = max([len(s.grade_id) for s in graded.scores] + [8])
    for s in graded.scores:
        pts = f"{fmt_points(s.points)}/{fmt_points(s.max_points)}"
        lines.append(f"  {s.grade_id:<{width}}  {pts:>5}  {s.status:<14}  {short(s.message, 90)}")
    return "\n".join(lines)


def write_csv(path, results):
    with open(path, "w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=FIELDS)
        writer.writeheader()
        for graded in results:
            for s in graded.scores:
                writer.writerow(s.row())


def write_json(path, results):
    data = [{"submission": g.submission, "notebook": g.notebook, "points": g.points,
             "max_points": g.max_points, "seconds": g.seconds,
             "exercises": [{k: v for k, v in s.row().items()
                            if k not in ("submission", "notebook")} for s in g.scores]}
            for g in results]
    Path(path).write_text(json.dumps(data, indent=2) + "\n")


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m teaching_tools.grade",
                                     description=__doc__.split("\n")[0].split(": ", 1)[0] + ".",
                                     formatter_class=argparse.RawDescriptionHelpFormatter,
                                     epilog="\n".join(__doc__.split("\n")[2:]))
    parser.add_argument("submissions", nargs="+", metavar="SUBMISSION")
    parser.add_argument("--csv", type=Path, help="write the grades as CSV")
    parser.add_argument("--json", type=Path, help="write the grades as JSON")
    parser.add_argument("--solutions", type=Path, default=ROOT / "solutions",
                        help="the reference notebooks (default: %(default)s)")
    parser.add_argument("--kernel", default=Limits.kernel, help="default: %(default)s")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1,
                        help="submissions graded at once (default: %(default)s)")
    parser.add_argument("--timeout", type=float, default=Limits.timeout,
                        help="seconds a cell may run (default: %(default)s)")
    parser.add_argument("--total-timeout", type=float, default=Limits.total_timeout,
                        help="seconds all the cells of one submission may run together "
                             "(default: %(default)s)")
    parser.add_argument("--memory-mb", type=int, default=Limits.memory_mb,
                        help="memory per kernel, MiB (default: %(default)s)")
    parser.add_argument("--max-output", type=int, default=Limits.max_output,
                        help="characters a cell may print (default: %(default)s)")
    parser.add_argument("-q", "--quiet", action="store_true", help="no tables, only a summary")
    args = parser.parse_args(argv)

    kernels = KernelSpecManager().find_kernel_specs()
    if args.kernel not in kernels:
        parser.error(f"unknown kernel {args.kernel!r}; available kernels: "
                     f"{', '.join(sorted(kernels))}")
    files = expand(args.submissions)
    missing = [f for f in files if not f.is_file()]
    if missing or not files:
        parser.error(f"no such file: {missing[0]}" if missing else "no submissions found")
    for option in ("timeout", "total_timeout"):
        if getattr(args, option) <= 0:
            parser.error(f"--{option.replace('_', '-')} must be a positive number of seconds, "
                         f"got {getattr(args, option)}")
    limits = Limits(args.kernel, args.timeout, args.memory_mb, args.max_output,
                    total_timeout=args.total_timeout)
    started = time.monotonic()
    results = [None] * len(files)
    with ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
        futures = {pool.submit(grade_submission, f, args.solutions, limits, str(f)): k
                   for k, f in enumerate(files)}
        for future in as_completed(futures):
            k = futures[future]
            try:
                results[k] = graded = future.result()
            except Exception as e:  # noqa: BLE001 - one submission's trouble, not the class's
                results[k] = graded = Graded(str(files[k]), "", 0.0, [Score(
                    str(files[k]), "", "", 0, 0, "grader error", f"{type(e).__name__}: {e}")])
            print(f"graded {graded.submission}: {fmt_points(graded.points)}/"
                  f"{fmt_points(graded.max_points)}", file=sys.stderr, flush=True)
    if not args.quiet:
        print("\n\n".join(table(g) for g in results))
    total = time.monotonic() - started
    print(f"\n{len(results)} submission(s) graded in {total:.1f} s with {args.jobs} job(s)")
    if args.csv:
        write_csv(args.csv, results)
        print(f"grades written to {args.csv}")
    if args.json:
        write_json(args.json, results)
        print(f"grades written to {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
