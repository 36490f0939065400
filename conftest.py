"""Collect the book's text notebooks as nbval tests.

`pytest --nbval-lax book solutions` runs every jupytext notebook (book/*.md in MyST, solutions/*.py
in py:percent) cell by cell in a fresh kernel, without writing any .ipynb: the text file is read
with jupytext and handed to nbval's collector. A cell that raises fails the run, and the report
names the notebook and the cell.

A cell that writes anything to stderr fails too, quoting the first lines: a healthy run prints
nothing there (JupyterLab shows stderr as a red box that reads as broken, and nbgrader gives no
points to a graded cell with stderr output). A warning the book wants the learner to see is printed
to stdout, or caught and asserted in the cell. There is no opt-out.
"""

import os
from pathlib import Path
from types import SimpleNamespace
from unittest import mock

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import jupytext  # noqa: E402
import nbval.plugin  # noqa: E402
import pytest  # noqa: E402

ROOT = Path(__file__).resolve().parent
# folder -> (suffix, jupytext format)
TEXT_NOTEBOOKS = {ROOT / "book": (".md", "md:myst"), ROOT / "solutions": (".py", "py:percent")}


def is_text_notebook(path: Path) -> bool:
    suffix, _ = TEXT_NOTEBOOKS.get(path.resolve().parent, (None, None))
    return path.suffix == suffix and not path.name.startswith("_")


class TextNotebook(nbval.plugin.IPyNbFile):
    """nbval's notebook collector, fed by jupytext instead of an .ipynb file."""

    def collect(self):
        _, fmt = TEXT_NOTEBOOKS[self.path.resolve().parent]
        notebook = jupytext.read(self.path, fmt=fmt)
        fake_nbformat = SimpleNamespace(read=lambda *args, **kwargs: notebook)
        with mock.patch.object(nbval.plugin, "nbformat", fake_nbformat):
            yield from super().collect()

    def setup(self):
        """Start the kernel as JupyterLab does: ipykernel then forwards what C and C++ libraries
        write to file descriptors 1 and 2 as the cell's output, which it skips when it sees
        PYTEST_CURRENT_TEST in its environment (inherited from this process)."""
        with mock.patch.dict(os.environ):
            os.environ.pop("PYTEST_CURRENT_TEST", None)
            super().setup()


def pytest_collect_file(file_path, parent):
    option = parent.config.option
    if (option.nbval or option.nbval_lax) and is_text_notebook(file_path):
        return TextNotebook.from_parent(parent, path=file_path)
    return None


STDERR_LINES_QUOTED = 10


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item):
    """Fail a notebook cell that wrote to stderr (sys.stderr or file descriptor 2), quoting it."""
    result = yield  # runs the cell; a cell that raised has failed already
    if isinstance(item, nbval.plugin.IPyNbCell):
        stderr = "".join(out.text for out in item.test_outputs or []
                         if out.output_type == "stream" and out.name == "stderr")
        if stderr:
            lines = stderr.strip().splitlines() or [repr(stderr)]
            more = len(lines) - STDERR_LINES_QUOTED
            item.raise_cell_error(
                "Cell wrote to stderr (a healthy run writes nothing there):\n"
                + "\n".join(lines[:STDERR_LINES_QUOTED])
                + (f"\n... and {more} more line(s)" if more > 0 else ""))
    return result


_notebook_seconds: dict[str, float] = {}


def pytest_runtest_logreport(report):
    """Add up each notebook's cell times (setup includes starting its kernel)."""
    path = report.nodeid.split("::")[0]
    if "::Cell " in report.nodeid and path.endswith((".md", ".py")):
        _notebook_seconds[path] = _notebook_seconds.get(path, 0.0) + report.duration


def pytest_terminal_summary(terminalreporter):
    """Print how long each notebook took: a chapter's budget is about two minutes."""
    if not _notebook_seconds:
        return
    terminalreporter.section("notebook times")
    for path, seconds in sorted(_notebook_seconds.items()):
        terminalreporter.write_line(f"{seconds:7.1f} s  {path}")


def pytest_configure(config):
    """Fail at once, listing the kernels there are, when --nbval-kernel-name names none of them."""
    name = config.option.nbval_kernel_name
    if not name:
        return
    from jupyter_client.kernelspec import KernelSpecManager

    available = sorted(KernelSpecManager().find_kernel_specs())
    if name not in available:
        raise pytest.UsageError(
            f"unknown kernel {name!r}; available kernels: {', '.join(available)} "
            "(run `make lab` or `make test` once to register lstm-cpu and lstm-gpu)")
