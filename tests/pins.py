"""Read the version pins of pyproject.toml and environment.yml, to check that they agree."""

from pathlib import Path

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib

import yaml

from lstm_lib.doctor import PIN

# Extras that environment.yml does not carry: the CUDA wheels are installed only on GPU machines.
NOT_IN_ENVIRONMENT = {"gpu"}


def parse_pins(requirements, where: str) -> dict[str, str]:
    pins = {}
    for requirement in requirements:
        match = PIN.match(requirement)
        if not match:
            raise ValueError(f"{where}: {requirement!r} is not pinned as name==version")
        pins[match.group(1).lower()] = match.group(2)
    return pins


def pyproject_pins(text: str) -> dict[str, str]:
    project = tomllib.loads(text)["project"]
    requirements = list(project["dependencies"])
    for extra, extra_requirements in project.get("optional-dependencies", {}).items():
        if extra not in NOT_IN_ENVIRONMENT:
            requirements += extra_requirements
    return parse_pins(requirements, "pyproject.toml")


def environment_pins(text: str) -> dict[str, str]:
    dependencies = yaml.safe_load(text)["dependencies"]
    pip_sections = [d["pip"] for d in dependencies if isinstance(d, dict) and "pip" in d]
    if len(pip_sections) != 1:
        raise ValueError(f"environment.yml: expected one pip section, found {len(pip_sections)}")
    requirements = [r for r in pip_sections[0] if not r.startswith("-e")]
    return parse_pins(requirements, "environment.yml")


def pin_drift(pyproject_text: str, environment_text: str) -> list[str]:
    """Human-readable differences between the two files' pins; empty when they agree."""
    ours, theirs = pyproject_pins(pyproject_text), environment_pins(environment_text)
    problems = []
    for name in sorted(ours.keys() | theirs.keys()):
        a, b = ours.get(name, "(absent)"), theirs.get(name, "(absent)")
        if a != b:
            problems.append(f"{name}: pyproject.toml {a}, environment.yml {b}")
    return problems


def read(root: Path) -> tuple[str, str]:
    return (root / "pyproject.toml").read_text(), (root / "environment.yml").read_text()
