"""nbgrader, given the problem sets as an instructor gives them, agrees with our grader.

For every problem set in solutions/, as the README's "For instructors" says: `jupytext --to ipynb`
makes nbgrader's source notebook; `nbgrader generate_assignment` releases the student version,
which must equal exercises/ cell by cell; `nbgrader autograde` grades two submissions of every
set, the unchanged solution (full marks in every graded cell) and the released student version
(zero in every graded cell); `python -m teaching_tools.grade` grades the same .ipynb files; and
the two graders' per-cell scores (grade_id -> points, nbgrader's read from its gradebook) are equal.

The graders run as an instructor runs them, outside pytest: PYTEST_CURRENT_TEST, inherited, would
make ipykernel stop forwarding what C and C++ libraries write to stderr, and nbgrader gives no
points to a graded cell with stderr output (TensorFlow's start-up lines once cost set 07 two of
its seven points). The two autograde runs (one course folder each, so that no gradebook is shared)
and our grader's run go side by side.
"""

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import jupytext
import nbformat
import pytest
from nbgrader.api import Gradebook

from teaching_tools import notebook

ROOT = Path(__file__).resolve().parents[1]
SOLUTIONS = sorted(p for p in (ROOT / "solutions").glob("*.py") if not p.name.startswith("_"))
ASSIGNMENT = "ps"
STUDENTS = ("solution", "released")  # the unchanged solutions; the student versions as released
TIMEOUT = 1200  # seconds for each grader's whole run
# As in an activated environment: nbgrader runs the `alembic` command it installs.
ENV = {k: v for k, v in os.environ.items() if k != "PYTEST_CURRENT_TEST"}
ENV["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), ENV.get("PATH", "")])


class Run:
    """A command run in the background, its output to a log file (a pipe could fill and stall)."""

    def __init__(self, what: str, args: list[str], log: Path, cwd: Path | None = None):
        self.what, self.log = what, log
        with open(log, "w") as out:
            self.process = subprocess.Popen([sys.executable, "-m", *args], cwd=cwd, env=ENV,
                                            stdout=out, stderr=subprocess.STDOUT)

    def finish(self) -> None:
        self.process.wait(timeout=TIMEOUT)
        assert self.process.returncode == 0, (
            f"{self.what} failed:\n{self.log.read_text()[-5000:]}")


def nbgrader(*args: str, course: Path) -> Run:
    return Run(f"nbgrader {args[0]} in {course}",
               ["nbgrader", *args, f"--CourseDirectory.root={course}"],
               course / f"nbgrader-{args[0]}.log", cwd=course)


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    """Scores {grader: {student: {problem set: {grade_id: points}}}}, and the course folder."""
    started = time.monotonic()
    course = tmp_path_factory.mktemp("course")
    source = course / "source" / ASSIGNMENT
    source.mkdir(parents=True)
    for path in SOLUTIONS:  # what an instructor does: jupytext --to ipynb
        jupytext.write(notebook.read(path), source / f"{path.stem}.ipynb", fmt="ipynb")
    nbgrader("generate_assignment", ASSIGNMENT, "--force", course=course).finish()

    courses, submitted, runs = {}, {}, []
    try:
        for student in STUDENTS:
            own = courses[student] = tmp_path_factory.mktemp(f"course-{student}")
            shutil.copytree(course / "source", own / "source")
            shutil.copytree(course / "release", own / "release")
            shutil.copyfile(course / "gradebook.db", own / "gradebook.db")
            folder = submitted[student] = own / "submitted" / student / ASSIGNMENT
            given = "source" if student == "solution" else "release"
            shutil.copytree(course / given / ASSIGNMENT, folder)
            runs.append(nbgrader("autograde", ASSIGNMENT, "--create", "--force", course=own))
        ours_json = course / "ours.json"
        runs.append(Run("python -m teaching_tools.grade",
                        ["teaching_tools.grade", *map(str, submitted.values()), "--quiet",
                         "--jobs", "2", "--json", str(ours_json)], course / "ours.log"))
        for run in runs:
            run.finish()
    finally:  # a failed or stuck run leaves no grader behind
        for run in runs:
            if run.process.poll() is None:
                run.process.kill()

    scores = {"nbgrader": {s: gradebook_scores(courses[s] / "gradebook.db", s)
                           for s in STUDENTS},
              "ours": {s: {} for s in STUDENTS}}
    for result in json.loads(ours_json.read_text()):
        student = next(s for s in STUDENTS if str(submitted[s]) in result["submission"])
        scores["ours"][student][result["notebook"]] = {
            e["grade_id"]: e["points"] for e in result["exercises"]}
    print(f"\nboth graders on {len(SOLUTIONS)} problem sets x {len(STUDENTS)} submissions: "
          f"{time.monotonic() - started:.0f} s\n" + table(scores))
    return scores, course


def table(scores) -> str:
    """Points per problem set: solution and released, by nbgrader and by us (shown with -s)."""
    columns = [(grader, student) for grader in scores for student in STUDENTS]
    lines = ["set".ljust(16) + "".join(f"{g} {s}".rjust(20) for g, s in columns)]
    for path in SOLUTIONS:
        lines.append(path.stem.ljust(16) + "".join(
            f"{sum(v or 0 for v in scores[g][s].get(path.stem, {}).values()):20g}"
            for g, s in columns))
    return "\n".join(lines)


def gradebook_scores(database: Path, student: str) -> dict[str, dict[str, float]]:
    with Gradebook(f"sqlite:///{database}") as gradebook:
        return {path.stem: {grade.name: grade.score for grade in
                            gradebook.find_submission_notebook(path.stem, ASSIGNMENT,
                                                               student).grades}
                for path in SOLUTIONS}


def expected(full_marks: bool) -> dict[str, dict[str, float]]:
    """{problem set: {grade_id: points}} from the solutions' metadata: all, or all zero."""
    return {path.stem: {notebook.grade_id(cell): notebook.points(cell) if full_marks else 0.0
                        for cell in notebook.read(path).cells if notebook.is_grade(cell)}
            for path in SOLUTIONS}


@pytest.mark.slow
def test_nbgrader_student_version_matches_exercises(graded):
    _, course = graded
    for path in SOLUTIONS:
        released = nbformat.read(course / "release" / ASSIGNMENT / f"{path.stem}.ipynb",
                                 as_version=4)
        ours = notebook.read(ROOT / "exercises" / path.name)
        assert len(released.cells) == len(ours.cells), path.name
        for theirs, mine in zip(released.cells, ours.cells, strict=True):
            assert theirs.cell_type == mine.cell_type
            assert theirs.source.rstrip() == mine.source.rstrip(), (path.name, mine.source)
            assert notebook.grade_id(theirs) == notebook.grade_id(mine)
            assert notebook.points(theirs) == notebook.points(mine)
            if notebook.is_locked(mine):
                assert theirs.metadata.get("deletable") is False


@pytest.mark.slow
def test_nbgrader_autograde_gives_solutions_full_marks_and_released_sets_zero(graded):
    scores, _ = graded
    assert scores["nbgrader"]["solution"] == expected(full_marks=True)
    assert scores["nbgrader"]["released"] == expected(full_marks=False)


@pytest.mark.slow
def test_our_grader_agrees_with_nbgrader_cell_by_cell(graded):
    scores, _ = graded
    assert scores["ours"] == scores["nbgrader"]
