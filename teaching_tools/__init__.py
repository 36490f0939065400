"""teaching_tools: the instructor and CI tooling around the book. Learners never import it.

Each command is a module run with the virtual environment's python (`make` runs most of them):

    python -m teaching_tools.grade SUBMISSION...  grade a class's problem sets (make grade)
    python -m teaching_tools.make_exercises       exercises/ from solutions/ (make exercises)
    python -m teaching_tools.mutants NOTEBOOK...  plant mistakes in the answers: do the checks fail?
    python -m teaching_tools.reproduce            the long runs of the results table
    python -m teaching_tools.robustness           the chapters' claims under other seeds and CPUs
    python -m teaching_tools.lab                  JupyterLab on chapter 00 (make lab)
    python -m teaching_tools.setup_jupyter        kernels and JupyterLab settings (make setup)

- ``notebook``: a problem set as nbgrader sees it (cells, regions, the student version), shared by
  grading, make_exercises and mutants.
- ``autograde``: grading one submission: ``assemble`` (restore the locked cells), ``static`` (spot
  uses of lstm_lib), ``kernel`` (run it with nbclient) under ``sandbox``'s limits, ``grader``.

What learners import lives in ``lstm_lib``: the library, and the checkers of ``lstm_lib.grading``.
"""
