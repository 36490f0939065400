"""The checks that the problem sets' check cells import: `from lstm_lib.grading import check`.

- ``check``: the checkers, ``check.lstm_step_forward(your_function, points=3)``.
- ``feedback``: how a checker reports: ``CheckFailed`` (an AssertionError), the pass line.
- ``guard``: catches a learner's function calling the library's reference while it runs.
- ``reference``: the float64 NumPy answers the checkers compare against.

Grading a class, generating exercises/ and testing the checks are instructor tooling, in the
``teaching_tools`` package next to this one.
"""

from .feedback import CheckFailed, NotAttempted, ReferenceUsed

__all__ = ["CheckFailed", "NotAttempted", "ReferenceUsed"]
