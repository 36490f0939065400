"""Register the book's two Jupyter kernels and set up JupyterLab for the book.

Everything is written inside the virtual environment this script runs in (sys.prefix), never in the
user's home, so `rm -rf .venv` undoes it. Run by `make lab` / `make test`; safe to run again.

Kernels:
- lstm-cpu: GPUs hidden (CUDA_VISIBLE_DEVICES=-1), so results match the CI machines.
- lstm-gpu: sees every GPU; TF32 disabled (NVIDIA_TF32_OVERRIDE=0) so NumPy comparisons hold.

JupyterLab (settings overrides, share/jupyter/lab/settings/overrides.json): text notebooks open with
the notebook view; no news, update or other prompt unrelated to the book.
Jupyter server (etc/jupyter/jupyter_server_config.json): build by-products hidden from
the file browser (dot-folders such as .venv are hidden already); lstm-cpu the default kernel; no
request for news or updates leaves the machine.
"""

import json
import subprocess
import sys
from pathlib import Path

COMMON_ENV = {"TF_CPP_MIN_LOG_LEVEL": "2", "PYTHONHASHSEED": "0"}

KERNELS = {
    "lstm-cpu": (
        "Python 3 (LSTM book, CPU)",
        {"CUDA_VISIBLE_DEVICES": "-1", "LSTM_BOOK_KERNEL": "cpu"},
    ),
    "lstm-gpu": (
        "Python 3 (LSTM book, GPU)",
        {
            "NVIDIA_TF32_OVERRIDE": "0",
            "TF_FORCE_GPU_ALLOW_GROWTH": "true",
            "LSTM_BOOK_KERNEL": "gpu",
        },
    ),
}

# File types JupyterLab should open with the Jupytext notebook view on double-click.
DEFAULT_VIEWERS = {"markdown": "Jupytext Notebook", "myst": "Jupytext Notebook",
                   "python": "Jupytext Notebook"}

LAB_SETTINGS = {
    "@jupyterlab/docmanager-extension:plugin": {"defaultViewers": DEFAULT_VIEWERS},
    # "Would you like to receive official Jupyter news?" and the update check it leads to.
    "@jupyterlab/apputils-extension:notification": {"fetchNews": "false",
                                                    "checkForUpdates": False},
}

# Jupyter server's own list, then what `pip install -e .` leaves in the repository's root.
HIDE_GLOBS = ["__pycache__", "*.pyc", "*.pyo", ".DS_Store", "*~", "*.egg-info", "build"]

# nbgrader (a test dependency: CI proves its autograde agrees with ours) and notebook 7 bring
# menus, buttons and server extensions a learner has no use for; instructors who grade with
# nbgrader use its command line. Switched off in this environment only, as
# `jupyter labextension disable` and `jupyter server extension disable` would (but without
# starting Jupyter once per extension).
LAB_EXTENSIONS_OFF = ["@jupyter/nbgrader", "@jupyter-notebook/lab-extension"]
SERVER_EXTENSIONS_OFF = ["nbgrader.server_extensions.formgrader",
                         "nbgrader.server_extensions.assignment_list",
                         "nbgrader.server_extensions.course_list",
                         "nbgrader.server_extensions.validate_assignment"]


SERVER_CONFIG = {
    "ContentsManager": {"hide_globs": HIDE_GLOBS},
    "MappingKernelManager": {"default_kernel_name": "lstm-cpu"},
    "LabApp": {"news_url": None, "check_for_updates_class": "jupyterlab.NeverCheckForUpdate"},
    "ServerApp": {"jpserver_extensions": dict.fromkeys(SERVER_EXTENSIONS_OFF, False)},
}


def install_kernel(name: str, display_name: str, env: dict[str, str]) -> None:
    cmd = [sys.executable, "-m", "ipykernel", "install", "--prefix", sys.prefix,
           "--name", name, "--display-name", display_name]
    for key, value in {**COMMON_ENV, **env}.items():
        cmd += ["--env", key, value]
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)


def merge_json(path: Path, sections: dict) -> Path:
    """Update each section of the JSON object in path with its settings, keeping whatever else is
    there (the file is created if missing); return path."""
    path.parent.mkdir(parents=True, exist_ok=True)
    data = json.loads(path.read_text()) if path.exists() else {}
    for section, settings in sections.items():
        data.setdefault(section, {}).update(settings)
    path.write_text(json.dumps(data, indent=2) + "\n")
    return path


def write_lab_overrides() -> Path:
    path = Path(sys.prefix) / "share" / "jupyter" / "lab" / "settings" / "overrides.json"
    return merge_json(path, LAB_SETTINGS)


def write_server_config() -> Path:
    # Not jupyter_server_config.d/: the server reads only the extensions to enable from there.
    path = Path(sys.prefix) / "etc" / "jupyter" / "jupyter_server_config.json"
    return merge_json(path, SERVER_CONFIG)


def write_page_config() -> Path:
    path = Path(sys.prefix) / "etc" / "jupyter" / "labconfig" / "page_config.json"
    return merge_json(path, {"disabledExtensions": dict.fromkeys(LAB_EXTENSIONS_OFF, True)})


def main() -> None:
    if sys.prefix == sys.base_prefix:
        sys.exit("teaching_tools.setup_jupyter: run me with the virtual environment's python, "
                 "not the system's")
    for name, (display_name, env) in KERNELS.items():
        install_kernel(name, display_name, env)
    lab, server = write_lab_overrides(), write_server_config()
    write_page_config()
    print(f"kernels {', '.join(KERNELS)} registered in {sys.prefix}; "
          f"lab settings in {lab}; server settings in {server}")


if __name__ == "__main__":
    main()
