"""One SQLAlchemy engine per database URL (psycopg 3 driver: `function_runners.database`, which
the workers share), the one way a database that is away is reported, and the guard that proves
no statement runs on the event loop (`AUTEUR_DB_LOOP_GUARD`)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from function_runners.database import autocommit, sqlalchemy_url
from function_runners.database import connect as _engine_for
from nodes.sdk import AuteurError

from ..offloop import on_event_loop

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

__all__ = [
    "LOOP_GUARD",
    "DatabaseUnavailableError",
    "OnEventLoopError",
    "TextNotStorableError",
    "autocommit",
    "connect",
    "reachable",
    "sqlalchemy_url",
]

# Set (to 1) by the PostgreSQL test fixtures and the replicas they start: a statement executed on
# a thread running an event loop then fails loudly instead of silently stalling every request.
LOOP_GUARD = "AUTEUR_DB_LOOP_GUARD"


class DatabaseUnavailableError(AuteurError):
    """The database named by AUTEUR_DATABASE_URL cannot be reached or refused the connection."""

    code = "database_unavailable"


class OnEventLoopError(RuntimeError):
    """A PostgreSQL statement was about to run on an event loop's thread (`off_loop` it)."""


class TextNotStorableError(AuteurError):
    """Text PostgreSQL cannot hold: a NUL character (its text type refuses it) or a lone
    surrogate (no UTF-8 encoding). Such text never names anything stored, and is never stored."""

    code = "request_invalid"


def connect(url: str) -> Engine:
    """The server's engine for `url`: a statement given text PostgreSQL cannot hold is refused
    (`TextNotStorableError`, a 4xx) before it is sent; with AUTEUR_DB_LOOP_GUARD=1 any statement
    on a thread that runs an asyncio event loop is refused too."""
    from sqlalchemy import event

    engine = _engine_for(url)
    event.listen(engine, "before_cursor_execute", _refuse_unstorable_text)
    if os.environ.get(LOOP_GUARD) == "1":
        event.listen(engine, "before_cursor_execute", _refuse_on_loop)
    return engine


def _refuse_unstorable_text(_connection: Any, _cursor: Any, _statement: str, parameters: Any, *_: Any) -> None:
    rows = parameters if isinstance(parameters, list | tuple) else [parameters]
    for row in rows:
        values = row.values() if isinstance(row, dict) else row if isinstance(row, list | tuple) else ()
        for value in values:
            if isinstance(value, str) and not storable(value):
                raise TextNotStorableError(
                    "text holding a NUL character (\\u0000) or a lone surrogate (\\ud800-\\udfff) cannot be "
                    "stored or looked up; send valid Unicode text without NUL", details={})


def storable(text: str) -> bool:
    """Whether PostgreSQL's text type can hold `text`: no NUL, valid UTF-8 (no lone surrogate)."""
    if "\x00" in text:
        return False
    if text.isascii():
        return True
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _refuse_on_loop(_connection: Any, _cursor: Any, statement: str, *_: Any) -> None:
    if not on_event_loop():  # a store's pool thread, the CLI, a test
        return
    raise OnEventLoopError(f"PostgreSQL statement on the event loop's thread (call it through off_loop): "
                           f"{' '.join(statement.split())[:200]}")


@contextmanager
def reachable() -> Iterator[None]:
    """Turn a failed connection into DatabaseUnavailableError: one line naming the setting and
    the driver's reason (its first line: host and port, never the URL's password)."""
    from sqlalchemy.exc import OperationalError

    try:
        yield
    except OperationalError as exc:
        reason = (str(exc.orig).strip().splitlines() or [type(exc.orig).__name__])[0]
        raise DatabaseUnavailableError(
            f"PostgreSQL at AUTEUR_DATABASE_URL cannot be used ({reason}); start it, fix the URL or unset "
            "AUTEUR_DATABASE_URL", details={}) from None
