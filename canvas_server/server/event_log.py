"""The persisted event log: WebSocket sequence numbers continue across server restarts, and a
client that reconnects with its `last_seq` after a restart still receives what it missed.

Events are appended to SQLite (`<workspace>/.auteur/events.sqlite3`, WAL) and committed once
per event-loop tick, so a burst of events from one scheduling round costs one transaction.
That buffering, `recent` and the rebuilding of stored rows are `BufferedEventLog`'s, shared with
the PostgreSQL log (`canvas_server.db.event_log`); each backend only numbers, writes and reads.
"""

from __future__ import annotations

import asyncio
import json
import sqlite3
import threading
from abc import ABC, abstractmethod
from collections.abc import Callable
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from function_runners.schema_version import Migration, execute_script, migrate

from ..events import Event, build_event

KEEP_EVENTS = 200_000
_SCHEMA = """
CREATE TABLE IF NOT EXISTS events (
    seq INTEGER PRIMARY KEY, type TEXT NOT NULL, ts REAL NOT NULL,
    run_id TEXT, project TEXT, data TEXT NOT NULL
)
"""
COLUMNS = "seq, type, ts, run_id, project, data, owner"  # what is stored of an event, in this order


def _record_owners(runs_db: Path | None) -> Migration:
    """v3: each event records the principal owning its run (replay decides by it, docs/architecture.md §8).
    Events already stored get the owner of the run their id names now, but only those published
    since that run was created: an older event of the same id belongs to a run deleted before
    ids were retired, its owner unknown (NULL: only an admin, or a reader of its project, sees it)."""

    def step(db: sqlite3.Connection) -> None:
        db.execute("ALTER TABLE events ADD COLUMN owner TEXT")
        if runs_db is None or not runs_db.exists():
            return
        source = sqlite3.connect(f"file:{runs_db}?mode=ro", uri=True)
        try:
            runs = source.execute("SELECT run_id, principal, created_at FROM runs").fetchall()
        except sqlite3.OperationalError:  # not a run store (yet): nothing to attribute
            runs = []
        finally:
            source.close()
        db.executemany("UPDATE events SET owner = ? WHERE run_id = ? AND ts >= ?",
                       [(principal, run_id, created_at) for run_id, principal, created_at in runs])

    return step


def migrations(runs_db: Path | None = None) -> tuple[Migration, ...]:
    """v1: the first versioned schema; v2: events found by run (a run id is never reused:
    `has_run`); v3: each event's owner, attributed from the run store `runs_db`."""
    return (execute_script(_SCHEMA),
            execute_script("CREATE INDEX IF NOT EXISTS events_run ON events (run_id)"),
            _record_owners(runs_db))


class BufferedEventLog(ABC):
    """An event store (`event_store.EventStore`) whose appends are kept and written together
    once per event-loop tick (one transaction per scheduling round), trimmed to the newest
    `KEEP_EVENTS`. A backend numbers (`next_seq`, `last_seq`), writes a batch of rows
    (`_write`, one dict per event: `COLUMNS`) and reads (`after`, `has_run`)."""

    # Whether the numbers come from a database other servers share (see `event_store.EventStore`).
    shared = False

    def __init__(self) -> None:
        self._pending: list[dict[str, Any]] = []
        self._flush_scheduled = False

    @abstractmethod
    def next_seq(self) -> int: ...

    @abstractmethod
    def last_seq(self) -> int: ...

    @abstractmethod
    def after(self, seq: int, limit: int = 50_000) -> list[Event]:
        """Stored events with a sequence number above `seq`, oldest first (flushed first)."""

    @abstractmethod
    def has_run(self, run_id: str) -> bool:
        """Whether any stored event names this run (also one deleted before ids were retired)."""

    @abstractmethod
    def _write(self, rows: list[dict[str, Any]], trim_below: int | None) -> None:
        """Store `rows` in one transaction; with `trim_below`, delete the events numbered up to it."""

    def append(self, event: Event) -> None:
        self._pending.append(row_of(event))
        self._schedule_flush()

    def store_later(self, event: Event) -> None:
        """A shared log's: number and store `event` on its writer thread (`on_numbered` hears it)."""
        raise NotImplementedError(f"{type(self).__name__} numbers events as they are published")

    def on_numbered(self, numbered: Callable[[list[Event]], None]) -> None:
        """A shared log's: `numbered(events)` is called, on its writer thread, with each batch
        `store_later` numbered, in order (stored right after, before the next batch)."""
        raise NotImplementedError(f"{type(self).__name__} numbers events as they are published")

    def recent(self, limit: int) -> list[Event]:
        return self.after(max(0, self.last_seq() - limit), limit)

    def flush(self) -> None:
        self._flush_scheduled = False
        if not self._pending:
            return
        rows, self._pending = self._pending, []
        self._write(rows, trim_below(rows))

    def close(self) -> None:
        self.flush()

    def _schedule_flush(self) -> None:
        if self._flush_scheduled:
            return
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:  # published outside the event loop (tests, shutdown): write now
            self.flush()
            return
        self._flush_scheduled = True
        loop.call_soon(self.flush)


