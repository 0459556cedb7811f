"""The event log in PostgreSQL, shared by every replica (the SQLite `EventLog`'s interface).

Implements `server.event_store.EventStore`: each event's number comes from one database
sequence (`next_seq`), whichever replica publishes it, so `last_seq` means the same on every
replica; each event of a run also gets the run's own
sequence (`run_seq`: 1, 2, … in publishing order), handed out by an atomic counter per run.
Appends are written once per event-loop tick, as in the SQLite log."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..events import Event
from ..server.event_log import COLUMNS, BufferedEventLog, rebuild
from .engine import autocommit

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection, Engine


class PgEventLog(BufferedEventLog):
    def __init__(self, engine: Engine) -> None:
        super().__init__()
        self._engine = engine
        self._single = autocommit(engine)

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

    def after(self, seq: int, limit: int = 50_000) -> list[Event]:
        self.flush()
        return self._events(f"SELECT {COLUMNS} FROM events WHERE seq > :seq ORDER BY seq LIMIT :n", seq=seq, n=limit)

    def of_run(self, run_id: str, after_run_seq: int = 0) -> list[Event]:
        """A run's events after its own sequence number `after_run_seq`, in that order."""
        self.flush()
        return self._events(f"SELECT {COLUMNS} FROM events WHERE run_id = :r AND run_seq > :n ORDER BY run_seq",
                            r=run_id, n=after_run_seq)

    def has_run(self, run_id: str) -> bool:
        self.flush()
        return bool(self._events(f"SELECT {COLUMNS} FROM events WHERE run_id = :r LIMIT 1", r=run_id))

    def _write(self, rows: list[dict[str, Any]], trim_below: int | None) -> None:
        from sqlalchemy import text

        with self._engine.begin() as db:
            _number_per_run(db, rows)
            db.execute(text(f"INSERT INTO events ({COLUMNS}, run_seq) VALUES (:seq, :type, :ts, :run_id, :project, "
                            ":data, :owner, :run_seq) ON CONFLICT (seq) DO NOTHING"), rows)
            if trim_below is not None:
                db.execute(text("DELETE FROM events WHERE seq <= :s"), {"s": trim_below})

    def _events(self, sql: str, **params: Any) -> list[Event]:
        from sqlalchemy import text

        with self._single.connect() as db:
            rows = db.execute(text(sql), params).all()
        return [event for row in rows if (event := rebuild(tuple(row))) is not None]


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
