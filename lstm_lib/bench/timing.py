"""Timing helpers shared by the benchmarks: alternating rounds, medians, matmul peak, tables.

    alternate(candidates, rounds, warmup=2, settle=1, settle_seconds=0.0, on_turn=None)
        -> {name: [seconds per round]}
    timed(candidates, rounds, warmup=1, desc="timing", **alternate_options)
        -> the same, with a progress bar over the turns
    median_ratio(times, numerator, denominator) -> median over rounds of the per-round ratio
    matmul_peak(n=2048, repeats=5, dtype=np.float32) -> GFLOP/s of NumPy's n x n matmul
    print_table(headers, rows)

Why alternate: on a shared machine the load drifts, so timing A twenty times and then B twenty
times compares two different machines. Running A, B, B, A, A, B... in one process exposes both
to the same drift, and the median of the per-round ratios cancels most of what is left.
"""

import itertools
import statistics
import time

import numpy as np
from tqdm.auto import tqdm


def add_run_arguments(parser):
    """The options both benchmarks take: rounds, --quick, --no-scaling and the shape B, T, D, H."""
    add = parser.add_argument
    add("--repeats", type=int, default=20, help="timed rounds for the headline (default 20)")
    add("--quick", action="store_true", help="fewer rounds: 5 for the headline, 2 a table row")
    add("--no-scaling", action="store_true", help="skip the table over H and T")
    add("--batch", type=int, default=64, help="B (default 64)")
    add("--time", type=int, default=100, help="T (default 100)")
    add("--input", type=int, default=32, help="D (default 32)")
    add("--units", type=int, default=128, help="H (default 128)")


def round_counts(args):
    """(rounds for the headline, rounds for each scaling-table row) from add_run_arguments' args."""
    if args.quick:
        return 5, 2
    return args.repeats, max(3, args.repeats // 4)


def alternate(candidates, rounds, warmup=2, settle=1, settle_seconds=0.0, on_turn=None):
    """Time each callable in candidates ({name: fn}) once per round, swapping the order each
    round, after `warmup` untimed rounds. Returns {name: [seconds, ...]}, one per round.

    Each turn first makes untimed calls - `settle` of them, and more until `settle_seconds`
    have passed - so that the call timed is one in a steady back-to-back run, as in a training
    loop: the library's worker threads are awake, and those of the library before it, which
    spin for a while after their work, have gone quiet. OpenBLAS's spin for about 0.1 s, longer
    than one call of the book's sizes, and take a core from TensorFlow meanwhile (and
    TensorFlow's from NumPy): so when candidates from different libraries alternate, give
    settle_seconds=0.3. With a sleep instead, a library with many small ops (TensorFlow) would
    pay for waking up.

    on_turn, if given, is called with the candidate's name after each turn (its settling calls
    and its timed call), warm-up rounds included: (warmup + rounds) * len(candidates) times.
    """
    names = list(candidates)
    times = {name: [] for name in names}
    for r in range(warmup + rounds):
        order = names if r % 2 == 0 else names[::-1]
        for name in order:
            settled = time.perf_counter() + settle_seconds
            for k in itertools.count():
                if k >= settle and time.perf_counter() >= settled:
                    break
                candidates[name]()
            start = time.perf_counter()
            candidates[name]()
            elapsed = time.perf_counter() - start
            if r >= warmup:
                times[name].append(elapsed)
            if on_turn is not None:
                on_turn(name)
    return times


def timed(candidates, rounds, warmup=1, desc="timing", **alternate_options):
    """alternate(candidates, rounds, warmup, **alternate_options) with a tqdm progress bar over
    the turns, for timings in a notebook that take more than a few seconds."""
    with tqdm(total=(warmup + rounds) * len(candidates), desc=desc) as bar:
        return alternate(candidates, rounds, warmup, on_turn=lambda name: bar.update(),
                         **alternate_options)  # fmt: skip


def median_ratio(times, numerator, denominator):
    """Median over rounds of times[numerator][k] / times[denominator][k]."""
    pairs = zip(times[numerator], times[denominator], strict=True)
    return statistics.median(a / b for a, b in pairs)


def matmul_peak(n=2048, repeats=5, dtype=np.float32):
    """Best GFLOP/s of NumPy's (n x n) @ (n x n) over `repeats` runs: the practical peak of this
    machine's BLAS in this process, with its current thread setting."""
    rng = np.random.default_rng(0)
    a, b = (rng.standard_normal((n, n)).astype(dtype) for _ in range(2))
    out = np.empty((n, n), dtype=dtype)
    np.matmul(a, b, out=out)  # warm-up: threads started, pages touched
    best = min(_seconds(lambda: np.matmul(a, b, out=out)) for _ in range(repeats))
    return 2 * n**3 / best / 1e9


def _seconds(fn):
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def print_table(headers, rows):
    """Print rows (lists of already formatted strings or numbers) under headers, aligned right."""
    cells = [[str(h) for h in headers]] + [[str(c) for c in row] for row in rows]
    widths = [max(len(row[k]) for row in cells) for k in range(len(headers))]
    for k, row in enumerate(cells):
        print("  ".join(c.rjust(w) for c, w in zip(row, widths, strict=True)))
        if k == 0:
            print("  ".join("-" * w for w in widths))
