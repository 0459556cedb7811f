"""One server per workspace: an exclusive `fcntl` lock on `<workspace>/.auteur/server.lock`,
held for the server's lifetime.

The run queue lives in the workspace's SQLite store and a starting server recovers it (runs
left `running` are queued again): a second server on the same workspace would take over the
live queue of the first. The kernel drops the lock when its holder dies, even by `kill -9`,
so a stale file never blocks a restart. The file names the holder (pid, address) so the
refusal can say who has the workspace.
"""

from __future__ import annotations

import fcntl
import json
import os
import time
from pathlib import Path
from typing import IO

from nodes.sdk import AuteurError

LOCK_NAME = "server.lock"


class WorkspaceBusyError(AuteurError):
    """Another live server holds this workspace."""

    code = "workspace_busy"


class WorkspaceLock:
    """The held lock; `release()` (or the process ending) gives it back."""

    def __init__(self, handle: IO[str], path: Path) -> None:
        self._handle: IO[str] | None = handle
        self.path = path

    def release(self) -> None:
        if self._handle is not None:
            fcntl.flock(self._handle, fcntl.LOCK_UN)
            self._handle.close()
            self._handle = None


def _holder(path: Path) -> str:
    try:
        data = json.loads(path.read_text(encoding="utf-8") or "{}")
    except (OSError, ValueError):
        data = {}
    return f"pid {data.get('pid', '?')} at {data.get('address', 'an unknown address')}"


def acquire(state_dir: Path, address: str) -> WorkspaceLock:
    """Take the workspace or raise WorkspaceBusyError naming the server that has it."""
    state_dir.mkdir(parents=True, exist_ok=True)
    path = state_dir / LOCK_NAME
    handle = path.open("a+", encoding="utf-8")
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.close()
        raise WorkspaceBusyError(
            f"this workspace ({state_dir.parent}) is already served by {_holder(path)}; "
            "stop that server or use another workspace (AUTEUR_WORKSPACE)",
            details={"lock": LOCK_NAME},
        ) from None
    handle.seek(0)
    handle.truncate()
    handle.write(json.dumps({"pid": os.getpid(), "address": address, "since": time.time()}))
    handle.flush()
    return WorkspaceLock(handle, path)
