"""Redelivery safety: the persistent result cache, read and written from a runner.

A worker that receives a task again after a crash returns the outputs the first delivery
already produced instead of running the node twice (a second take, a second upload, …).
It opens the same cache the executor uses (`<workspace>/.auteur/cache/`, or its index in
PostgreSQL with `AUTEUR_DATABASE_URL`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .result_cache import ResultCache, open_result_cache
from .task import NodeTask

CACHE_DIR = Path(".auteur") / "cache"


def open_cache(workspace_root: str, database_url: str | None = None) -> ResultCache:
    """The result cache of a workspace (keep it open: a worker reuses it for every task), in
    the database the server uses when it has one (`AUTEUR_DATABASE_URL`)."""
    root = Path(workspace_root)
    return open_result_cache(root / CACHE_DIR, root, database_url)


def lookup(cache: ResultCache, task: NodeTask) -> dict[str, Any] | None:
    """Outputs already stored for this task's cache key, if every file they name exists."""
    return cache.get(task.cache_key) if task.cache_key else None


def store(cache: ResultCache, task: NodeTask, outputs: dict[str, Any]) -> None:
    """Record outputs under the task's cache key, committed before the task is acked."""
    if task.cache_key:
        cache.put(task.cache_key, outputs)
        cache.flush()
