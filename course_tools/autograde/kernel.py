"""Run a submission's cells in a kernel of its own, under limits the submission cannot lift.

    with Kernel("lstm-cpu", workdir, memory_mb=4096) as k:
        outcome = k.run(code, timeout=60, max_output=1_000_000)

`Outcome.status` is one of
- "ok", "error" (the cell raised: `ename`, `evalue`),
- "timeout" (still running after `timeout` s: interrupted, and killed if it ignores that),
- "output flood" (printed more than `max_output` characters: interrupted likewise),
- "crashed" (the kernel died: os._exit, a segfault, the memory limit...),
- "not run" (the kernel had died or been killed before this cell).

Once the kernel is dead or had to be killed, every later cell is "not run". The kernel runs in
`workdir` with HOME there too, through sandbox.py's memory and file-size limits; its own stdout
and stderr (not the cells' outputs, which arrive as messages) go to workdir/../kernel.log.
"""

import os
import signal
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from queue import Empty

from jupyter_client import KernelManager

SANDBOX = str(Path(__file__).with_name("sandbox.py"))
GRACE = 5.0  # seconds a cell gets to stop after an interrupt before the kernel is killed


@dataclass
class Outcome:
    status: str
    ename: str = ""
    evalue: str = ""
    seconds: float = 0.0


class Kernel:
    def __init__(self, name, workdir, memory_mb=4096, file_mb=64, startup_timeout=60):
        self.workdir = Path(workdir)
        self.km = KernelManager(kernel_name=name)
        spec = self.km.kernel_spec
        spec.argv = [sys.executable, SANDBOX, f"--memory-mb={memory_mb}",
                     f"--file-mb={file_mb}", "--", *spec.argv]
        self.km.connection_file = str(self.workdir.parent / "kernel.json")
        self.startup_timeout = startup_timeout
        self.kc = None
        self.dead = False
        self.log = self.workdir.parent / "kernel.log"

    def __enter__(self):
        env = {**os.environ, "HOME": str(self.workdir), "MPLBACKEND": "Agg",
               "JUPYTER_RUNTIME_DIR": str(self.workdir.parent / "runtime"),
               "PYTHONDONTWRITEBYTECODE": "1"}
        with open(self.log, "wb") as log:
            self.km.start_kernel(cwd=str(self.workdir), env=env, stdout=log, stderr=log)
        self.kc = self.km.client()
        self.kc.start_channels()
        self.kc.wait_for_ready(timeout=self.startup_timeout)
        return self

    def __exit__(self, *exc):
        if self.kc is not None:
            self.kc.stop_channels()
        try:
            if self.km.is_alive():
                self.km.shutdown_kernel(now=True)
        finally:
            self.km.cleanup_resources()
        return False

    def run(self, code, timeout=60.0, max_output=1_000_000):
        if self.dead:
            return Outcome("not run")
        start = time.monotonic()
        msg_id = self.kc.execute(code, store_history=False, allow_stdin=False,
                                 stop_on_error=False)
        deadline = start + timeout
        printed, trouble, error = 0, None, None
        while True:
            try:
                wait = max(0.05, min(1.0, deadline - time.monotonic()))
                msg = self.kc.get_iopub_msg(timeout=wait)
            except Empty:
                msg = None
            if msg is None or msg["parent_header"].get("msg_id") != msg_id:
                if not self.km.is_alive():
                    self.dead = True
                    return Outcome("crashed", "", self._death(), time.monotonic() - start)
                if trouble is None and time.monotonic() > deadline:
                    trouble, deadline = "timeout", self._interrupt()
                elif trouble is not None and time.monotonic() > deadline:
                    return self._kill(trouble, start)
                continue
            kind, content = msg["msg_type"], msg["content"]
            if kind == "status" and content.get("execution_state") == "idle":
                break
            if kind == "error":
                error = content
            elif kind in ("stream", "execute_result", "display_data", "update_display_data"):
                printed += len(content.get("text", "")) + sum(
                    len(str(v)) for v in content.get("data", {}).values())
                if printed > max_output and trouble is None:
                    trouble, deadline = "output flood", self._interrupt()
        seconds = time.monotonic() - start
        if trouble is not None:
            return Outcome(trouble, seconds=seconds)
        if error is not None:
            return Outcome("error", error.get("ename", ""), error.get("evalue", ""), seconds)
        return Outcome("ok", seconds=seconds)

    def _interrupt(self):
        try:
            self.km.interrupt_kernel()
        except Exception:  # noqa: BLE001 - a kernel that cannot be interrupted gets killed
            pass
        return time.monotonic() + GRACE

    def _kill(self, status, start):
        self.dead = True
        self.km.shutdown_kernel(now=True)
        return Outcome(status, "", "the kernel did not stop when interrupted, so it was killed",
                       time.monotonic() - start)

    def _death(self):
        """'exit code 3', 'killed by SIGSEGV', and the fatal error the kernel logged, if any."""
        process = getattr(self.km.provisioner, "process", None)
        code = process.poll() if process is not None else None
        if code is None:
            how = ""
        elif code < 0:
            try:
                how = f"killed by {signal.Signals(-code).name}"
            except ValueError:
                how = f"killed by signal {-code}"
        else:
            how = f"exit code {code}"
        try:
            lines = self.log.read_text(errors="replace").splitlines()
        except OSError:
            lines = []
        fatal = [ln.strip() for ln in lines if "Fatal Python error" in ln or "MemoryError" in ln]
        return "; ".join(x for x in (how, fatal[-1][:160] if fatal else "") if x)
