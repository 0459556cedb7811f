"""One SQLAlchemy engine per database URL (psycopg 3 driver)."""

from __future__ import annotations

from typing import TYPE_CHECKING

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
