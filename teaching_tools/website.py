"""`make html`: the book as a website in build/html, built by Sphinx with site/conf.py.

    python -m teaching_tools.website [SPHINX OPTIONS]     # e.g. -D book_source=git+https://...

The one definition of the build's command line, shared by the Makefile and
tests/test_website_browser.py (which also builds small sites of its own from toy chapters, with
the same configuration). The executed chapters are cached beside the output (build/.jupyter_cache),
so a rebuild runs only the chapters whose code changed.
"""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CONFIG = ROOT / "site"
OUT = ROOT / "build" / "html"


def command(srcdir: Path = ROOT, out: Path = OUT, *extra: str) -> list[str]:
    """sphinx-build of srcdir (a folder laid out as the repository) into out."""
    out = Path(out)
    return [sys.executable, "-m", "sphinx", "-b", "html", "-c", str(CONFIG),
            "-d", str(out.parent / "doctrees"), *extra, str(srcdir), str(out)]


def main(argv=None) -> None:
    extra = sys.argv[1:] if argv is None else argv
    sys.exit(subprocess.run(command(ROOT, OUT, *extra), cwd=ROOT).returncode)


if __name__ == "__main__":
    main()
