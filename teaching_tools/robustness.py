"""`make robustness`: run the training chapters under other seeds and other CPUs' arithmetic.

A claim about a trained model ("the classifier reaches 85 %") that held on the author's machine can
fail on a reader's: another seed, or another CPU whose kernels round differently, takes training
down another path. This script executes every chapter that asserts such claims with
`lstm_lib.runs.claim` (the same cells `make test` runs) once per configuration:

- book seeds 0 to 4 (LSTM_BOOK_SEED: every seed the chapter uses for initialisation, data order and
  sampling moves to another stream), with this machine's full instruction set;
- book seed 0 with oneDNN's instruction set capped (ONEDNN_MAX_CPU_ISA=AVX2, SSE41): TensorFlow's
  matrix products then take the code paths of an older CPU, and round as it would.

A claim that fails is recorded rather than raised (LSTM_BOOK_ON_FAILED_CLAIM=record), so every
claim is measured in every run. The report lists, for each claim, its threshold, its value in
every run and its smallest relative margin; it is the tool for setting a threshold: put it where
every run clears it with room. Exit status 1 when any claim failed or any chapter raised.

    python -m teaching_tools.robustness [CHAPTER ...] [--seeds 0 1 2 3 4] [--isa AVX2 SSE41]
                               [--kernel lstm-cpu] [--claims FILE] [--report-only FILE]
"""

import argparse
import re
import sys
import tempfile
import time
from pathlib import Path

from nbclient.exceptions import CellExecutionError

from lstm_lib import runs
from teaching_tools.reproduce import execute_chapter

ROOT = Path(__file__).resolve().parents[1]

NATIVE = "native"
ANSI = re.compile(r"\x1b\[[0-9;]*m")  # colour codes in IPython's tracebacks


def chapters_with_claims() -> list[Path]:
    return sorted(p for p in (ROOT / "book").glob("*.md") if "runs.claim(" in p.read_text())


def configurations(seeds, isas) -> list[tuple[int, str]]:
    """(book seed, ISA cap) pairs: every seed at the native ISA, then seed 0 at each cap."""
    return [(s, NATIVE) for s in seeds] + [(0, isa) for isa in isas]


def run_chapter(path: Path, kernel: str, seed: int, isa: str, claims: Path) -> tuple[float, str]:
    """Execute one chapter in one configuration; return (seconds, error text or "")."""
    env = {runs.SEED_VARIABLE: str(seed), runs.CLAIMS_VARIABLE: str(claims),
           runs.ON_FAILURE_VARIABLE: "record", runs.ISA_VARIABLE: None if isa == NATIVE else isa}
    start = time.monotonic()
    try:
        execute_chapter(path, kernel, env, timeout=1800)
    except CellExecutionError as exc:
        return time.monotonic() - start, ANSI.sub("", str(exc)).strip().splitlines()[-1][:300]
    return time.monotonic() - start, ""


def label(seed, isa) -> str:
    return f"seed {seed}" if isa in (NATIVE, "") else f"seed {seed}, {isa}"


def format_report(rows: list[dict]) -> tuple[str, bool]:
    """A markdown table: one line per claim, one column per run, the smallest margin last."""
    configs, claims = [], {}
    for row in rows:
        config = label(row["seed"], row["isa"])
        if config not in configs:
            configs.append(config)
        claims.setdefault(row["claim"], {})[config] = row
    lines = ["| claim | threshold | " + " | ".join(configs) + " | smallest margin |",
             "|---|---|" + "---|" * len(configs) + "---|"]
    all_held = True
    for name, by_config in claims.items():
        first = next(iter(by_config.values()))
        relation = "<" if first["direction"] == "below" else ">"
        cells = []
        for config in configs:
            row = by_config.get(config)
            if row is None:
                cells.append("not run")
                all_held = False
            else:
                cells.append(f"{row['value']:.4g}" + ("" if row["held"] else " **FAILED**"))
        margins = [runs.margin(r) for r in by_config.values()]
        held = all(r["held"] for r in by_config.values())
        all_held &= held
        lines.append(f"| {name} | {relation} {first['threshold']:.4g} | " + " | ".join(cells)
                     + f" | {min(margins):+.0%}{'' if held else ' FAILED'} |")
    return "\n".join(lines), all_held


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("chapters", nargs="*", help="chapter files (default: all with claims)")
    parser.add_argument("--seeds", type=int, nargs="*", default=[0, 1, 2, 3, 4])
    parser.add_argument("--isa", nargs="*", default=["AVX2", "SSE41"],
                        help="ONEDNN_MAX_CPU_ISA values to run seed 0 under")
    parser.add_argument("--kernel", default="lstm-cpu")
    parser.add_argument("--claims", type=Path, help="JSON-lines file to append claims to")
    parser.add_argument("--report-only", type=Path, metavar="FILE",
                        help="print the report of an earlier run's claims file and exit")
    args = parser.parse_args(argv)
    if args.report_only:
        report, held = format_report(runs.read_results(args.report_only))
        print(report)
        return 0 if held else 1
    chapters = [Path(c).resolve() for c in args.chapters] or chapters_with_claims()
    if not chapters:
        print("no chapter asserts a claim (none calls runs.claim)", file=sys.stderr)
        return 1
    claims = args.claims or Path(tempfile.mkdtemp()) / "claims.jsonl"
    errors, times = [], {}
    for seed, isa in configurations(args.seeds, args.isa):
        for path in chapters:
            print(f"{path.name}, {label(seed, isa)} ...", end=" ", flush=True)
            seconds, error = run_chapter(path, args.kernel, seed, isa, claims)
            times[(path.name, label(seed, isa))] = seconds
            print(f"{seconds:.0f} s" + (f"  ERROR: {error}" if error else ""), flush=True)
            if error:
                errors.append((path.name, label(seed, isa), error))
    report, held = format_report(runs.read_results(claims))
    print("\n" + report)
    print("\nchapter times (s):")
    for name in sorted({n for n, _ in times}):
        row = [f"{times[(n, c)]:.0f}" for (n, c) in times if n == name]
        print(f"  {name}: {', '.join(row)}")
    for name, config, error in errors:
        print(f"ERROR in {name} ({config}): {error}")
    print(f"\nclaims: {claims}")
    print("every claim held in every run" if held and not errors else "SOME CLAIMS FAILED")
    return 0 if held and not errors else 1


if __name__ == "__main__":
    sys.exit(main())
