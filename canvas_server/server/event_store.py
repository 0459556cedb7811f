"""What the event bus needs from the store that keeps events: the one place their numbers
come from, and the log a reconnecting client replays from.

SQLite (`event_log.EventLog`) is the embedded default: one server numbers its events itself.
A store shared by several replicas (PostgreSQL) hands out numbers from the database, so an
event is numbered once, by the replica that publishes it, and `last_seq` means the same on
every replica a client may reconnect to (docs/architecture.md §13).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from ..events import Event


class EventStore(Protocol):
    """The event bus's store: numbering, appending, replay and lookup by run.

    `shared`: numbered by a database other servers share. Such a store is never asked on the
    event loop: what is published there goes to `store_later` (numbered and stored on the
    store's own writer thread, handed back to `on_numbered` in order), its readers are called
    through `off_loop`."""

    shared: bool

    def next_seq(self) -> int:
        """A new event number, above every number handed out before by any server sharing
        this store (numbers may arrive out of order across servers, never twice)."""

    def last_seq(self) -> int:
        """The highest number stored (or handed out), 0 for an empty store."""

    def append(self, event: Event) -> None:
        """Keep one published event (it may be written a moment later, in a batch)."""

    def store_later(self, event: Event) -> None:
        """A shared store's: number and store `event` (its `seq` set then) off the loop."""

    def on_numbered(self, numbered: Callable[[list[Event]], None]) -> None:
        """A shared store's: `numbered` hears each batch `store_later` numbered, in order."""

    def after(self, seq: int, limit: int = 50_000) -> list[Event]:
        """Stored events numbered above `seq`, lowest first."""

    def has_run(self, run_id: str) -> bool:
        """Whether any stored event names this run."""

    def recent(self, limit: int) -> list[Event]:
        """About the newest `limit` events, lowest number first."""

    def flush(self) -> None:
        """Write what `append` kept so far."""

    def close(self) -> None:
        """Flush and let go of the store."""
