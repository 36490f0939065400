"""Graded exercises: checkers with diagnostic feedback, and the tools around them.

For learners (the check cells of a problem set):
- ``check``: the checkers, ``check.lstm_step_forward(your_function, points=3)``.
- ``feedback``: how a checker reports: ``CheckFailed`` (an AssertionError), the pass line.
- ``guard``: catches a learner's function calling the library's reference while it runs.
- ``reference``: the float64 NumPy answers the checkers compare against.

For instructors:
- ``notebook``: nbgrader cells and regions; the student version of a solutions notebook.
- ``make_exercises``: writes exercises/ from solutions/ (``make exercises``).
- ``mutants``: plants classic mistakes in every answer and checks that the checks catch them.
- ``grader``: grades one submission (``python -m lstm_lib.grade`` runs it for a class), with
  ``assemble`` (restore the locked cells), ``static`` (spot uses of lstm_lib), ``kernel`` and
  ``sandbox`` (run it in its own kernel under time, memory and output limits).
"""

from .feedback import CheckFailed, NotAttempted, ReferenceUsed

__all__ = ["CheckFailed", "NotAttempted", "ReferenceUsed"]
