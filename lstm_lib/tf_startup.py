"""Import TensorFlow without the C++ start-up lines it writes to stderr.

TensorFlow's C++ runtime logs a few lines when it is imported and when it first looks for devices
("All log messages before absl::InitializeLog() ...", "Could not find cuda drivers ...",
"failed call to cuInit ..."). They are written to the process's stderr file descriptor before
Python's logging is set up, so `TF_CPP_MIN_LOG_LEVEL` alone does not stop them. In JupyterLab they
show as a red box that reads as broken, and nbgrader gives no points to a graded cell with stderr
output. Every chapter, problem set and checker therefore imports TensorFlow through here:

    tf = import_tensorflow()      # the `tensorflow` module, imported and with its devices listed

Nothing else is hidden: the file descriptor is redirected only around the import and the first
device query; what was written there meanwhile is read back, the known start-up lines are dropped,
and any other line (a real error) is written to stderr as it would have been. Exceptions raise as
usual. Calling it again returns the module at once.
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
    r"Created device /job:localhost/replica:0/task:0/device:GPU",
    r"successful NUMA node read from SysFS",
    r"E0000 00:00:.*cuda_executor",
]))

_started = False


def import_tensorflow():
    """Import TensorFlow and list its devices with the start-up lines silenced; return tf."""
    global _started
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    if _started:
        return sys.modules["tensorflow"]
    with _captured_stderr_fd() as captured:
        import tensorflow as tf

        tf.config.list_physical_devices()  # the first device query is where cuInit is logged
    _started = True
    kept = [line for line in captured.lines() if line.strip() and not STARTUP_NOISE.search(line)]
    if kept:
        sys.stderr.write("\n".join(kept) + "\n")
        sys.stderr.flush()
    return tf


class _captured_stderr_fd:
    """Point file descriptor 2 at a temporary file for the duration of a `with` block."""

    def __enter__(self):
        sys.stderr.flush()
        self._file = tempfile.TemporaryFile(mode="w+b")
        self._saved = os.dup(2)
        os.dup2(self._file.fileno(), 2)
        return self

    def __exit__(self, *exc):
        sys.stderr.flush()
        os.dup2(self._saved, 2)
        os.close(self._saved)
        self._file.seek(0)
        self._text = self._file.read().decode("utf-8", errors="replace")
        self._file.close()
        return False

    def lines(self) -> list[str]:
        return self._text.splitlines()
