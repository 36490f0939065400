"""The book's website as a reader sees it, in a real browser: every page of `make html`.

The site is built as `make html` builds it (teaching_tools/website.py, into build/html; chapters
already executed come from build/.jupyter_cache, so only a first build, or a chapter whose code
changed, runs notebooks: on a fresh clone this builds the whole book, several minutes on 2 cores).
It is served from 127.0.0.1 by http.server in a thread and opened in Debian's chromium
(/usr/bin/chromium) through Playwright's Python API; Playwright's own browser downloads are never
used. Every request that would leave 127.0.0.1 is blocked and counted (and chromium resolves no
host name at all). On every page:

- no request left the machine; the math is typeset by the site's own MathJax (each formula an
  `mjx-container`, no TeX error, no raw `$$`); every image loaded (naturalWidth > 0) and no figure
  is left as its text form (`<Figure size ...>`); no cell output is a traceback, an error or
  stderr; chapters offer their notebook as a valid .ipynb (set-up cell first, outputs kept);
- a screenshot is kept in build/test-artifacts/website/.

Small sites built from toy chapters in tmp_path show that the checks fail when they should: a
cell that raises fails the build (or, allowed to raise, shows a traceback the check names), and a
page that asks the network for a script is reported. Without chromium, Playwright or the site
extra (Sphinx, myst-nb), the tests skip and say why.
"""

import functools
import http.server
import os
import re
import shutil
import subprocess
import threading
from pathlib import Path
from urllib.parse import urlparse

import nbformat
import pytest
from chapters import HEADER, toy_chapter

from teaching_tools import notebooks_dist, website

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = ROOT / "build" / "test-artifacts" / "website"
TIMEOUT_MS = 60_000
MATHJAX_TIMEOUT_MS = 20_000
LOCAL_HOSTS = {"127.0.0.1"}
# No host name resolves: a request the routing missed could not reach the network either.
CHROMIUM_ARGS = ["--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1",
                 "--dns-prefetch-disable"]
CHAPTERS = sorted(p.stem for p in (ROOT / "book").glob("*.md"))
PROBLEM_SETS = sorted(p.stem for p in (ROOT / "exercises").glob("*.py"))
ERROR_OUTPUTS = (".cell_output .output.traceback", ".cell_output .output.error",
                 ".cell_output .output.stderr")

sync_api = pytest.importorskip(
    "playwright.sync_api", reason="playwright is not installed: pip install -e '.[test]'")
pytest.importorskip(
    "myst_nb", reason="the website tooling is not installed: pip install -e '.[site]'")
if not CHROMIUM.exists():
    pytest.skip(f"{CHROMIUM} not found: apt-get install chromium", allow_module_level=True)


# --- building and serving a site ---------------------------------------------------------------

def build(srcdir: Path, out: Path, log: Path) -> subprocess.CompletedProcess:
    """`make html`'s build of srcdir into out, its output in log."""
    log.parent.mkdir(parents=True, exist_ok=True)
    # The kernels inherit this environment: without PYTEST_CURRENT_TEST, as under `make html`
    # (ipykernel would not forward what C libraries write to stderr; see conftest.py).
    env = {k: v for k, v in os.environ.items() if k != "PYTEST_CURRENT_TEST"}
    result = subprocess.run(website.command(srcdir, out), cwd=srcdir, capture_output=True,
                            text=True, env=env)
    log.write_text(result.stdout + result.stderr)
    return result


def built(srcdir: Path, out: Path, log: Path) -> Path:
    result = build(srcdir, out, log)
    if result.returncode != 0:
        output = result.stdout + result.stderr
        pytest.fail(f"the site build failed (log: {log}):\n{output[-4000:]}")
    return out


class Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def serve():
    """serve(folder) -> base URL of an HTTP server on 127.0.0.1 for folder (stopped at the end)."""
    servers = []

    def start(folder: Path) -> str:
        handler = functools.partial(Quiet, directory=str(folder))
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return f"http://127.0.0.1:{server.server_address[1]}/"

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="module")
def browser():
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS,
                                             timeout=TIMEOUT_MS)
        yield browser
        browser.close()


