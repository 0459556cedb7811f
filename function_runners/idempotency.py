"""Redelivery safety: the persistent result cache, read and written from a runner.

A worker that receives a task again after a crash returns the outputs the first delivery
already produced instead of running the node twice (a second take, a second upload, …).
It opens the same SQLite cache the executor uses (`<workspace>/.auteur/cache/`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .result_cache import ResultCache
from .task import NodeTask

CACHE_DIR = Path(".auteur") / "cache"


def open_cache(workspace_root: str) -> ResultCache:
    """The result cache of a workspace (keep it open: a worker reuses it for every task)."""
    root = Path(workspace_root)
    return ResultCache(root / CACHE_DIR, root)


def lookup(cache: ResultCache, task: NodeTask) -> dict[str, Any] | None:
    """Outputs already stored for this task's cache key, if every file they name exists."""
    return cache.get(task.cache_key) if task.cache_key else None


def store(cache: ResultCache, task: NodeTask, outputs: dict[str, Any]) -> None:
    """Record outputs under the task's cache key, committed before the task is acked."""
    if task.cache_key:
        cache.put(task.cache_key, outputs)
        cache.flush()
