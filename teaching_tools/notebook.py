"""A problem set as nbgrader sees it: setup, solution and grade cells, and the student version.

A solutions notebook (solutions/NN_topic.py, jupytext py:percent) carries nbgrader schema-3 cell
metadata in its cell markers, `# %% nbgrader={"grade": ..., "grade_id": ..., ...}`:

- a *solution* cell (`solution: true`) holds an answer between `### BEGIN SOLUTION` and
  `### END SOLUTION`; the student version replaces that region with the stub
  `# YOUR CODE HERE` / `raise NotImplementedError()`, indented like the BEGIN line;
- a *grade* cell (`grade: true`, `locked: true`, `points`) calls a checker; the lines between
  `### BEGIN HIDDEN TESTS` and `### END HIDDEN TESTS` are removed from the student version;
- other *locked* cells (setup, given code) are read-only.

These are exactly nbgrader's rules (ClearSolutions, ClearHiddenTests, LockCells), so
`jupytext --to ipynb` of a solutions notebook is an nbgrader source notebook and
`nbgrader generate_assignment` makes the same student version as `student_version` below.
"""

import copy
from dataclasses import dataclass, field
from pathlib import Path

import jupytext
import nbformat

BEGIN_SOLUTION, END_SOLUTION = "### BEGIN SOLUTION", "### END SOLUTION"
BEGIN_HIDDEN, END_HIDDEN = "### BEGIN HIDDEN TESTS", "### END HIDDEN TESTS"
CODE_STUB = ("# YOUR CODE HERE", "raise NotImplementedError()")
FORMATS = {".py": "py:percent", ".md": "md:myst"}


def read(path):
    """A notebook from .ipynb, or from a jupytext text notebook (.py percent, .md MyST)."""
    path = Path(path)
    if path.suffix == ".ipynb":
        return nbformat.read(path, as_version=4)
    return jupytext.read(path, fmt=FORMATS.get(path.suffix))


def reads(text, suffix):
    if suffix == ".ipynb":
        return nbformat.reads(text, as_version=4)
    return jupytext.reads(text, fmt=FORMATS.get(suffix, "py:percent"))


def meta(cell):
    value = cell.get("metadata", {}).get("nbgrader", {})
    return value if isinstance(value, dict) else {}


def grade_id(cell):
    return meta(cell).get("grade_id")


def is_solution(cell):
    return bool(meta(cell).get("solution", False))


def is_grade(cell):
    return bool(meta(cell).get("grade", False))


def is_locked(cell):
    """nbgrader's rule: solution cells never are; grade cells always are; others if marked."""
    if is_solution(cell):
        return False
    return is_grade(cell) or bool(meta(cell).get("locked", False))


def points(cell):
    return float(meta(cell).get("points", 0)) if is_grade(cell) else 0.0


def _regions(source, begin, end):
    """[(first, last)] line numbers (0-based, inclusive) of the BEGIN and END lines."""
    regions, start = [], None
    for n, line in enumerate(source.split("\n")):
        if line.strip() == begin:
            if start is not None:
                raise ValueError(f"nested {begin!r} at line {n + 1}")
            start = n
        elif line.strip() == end:
            if start is None:
                raise ValueError(f"{end!r} without {begin!r} at line {n + 1}")
            regions.append((start, n))
            start = None
    if start is not None:
        raise ValueError(f"{begin!r} at line {start + 1} has no {end!r}")
    return regions


def solution_regions(source):
    """[(first, last)] 1-based line numbers of the answer lines (between the markers)."""
    return [(a + 2, b) for a, b in _regions(source, BEGIN_SOLUTION, END_SOLUTION)]


def clear_solutions(source):
    """Replace every solution region with the stub, indented like its BEGIN line."""
    lines = source.split("\n")
    regions = _regions(source, BEGIN_SOLUTION, END_SOLUTION)
    if not regions:
        return "\n".join(CODE_STUB)
    out, previous = [], 0
    for first, last in regions:
        indent = lines[first][: lines[first].index(BEGIN_SOLUTION)]
        out += lines[previous:first] + [indent + stub for stub in CODE_STUB]
        previous = last + 1
    return "\n".join(out + lines[previous:])


def clear_hidden_tests(source):
    """Remove every hidden-test region, its BEGIN and END lines included."""
    lines = source.split("\n")
    out, previous = [], 0
    for first, last in _regions(source, BEGIN_HIDDEN, END_HIDDEN):
        out += lines[previous:first]
        previous = last + 1
    return "\n".join(out + lines[previous:])


def student_version(nb):
    """The exercises notebook: answers replaced by stubs, hidden tests removed, locks set."""
    nb = copy.deepcopy(nb)
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        cell.outputs, cell.execution_count = [], None
        original = cell.source
        if is_solution(cell):
            cell.source = clear_solutions(cell.source)
            cell.metadata["deletable"] = False
        elif is_locked(cell):
            if is_grade(cell):
                cell.source = clear_hidden_tests(cell.source)
            cell.metadata["deletable"] = False
            cell.metadata["editable"] = False
        if cell.source != original:  # the blank lines after it: jupytext's default again
            cell.metadata.pop("lines_to_next_cell", None)
    return nb


@dataclass
class Exercise:
    """One solution cell and the grade cells that check it (the ones that follow it)."""

    grade_id: str
    solution: int  # cell index
    checks: list = field(default_factory=list)  # cell indices of the grade cells


def exercises(nb):
    found = []
    for index, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        if is_solution(cell):
            found.append(Exercise(grade_id(cell), index))
        elif is_grade(cell):
            if not found:
                raise ValueError(f"grade cell {grade_id(cell)!r} comes before any solution cell")
            found[-1].checks.append(index)
    return found
