"""Persistent, content-addressed result cache: outputs by Merkle key, under the workspace.

One JSON file per key (`ab/abcdef….json`), written atomically, so every runner sharing the
workspace can read it and a crash never leaves a torn entry. An in-memory map in front
makes fully cached re-runs cheap.
"""

from __future__ import annotations

import json
import os
import threading
from pathlib import Path
from typing import Any


class ResultCache:
    """Node outputs keyed by cache key; entries whose media files vanished are misses."""

    def __init__(self, directory: Path, workspace_root: Path | None = None) -> None:
        self.directory = directory
        self.workspace_root = workspace_root
        self._memory: dict[str, dict[str, Any]] = {}
        self._shards: set[str] = set()
        self._root = str(directory)
        self.directory.mkdir(parents=True, exist_ok=True)

    def _path(self, key: str) -> str:
        return os.path.join(self._root, key[:2], f"{key}.json")

    def get(self, key: str) -> dict[str, Any] | None:
        outputs = self._memory.get(key)
        if outputs is None:
            outputs = self._read(key)
            if outputs is None:
                return None
            self._memory[key] = outputs
        if not self._media_present(outputs):
            self._memory.pop(key, None)
            return None
        return outputs

    def put(self, key: str, outputs: dict[str, Any]) -> None:
        self._memory[key] = outputs
        path = self._path(key)
        if key[:2] not in self._shards:
            os.makedirs(os.path.dirname(path), exist_ok=True)
            self._shards.add(key[:2])
        # Write-then-rename: readers in other processes never see a torn entry.
        tmp = f"{path}.{os.getpid()}.{threading.get_ident()}.tmp"
        with open(tmp, "w", encoding="utf-8") as handle:
            handle.write(json.dumps(outputs, separators=(",", ":")))
        os.replace(tmp, path)

    def discard(self, key: str) -> None:
        self._memory.pop(key, None)
        Path(self._path(key)).unlink(missing_ok=True)

    def _read(self, key: str) -> dict[str, Any] | None:
        try:
            with open(self._path(key), encoding="utf-8") as handle:
                data = json.load(handle)
        except (FileNotFoundError, json.JSONDecodeError):
            return None
        return data if isinstance(data, dict) else None

    def _media_present(self, outputs: dict[str, Any]) -> bool:
        if self.workspace_root is None:
            return True
        return all((self.workspace_root / path).is_file() for path in _media_paths(outputs))


def _media_paths(value: Any) -> list[str]:
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