class Reader:
    """A browser page whose requests to anything but 127.0.0.1 are blocked and listed."""

    def __init__(self, browser, **options):
        self.blocked = []
        self.context = browser.new_context(viewport={"width": 1400, "height": 1000}, **options)
        self.context.route("**/*", self._route)
        self.page = self.context.new_page()
        self.page.set_default_timeout(TIMEOUT_MS)

    def _route(self, route):
        if urlparse(route.request.url).hostname in LOCAL_HOSTS:
            route.continue_()
        else:
            self.blocked.append(route.request.url)
            route.abort()

    def open(self, url: str):
        self.page.goto(url, wait_until="load")
        return self.page

    def close(self):
        self.context.close()


@pytest.fixture
def reader(browser):
    readers = []

    def open_reader(**options) -> Reader:
        readers.append(Reader(browser, **options))
        return readers[-1]

    yield open_reader
    for r in readers:
        r.close()


# --- what a page must show ---------------------------------------------------------------------

def typeset_math(page) -> list[str]:
    """Wait for MathJax (where the page has math); what is wrong with its formulas."""
    formulas = page.locator(".math").count()
    if formulas == 0:
        return []
    try:
        page.wait_for_function("() => window.MathJax?.startup?.promise",
                               timeout=MATHJAX_TIMEOUT_MS)
        page.evaluate("() => MathJax.startup.promise.then(() => true)")
    except sync_api.Error as error:
        return [f"MathJax did not start on a page with {formulas} formulas: "
                f"{str(error).splitlines()[0]}"]
    problems = []
    untypeset = page.locator(".math:not(:has(mjx-container))").count()
    if untypeset:
        problems.append(f"{untypeset} of {formulas} formulas not typeset")
    if page.locator("mjx-merror").count():
        problems.append(f"{page.locator('mjx-merror').count()} formulas with a TeX error")
    return problems


def page_problems(page, blocked: list[str]) -> list[str]:
    """Everything a reader would see go wrong on this page; empty when it reads as it should."""
    problems = [f"request leaving the machine blocked: {url}" for url in blocked]
    problems += typeset_math(page)
    text = page.locator("article").inner_text()
    if "$$" in text:
        problems.append("raw $$ in the page's text")
    figure_text = re.findall(r"<Figure size [^>]*>", text)
    if figure_text:
        problems.append(f"figures shown as text, not images: {figure_text[:3]}")
    broken = page.evaluate("""() => [...document.querySelectorAll('article img')]
        .filter(img => !(img.complete && img.naturalWidth > 0))
        .map(img => img.getAttribute('src'))""")
    problems += [f"image did not load: {src}" for src in broken]
    for selector in ERROR_OUTPUTS:
        for output in page.locator(selector).all():
            problems.append(f"error output ({selector.split('.')[-1]}): "
                            f"{output.inner_text()[:300]!r}")
    return problems


def offered_notebook(reader: Reader, page_url: str):
    """The .ipynb the page's download menu offers, read and validated."""
    link = reader.page.locator("a[href$='.ipynb']")
    assert link.count() == 1, f"{page_url}: {link.count()} .ipynb download links"
    url = reader.page.evaluate("a => a.href", link.element_handle())
    response = reader.context.request.get(url)
    assert response.ok, f"{url}: HTTP {response.status}"
    nb = nbformat.reads(response.text(), as_version=4)
    nbformat.validate(nb)
    return nb


