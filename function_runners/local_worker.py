"""The body of one local runner process: receive tasks on a pipe, run them, answer.

Runs in a spawned child. It becomes the leader of its own process group so the parent can
kill it together with every process a node started (ffmpeg, …) with one `killpg`.
"""

from __future__ import annotations

import multiprocessing
import os
from multiprocessing.connection import Connection
from typing import Any

from nodes.sdk import ModelCache, discover

from .cancel_flag import CancelFlag
from .execute import execute_task
from .parent_death import die_with_parent
from .task import NodeTask


def runner_label(host: str, pid: int) -> str:
    return f"local:{host}:{pid}"


def worker_main(conn: Connection, cancel_flag: CancelFlag, load_plugins: list[str] | None, host: str) -> None:
    """Serve tasks until the pipe closes. Messages out: ("progress", f, step),
    ("event", type, data), ("result", NodeResult dict)."""
    os.setsid()
    parent = multiprocessing.parent_process()
    die_with_parent(parent.pid if parent is not None else None)  # no orphans after a kill -9
    registry = discover(only=load_plugins)
    models = ModelCache()  # warm models live as long as this process
    label = runner_label(host, os.getpid())
    conn.send(("ready", os.getpid()))
    while True:
        try:
            message: Any = conn.recv()
        except (EOFError, KeyboardInterrupt):
            return
        if message is None:
            return
        task = NodeTask.model_validate(message)
        cancel_flag.clear()
        result = execute_task(
            task,
            registry,
            models,
            runner=label,
            progress=lambda fraction, step: conn.send(("progress", fraction, step)),
            is_cancelled=cancel_flag.is_set,
            emit=lambda event_type, data: conn.send(("event", event_type, data)),
        )
        conn.send(("result", result.model_dump(mode="json")))
