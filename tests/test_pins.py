"""pyproject.toml and environment.yml pin the same versions."""

from pathlib import Path

import pytest
from pins import pin_drift, read

ROOT = Path(__file__).resolve().parents[1]


def test_pyproject_and_environment_pin_the_same_versions():
    assert pin_drift(*read(ROOT)) == []


def test_a_pin_changed_in_one_file_only_is_reported():
    pyproject, environment = read(ROOT)
    changed = environment.replace("numpy==2.4.6", "numpy==2.4.5")
    assert changed != environment
    assert pin_drift(pyproject, changed) == ["numpy: pyproject.toml 2.4.6, environment.yml 2.4.5"]

    changed = pyproject.replace('"keras==3.15.1"', '"keras==3.15.0"')
    assert changed != pyproject
    assert pin_drift(changed, environment) == [
        "keras: pyproject.toml 3.15.0, environment.yml 3.15.1"]


def test_a_package_missing_from_one_file_is_reported():
    pyproject, environment = read(ROOT)
    dropped = "\n".join(line for line in environment.splitlines() if "tqdm==" not in line)
    assert pin_drift(pyproject, dropped) == [
        "tqdm: pyproject.toml 4.70.1, environment.yml (absent)"]


def test_an_unpinned_requirement_is_an_error():
    pyproject, environment = read(ROOT)
    with pytest.raises(ValueError, match="numpy>=2"):
        pin_drift(pyproject, environment.replace("numpy==2.4.6", "numpy>=2"))
