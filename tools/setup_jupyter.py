"""Register the book's two Jupyter kernels and make JupyterLab open text notebooks as notebooks.

Everything is written inside the virtual environment this script runs in (sys.prefix), never in the
user's home, so `rm -rf .venv` undoes it. Run by `make lab` / `make test`; safe to run again.

Kernels:
- lstm-cpu: GPUs hidden (CUDA_VISIBLE_DEVICES=-1), so results match the CI machines.
- lstm-gpu: sees every GPU; TF32 disabled (NVIDIA_TF32_OVERRIDE=0) so NumPy comparisons hold.
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


def install_kernel(name: str, display_name: str, env: dict[str, str]) -> None:
    cmd = [sys.executable, "-m", "ipykernel", "install", "--prefix", sys.prefix,
           "--name", name, "--display-name", display_name]
    for key, value in {**COMMON_ENV, **env}.items():
        cmd += ["--env", key, value]
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)


def write_lab_overrides() -> Path:
    path = Path(sys.prefix) / "share" / "jupyter" / "lab" / "settings" / "overrides.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    overrides = json.loads(path.read_text()) if path.exists() else {}
    overrides.setdefault("@jupyterlab/docmanager-extension:plugin", {})["defaultViewers"] = (
        DEFAULT_VIEWERS)
    path.write_text(json.dumps(overrides, indent=2) + "\n")
    return path


def main() -> None:
    if sys.prefix == sys.base_prefix:
        sys.exit("setup_jupyter.py: run me with the virtual environment's python, not the system's")
    for name, (display_name, env) in KERNELS.items():
        install_kernel(name, display_name, env)
    path = write_lab_overrides()
    print(f"kernels {', '.join(KERNELS)} registered in {sys.prefix}; lab settings in {path}")


if __name__ == "__main__":
    main()
