"""Rebuild a submission on the reference notebook, so that editing a check earns nothing.

    cells = assemble(submission, reference)     # [Cell], in the order they will run

The reference (solutions/NN_topic.py) gives the skeleton. Every locked cell, the setup, the
given code and the check cells with their hidden tests, comes from the reference, whatever the
submission did to it (edited, emptied, deleted). Every solution cell comes from the submission,
matched by its nbgrader `grade_id`; a solution cell the submission lost is left out (its check
then fails). Code cells the learner added stay after the cell they followed. Markdown is the
reference's. Each cell knows the exercise it belongs to, for scoring.
"""

from dataclasses import dataclass

from .. import notebook


@dataclass
class Cell:
    source: str
    role: str  # "locked", "solution", "added" (by the learner) or "grade"
    grade_id: str = ""  # of the cell itself (for solution and grade cells)
    exercise: str = ""  # grade_id of the solution cell this cell follows ("*" before the first)
    points: float = 0.0


def assemble(submission, reference):
    """The cells to run: the reference's locked cells, the submission's answers and additions."""
    known = {notebook.grade_id(c) for c in reference.cells if notebook.grade_id(c)}
    answers, added = {}, {None: []}
    anchor = None
    for cell in submission.cells:
        if cell.cell_type != "code":
            continue
        gid = notebook.grade_id(cell)
        if gid in known and gid not in answers and gid != anchor:
            anchor = gid
            answers[gid] = cell.source
            continue
        added.setdefault(anchor, []).append(cell.source)

    exercise = "*"  # a cell above the first exercise belongs to all of them
    cells = [Cell(s, "added", "", exercise) for s in added[None]]
    for cell in reference.cells:
        if cell.cell_type != "code":
            continue
        gid = notebook.grade_id(cell)
        if notebook.is_solution(cell):
            exercise = gid
            if gid in answers:
                cells.append(Cell(answers[gid], "solution", gid, exercise))
        elif notebook.is_grade(cell):
            cells.append(Cell(cell.source, "grade", gid, exercise, notebook.points(cell)))
        else:
            cells.append(Cell(cell.source, "locked", gid or "", exercise))
        cells += [Cell(s, "added", "", exercise) for s in added.get(gid, [])]
    return cells
