"""nbgrader, given a solutions notebook as its source, generates what exercises/ holds.

Instructors who prefer nbgrader convert a solutions notebook (`jupytext --to ipynb`), put it in
nbgrader's source/ folder and run `nbgrader generate_assignment`; this runs that pipeline on all
eleven problem sets and compares nbgrader's student version with exercises/, cell by cell.
nbgrader is not one of the book's dependencies: without it the test is skipped, saying so.
"""

import subprocess
import sys
from pathlib import Path

import jupytext
import nbformat
import pytest

from lstm_lib.grading import notebook

ROOT = Path(__file__).resolve().parents[1]
SOLUTIONS = sorted(p for p in (ROOT / "solutions").glob("*.py") if not p.name.startswith("_"))


@pytest.mark.slow
def test_nbgrader_student_version_matches_exercises(tmp_path):
    pytest.importorskip(
        "nbgrader", reason="nbgrader is not installed (it is no dependency of the book); "
        "`pip install nbgrader` to check that its student version of solutions/ matches "
        "exercises/")
    source = tmp_path / "source" / "ps"
    source.mkdir(parents=True)
    for path in SOLUTIONS:  # what an instructor does: jupytext --to ipynb
        jupytext.write(notebook.read(path), source / f"{path.stem}.ipynb", fmt="ipynb")
    result = subprocess.run(
        [sys.executable, "-m", "nbgrader", "generate_assignment", "ps", "--force", "--no-db",
         f"--CourseDirectory.root={tmp_path}"],
        cwd=tmp_path, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout + result.stderr
    for path in SOLUTIONS:
        released = nbformat.read(tmp_path / "release" / "ps" / f"{path.stem}.ipynb",
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
