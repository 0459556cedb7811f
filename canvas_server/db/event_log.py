"""The event log in PostgreSQL, shared by every replica (the SQLite `EventLog`'s interface).

Implements `server.event_store.EventStore`: each event's number comes from one database
sequence (`next_seq`), whichever replica publishes it, so `last_seq` means the same on every
replica; each event of a run also gets the run's own
sequence (`run_seq`: 1, 2, … in publishing order), handed out by an atomic counter per run.
Appends are written once per event-loop tick, as in the SQLite log."""

from __future__ import annotations

import asyncio
import json
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from ..events import Event, build_event
from ..server.event_log import KEEP_EVENTS
from .engine import autocommit

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection, Engine

_COLUMNS = "seq, type, ts, run_id, project, data, owner"


class PgEventLog:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._single = autocommit(engine)
        self._pending: list[dict[str, Any]] = []
        self._flush_scheduled = False

    def next_seq(self) -> int:
        """The next event's number, unique across replicas."""
        return self._scalar("SELECT nextval('events_seq')")

    def last_seq(self) -> int:
        """The highest number handed out by any replica (0 before the first)."""
        return self._scalar("SELECT CASE WHEN is_called THEN last_value ELSE 0 END FROM events_seq")

    def _scalar(self, sql: str) -> int:
        from sqlalchemy import text

        with self._single.connect() as db:
            return int(db.execute(text(sql)).scalar_one())

    def append(self, event: Event) -> None:
        self._pending.append({"seq": event.seq, "type": event.type, "ts": event.ts, "run_id": event.run_id,
                              "project": event.project, "owner": event.owner,
                              "data": json.dumps(event.model_dump(mode="json")["data"])})
        self._schedule_flush()

    def after(self, seq: int, limit: int = 50_000) -> list[Event]:
        self.flush()
        return self._events(f"SELECT {_COLUMNS} FROM events WHERE seq > :seq ORDER BY seq LIMIT :n", seq=seq, n=limit)

    def of_run(self, run_id: str, after_run_seq: int = 0) -> list[Event]:
        """A run's events after its own sequence number `after_run_seq`, in that order."""
        self.flush()
        return self._events(f"SELECT {_COLUMNS} FROM events WHERE run_id = :r AND run_seq > :n ORDER BY run_seq",
                            r=run_id, n=after_run_seq)

    def has_run(self, run_id: str) -> bool:
        self.flush()
        return bool(self._events("SELECT seq, type, ts, run_id, project, data, owner FROM events "
                                 "WHERE run_id = :r LIMIT 1", r=run_id))

    def recent(self, limit: int) -> list[Event]:
        return self.after(max(0, self.last_seq() - limit), limit)

    def flush(self) -> None:
        self._flush_scheduled = False
        if not self._pending:
            return
        from sqlalchemy import text

        rows, self._pending = self._pending, []
        with self._engine.begin() as db:
            _number_per_run(db, rows)
            db.execute(text(f"INSERT INTO events ({_COLUMNS}, run_seq) VALUES (:seq, :type, :ts, :run_id, :project, "
                            ":data, :owner, :run_seq) ON CONFLICT (seq) DO NOTHING"), rows)
            newest = rows[-1]["seq"]
            if newest % 1000 < len(rows):  # about once per thousand events
                db.execute(text("DELETE FROM events WHERE seq <= :s"), {"s": newest - KEEP_EVENTS})

    def close(self) -> None:
        self.flush()

    def _events(self, sql: str, **params: Any) -> list[Event]:
        from sqlalchemy import text

        with self._single.connect() as db:
            rows = db.execute(text(sql), params).all()
        return [event for row in rows if (event := _rebuild(tuple(row))) is not None]

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


def _number_per_run(db: Connection, rows: list[dict[str, Any]]) -> None:
    """Give each row its run's next sequence numbers, in order: one counter update per run."""
    from sqlalchemy import text

    per_run: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        row["run_seq"] = None
        if row["run_id"] is not None:
            per_run.setdefault(row["run_id"], []).append(row)
    for run_id, of_run in sorted(per_run.items()):  # one lock order: replicas never deadlock
        last = int(db.execute(text(
            "INSERT INTO run_event_counters (run_id, last) VALUES (:r, :k) "
            "ON CONFLICT (run_id) DO UPDATE SET last = run_event_counters.last + :k RETURNING last"),
            {"r": run_id, "k": len(of_run)}).scalar_one())
        for number, row in enumerate(of_run, start=last - len(of_run) + 1):
            row["run_seq"] = number


def _rebuild(row: tuple[Any, ...]) -> Event | None:
    seq, event_type, ts, run_id, project, data, owner = row
    try:
        return build_event(event_type, json.loads(data), seq=seq, ts=ts, run_id=run_id, project=project, owner=owner)
    except (ValidationError, json.JSONDecodeError):  # written by an older, different schema
        return None
