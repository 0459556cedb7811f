"""Alembic's environment: the connection comes from `canvas_server.db.upgrade` (config
attribute `connection`), never from an alembic.ini."""

from __future__ import annotations

from alembic import context

from canvas_server.db.schema import metadata

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=metadata, transaction_per_migration=True)
with context.begin_transaction():
    context.run_migrations()