def screenshot(page, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"))


# --- the book ----------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def book_url(serve):
    """The book built as `make html` builds it (cached chapters are not run again), served."""
    site = built(ROOT, website.OUT, ARTIFACTS / "build.log")
    return serve(site)


@pytest.mark.slow
@pytest.mark.parametrize("chapter", CHAPTERS)
def test_chapter_page_reads_as_it_should(book_url, reader, chapter):
    r = reader()
    page = r.open(f"{book_url}book/{chapter}.html")
    assert page.locator("article h1").count() == 1
    problems = page_problems(page, r.blocked)
    screenshot(page, chapter)
    assert problems == [], "\n".join(problems)
    assert page.locator(".cell_output").count() > 0, "no outputs: the chapter was not executed"
    nb = offered_notebook(r, page.url)
    assert notebooks_dist.SETUP_TAG in nb.cells[0].metadata.get("tags", [])
    assert any(c.get("outputs") for c in nb.cells[1:] if c.cell_type == "code")


@pytest.mark.slow
@pytest.mark.parametrize("problem_set", PROBLEM_SETS)
def test_problem_set_page_is_the_student_version(book_url, reader, problem_set):
    r = reader()
    page = r.open(f"{book_url}exercises/{problem_set}.html")
    problems = page_problems(page, r.blocked)
    screenshot(page, f"exercises_{problem_set}")
    assert problems == [], "\n".join(problems)
    text = page.locator("article").inner_text()
    assert "raise NotImplementedError()" in text and "BEGIN SOLUTION" not in text
    nb = offered_notebook(r, page.url)
    assert notebooks_dist.SETUP_TAG in nb.cells[0].metadata.get("tags", [])


@pytest.mark.slow
def test_landing_page_is_the_readme_with_every_page_in_the_sidebar(book_url, reader):
    r = reader()
    page = r.open(book_url)  # index.html sends the reader on to the README's page
    page.wait_for_url(re.compile(r"README\.html$"))
    assert page.locator("article h1").first.inner_text().strip() == "LSTM from Scratch"
    problems = page_problems(page, r.blocked)
    screenshot(page, "README")
    assert problems == [], "\n".join(problems)
    sidebar = {href.removeprefix(book_url).removesuffix(".html") for href in page.evaluate(
        "() => [...document.querySelectorAll('.bd-sidebar-primary a.reference')].map(a => a.href)")}
    assert {f"book/{c}" for c in CHAPTERS} <= sidebar, sidebar
    assert {f"exercises/{p}" for p in PROBLEM_SETS} <= sidebar, sidebar
    assert not (website.OUT / "solutions").exists()
    assert not (website.OUT / "_sources" / "solutions").exists()


@pytest.mark.slow
def test_dark_mode_shows_figures_as_drawn_on_white(book_url, reader):
    r = reader(color_scheme="dark")
    page = r.open(f"{book_url}book/03_lstm_cell.html")
    assert page.evaluate("() => document.documentElement.dataset.theme") == "dark"
    figure = page.locator(".cell_output img").first
    figure.scroll_into_view_if_needed()
    style = figure.evaluate("img => [getComputedStyle(img).backgroundColor, "
                            "getComputedStyle(img).filter]")
    page_background = page.evaluate("() => getComputedStyle(document.body).backgroundColor")
    screenshot(page, "03_lstm_cell_dark")
    assert brightness(page_background) < 0.3, page_background
    assert brightness(style[0]) > 0.7, style  # a light frame around the figure
    assert style[1] == "none", style  # and the figure not dimmed
    # The figure itself is opaque, on matplotlib's white: it reads the same on a dark page.
    corner = figure.evaluate("""img => {
        const c = document.createElement('canvas'); c.width = img.naturalWidth;
        c.height = img.naturalHeight; const g = c.getContext('2d'); g.drawImage(img, 0, 0);
        return Array.from(g.getImageData(1, 1, 1, 1).data); }""")
    assert corner == [255, 255, 255, 255], corner
    assert page_problems(page, r.blocked) == []


def brightness(css_color: str) -> float:
    red, green, blue = (int(v) for v in re.findall(r"\d+", css_color)[:3])
    return (0.299 * red + 0.587 * green + 0.114 * blue) / 255


# --- the checks fail when they should: toy sites -----------------------------------------------

def toy_page(title: str, *cells: str) -> str:
    """A toy chapter with a title, a formula and the given code cells."""
    intro = f"\n# {title}\n\nThe state $h_t$ obeys\n\n$$h_t = \\tanh(x_t W + h_{{t-1}} U).$$\n"
    return HEADER + intro + toy_chapter(*cells)[len(HEADER):]


def toy_site(root: Path, chapters: dict[str, str]) -> Path:
    (root / "book").mkdir(parents=True)
    (root / "README.md").write_text("# Toy book\n\nThe chapters.\n")
    for name, text in chapters.items():
        (root / "book" / f"{name}.md").write_text(text)
    return root


FIGURE = "import matplotlib.pyplot as plt\nplt.plot([0, 1], [1, 0])\nplt.xlabel('t')"


@pytest.mark.slow
def test_a_chapter_with_a_failing_cell_fails_the_build(tmp_path):
    src = toy_site(tmp_path / "src", {"01_broken": toy_page("Broken", "x = 1", "1 / 0")})
    result = build(src, tmp_path / "out" / "html", tmp_path / "build.log")
    assert result.returncode != 0
    log = result.stdout + result.stderr
    assert "01_broken" in log and "ZeroDivisionError" in log, log[-3000:]


NETWORK = ("from IPython.display import HTML\n"
           "HTML('<script src=\"https://cdn.example.org/plot.js\"></script>')")


@pytest.fixture(scope="module")
def toy_book(tmp_path_factory) -> Path:
    """A built toy site: a good chapter, one allowed to raise, one that asks for a remote script."""
    tmp = tmp_path_factory.mktemp("toy_book")
    src = toy_site(tmp / "src", {
        "01_good": toy_page("Good", FIGURE, "print(2 + 2)"),
        "02_traceback": toy_page("Traceback", ":tags: [raises-exception]\n1 / 0"),
        "03_network": toy_page("Network", NETWORK),
    })
    return built(src, tmp / "out" / "html", tmp / "build.log")


@pytest.mark.slow
def test_the_checks_pass_a_good_page(toy_book, serve, reader):
    r = reader()
    page = r.open(f"{serve(toy_book)}book/01_good.html")
    assert page_problems(page, r.blocked) == []
    assert page.locator(".cell_output img").count() == 1
    assert page.locator(".math mjx-container").count() == 2
    nb = offered_notebook(r, page.url)
    assert nb.cells[0].source == notebooks_dist.setup_cell_source()


@pytest.mark.slow
def test_a_chapter_taken_from_the_cache_is_offered_with_its_outputs(toy_book, serve, reader):
    """myst-nb writes a chapter it took from jupyter-cache without outputs; site/conf.py adds
    them back to the offered .ipynb."""
    src = toy_book.parents[1] / "src"
    (src / "book" / "01_good.md").touch()  # read again, its code unchanged: not run again
    result = build(src, toy_book, toy_book.parents[1] / "rebuild.log")
    assert result.returncode == 0, result.stderr[-3000:]
    assert "book/01_good" in result.stdout and "Executing" not in result.stdout
    r = reader()
    nb = offered_notebook(r, r.open(f"{serve(toy_book)}book/01_good.html").url)
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]
    assert any("image/png" in o.get("data", {}) for o in outputs)
    assert any(o.get("text") == "4\n" for o in outputs)


