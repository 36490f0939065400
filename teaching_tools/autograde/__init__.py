"""Grade one submission; `python -m teaching_tools.grade` runs it for a class.

    graded = grade_submission(path, solutions_dir, Limits())

- ``assemble``: rebuild the submission on the reference notebook (locked cells restored);
- ``static``: spot, without running it, a cell that reaches for lstm_lib or replaces a checker;
- ``kernel``: run the cells with nbclient in a kernel of its own, interrupted on a timeout or an
  output flood and killed when it ignores that;
- ``sandbox``: the memory and file-size limits that kernel starts under;
- ``grader``: puts them together and scores each check cell.
"""

from .grader import SUFFIXES, Graded, Limits, Score, grade_submission

__all__ = ["SUFFIXES", "Graded", "Limits", "Score", "grade_submission"]
