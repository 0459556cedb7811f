"""The persisted event log: WebSocket sequence numbers continue across server restarts, and a
client that reconnects with its `last_seq` after a restart still receives what it missed.

Events are appended to SQLite (`<workspace>/.auteur/events.sqlite3`, WAL) and committed once
per event-loop tick, so a burst of events from one scheduling round costs one transaction.
"""

from __future__ import annotations

import asyncio
import json
import sqlite3
from pathlib import Path

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
# v1: the first versioned schema; v2: events found by run (a run id is never reused: `has_run`).
MIGRATIONS: tuple[Migration, ...] = (execute_script(_SCHEMA),
                                     execute_script("CREATE INDEX IF NOT EXISTS events_run ON events (run_id)"))


class EventLog:
    """Append-only store of published events, trimmed to the newest `KEEP_EVENTS`."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.execute("PRAGMA busy_timeout=5000")
        self.schema_version = migrate(self._db, MIGRATIONS, name=str(path))
        self._pending: list[tuple[int, str, float, str | None, str | None, str]] = []
        self._flush_scheduled = False

    def last_seq(self) -> int:
        row = self._db.execute("SELECT MAX(seq) FROM events").fetchone()
        return int(row[0] or 0)

    def append(self, event: Event) -> None:
        self._pending.append((event.seq, event.type, event.ts, event.run_id, event.project,
                              json.dumps(event.model_dump(mode="json")["data"])))
        self._schedule_flush()

    def after(self, seq: int, limit: int = 50_000) -> list[Event]:
        """Stored events with a sequence number above `seq`, oldest first."""
        self.flush()
        rows = self._db.execute(
            "SELECT seq, type, ts, run_id, project, data FROM events WHERE seq > ? ORDER BY seq LIMIT ?",
            (seq, limit)).fetchall()
        return [event for row in rows if (event := _rebuild(row)) is not None]

    def has_run(self, run_id: str) -> bool:
        """Whether any stored event names this run (also one deleted before ids were retired)."""
        self.flush()
        return self._db.execute("SELECT 1 FROM events WHERE run_id = ? LIMIT 1", (run_id,)).fetchone() is not None

    def recent(self, limit: int) -> list[Event]:
        return self.after(max(0, self.last_seq() - limit), limit)

    def flush(self) -> None:
        self._flush_scheduled = False
        if not self._pending:
            return
        rows, self._pending = self._pending, []
        with self._db:
            self._db.execute("BEGIN")
            self._db.executemany("INSERT OR REPLACE INTO events VALUES (?, ?, ?, ?, ?, ?)", rows)
            newest = rows[-1][0]
            if newest % 1000 < len(rows):  # about once per thousand events
                self._db.execute("DELETE FROM events WHERE seq <= ?", (newest - KEEP_EVENTS,))

    def close(self) -> None:
        self.flush()
        self._db.close()

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


def _rebuild(row: tuple[int, str, float, str | None, str | None, str]) -> Event | None:
    seq, event_type, ts, run_id, project, data = row
    try:
        return build_event(event_type, json.loads(data), seq=seq, ts=ts, run_id=run_id, project=project)
    except (ValidationError, json.JSONDecodeError):  # written by an older, different schema
        return None
