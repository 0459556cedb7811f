"""One SQLAlchemy engine per database URL (psycopg 3 driver)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from nodes.sdk import AuteurError

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine


def sqlalchemy_url(url: str) -> str:
    """`postgresql://…` (what PostgreSQL tools print) names the psycopg 3 driver for SQLAlchemy."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url.removeprefix(prefix)
    return url


def connect(url: str) -> Engine:
    """An engine whose connections commit each statement unless a transaction is begun."""
    from sqlalchemy import create_engine

    # No pre-ping (a round trip per checkout): a connection broken by a database restart fails
    # one statement, and SQLAlchemy then discards the pool's connections.
    return create_engine(sqlalchemy_url(url), pool_size=8, max_overflow=8)


def autocommit(engine: Engine) -> Engine:
    """The same pool, each statement its own transaction: one round trip instead of three
    (BEGIN, the statement, COMMIT) for the single statements most store calls are."""
    return engine.execution_options(isolation_level="AUTOCOMMIT")


class DatabaseUnavailableError(AuteurError):
    """The database named by AUTEUR_DATABASE_URL cannot be reached or refused the connection."""

    code = "database_unavailable"


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
