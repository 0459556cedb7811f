"""Redelivery safety: the persistent result cache, read and written from a runner.

Uses the layout of the server's ResultCache (`<workspace>/.auteur/cache/<key[:2]>/<key>.json`,
written by rename) without importing canvas_server: a worker that receives a task again
after a crash returns the outputs the first delivery already produced instead of running
the node twice (a second take, a second upload, …).
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from .task import NodeTask

CACHE_DIR = Path(".auteur") / "cache"


def cache_file(workspace_root: str, key: str) -> Path:
    return Path(workspace_root) / CACHE_DIR / key[:2] / f"{key}.json"


def lookup(task: NodeTask) -> dict[str, Any] | None:
    """Outputs already stored for this task's cache key, if every file they name exists."""
    if not task.cache_key:
        return None
    try:
        data = json.loads(cache_file(task.workspace_root, task.cache_key).read_text("utf-8"))
    except (FileNotFoundError, json.JSONDecodeError):
        return None
    if not isinstance(data, dict):
        return None
    root = Path(task.workspace_root)
    if not all((root / path).is_file() for path in media_paths(data)):
        return None
    return data


def store(task: NodeTask, outputs: dict[str, Any]) -> None:
    """Record outputs under the task's cache key (atomically: readers never see half a file)."""
    if not task.cache_key:
        return
    path = cache_file(task.workspace_root, task.cache_key)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    tmp.write_text(json.dumps(outputs, separators=(",", ":")), encoding="utf-8")
    os.replace(tmp, path)


def media_paths(value: Any) -> list[str]:
    """Workspace-relative paths of every MediaRef-shaped dict inside `value`."""
    found: list[str] = []
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            if isinstance(item.get("path"), str) and isinstance(item.get("sha256"), str):
                found.append(item["path"])
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return found
