"""Persistent, content-addressed result cache: node outputs by Merkle key.

Indexed in one SQLite database under the workspace (`.auteur/cache/cache.sqlite3`, WAL), or in
PostgreSQL when the server and its workers share one (`AUTEUR_DATABASE_URL`:
`function_runners.database.PgCacheIndex`), so it survives restarts and every process sharing
the workspace reads the same entries. Writes are
buffered and committed in batches — one transaction per scheduling round instead of one file
per node — and an in-memory map in front makes fully cached re-runs cheap.
"""

from __future__ import annotations

import asyncio
import json
import sqlite3
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from .schema_version import Migration, execute_script, migrate

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

FLUSH_EVERY = 256
PRELOAD_BATCH = 500  # keys per SELECT … IN (…), well under SQLite's variable limit
MEMORY_ENTRIES = 100_000  # in-memory front, least recently used evicted first
_SCHEMA = "CREATE TABLE IF NOT EXISTS results (key TEXT PRIMARY KEY, outputs TEXT NOT NULL)"
_ENCODER = json.JSONEncoder(separators=(",", ":"))
MIGRATIONS: tuple[Migration, ...] = (execute_script(_SCHEMA),)  # v1: the first versioned schema


class CacheIndex(Protocol):
    """Where entries are kept: outputs (JSON text) by key. `shared`: a database other processes
    and machines share (PostgreSQL), asked by the server off its event loop only."""

    shared: bool

    def read(self, keys: Sequence[str]) -> dict[str, str]: ...
    def write(self, rows: list[tuple[str, str]]) -> None: ...
    def delete(self, key: str) -> None: ...
    def close(self) -> None: ...


class SqliteIndex:
    """`<directory>/cache.sqlite3` (WAL): safe for the processes of one machine sharing it."""

    shared = False

    def __init__(self, directory: Path) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        self.path = directory / "cache.sqlite3"
        self._db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.execute("PRAGMA busy_timeout=5000")
        self.schema_version = migrate(self._db, MIGRATIONS, name=str(self.path))

    def read(self, keys: Sequence[str]) -> dict[str, str]:
        found: dict[str, str] = {}
        for start in range(0, len(keys), PRELOAD_BATCH):
            batch = list(keys[start:start + PRELOAD_BATCH])
            marks = ",".join("?" * len(batch))
            found.update(self._db.execute(f"SELECT key, outputs FROM results WHERE key IN ({marks})", batch))
        return found

    def write(self, rows: list[tuple[str, str]]) -> None:
        with self._db:
            self._db.execute("BEGIN")
            self._db.executemany("INSERT OR REPLACE INTO results VALUES (?, ?)", rows)

    def delete(self, key: str) -> None:
        self._db.execute("DELETE FROM results WHERE key = ?", (key,))

    def close(self) -> None:
        self._db.close()


