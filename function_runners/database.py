"""The PostgreSQL database the server replicas and their workers share (`AUTEUR_DATABASE_URL`):
one SQLAlchemy engine per URL (psycopg 3), and the result cache's index in it (`PgCacheIndex`,
the table the server's migrations create). SQLAlchemy is imported only when a URL is set."""

from __future__ import annotations

from collections.abc import Sequence
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


class PgCacheIndex:
    """The result cache's entries in the `results` table (`function_runners.result_cache.CacheIndex`)."""

    shared = True

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._single = autocommit(engine)

    def read(self, keys: Sequence[str]) -> dict[str, str]:
        if not keys:
            return {}
        from sqlalchemy import bindparam, text

        statement = text("SELECT key, outputs FROM results WHERE key IN :keys").bindparams(
            bindparam("keys", expanding=True))
        with self._single.connect() as db:
            return {str(key): str(outputs) for key, outputs in db.execute(statement, {"keys": list(keys)})}

    def write(self, rows: list[tuple[str, str]]) -> None:
        from sqlalchemy import text

        with self._engine.begin() as db:
            db.execute(text("INSERT INTO results (key, outputs) VALUES (:k, :o) "
                            "ON CONFLICT (key) DO UPDATE SET outputs = excluded.outputs"),
                       [{"k": key, "o": outputs} for key, outputs in rows])

    def delete(self, key: str) -> None:
        from sqlalchemy import text

        with self._single.connect() as db:
            db.execute(text("DELETE FROM results WHERE key = :k"), {"k": key})

    def close(self) -> None:
        self._engine.dispose()