def row_of(event: Event) -> dict[str, Any]:
    """What is stored of an event (`COLUMNS`)."""
    return {"seq": event.seq, "type": event.type, "ts": event.ts, "run_id": event.run_id, "project": event.project,
            "owner": event.owner, "data": json.dumps(event.model_dump(mode="json")["data"])}


def trim_below(rows: list[dict[str, Any]]) -> int | None:
    """About once per thousand events, the oldest beyond KEEP_EVENTS go: the number they go up to."""
    newest = int(rows[-1]["seq"])
    return newest - KEEP_EVENTS if newest % 1000 < len(rows) else None


def rebuild(row: tuple[Any, ...]) -> Event | None:
    """The event of a stored row (`COLUMNS`), or None for one written by an older, different schema."""
    seq, event_type, ts, run_id, project, data, owner = row
    try:
        return build_event(event_type, json.loads(data), seq=seq, ts=ts, run_id=run_id, project=project, owner=owner)
    except (ValidationError, json.JSONDecodeError):
        return None


class EventLog(BufferedEventLog):
    """The SQLite event log. `runs_db`: the run store whose owners events stored before v3 are
    attributed to."""

    def __init__(self, path: Path, runs_db: Path | None = None) -> None:
        super().__init__()
        path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.execute("PRAGMA busy_timeout=5000")
        self.schema_version = migrate(self._db, migrations(runs_db), name=str(path))
        # One server owns an SQLite event log (the workspace lock): it numbers in memory.
        self._numbered = self._stored_max()
        self._numbering = threading.Lock()

    def next_seq(self) -> int:
        with self._numbering:
            self._numbered += 1
            return self._numbered

    def last_seq(self) -> int:
        return max(self._numbered, self._stored_max())

    def _stored_max(self) -> int:
        row = self._db.execute("SELECT MAX(seq) FROM events").fetchone()
        return int(row[0] or 0)

    def after(self, seq: int, limit: int = 50_000) -> list[Event]:
        self.flush()
        rows = self._db.execute(f"SELECT {COLUMNS} FROM events WHERE seq > ? ORDER BY seq LIMIT ?",
                                (seq, limit)).fetchall()
        return [event for row in rows if (event := rebuild(row)) is not None]

    def has_run(self, run_id: str) -> bool:
        self.flush()
        return self._db.execute("SELECT 1 FROM events WHERE run_id = ? LIMIT 1", (run_id,)).fetchone() is not None

    def _write(self, rows: list[dict[str, Any]], trim_below: int | None) -> None:
        with self._db:
            self._db.execute("BEGIN")
            self._db.executemany(f"INSERT OR REPLACE INTO events ({COLUMNS}) VALUES "
                                 "(:seq, :type, :ts, :run_id, :project, :data, :owner)", rows)
            if trim_below is not None:
                self._db.execute("DELETE FROM events WHERE seq <= ?", (trim_below,))

    def close(self) -> None:
        super().close()
        self._db.close()
