"""The server's state in PostgreSQL (`AUTEUR_DATABASE_URL`), behind the same store interfaces
as the embedded SQLite stores: the run queue (`PgRunStore`), the event log (`PgEventLog`),
the replicas' leases, and the schema's Alembic migrations (`auteur db upgrade`).

SQLAlchemy is imported only here and only when a database URL is set, so `make run` (SQLite)
starts as fast as before."""

from __future__ import annotations

from .engine import connect, sqlalchemy_url

__all__ = ["connect", "sqlalchemy_url"]
