"""JupyterLab as `make lab` starts it (teaching_tools/lab.py): text notebooks served as notebooks on
the CPU kernel, the book's kernels listed, build by-products hidden, no news prompt.

tests/test_jupyterlab_browser.py looks at the same server through a real browser."""

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
JUPYTER = Path(sys.executable).with_name("jupyter")
TOKEN = "lstm-book-test-token"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get_json(url: str) -> dict:
    request = urllib.request.Request(url, headers={"Authorization": f"token {TOKEN}"})
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.load(response)


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    if not JUPYTER.exists() or shutil.which("jupyter-lab", path=str(JUPYTER.parent)) is None:
        pytest.fail(f"JupyterLab is not installed next to {sys.executable}: run `make test`")
    port = free_port()
    runtime = tmp_path_factory.mktemp("jupyter-runtime")
    log = (tmp_path_factory.mktemp("jupyter-log") / "server.log").open("w")
    env = {**os.environ, "JUPYTER_RUNTIME_DIR": str(runtime)}
    process = subprocess.Popen(
        [sys.executable, "-m", "teaching_tools.lab", "--no-browser", "--ip=127.0.0.1",
         f"--port={port}", f"--IdentityProvider.token={TOKEN}", "--ServerApp.port_retries=0"],
        stdout=log, stderr=subprocess.STDOUT, env=env, cwd=ROOT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                get_json(f"{base}/api/status")
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    log.flush()
                    pytest.fail("JupyterLab did not start:\n" + Path(log.name).read_text()[-3000:])
                time.sleep(0.5)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()


def test_a_text_chapter_is_served_as_a_notebook(server):
    model = get_json(f"{server}/api/contents/book/00_setup.md")
    assert model["type"] == "notebook"
    cells = model["content"]["cells"]
    assert any(c["cell_type"] == "code" for c in cells)
    assert any(c["cell_type"] == "markdown" for c in cells)


def test_both_book_kernels_are_listed(server):
    kernels = get_json(f"{server}/api/kernelspecs")["kernelspecs"]
    assert {"lstm-cpu", "lstm-gpu"} <= kernels.keys()
    assert kernels["lstm-cpu"]["spec"]["env"]["CUDA_VISIBLE_DEVICES"] == "-1"
    assert kernels["lstm-gpu"]["spec"]["env"]["NVIDIA_TF32_OVERRIDE"] == "0"


def test_jupyterlab_opens_text_notebooks_with_the_notebook_view(server):
    # The settings override in .venv becomes the default of the document manager's schema.
    plugin = get_json(f"{server}/lab/api/settings/@jupyterlab/docmanager-extension:plugin")
    viewers = plugin["schema"]["properties"]["defaultViewers"]["default"]
    for file_type in ("markdown", "myst", "python"):
        assert viewers[file_type] == "Jupytext Notebook", file_type


def test_every_chapter_and_problem_set_opens_on_the_cpu_kernel(server):
    # A text notebook without a kernelspec would get jupytext's pick: the first kernel found
    # that runs this python, which may be lstm-gpu. Every header names lstm-cpu instead.
    paths = sorted([*ROOT.glob("book/*.md"), *ROOT.glob("exercises/*.py"),
                    *ROOT.glob("solutions/*.py")])
    assert len(paths) > 20
    for path in paths:
        relative = path.relative_to(ROOT).as_posix()
        model = get_json(f"{server}/api/contents/{relative}")
        assert model["type"] == "notebook", relative
        assert model["content"]["metadata"]["kernelspec"]["name"] == "lstm-cpu", relative
    assert get_json(f"{server}/api/kernelspecs")["default"] == "lstm-cpu"


def test_the_root_lists_the_book_and_not_the_build_by_products(server):
    listed = {entry["name"] for entry in get_json(f"{server}/api/contents/")["content"]}
    assert {"book", "exercises", "solutions", "lstm_lib", "README.md"} <= listed
    assert (ROOT / "lstm_from_scratch.egg-info").is_dir()  # left by `pip install -e .`
    assert not {name for name in listed if name.endswith(".egg-info") or name.startswith(".")
                or name in {"__pycache__", "build"}}


def test_jupyterlab_asks_nothing_about_news_or_updates(server):
    plugin = get_json(f"{server}/lab/api/settings/@jupyterlab/apputils-extension:notification")
    properties = plugin["schema"]["properties"]
    assert properties["fetchNews"]["default"] == "false"
    assert properties["checkForUpdates"]["default"] is False
