"""pytest collects the text notebooks through nbval, and refuses an unknown kernel at once."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK_DIRS = [d for d in ("book", "solutions") if (ROOT / d).is_dir()]


def pytest_run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "pytest", "-p", "no:cacheprovider", *args],
                          cwd=ROOT, capture_output=True, text=True, timeout=120)


def test_every_book_and_solutions_notebook_is_collected_as_nbval_cells():
    result = pytest_run("--nbval-lax", "--collect-only", "-q", *NOTEBOOK_DIRS)
    assert result.returncode == 0, result.stdout + result.stderr
    collected = {line.split("::")[0] for line in result.stdout.splitlines() if "::Cell " in line}
    expected = {f"book/{p.name}" for p in (ROOT / "book").glob("*.md")}
    expected |= {f"solutions/{p.name}" for p in (ROOT / "solutions").glob("*.py")}
    assert "book/00_setup.md" in expected
    assert collected == expected


def test_no_ipynb_is_written_into_the_tree():
    pytest_run("--nbval-lax", "--collect-only", "-q", *NOTEBOOK_DIRS)
    assert not list(ROOT.glob("book/*.ipynb")) and not list(ROOT.glob("solutions/*.ipynb"))


def test_an_unknown_kernel_fails_at_once_with_the_available_ones():
    result = pytest_run("--nbval-lax", "--nbval-kernel-name", "no-such-kernel", "book")
    assert result.returncode != 0
    output = result.stdout + result.stderr
    assert "unknown kernel 'no-such-kernel'" in output
    assert "lstm-cpu" in output and "lstm-gpu" in output


def test_a_failing_cell_fails_the_run_and_names_the_cell(tmp_path):
    notebook = tmp_path / "book" / "broken.md"
    notebook.parent.mkdir()
    notebook.write_text(
        "---\njupytext:\n  text_representation:\n    format_name: myst\n"
        "kernelspec:\n  name: lstm-cpu\n  display_name: cpu\n  language: python\n---\n\n"
        "```{code-cell} ipython3\nx = 1\n```\n\n"
        "```{code-cell} ipython3\nassert x == 2, 'planted failure'\n```\n")
    # The project's conftest, copied, collects tmp_path/book as it collects the real book/.
    (tmp_path / "conftest.py").write_text((ROOT / "conftest.py").read_text())
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "--nbval-lax",
         "--nbval-kernel-name", "lstm-cpu", "book"],
        cwd=tmp_path, capture_output=True, text=True, timeout=120)
    output = result.stdout + result.stderr
    assert result.returncode == 1, output
    assert "broken.md::Cell 1 FAILED" in output or "broken.md::Cell 1" in output
    assert "planted failure" in output
    assert "1 passed" in output and "1 failed" in output
