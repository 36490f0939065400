"""Import TensorFlow without the C++ start-up lines it writes to stderr.

TensorFlow's C++ runtime logs a few lines when it is imported and when it first looks for devices
("All log messages before absl::InitializeLog() ...", "Could not find cuda drivers ...",
"failed call to cuInit ..."), and one more the first time an op on booleans or integers runs on
the CPU ("oneDNN supports DT_BOOL only on platforms with AVX-512", once per process, on every CPU,
AVX-512 or not; Keras's masking runs such an op). They are written to the process's stderr file
descriptor, before TensorFlow reads its log level or at ERROR level, so `TF_CPP_MIN_LOG_LEVEL=2`
does not stop them. In JupyterLab they show as a red box that reads as broken, and nbgrader gives
no points to a graded cell with stderr output. Every chapter, problem set and checker therefore
imports TensorFlow through here:

    tf = import_tensorflow()      # the `tensorflow` module, imported and with its devices listed

Nothing else is hidden: the file descriptor is redirected only around the import, the first
device query and one tiny boolean op that sets off oneDNN's line (in a CPU-only session of its own,
so that `tf.config.set_visible_devices`, `tf.config.threading` and the like still work after);
what was written there meanwhile is read back, the known start-up lines are dropped, and any other
line (a real error) is written to stderr as it would have been, also when the import fails;
exceptions raise as usual. Calling it again returns the module at once.

After start-up TensorFlow's C++ runtime stays quiet on a healthy run as long as
TF_CPP_MIN_LOG_LEVEL is at least 2 (the book's kernels set it; this sets it when unset): below that,
the first XLA compilation and, on a GPU, the creation of the device log INFO lines. The notebook
tests check this on the CPU; the GPU lines above come from TensorFlow's CUDA builds and are not
tested here. Python-level warnings (the `warnings` module, TensorFlow's Python logger) are left
alone: they are the caller's to fix, and in a Jupyter kernel they go to `sys.stderr`, which is not
file descriptor 2.
"""

import os
import re
import sys
import tempfile

# Start-up lines of a healthy run, CPU or GPU (matched anywhere in a line).
STARTUP_NOISE = re.compile("|".join([
    r"All log messages before absl::InitializeLog\(\) is called are written to STDERR",
    r"Could not find cuda drivers on your machine",
    r"failed call to cuInit",
    r"oneDNN custom operations are on",
    r"This TensorFlow binary is optimized to use available CPU instructions",
    r"To enable the following instructions: .* rebuild TensorFlow",
    r"Unable to register cu(DNN|FFT|BLAS) factory",
    r"computation placer already registered",
    r"TF-TRT Warning: Could not find TensorRT",
    r"oneDNN supports DT_\w+ only on platforms with AVX-512",  # whatever the CPU, once
    r"successful NUMA node read from SysFS",
    r"could not open file to read NUMA node",  # and the next line: no NUMA in this (WSL) kernel
    r"Your kernel may have been built without NUMA support",
]))

_started = False


def import_tensorflow():
    """Import TensorFlow and list its devices with the start-up lines silenced; return tf."""
    global _started
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")  # no INFO lines later (XLA, GPU devices)
    if _started:
        return sys.modules["tensorflow"]
    captured = _CapturedStderrFd()
    try:
        with captured:
            import tensorflow as tf

            tf.config.list_physical_devices()  # the first device query is where cuInit is logged
            _first_boolean_op(tf)
    finally:  # also when the import failed: what TensorFlow said about it is not lost
        kept = [line for line in captured.lines()
                if line.strip() and not STARTUP_NOISE.search(line)]
        if kept:
            sys.stderr.write("\n".join(kept) + "\n")
            sys.stderr.flush()
    _started = True
    return tf


def _first_boolean_op(tf):
    """Run one op on booleans, so that oneDNN logs its once-per-process line now.

    In a graph and session of its own, on the CPU only: TensorFlow's eager runtime and any GPU are
    left uninitialised, so tf.config's device and threading settings can still be made after."""
    graph = tf.Graph()
    with graph.as_default():
        transposed = tf.transpose(tf.zeros((1, 1), tf.bool))
    config = tf.compat.v1.ConfigProto(device_count={"GPU": 0}, use_per_session_threads=True)
    with tf.compat.v1.Session(graph=graph, config=config) as session:
        session.run(transposed)


class _CapturedStderrFd:
    """Point file descriptor 2 at a temporary file for the duration of a `with` block.

    Without a file descriptor 2 to redirect (a process started with it closed) nothing is captured.
    """

    def __init__(self):
        self._text = ""

    def __enter__(self):
        sys.stderr.flush()
        try:
            self._saved = os.dup(2)
        except OSError:
            self._saved = None
            return self
        self._file = tempfile.TemporaryFile(mode="w+b")
        os.dup2(self._file.fileno(), 2)
        return self

    def __exit__(self, *exc):
        if self._saved is None:
            return False
        sys.stderr.flush()
        os.dup2(self._saved, 2)
        os.close(self._saved)
        self._file.seek(0)
        self._text = self._file.read().decode("utf-8", errors="replace")
        self._file.close()
        return False

    def lines(self) -> list[str]:
        return self._text.splitlines()
