"""Grade one submission: restore its locked cells, run it in its own kernel, score each check.

    graded = grade_submission(path, solutions_dir, Limits())
    graded.scores      # [Score], one per check cell of the matching solutions notebook

The submission file is never touched: it is copied into a fresh temporary directory, which is
also the kernel's working directory, so a submission that deletes files deletes its own copy.
A check cell earns its points when it runs without error, none if it fails, times out, floods
its output, crashes the kernel or never runs (after a crash), or if a cell the learner wrote for
that exercise reaches for lstm_lib (static.py; the checkers also catch it at run time).
"""

import re
import shutil
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from .. import notebook
from .assemble import assemble
from .kernel import Kernel, Outcome
from .static import library_names, library_use

SUFFIXES = (".py", ".ipynb")


@dataclass
class Limits:
    kernel: str = "lstm-cpu"
    timeout: float = 60.0  # seconds per cell
    memory_mb: int = 4096
    max_output: int = 1_000_000  # characters per cell
    file_mb: int = 64
    total_timeout: float = 600.0  # seconds for all the cells of one submission


@dataclass
class Score:
    submission: str
    notebook: str
    grade_id: str
    points: float
    max_points: float
    status: str  # passed, failed, not attempted, uses reference, tampered, error, timeout...
    message: str = ""

    def row(self):
        return asdict(self)


@dataclass
class Graded:
    submission: str
    notebook: str
    seconds: float
    scores: list

    @property
    def points(self):
        return sum(s.points for s in self.scores)

    @property
    def max_points(self):
        return sum(s.max_points for s in self.scores)


ERROR_STATUS = {"NotAttempted": "not attempted", "NotImplementedError": "not attempted",
                "ReferenceUsed": "uses reference", "CheckFailed": "failed",
                "AssertionError": "failed"}


def find_reference(path, solutions):
    """solutions/NN_topic.py for a submission named NN_topic(.py|.ipynb), or NN_topic_anything."""
    stem = Path(path).stem
    candidates = sorted(p for p in Path(solutions).glob("*.py") if not p.name.startswith("_"))
    for ref in candidates:
        if ref.stem == stem:
            return ref
    for ref in sorted(candidates, key=lambda p: -len(p.stem)):
        if stem.startswith(ref.stem):
            return ref
    match = re.match(r"(\d\d)_", stem)
    numbered = [p for p in candidates if match and p.stem.startswith(match.group(1) + "_")]
    return numbered[0] if len(numbered) == 1 else None


def check_cells(reference):
    return [c for c in reference.cells if c.cell_type == "code" and notebook.is_grade(c)]


def grade_submission(path, solutions, limits=None, name=None):
    limits = limits or Limits()
    name = name or str(path)
    started = time.monotonic()
    ref_path = find_reference(path, solutions)
    if ref_path is None:
        return Graded(name, "", 0.0, [Score(name, "", "", 0, 0, "unknown notebook",
                                            f"no solutions notebook matches {Path(path).name}")])
    reference = notebook.read(ref_path)
    checks = check_cells(reference)

    def all_zero(status, message):
        return Graded(name, ref_path.stem, round(time.monotonic() - started, 1),
                      [Score(name, ref_path.stem, notebook.grade_id(c), 0,
                             _number(notebook.points(c)), status, message) for c in checks])

    # A submission may leave behind files it made hard to delete: they must not stop us.
    with tempfile.TemporaryDirectory(prefix="lstm-grade-", ignore_cleanup_errors=True) as tmp:
        workdir = Path(tmp) / "work"
        workdir.mkdir()
        copy = workdir / Path(path).name
        try:
            shutil.copyfile(path, copy)
            submission = notebook.read(copy)
        except Exception as e:  # noqa: BLE001 - an unreadable file scores zero, with the reason
            return all_zero("unreadable", f"{type(e).__name__}: {e}")
        cells = assemble(submission, reference)
        protected = set()
        for cell in cells:
            if cell.role == "locked":
                protected |= library_names(cell.source)
        tainted, void = _static_findings(cells, protected)
        outcomes = {}
        try:
            with Kernel(limits.kernel, workdir, limits.memory_mb, limits.file_mb) as kernel:
                deadline = time.monotonic() + limits.total_timeout
                for cell in cells:
                    left = deadline - time.monotonic()
                    if left <= 0:
                        outcome = Outcome("out of time")
                    else:
                        outcome = kernel.run(cell.source, min(limits.timeout, left),
                                             limits.max_output)
                        if outcome.status == "timeout" and left < limits.timeout:
                            outcome = Outcome("out of time", seconds=outcome.seconds)
                    if cell.role == "grade":
                        outcomes[cell.grade_id] = outcome
        except Exception as e:  # noqa: BLE001 - a kernel that will not start: the whole file
            return all_zero("grader error", f"{type(e).__name__}: {e}")

    scores = []
    for c in checks:
        gid = notebook.grade_id(c)
        outcome = outcomes.get(gid)
        exercise = _exercise_of(reference, gid)
        why = tainted.get(exercise) or tainted.get("*")
        status, message = _status(outcome)
        if gid in void and status == "passed":
            status, message = "tampered", f"a cell you wrote before this check {void[gid]}"
        elif why and status == "passed":
            status, message = "uses reference", f"a cell you wrote {why}"
        worth = _number(notebook.points(c))
        scores.append(Score(name, ref_path.stem, gid, worth if status == "passed" else 0, worth,
                            status, message))
    return Graded(name, ref_path.stem, round(time.monotonic() - started, 1), scores)


def _static_findings(cells, protected):
    """({exercise: why} for cells that use lstm_lib, {check id: why} for checks made void).

    A cell that uses lstm_lib costs its own exercise; one that tampers with a checker (rebinds
    `check`...) costs every check that runs after it.
    """
    tainted, void, tamper = {}, {}, None
    for cell in cells:
        if cell.role in ("solution", "added"):
            finding = library_use(cell.source, protected)
            if finding and finding.tampers:
                tamper = tamper or finding.message
            elif finding:
                tainted.setdefault(cell.exercise, finding.message)
        elif cell.role == "grade" and tamper:
            void[cell.grade_id] = tamper
    return tainted, void


def _number(x):
    return int(x) if float(x).is_integer() else float(x)


def _exercise_of(reference, check_id):
    for ex in notebook.exercises(reference):
        if any(notebook.grade_id(reference.cells[i]) == check_id for i in ex.checks):
            return ex.grade_id
    return ""


def _status(outcome):
    if outcome is None:
        return "not run", "the check cell did not run"
    if outcome.status == "ok":
        return "passed", ""
    if outcome.status == "error":
        status = ERROR_STATUS.get(outcome.ename, "error")
        if outcome.ename in ("NotAttempted", "ReferenceUsed", "CheckFailed"):
            return status, outcome.evalue  # the checker's own words
        return status, f"{outcome.ename}: {outcome.evalue}".strip(": ")
    messages = {"timeout": "still running after the time limit: an endless loop?",
                "out of time": "the submission's total time limit ran out before this check "
                               "had finished (see --total-timeout)",
                "output flood": "printed more than the output limit",
                "crashed": "the kernel died while this cell ran",
                "not run": "not run: the kernel had died or been stopped before this cell"}
    extra = f" ({outcome.evalue})" if outcome.evalue else ""
    return outcome.status, messages.get(outcome.status, outcome.status) + extra