@pytest.mark.slow
def test_the_checks_name_a_traceback(toy_book, serve, reader):
    r = reader()
    problems = page_problems(r.open(f"{serve(toy_book)}book/02_traceback.html"), r.blocked)
    assert len(problems) == 1 and "traceback" in problems[0] and "ZeroDivisionError" in problems[0]


@pytest.mark.slow
def test_the_checks_name_a_request_for_the_network(toy_book, serve, reader):
    r = reader()
    problems = page_problems(r.open(f"{serve(toy_book)}book/03_network.html"), r.blocked)
    assert r.blocked == ["https://cdn.example.org/plot.js"]
    assert problems == ["request leaving the machine blocked: https://cdn.example.org/plot.js"]


@pytest.mark.slow
def test_the_checks_name_untypeset_math_and_a_missing_image(toy_book, tmp_path, serve, reader):
    # What the good page would show with MathJax missing and its figure not copied.
    site = Path(shutil.copytree(toy_book, tmp_path / "html"))
    (site / "_static" / "mathjax" / "tex-chtml.js").unlink()
    for image in (site / "_images").glob("*.png"):
        image.unlink()
    r = reader()
    problems = page_problems(r.open(f"{serve(site)}book/01_good.html"), r.blocked)
    assert len(problems) == 2, problems
    assert problems[0].startswith("MathJax did not start on a page with 2 formulas")
    assert problems[1].startswith("image did not load: ../_images/")
