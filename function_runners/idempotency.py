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


def _open(task: NodeTask) -> ResultCache:
    root = Path(task.workspace_root)
    return ResultCache(root / CACHE_DIR, root)


def lookup(task: NodeTask) -> dict[str, Any] | None:
    """Outputs already stored for this task's cache key, if every file they name exists."""
    if not task.cache_key:
        return None
    cache = _open(task)
    try:
        return cache.get(task.cache_key)
    finally:
        cache.close()


def store(task: NodeTask, outputs: dict[str, Any]) -> None:
    """Record outputs under the task's cache key (committed before the task is acked)."""
    if not task.cache_key:
        return
    cache = _open(task)
    try:
        cache.put(task.cache_key, outputs)
    finally:
        cache.close()
