"""Run a submission's cells in a kernel of its own, under limits the submission cannot lift.

    with Kernel("lstm-cpu", workdir, memory_mb=4096) as k:
        outcome = k.run(code, timeout=60, max_output=1_000_000)

nbclient executes each cell (the messages, the outputs, noticing a kernel that died); this module
adds the limits. `Outcome.status` is one of
- "ok", "error" (the cell raised: `ename`, `evalue`),
- "timeout" (still running after `timeout` s: interrupted, and killed if it ignores that),
- "output flood" (printed more than `max_output` characters: interrupted likewise; what it
  printed past the limit is counted, not kept),
- "crashed" (the kernel died: os._exit, a segfault, the memory limit...),
- "not run" (the kernel had died or been killed before this cell).

Once the kernel is dead or had to be killed, every later cell is "not run". The kernel runs in
`workdir` with HOME there too, through sandbox.py's memory and file-size limits; its own stdout
and stderr (not the cells' outputs, which arrive as messages) go to workdir/../kernel.log.
Each Kernel has an event loop of its own, so that submissions can be graded in threads.
"""

import asyncio
import contextlib
import logging
import os
import signal
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import nbformat
from jupyter_client import AsyncKernelManager
from nbclient import NotebookClient
from nbclient.exceptions import DeadKernelError

SANDBOX = str(Path(__file__).with_name("sandbox.py"))
GRACE = 5.0  # seconds a cell gets to stop after an interrupt before the kernel is killed
PRINTING = ("stream", "execute_result", "display_data", "update_display_data")

# nbclient logs a timeout or a dead kernel as an error; here they are outcomes, not news.
_QUIET = logging.getLogger(__name__)
_QUIET.addHandler(logging.NullHandler())
_QUIET.propagate = False


@dataclass
class Outcome:
    status: str
    ename: str = ""
    evalue: str = ""
    seconds: float = 0.0


class _Client(NotebookClient):
    """nbclient's executor, counting the characters a cell prints and saying when it floods."""

    def watch_output(self, max_output):
        self.printed, self.max_output = 0, max_output
        self.flooded = asyncio.Event()
        return self.flooded

    def process_message(self, msg, cell, cell_index):
        if msg["msg_type"] in PRINTING:
            content = msg["content"]
            self.printed += len(content.get("text", "")) + sum(
                len(str(v)) for v in content.get("data", {}).values())
            if self.printed > self.max_output:
                self.flooded.set()
                return None
        return super().process_message(msg, cell, cell_index)


async def _cancel_pending():
    """Stop what nbclient left running (its watch on the kernel's life, after a kill)."""
    pending = asyncio.all_tasks() - {asyncio.current_task()}
    for task in pending:
        task.cancel()
    await asyncio.gather(*pending, return_exceptions=True)


class Kernel:
    def __init__(self, name, workdir, memory_mb=4096, file_mb=64, startup_timeout=60):
        self.workdir = Path(workdir)
        self.log = self.workdir.parent / "kernel.log"
        self.name, self.memory_mb, self.file_mb = name, memory_mb, file_mb
        self.startup_timeout = startup_timeout
        self.loop = asyncio.new_event_loop()
        self.km = self.client = None
        self.dead = False

    def __enter__(self):
        try:
            self.loop.run_until_complete(self._start())
        except BaseException:
            with contextlib.suppress(Exception):
                self.__exit__()
            raise
        return self

    def __exit__(self, *exc):
        try:
            if self.km is not None:
                self.loop.run_until_complete(self._stop())
        finally:
            self.loop.run_until_complete(_cancel_pending())
            self.loop.close()
        return False

    def run(self, code, timeout=60.0, max_output=1_000_000):
        if self.dead:
            return Outcome("not run")
        return self.loop.run_until_complete(self._run(code, timeout, max_output))

    async def _start(self):
        self.km = AsyncKernelManager(kernel_name=self.name)
        spec = self.km.kernel_spec
        spec.argv = [sys.executable, SANDBOX, f"--memory-mb={self.memory_mb}",
                     f"--file-mb={self.file_mb}", "--", *spec.argv]
        self.km.connection_file = str(self.workdir.parent / "kernel.json")
        self.client = _Client(nbformat.v4.new_notebook(), km=self.km, timeout=None,
                              allow_errors=True, startup_timeout=int(self.startup_timeout),
                              log=_QUIET)
        env = {**os.environ, "HOME": str(self.workdir), "MPLBACKEND": "Agg",
               "JUPYTER_RUNTIME_DIR": str(self.workdir.parent / "runtime"),
               "PYTHONDONTWRITEBYTECODE": "1"}
        with open(self.log, "wb") as log:
            await self.client.async_start_new_kernel(cwd=str(self.workdir), env=env,
                                                     stdout=log, stderr=log)
        await self.client.async_start_new_kernel_client()

    async def _stop(self):
        if self.client is not None and self.client.kc is not None:
            self.client.kc.stop_channels()
        try:
            if await self.km.is_alive():
                await self.km.shutdown_kernel(now=True)
        finally:
            await self.km.cleanup_resources()

    async def _run(self, code, timeout, max_output):
        start = time.monotonic()
        cell = nbformat.v4.new_code_cell(code)
        self.client.nb.cells.append(cell)
        flooded = self.client.watch_output(max_output)
        execution = asyncio.ensure_future(self.client.async_execute_cell(
            cell, len(self.client.nb.cells) - 1, store_history=False))
        flood = asyncio.ensure_future(flooded.wait())
        await asyncio.wait({execution, flood}, timeout=timeout,
                           return_when=asyncio.FIRST_COMPLETED)
        flood.cancel()
        trouble = "output flood" if flooded.is_set() else None
        if not execution.done():
            trouble = trouble or "timeout"
            await self._interrupt()
            await asyncio.wait({execution}, timeout=GRACE)
        if not execution.done():
            self.dead = True
            execution.cancel()
            await asyncio.gather(execution, return_exceptions=True)
            await self.km.shutdown_kernel(now=True)
            return Outcome(trouble, "", "the kernel did not stop when interrupted, so it was "
                           "killed", time.monotonic() - start)
        seconds = time.monotonic() - start
        if isinstance(execution.exception(), DeadKernelError):
            self.dead = True
            return Outcome("crashed", "", self._death(), seconds)
        execution.result()  # any other trouble of nbclient's is the grader's: raise it
        if trouble is not None:
            return Outcome(trouble, seconds=seconds)
        error = next((out for out in cell.outputs if out.output_type == "error"), None)
        if error is not None:
            return Outcome("error", error.get("ename", ""), error.get("evalue", ""), seconds)
        return Outcome("ok", seconds=seconds)

    async def _interrupt(self):
        try:
            await self.km.interrupt_kernel()
        except Exception:  # noqa: BLE001 - a kernel that cannot be interrupted gets killed
            pass

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
