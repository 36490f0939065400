"""A notebook cell that writes to stderr fails the nbval run, quoting what it wrote.

The project's conftest.py is copied next to two small notebooks in book/, so it collects them as
it collects the real chapters; one pytest run executes both, each in its own lstm-cpu kernel.
"""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
HEADER = ("---\njupytext:\n  text_representation:\n    format_name: myst\n"
          "kernelspec:\n  name: lstm-cpu\n  display_name: cpu\n  language: python\n---\n\n")


def cells(*sources: str) -> str:
    return HEADER + "\n".join(f"```{{code-cell}} ipython3\n{s}\n```\n" for s in sources)


QUIET = cells(
    "print('progress on stdout')",
    "import warnings\nwith warnings.catch_warnings(record=True) as caught:\n"
    "    warnings.simplefilter('always')\n    warnings.warn('asserted, not shown')\n"
    "assert len(caught) == 1",
    "from tqdm.auto import tqdm\nfor _ in tqdm(range(3), desc='loop'):\n    pass",
)
NOISY = cells(
    "print('fine')",
    "import sys\nprint('planted python line', file=sys.stderr)",
    "import os\nos.write(2, b'planted C-level line\\n')  # as C++ libraries log",
    "import warnings\nwarnings.warn('planted warning')",
    "print('\\n'.join(f'line {i}' for i in range(30)), file=sys.stderr)",
)


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("stderr")
    (tmp / "book").mkdir()
    (tmp / "book" / "quiet.md").write_text(QUIET)
    (tmp / "book" / "noisy.md").write_text(NOISY)
    (tmp / "conftest.py").write_text((ROOT / "conftest.py").read_text())
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-rA", "--nbval-lax",
         "--nbval-kernel-name", "lstm-cpu", "book"],
        cwd=tmp, capture_output=True, text=True, timeout=180,
        # With CI set, pytest repeats each failure's message in its summary: count them once.
        env={name: value for name, value in os.environ.items() if name != "CI"})
    return result.returncode, result.stdout + result.stderr


def outcomes(output: str) -> dict[str, str]:
    """'book/noisy.md::Cell 1' -> 'PASSED' / 'FAILED', from the -rA summary."""
    found = {}
    for line in output.splitlines():
        word, _, rest = line.partition(" ")
        if word in ("PASSED", "FAILED") and "::Cell " in rest:
            found[rest.split(" - ")[0].strip()] = word
    return found


def test_cells_that_write_only_to_stdout_pass(run):
    _, output = run
    found = outcomes(output)
    assert [found.get(f"book/quiet.md::Cell {i}") for i in range(3)] == ["PASSED"] * 3, output


def test_every_way_of_writing_to_stderr_fails_its_cell(run):
    returncode, output = run
    found = outcomes(output)
    assert returncode == 1, output
    assert [found.get(f"book/noisy.md::Cell {i}") for i in range(5)] == [
        "PASSED", "FAILED", "FAILED", "FAILED", "FAILED"], output


def test_the_failure_quotes_the_first_stderr_lines(run):
    _, output = run
    assert output.count("Cell wrote to stderr") == 4, output
    for planted in ("planted python line", "planted C-level line", "UserWarning: planted warning"):
        assert planted in output
    assert "line 9\n... and 20 more line(s)" in output and "line 10" not in output
