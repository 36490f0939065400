"""What a learner sees after `make lab`, in a real browser: chapter 00 as a notebook, on the CPU
kernel, the file browser in book/, no build by-products, no prompt.

JupyterLab is started by teaching_tools/lab.py, the command line `make lab` runs, with a known
token and a free port, in a Jupyter config dir of its own: once with no saved workspace, once with
an old one holding other tabs. Debian's chromium (/usr/bin/chromium) is driven through Playwright's
Python API; Playwright's own browser downloads are never used. Without either, the test skips
and says why.
"""

import json
import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = Path("/usr/bin/chromium")
TOKEN = "lstm-book-browser-test"
FIRST_PAGE = "book/00_setup.md"
CPU_KERNEL = "Python 3 (LSTM book, CPU)"
BY_PRODUCT = re.compile(r"^\.|\.egg-info$|^__pycache__$|^build$|\.pyc$")
TIMEOUT_MS = 60_000

# A workspace left by an earlier session: another chapter and README.md open (README.md the
# active tab), the file browser in lstm_lib/.
OLD_WORKSPACE = {
    "data": {
        "layout-restorer:data": {
            "main": {"dock": {"type": "tab-area", "currentIndex": 1,
                              "widgets": ["notebook:book/03_lstm_cell.md", "editor:README.md"]},
                     "current": "editor:README.md"},
            "left": {"collapsed": False, "visible": True, "current": "filebrowser",
                     "widgets": ["filebrowser"]},
        },
        "notebook:book/03_lstm_cell.md": {"data": {"path": "book/03_lstm_cell.md",
                                                   "factory": "Jupytext Notebook"}},
        "editor:README.md": {"data": {"path": "README.md", "factory": "Editor"}},
        "file-browser-filebrowser:cwd": {"path": "lstm_lib"},
    },
    "metadata": {"id": "default"},
}

sync_api = pytest.importorskip(
    "playwright.sync_api", reason="playwright is not installed: pip install -e '.[test]'")
if not CHROMIUM.exists():
    pytest.skip(f"{CHROMIUM} not found: apt-get install chromium", allow_module_level=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_lab(tmp_path: Path, old_workspace: bool) -> tuple[subprocess.Popen, str, Path]:
    """Start `make lab`'s JupyterLab; return the process, the URL it prints, its log file."""
    config = tmp_path / "config"  # no user settings, no workspaces but ours
    if old_workspace:
        from jupyterlab_server.workspaces_handler import WorkspacesManager
        WorkspacesManager(str(config / "lab" / "workspaces")).save(
            "default", json.dumps(OLD_WORKSPACE))
    env = {**os.environ, "JUPYTER_CONFIG_DIR": str(config),
           "JUPYTER_DATA_DIR": str(tmp_path / "data"),
           "JUPYTER_RUNTIME_DIR": str(tmp_path / "runtime")}
    log_path = tmp_path / "lab.log"
    port = free_port()
    with log_path.open("w") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "teaching_tools.lab", "--no-browser", "--ip=127.0.0.1",
             f"--port={port}", f"--IdentityProvider.token={TOKEN}", "--ServerApp.port_retries=0"],
            stdout=log, stderr=subprocess.STDOUT, env=env, cwd=ROOT)
    printed = re.compile(rf"http://127\.0\.0\.1:{port}/\S*")
    deadline = time.monotonic() + 90
    while not (match := printed.search(log_path.read_text())):
        if process.poll() is not None or time.monotonic() > deadline:
            stop(process)
            pytest.fail("JupyterLab did not start:\n" + log_path.read_text()[-3000:])
        time.sleep(0.5)
    # A token given on the command line is printed as "..."; put ours back.
    return process, match.group(0).replace("token=...", f"token={TOKEN}"), log_path


def stop(process: subprocess.Popen) -> None:
    """Stop the server; it shuts its kernels down on the way out."""
    process.terminate()
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)


def entries(page) -> list[str]:
    return page.locator(".jp-DirListing-content .jp-DirListing-itemName").all_inner_texts()


