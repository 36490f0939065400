"""The book as a website: Sphinx with myst-nb and sphinx-book-theme (`make html`, build/html).

    python -m sphinx -b html -c site -d build/doctrees . build/html

The source folder is the repository, of which only the README (the landing page), the chapters
(book/*.md) and the problem sets as learners get them (exercises/*.py) are read: never
solutions/. The README's table of contents is added here, not written in the README.

- Chapters are executed (on their own kernel, lstm-cpu) and their outputs shown; jupyter-cache
  keeps each chapter's outputs under build/.jupyter_cache by the hash of its code, so a rebuild
  re-runs only the chapters whose code changed. A cell that raises fails the build. Problem sets
  are shown unexecuted, as the learner opens them (their answers are `raise NotImplementedError()`).
- Each notebook page offers its .ipynb for download: the dist notebook of teaching_tools/
  notebooks_dist.py (set-up cell first, python3 kernel) with the outputs the page shows.
- Nothing is fetched from the network, at build time or when a page is read: MathJax 3 is copied
  from the django-static-mathjax package into _static/mathjax, the theme's fonts and scripts are
  its own, ipywidgets' embedding scripts (from a CDN) are left out and progress bars are off
  (TQDM_DISABLE for the build's kernels), no launch buttons.
- Dark mode (the theme's switch) keeps figures on white, where they were drawn.
"""

import contextlib
import os
import shutil
from pathlib import Path

import mathjax
import nbformat

from teaching_tools import notebooks_dist

project = "LSTM from Scratch"
author = "the LSTM from Scratch authors"
copyright = "the LSTM from Scratch authors"

root_doc = "README"
include_patterns = ["README.md", "book/*.md", "exercises/*.py"]
# Pruned from the walk over the repository (include_patterns alone would still walk them).
exclude_patterns = ["build", ".venv", ".git", "solutions", "tests", "lstm_lib", "teaching_tools",
                    "**/.ipynb_checkpoints", "**/__pycache__"]
CONTENTS = {"Chapters": "book/*", "Problem sets": "exercises/*"}

extensions = ["myst_nb"]
nb_custom_formats = {".py": ["jupytext.reads", {"fmt": "py:percent"}]}
myst_enable_extensions = ["dollarmath", "amsmath", "colon_fence"]
myst_heading_anchors = 3
# The README links to library files (lstm_lib/...), which are not pages of the site.
suppress_warnings = ["myst.xref_missing"]

nb_execution_mode = "cache"
nb_execution_timeout = 900
nb_execution_raise_on_error = True
nb_execution_show_tb = True
nb_execution_excludepatterns = ["exercises/*"]
nb_merge_streams = True
nb_output_stderr = "warn"
nb_ipywidgets_js = {}
# The kernels the build starts inherit this process's environment: no progress bars, and figures
# drawn inline whatever backend the caller chose (the unit tests choose Agg).
os.environ["TQDM_DISABLE"] = "1"
os.environ.pop("MPLBACKEND", None)

html_theme = "sphinx_book_theme"
html_title = project
html_theme_options = {"use_download_button": True, "home_page_in_toc": True,
                      "show_toc_level": 2}
html_static_path = ["_static"]
html_css_files = ["book.css"]
templates_path = ["_templates"]
html_additional_pages = {"index": "redirect.html"}  # / opens the README page
mathjax_path = "mathjax/tex-chtml.js"  # relative to _static
MATHJAX = Path(mathjax.__file__).parent / "static" / "mathjax" / "es5"
MATHJAX_UNUSED = ["*svg*.js", "mml-*.js", "tex-mml-*.js", "tex-chtml-full*.js", "node-main.js"]


def add_contents(app, docname, source):
    """The landing page's table of contents, one toctree a part (the sidebar's sections)."""
    if docname == app.config.root_doc:
        for caption, pattern in CONTENTS.items():
            source[0] += (f"\n\n```{{toctree}}\n:hidden:\n:glob:\n:caption: {caption}\n\n"
                          f"{pattern}\n```\n")


def offer_notebook(app, pagename, templatename, context, doctree):
    """Make the theme's download menu offer the page's dist notebook (before the theme runs)."""
    executed = Path(app.outdir).parent / "jupyter_execute" / f"{pagename}.ipynb"
    if not executed.exists():
        return
    target = Path(app.outdir) / "_sources" / f"{pagename}.ipynb"
    target.parent.mkdir(parents=True, exist_ok=True)
    nb = nbformat.read(executed, as_version=4)
    # myst-nb writes a chapter it took from the cache without its outputs: take them from there.
    from jupyter_cache import get_cache  # here: a name `jupyter_cache` in conf.py is a setting

    cache = get_cache(app.env.mystnb_config.execution_cache_path)
    with contextlib.suppress(KeyError):  # not executed: a problem set
        _, nb = cache.merge_match_into_notebook(nb)
    nbformat.write(notebooks_dist.with_setup_cell(nb, app.config.book_source), target)
    context["ipynb_source"] = f"{pagename}.ipynb"


def copy_mathjax(app, exception):
    if exception is None and app.builder.format == "html":
        shutil.copytree(MATHJAX, Path(app.outdir) / "_static" / "mathjax", dirs_exist_ok=True,
                        ignore=shutil.ignore_patterns(*MATHJAX_UNUSED))


def setup(app):
    app.add_config_value("book_source", notebooks_dist.DEFAULT_SOURCE, "html")
    app.connect("source-read", add_contents)
    app.connect("html-page-context", offer_notebook, priority=400)
    app.connect("build-finished", copy_mathjax)
