"""`python -m lstm_lib.doctor` reports every pinned package and what TensorFlow sees."""

import io
import re
import subprocess
import sys
from importlib import metadata

from lstm_lib import doctor


def test_doctor_runs_from_the_command_line_and_reports_ok():
    result = subprocess.run([sys.executable, "-m", "lstm_lib.doctor"],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    for package in ("numpy", "tensorflow", "keras", "jupytext", "nbval"):
        assert any(line.split()[:1] == [package] and " OK" in line for line in lines), package
    assert any(line.startswith("devices: ") for line in lines)


def test_a_missing_package_is_a_fail_and_a_different_version_a_warn(monkeypatch):
    real_version = metadata.version

    def fake_version(name):
        if name == "tqdm":
            raise metadata.PackageNotFoundError(name)
        if name == "numpy":
            return "1.0.0"
        return real_version(name)

    monkeypatch.setattr(doctor.metadata, "version", fake_version)
    monkeypatch.setattr(doctor, "tensorflow_lines", lambda: [])
    out = io.StringIO()
    assert doctor.report(file=out) is False
    text = out.getvalue()
    assert "tqdm" in text and "missing" in text and "FAIL" in text
    assert re.search(r"^numpy +1\.0\.0 +WARN  \(pinned 2\.4\.6\)$", text, re.M), text


def test_pins_cover_runtime_book_and_test_extras_but_not_gpu():
    pins = doctor.pinned_requirements()
    assert {"numpy", "tensorflow", "keras", "jupyterlab", "pytest"} <= pins.keys()
    assert all(version[0].isdigit() for version in pins.values())
