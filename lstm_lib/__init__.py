"""lstm_lib: the small library that the book "LSTM from Scratch" builds and then uses.

- ``lstm_lib.numpy``: the NumPy track, every forward and backward pass written by hand.
- ``lstm_lib.tensorflow``: the same cells from raw TensorFlow ops, drop-in for Keras layers.
- ``lstm_lib.data``: seeded task generators and offline corpora.
- ``lstm_lib.plot``: the figures the chapters draw.
- ``lstm_lib.diagram``: the cells drawn as diagrams, from descriptions checked against the code.
- ``lstm_lib.runs``, ``lstm_lib.bench``: the chapters' training budgets and claims, the speed
  chapter's timing helpers and benchmarks; ``lstm_lib.doctor``: the environment check.
- ``lstm_lib.grading``: the checkers the problem sets' check cells import.

The tooling for instructors and CI (grading a class, generating exercises/) is the separate
package ``teaching_tools``.

Subpackages are imported on demand, so ``import lstm_lib`` never imports TensorFlow.
"""

__version__ = "0.1.0"
