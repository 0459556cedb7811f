"""One SQLAlchemy engine per database URL (psycopg 3 driver: `function_runners.database`, which
the workers share), and the one way a database that is away is reported."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from function_runners.database import autocommit, connect, sqlalchemy_url
from nodes.sdk import AuteurError

__all__ = ["DatabaseUnavailableError", "autocommit", "connect", "reachable", "sqlalchemy_url"]


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