@pytest.mark.slow
@pytest.mark.parametrize("workspace", ["fresh", "old"])
def test_make_lab_opens_chapter_00_as_a_notebook_on_the_cpu_kernel(tmp_path, workspace):
    process, url, log_path = start_lab(tmp_path, old_workspace=workspace == "old")
    try:
        assert url.split("?")[0].endswith(f"/lab/tree/{FIRST_PAGE}"), url
        with sync_api.sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=str(CHROMIUM), timeout=TIMEOUT_MS)
            try:
                page = browser.new_page(viewport={"width": 1400, "height": 900})
                page.set_default_timeout(TIMEOUT_MS)
                page.goto(url)
                check_chapter_00(page, tmp_path / f"lab_{workspace}.png")
                if workspace == "old":  # the old tabs stay, behind chapter 00
                    tabs = page.locator(".lm-DockPanel-tabBar .lm-TabBar-tab").all_inner_texts()
                    assert {"03_lstm_cell.md", "README.md"} <= {t.strip() for t in tabs}, tabs
                check_file_browser(page)
            finally:
                browser.close()
    finally:
        stop(process)
    assert "Traceback" not in log_path.read_text()


def check_chapter_00(page, screenshot: Path) -> None:
    # Wait for chapter 00 on show and its kernel up, then for the page to settle: an old
    # workspace's tabs and a news prompt (when it is not switched off) come up in that time.
    shown = page.locator("#jp-main-dock-panel .jp-MainAreaWidget:not(.lm-mod-hidden)")
    shown.locator(".jp-MarkdownCell h1", has_text="00 · Setup").wait_for()
    page.locator(".jp-StatusBar-Widget", has_text=f"{CPU_KERNEL} | Idle").wait_for()
    page.wait_for_timeout(3000)
    # The active tab, and the one main-area widget on show, is chapter 00 as a notebook.
    active = page.locator(".lm-DockPanel-tabBar .lm-TabBar-tab.jp-mod-current")
    assert active.inner_text().strip() == "00_setup.md"
    assert shown.count() == 1
    assert "jp-NotebookPanel" in shown.get_attribute("class")
    assert shown.locator(".jp-CodeCell").count() > 0
    assert shown.locator(".jp-FileEditor").count() == 0
    # Its kernel, from the chapter's kernelspec, is the CPU one.
    assert shown.locator(".jp-Toolbar-kernelName").inner_text().strip() == CPU_KERNEL
    # The file browser shows the chapters.
    assert page.locator(".jp-BreadCrumbs").inner_text().strip() == "/book/"
    assert FIRST_PAGE.split("/")[1] in entries(page)
    # Nothing asks the learner anything: no news prompt, no dialog.
    toasts = page.locator(".Toastify__toast").all_inner_texts()
    assert toasts == [], toasts
    assert page.locator(".jp-Dialog").count() == 0
    assert "Jupyter news" not in page.locator("body").inner_text()
    # Only the book's tools: nbgrader (a test dependency) adds no menu, button or sidebar.
    menus = page.locator(".lm-MenuBar-itemLabel").all_inner_texts()
    assert "Nbgrader" not in menus and "File" in menus, menus
    assert page.get_by_text("Create Assignment").count() == 0
    assert page.get_by_text("Validate", exact=True).count() == 0
    page.screenshot(path=str(screenshot))


def check_file_browser(page) -> None:
    # The repository root: book/ and exercises/ first, README.md there, no build by-products.
    page.locator(".jp-BreadCrumbs-home").click()
    page.wait_for_function(
        "() => document.querySelector('.jp-BreadCrumbs').innerText.trim() === '/'")
    page.locator(".jp-DirListing-itemName", has_text="README.md").wait_for()
    listed = entries(page)
    assert listed[:2] == ["book", "exercises"], listed
    assert [name for name in listed if BY_PRODUCT.search(name)] == [], listed
    # `pip install -e .` left this in the root; were it gone, the check above would prove nothing.
    assert (ROOT / "lstm_from_scratch.egg-info").is_dir()
