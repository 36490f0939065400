"""The installed JupyterLab serves the text notebooks as notebooks and lists the book's kernels."""

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
        [str(JUPYTER), "lab", "--no-browser", "--ip=127.0.0.1", f"--port={port}",
         f"--IdentityProvider.token={TOKEN}", f"--ServerApp.root_dir={ROOT}",
         "--ServerApp.port_retries=0", *(["--allow-root"] if os.geteuid() == 0 else [])],
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
