"""import_tensorflow drops TensorFlow's C++ start-up lines from stderr, and nothing else.

Each case runs in a fresh Python process, as a kernel would. The real TensorFlow is imported once;
the other cases put a stand-in `tensorflow` package first on the path, which writes chosen lines
to file descriptor 2 as TensorFlow's C++ runtime does.
"""

import os
import subprocess
import sys
import textwrap
from importlib import metadata

import pytest

IMPORT = "from lstm_lib.tf_startup import import_tensorflow\ntf = import_tensorflow()\n"
NOISE = ("WARNING: All log messages before absl::InitializeLog() is called are written to STDERR\\n"
         "E0000 00:00:1.2 5 cuda_platform.cc:52] failed call to cuInit: UNKNOWN ERROR (303)\\n")


def python(code: str, path: str = "", **env: str) -> subprocess.CompletedProcess:
    environ = {k: v for k, v in os.environ.items() if k != "TF_CPP_MIN_LOG_LEVEL"}
    environ.update(env, PYTHONPATH=os.pathsep.join(p for p in (path, *sys.path) if p))
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          env=environ, timeout=120)


STAND_IN = """import os
from contextlib import nullcontext
from types import SimpleNamespace

bool = bool
transpose = zeros = lambda *args: None
Graph = lambda: SimpleNamespace(as_default=nullcontext)
session = SimpleNamespace(run=lambda fetch: None)
compat = SimpleNamespace(v1=SimpleNamespace(ConfigProto=dict,
                                            Session=lambda **kwargs: nullcontext(session)))
"""


def fake_tensorflow(tmp_path, body: str) -> str:
    package = tmp_path / "tensorflow"
    package.mkdir()
    (package / "__init__.py").write_text(STAND_IN + textwrap.dedent(body))
    return str(tmp_path)


@pytest.mark.slow
def test_the_real_tensorflow_starts_without_a_line_on_stderr():
    bare = python("import tensorflow as tf\ntf.config.list_physical_devices()",
                  CUDA_VISIBLE_DEVICES="-1")
    assert bare.returncode == 0 and bare.stderr.strip(), "TensorFlow has stopped logging"

    code = IMPORT + textwrap.dedent("""
        # Still possible after import_tensorflow: it leaves the runtime uninitialised.
        cpu = tf.config.list_physical_devices("CPU")[0]
        tf.config.set_logical_device_configuration(
            cpu, [tf.config.LogicalDeviceConfiguration()] * 2)
        tf.config.threading.set_intra_op_parallelism_threads(2)
        tf.tanh(tf.ones(3))
        tf.transpose(tf.constant([[True]]))  # where oneDNN would log about DT_BOOL
        print(tf.__version__, len(tf.config.list_logical_devices("CPU")))
        """)
    result = python(code, CUDA_VISIBLE_DEVICES="-1")
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    assert result.stdout.split() == [metadata.version("tensorflow"), "2"]


def test_start_up_lines_are_dropped_and_other_lines_kept_in_order(tmp_path):
    path = fake_tensorflow(tmp_path, f"""
        os.write(2, b"{NOISE}real problem one\\n")
        config = SimpleNamespace(list_physical_devices=lambda: os.write(2, b"real problem two\\n"))
        """)
    result = python(IMPORT + "assert import_tensorflow() is tf\nprint('imported')", path)
    assert result.returncode == 0, result.stderr
    assert result.stdout == "imported\n"
    assert result.stderr == "real problem one\nreal problem two\n"


def test_a_failed_import_raises_and_keeps_what_tensorflow_wrote(tmp_path):
    path = fake_tensorflow(tmp_path, f"""
        os.write(2, b"{NOISE}libcudart.so.12: cannot open shared object file\\n")
        raise ImportError("DLL load failed")
        """)
    result = python(IMPORT, path)
    assert result.returncode == 1
    assert "libcudart.so.12: cannot open shared object file\n" in result.stderr
    assert "ImportError: DLL load failed" in result.stderr
    assert "cuInit" not in result.stderr and "absl" not in result.stderr


def test_stderr_works_as_before_once_tensorflow_is_imported(tmp_path):
    path = fake_tensorflow(tmp_path, f"""
        os.write(2, b"{NOISE}")
        config = SimpleNamespace(list_physical_devices=lambda: [])
        """)
    code = IMPORT + "import os, sys\nprint('after', file=sys.stderr)\nos.write(2, b'fd\\n')"
    result = python(code, path)
    assert result.returncode == 0, result.stderr
    assert result.stderr == "after\nfd\n"


def test_the_log_level_is_set_only_when_unset(tmp_path):
    path = fake_tensorflow(tmp_path, "config = SimpleNamespace(list_physical_devices=list)\n")
    code = IMPORT + "print(os.environ['TF_CPP_MIN_LOG_LEVEL'])"
    assert python("import os\n" + code, path).stdout == "2\n"
    assert python("import os\n" + code, path, TF_CPP_MIN_LOG_LEVEL="0").stdout == "0\n"
