"""The default Function Runner: a pool of spawned processes on this machine.

Each process keeps its warm model cache between tasks. Cancelling a task first sets a
cooperative flag, then kills the process group after a short grace period and starts a
replacement process; a process that dies mid-task is reported as the node's error and
replaced, so the pool never hangs.
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import os
import shutil
import signal
import socket
import threading
import time
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from pathlib import Path
from typing import Any

from .base import TaskCallbacks
from .cancel_flag import CancelFlag
from .local_worker import runner_label, worker_main
from .task import NodeResult, NodeTask, TaskError, TaskTimings

log = logging.getLogger("auteur.runner")
CANCEL_GRACE_S = 0.3
CLOSE_GRACE_S = 2.0
_SPAWN = multiprocessing.get_context("spawn")


@dataclass
class _Worker:
    process: BaseProcess
    conn: Connection
    cancel_flag: CancelFlag
    ready: asyncio.Future[int]
    pending: asyncio.Future[NodeResult] | None = None
    callbacks: TaskCallbacks = field(default_factory=TaskCallbacks)
    task: NodeTask | None = None

    @property
    def pid(self) -> int:
        assert self.process.pid is not None
        return self.process.pid


class LocalRunner:
    """A spawn-based process pool; `capacity` is its number of processes."""

    def __init__(self, workers: int | None = None, load_plugins: list[str] | None = None) -> None:
        self.size = max(1, workers or os.cpu_count() or 1)
        self.load_plugins = load_plugins
        self.host = socket.gethostname()
        self.name = f"local:{self.host}"
        # None wakes a waiting task when no process could start (see _on_ready).
        self._idle: asyncio.Queue[_Worker | None] | None = None
        self._workers: list[_Worker] = []
        self._loop: asyncio.AbstractEventLoop | None = None
        self._start_failure: str | None = None
        self._closed = False

    def capacity(self, tier: str) -> int:
        return self.size

    async def start(self) -> None:
        """Spawn the processes without waiting for them: each takes tasks once it has loaded
        its packs (tasks wait for it), so a server does not wait for them to be ready."""
        self._loop = asyncio.get_running_loop()
        self._idle = asyncio.Queue()
        for _ in range(self.size):
            self._spawn()

    async def ready(self) -> None:
        """Until every process has loaded its packs (for callers that time the tasks alone);
        raises when one could not start."""
        await asyncio.gather(*(worker.ready for worker in list(self._workers)))

    def healthy(self) -> bool:
        """The pool needs no service; crashed workers are replaced as they are found."""
        return not self._closed

    async def run(self, task: NodeTask, callbacks: TaskCallbacks) -> NodeResult:
        assert self._idle is not None, "LocalRunner.start() was not awaited"
        worker = await self._next_worker(self._idle)
        worker.pending = asyncio.get_running_loop().create_future()
        worker.callbacks, worker.task = callbacks, task
        try:
            worker.conn.send(task.model_dump(mode="json"))
            result = await asyncio.shield(worker.pending)
        except asyncio.CancelledError:
            await self._cancel(worker)
            raise
        worker.pending, worker.task = None, None
        if result.error is not None:
            _remove_partial_output(task)
        await self._release(worker)
        return result

    async def close(self) -> None:
        """Ask every process to exit, then kill any that does not within the grace period.

        A clean exit lets each process release its multiprocessing semaphores; killing it
        outright left them to the resource tracker ("leaked semaphore objects" at exit).
        """
        self._closed = True
        for worker in self._workers:
            if worker.ready.done():
                _ask_to_exit(worker)
            else:  # still loading its packs: it holds no task, and would read the pipe late
                _kill_group(worker)
        deadline = time.monotonic() + CLOSE_GRACE_S
        for worker in self._workers:
            worker.process.join(timeout=max(0.0, deadline - time.monotonic()))
            if worker.process.is_alive():
                _kill_group(worker)
                worker.process.join(timeout=2)
            worker.conn.close()
        self._workers.clear()

    def pids(self) -> list[int]:
        """Process ids of the live pool processes (for tests and `auteur doctor`)."""
        return [worker.pid for worker in self._workers]

    # -- process management -------------------------------------------------------------

    def _spawn(self) -> _Worker:
        assert self._loop is not None
        parent_conn, child_conn = _SPAWN.Pipe()
        cancel_flag = CancelFlag(_SPAWN)
        process = _SPAWN.Process(
            target=worker_main,
            args=(child_conn, cancel_flag, self.load_plugins, self.host),
            name="auteur-local-runner",
            daemon=True,
        )
        process.start()
        child_conn.close()
        worker = _Worker(process, parent_conn, cancel_flag, self._loop.create_future())
        self._workers.append(worker)
        worker.ready.add_done_callback(lambda ready: self._on_ready(worker, ready))
        threading.Thread(target=self._read, args=(worker,), daemon=True).start()
        return worker

    def _on_ready(self, worker: _Worker, ready: asyncio.Future[int]) -> None:
        assert self._idle is not None
        if ready.cancelled():
            return
        if ready.exception() is None:
            self._idle.put_nowait(worker)
            return
        self._start_failure = str(ready.exception())
        killed = (worker.process.exitcode or 0) < 0  # by a signal: the server is being stopped
        log.log(logging.DEBUG if killed else logging.WARNING, "%s", self._start_failure)
        if not self._workers:  # none left to wait for: wake the tasks waiting for one
            self._idle.put_nowait(None)

    async def _next_worker(self, idle: asyncio.Queue[_Worker | None]) -> _Worker:
        worker = await idle.get()
        if worker is None:
            idle.put_nowait(None)  # for the next waiter too
            raise RuntimeError(self._start_failure or "no local runner process could start")
        return worker

    def _read(self, worker: _Worker) -> None:
        """Reader thread: forward a worker's messages to the event loop until it exits."""
        assert self._loop is not None
        while True:
            try:
                message: Any = worker.conn.recv()
            except (EOFError, OSError, TypeError):  # TypeError: handle closed under recv
                self._call(self._on_exit, worker)
                return
            self._call(self._on_message, worker, message)

    def _call(self, callback: Any, *args: Any) -> None:
        assert self._loop is not None
        if not self._closed and not self._loop.is_closed():
            try:
                self._loop.call_soon_threadsafe(callback, *args)
            except RuntimeError:  # the loop closed between the check and the call
                pass

    def _on_message(self, worker: _Worker, message: tuple[Any, ...]) -> None:
        kind = message[0]
        if kind == "ready":
            if not worker.ready.done():
                worker.ready.set_result(message[1])
        elif kind == "progress":
            worker.callbacks.progress(message[1], message[2])
        elif kind == "event":
            worker.callbacks.emit(message[1], message[2])
        elif kind == "result" and worker.pending is not None and not worker.pending.done():
            worker.pending.set_result(NodeResult.model_validate(message[1]))

    def _on_exit(self, worker: _Worker) -> None:
        worker.process.join(timeout=1)
        if worker in self._workers:
            self._workers.remove(worker)
        if not worker.ready.done():
            worker.ready.set_exception(RuntimeError(_spawn_failure(worker)))
        if worker.pending is not None and not worker.pending.done():
            worker.pending.set_result(_crash_result(worker))
        if not self._closed and worker.task is not None:
            # The process died under a task (crash, OOM kill): replace it.
            worker.task = None
            self._replace()

    def _replace(self) -> None:
        self._spawn()  # it joins the idle queue once ready (_on_ready)

    async def _release(self, worker: _Worker) -> None:
        assert self._idle is not None
        if worker in self._workers and worker.process.is_alive():
            self._idle.put_nowait(worker)

    async def _cancel(self, worker: _Worker) -> None:
        """Ask nicely, then kill the whole process group and start a replacement."""
        worker.cancel_flag.set()
        pending = worker.pending
        if pending is not None:
            try:
                await asyncio.wait_for(asyncio.shield(pending), CANCEL_GRACE_S)
            except (TimeoutError, asyncio.CancelledError):
                pass
        task = worker.task
        worker.task = None  # the exit handler must not replace it a second time
        if pending is not None and pending.done():
            worker.pending = None
            await self._release(worker)
        else:
            _kill_group(worker)
            self._replace()
        if task is not None:
            _remove_partial_output(task)


def _ask_to_exit(worker: _Worker) -> None:
    """The worker loop returns on a None message (a busy worker is killed after the grace)."""
    try:
        worker.conn.send(None)
    except (OSError, ValueError):
        pass


def _kill_group(worker: _Worker) -> None:
    try:
        os.killpg(worker.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    if worker.process.is_alive():
        worker.process.kill()


def _remove_partial_output(task: NodeTask) -> None:
    shutil.rmtree(Path(task.scratch_dir), ignore_errors=True)


def _crash_result(worker: _Worker) -> NodeResult:
    code = worker.process.exitcode
    task = worker.task
    node = f"node {task.node_id} ({task.type})" if task else "a task"
    now = time.time()
    error = TaskError(
        code="runner_crashed",
        error_type="RunnerProcessDied",
        message=f"runner process {worker.pid} died with exit code {code} while running {node}",
        details={"exit_code": code, "pid": worker.pid},
    )
    return NodeResult(runner=runner_label(socket.gethostname(), worker.pid), error=error,
                      timings=TaskTimings(started_at=now, finished_at=now))


def _spawn_failure(worker: _Worker) -> str:
    return f"local runner process {worker.pid} exited at start (code {worker.process.exitcode})"