class ResultCache:
    """Node outputs keyed by cache key; entries whose media files vanished are misses.
    `index`: where entries are kept (default: the SQLite file in `directory`)."""

    def __init__(self, directory: Path, workspace_root: Path | None = None, index: CacheIndex | None = None) -> None:
        self.index = index if index is not None else SqliteIndex(directory)
        self.workspace_root = workspace_root
        # Each entry with the media paths its outputs name (found on the first hit, checked on
        # every hit).
        self._memory: OrderedDict[str, tuple[dict[str, Any], tuple[str, ...] | None]] = OrderedDict()
        self._pending: dict[str, str] = {}
        # Keys a preload found absent: misses without a query until stored. (Another process
        # storing one meanwhile only costs a redundant execution.)
        self._absent: set[str] = set()
        # Keys whose media vanished, to delete from a shared index at the next flush (off the loop).
        self._deleted: set[str] = set()
        self._lock = threading.Lock()
        # A shared index is written by `flush` only, which its owner calls off the event loop
        # (the executor after each scheduling round, a worker after each task), never by `put`.
        self.shared = self.index.shared

    def get(self, key: str) -> dict[str, Any] | None:
        entry = self._memory.get(key)
        if entry is None:
            if key in self._absent or key in self._deleted:
                return None
            if self.shared and _on_event_loop():
                # Not preloaded (evicted from memory since): a miss, never a query on the loop.
                return None
            outputs = self._read(key)
            if outputs is None:
                return None
            entry = self._remember(key, outputs)
        else:
            self._memory.move_to_end(key)
        outputs, media = entry
        if media is None:
            media = tuple(_media_paths(outputs))
            self._memory[key] = outputs, media
        if media and not self._media_present(media):
            self.discard(key)
            return None
        return outputs

    def preload(self, keys: Iterable[str]) -> None:
        """Read many keys' entries (a run's plan) in a few queries instead of one per node."""
        wanted = [key for key in keys if key not in self._memory and key not in self._deleted]
        found: dict[str, str] = {}
        with self._lock:
            found.update(self.index.read(wanted))
            found.update((key, self._pending[key]) for key in wanted if key in self._pending)
        if len(self._absent) + len(wanted) > MEMORY_ENTRIES:
            self._absent.clear()
        for key in wanted:
            text = found.get(key)
            if text is None:
                self._absent.add(key)
            elif isinstance(data := json.loads(text), dict):
                self._remember(key, data)

    def put(self, key: str, outputs: dict[str, Any]) -> None:
        self._absent.discard(key)
        self._deleted.discard(key)
        self._remember(key, outputs)
        with self._lock:
            self._pending[key] = _ENCODER.encode(outputs)
            due = len(self._pending) >= FLUSH_EVERY
        if due and not self.shared:
            self.flush()

    def flush(self) -> None:
        """Commit buffered entries in one transaction (and a shared index's discarded keys)."""
        with self._lock:
            deleted, self._deleted = self._deleted, set()
            for key in deleted:
                self.index.delete(key)
            if not self._pending:
                return
            rows, self._pending = list(self._pending.items()), {}
            self.index.write(rows)

    def discard(self, key: str) -> None:
        self._memory.pop(key, None)
        with self._lock:
            self._pending.pop(key, None)
            if self.shared:  # deleted by the next flush, which its owner calls off the event loop
                self._deleted.add(key)
            else:
                self.index.delete(key)

    def close(self) -> None:
        self.flush()
        self.index.close()

    def _remember(self, key: str, outputs: dict[str, Any]) -> tuple[dict[str, Any], tuple[str, ...] | None]:
        entry = self._memory[key] = outputs, None
        self._memory.move_to_end(key)
        if len(self._memory) > MEMORY_ENTRIES:
            self._memory.popitem(last=False)
        return entry

    def _read(self, key: str) -> dict[str, Any] | None:
        with self._lock:
            pending = self._pending.get(key)
            text = pending or self.index.read([key]).get(key)
        if text is None:
            return None
        data = json.loads(text)
        return data if isinstance(data, dict) else None

    def _media_present(self, paths: tuple[str, ...]) -> bool:
        if self.workspace_root is None:
            return True
        return all((self.workspace_root / path).is_file() for path in paths)


def _on_event_loop() -> bool:
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return False
    return True


def open_result_cache(directory: Path, workspace_root: Path | None, database_url: str | None,
                      engine_for: Callable[[str], Engine] | None = None) -> ResultCache:
    """A workspace's cache (`directory`: its `.auteur/cache`), indexed in PostgreSQL when
    `database_url` is set (replicas and workers on several machines), else in the SQLite file.
    `engine_for`: how the server makes its engines (its loop guard and text check), else the
    workers' plain one."""
    if database_url:
        from .database import PgCacheIndex, connect  # SQLAlchemy loads only when a database is set

        return ResultCache(directory, workspace_root, index=PgCacheIndex((engine_for or connect)(database_url)))
    return ResultCache(directory, workspace_root)


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
