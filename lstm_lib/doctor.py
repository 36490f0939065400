"""Environment check: `python -m lstm_lib.doctor`. Paste its output into bug reports.

Prints each package the book needs with its installed version and OK / WARN / FAIL, then what
TensorFlow sees. OK: installed at the pinned version. WARN: installed at another version (it may
work; the book is tested with the pin). FAIL: missing. Exit status 1 when anything FAILs.
"""

import os
import platform
import re
import sys
from importlib import metadata

DISTRIBUTION = "lstm-from-scratch"
EXTRAS = ("book", "test")
# A pinned requirement, name[extras]==version: group 1 the name, group 2 the version.
PIN = re.compile(r"^\s*([A-Za-z0-9_.\-]+)(?:\[[^\]]*\])?\s*==\s*([^\s;,]+)\s*$")


def pinned_requirements() -> dict[str, str]:
    """{package: pinned version} for the runtime dependencies and the book and test extras."""
    try:
        requirements = metadata.requires(DISTRIBUTION) or []
    except metadata.PackageNotFoundError as error:
        raise SystemExit(
            f"lstm_lib.doctor: the {DISTRIBUTION} package is not installed; "
            "run `make lab` or `pip install -e '.[book,test]'` in the repository") from error
    pins = {}
    for requirement in requirements:
        spec, _, marker = requirement.partition(";")
        extra = re.search(r"extra\s*==\s*['\"](\w+)['\"]", marker)
        if extra and extra.group(1) not in EXTRAS:
            continue
        match = PIN.match(spec)
        if match:
            pins[match.group(1)] = match.group(2)
    return pins


def package_rows() -> list[tuple[str, str, str, str]]:
    """(package, installed, pinned, status) for every pinned package."""
    rows = []
    for name, pinned in pinned_requirements().items():
        try:
            installed = metadata.version(name)
        except metadata.PackageNotFoundError:
            rows.append((name, "missing", pinned, "FAIL"))
            continue
        rows.append((name, installed, pinned, "OK" if installed == pinned else "WARN"))
    return rows


def tensorflow_lines() -> list[str]:
    """What TensorFlow and Keras see: versions, backend, devices, TF32."""
    try:
        from lstm_lib.tf_startup import import_tensorflow

        tf = import_tensorflow()
        import keras
    except Exception as error:  # any import failure is the thing to report
        return [f"tensorflow: FAIL ({type(error).__name__}: {error})"]
    devices = tf.config.list_physical_devices()
    gpus = [d.name for d in devices if d.device_type == "GPU"]
    return [
        f"tensorflow {tf.__version__}, keras {keras.__version__} "
        f"(backend {keras.backend.backend()}), built with CUDA: {tf.test.is_built_with_cuda()}",
        f"devices: {', '.join(d.name for d in devices)}",
        f"GPUs: {', '.join(gpus) if gpus else 'none (the book runs on the CPU)'}",
        f"TF32 execution: {tf.config.experimental.tensor_float_32_execution_enabled()}",
    ]


def report(file=sys.stdout) -> bool:
    """Print the whole check; return True when no package FAILs."""
    print(f"python {platform.python_version()} ({sys.executable})", file=file)
    print(f"platform {platform.platform()}, {os.cpu_count()} CPUs", file=file)
    print(f"kernel: {os.environ.get('LSTM_BOOK_KERNEL', 'not a book kernel')}, "
          f"CUDA_VISIBLE_DEVICES={os.environ.get('CUDA_VISIBLE_DEVICES', '(unset)')}", file=file)
    rows = package_rows()
    width = max(len(name) for name, *_ in rows)
    for name, installed, pinned, status in rows:
        note = "" if status == "OK" else f"  (pinned {pinned})"
        print(f"{name:<{width}}  {installed:<10} {status}{note}", file=file)
    for line in tensorflow_lines():
        print(line, file=file)
    return all(status != "FAIL" for *_, status in rows)


def main() -> int:
    return 0 if report() else 1


if __name__ == "__main__":
    sys.exit(main())
