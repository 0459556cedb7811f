"""The event log in PostgreSQL, shared by every replica (the SQLite `EventLog`'s interface).

Implements `server.event_store.EventStore`: each event's number comes from one database
sequence (`next_seq`), whichever replica publishes it, so `last_seq` means the same on every
replica; each event of a run also gets the run's own
sequence (`run_seq`: 1, 2, … in publishing order), handed out by an atomic counter per run.

No statement runs on the event loop: what a server publishes there is handed to the log's
numbering thread (`store_later`), which numbers each batch (one statement) and hands it back
(`on_numbered`) to be delivered and on to the log's one storing thread, which commits the
batches in that order: numbers, delivery and commits follow the order the events were handed
over, by construction, and delivery never waits for a commit.
Events published where no loop runs (tests, the CLI, shutdown) are numbered at once and written
in a batch, as in the SQLite log."""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from ..events import Event
from ..server.event_log import COLUMNS, BufferedEventLog, rebuild, row_of, trim_below
from .engine import autocommit

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection, Engine


log = logging.getLogger("auteur.events")
# What the numbering thread is handed: an event, a flush's marker (set once everything handed
# before it is stored) or None (stop); it passes on to the storing thread numbered batches, the
# markers and the stop, in the same order.
_Handed = Event | threading.Event | None
_Numbered = list[Event] | threading.Event | None


class PgEventLog(BufferedEventLog):
    shared = True

    def __init__(self, engine: Engine) -> None:
        super().__init__()
        self._engine = engine
        self._single = autocommit(engine)
        self._handed: queue.SimpleQueue[_Handed] = queue.SimpleQueue()
        self._to_store: queue.SimpleQueue[_Numbered] = queue.SimpleQueue()
        self._numbered: Callable[[list[Event]], None] = lambda events: None
        # Two threads, one order: numbering never waits for a commit, commits follow numbering.
        self._threads = (threading.Thread(target=self._number_handed, name="auteur-event-numbers", daemon=True),
                         threading.Thread(target=self._store_numbered, name="auteur-event-log", daemon=True))
        for thread in self._threads:
            thread.start()

    def store_later(self, event: Event) -> None:
        self._handed.put(event)

    def on_numbered(self, numbered: Callable[[list[Event]], None]) -> None:
        self._numbered = numbered

    def flush(self) -> None:
        """Write what was appended, and wait until what was handed over before is stored."""
        super().flush()
        if self._threads[1].is_alive() and threading.current_thread() not in self._threads:
            done = threading.Event()
            self._handed.put(done)
            done.wait(30)

    def close(self) -> None:
        self._handed.put(None)
        for thread in self._threads:
            thread.join(30)
        super().close()

    def _number_handed(self) -> None:
        """Each batch (what was handed over meanwhile) numbered in the order handed, handed back
        to `on_numbered` at once (delivery waits for one statement, as when the loop numbered),
        then passed on to be stored."""
        while True:
            batch = _drain(self._handed)
            events = [item for item in batch if item is not None and not isinstance(item, threading.Event)]
            if events:
                try:
                    self._number(events)
                except Exception:  # the database is away: these events are lost, later ones still go
                    log.exception("%d events could not be numbered", len(events))
                else:
                    self._numbered(events)
                    self._to_store.put(events)
            for item in batch:
                if item is None or isinstance(item, threading.Event):
                    self._to_store.put(item)
            if None in batch:
                return

    def _store_numbered(self) -> None:
        """The numbered batches waiting, stored together in one transaction, in their order."""
        while True:
            batch = _drain(self._to_store)
            events = [event for item in batch if isinstance(item, list) for event in item]
            if events:
                try:
                    self._store(events)
                except Exception:  # the database is away: delivered, not stored
                    log.exception("%d events could not be stored", len(events))
            for item in batch:
                if isinstance(item, threading.Event):
                    item.set()
            if None in batch:
                return

    def _number(self, events: list[Event]) -> None:
        """Each event's number from the database's sequence, in the order of `events`."""
        from sqlalchemy import text

        with self._single.connect() as db:
            numbers = sorted(int(number) for number in db.execute(
                text("SELECT nextval('events_seq') FROM generate_series(1, :n)"), {"n": len(events)}).scalars())
        for event, number in zip(events, numbers, strict=True):
            event.seq = number

    def _store(self, events: list[Event]) -> None:
        rows = [row_of(event) for event in events]
        self._write(rows, trim_below(rows))

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
        with self._engine.begin() as db:
            self._insert(db, rows, trim_below)

    @staticmethod
    def _insert(db: Connection, rows: list[dict[str, Any]], trim_below: int | None) -> None:
        from sqlalchemy import text

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


def _drain(handed: queue.SimpleQueue[Any]) -> list[Any]:
    """The next item (waiting for it), and every item already behind it."""
    batch = [handed.get()]
    while True:
        try:
            batch.append(handed.get_nowait())
        except queue.Empty:
            return batch
