"""`make lab`: start JupyterLab on chapter 00, as a notebook, with the file browser in book/.

The one definition of the command line, shared by the Makefile and tests/test_jupyterlab_browser.py
(which adds its own port and token). Run with the virtual environment's python; any further
arguments are passed to `jupyter lab`:

    .venv/bin/python -m teaching_tools.lab [--no-browser] [--port=8888] ...

JupyterLab's own means do the work, nothing drives the browser:
- the server's default URL is the tree URL of chapter 00, so the address the server prints and the
  browser it opens show `/lab/tree/book/00_setup.md`: Lab opens that file, on top of any workspace
  saved from an earlier session, and shows its folder in the file browser;
- the chapter's jupytext header names its kernel (lstm-cpu), and the settings written into the
  venv by teaching_tools/setup_jupyter.py open text notebooks with the notebook view, hide the build
  by-products, and ask nothing unrelated to the book.
"""

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FIRST_PAGE = "book/00_setup.md"


def command(*extra: str) -> list[str]:
    """`jupyter lab` from this venv, serving the repository, opening FIRST_PAGE; then `extra`."""
    jupyter = Path(sys.executable).with_name("jupyter")
    cmd = [str(jupyter), "lab", f"--ServerApp.root_dir={ROOT}",
           f"--LabApp.default_url=/lab/tree/{FIRST_PAGE}"]
    if os.geteuid() == 0:  # containers and CI run as root; Jupyter refuses it unless told
        cmd.append("--allow-root")
    return cmd + list(extra)


def main() -> None:
    if sys.prefix == sys.base_prefix:
        sys.exit("teaching_tools.lab: run me with the venv's python, e.g. `make lab`")
    cmd = command(*sys.argv[1:])
    os.chdir(ROOT)
    os.execv(cmd[0], cmd)


if __name__ == "__main__":
    main()
