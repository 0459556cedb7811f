"""One PostgreSQL server for the session's database tests (tests/integration/db, and the
security lines that need a PostgreSQL-backed server): one database migrated once and
emptied before each test that uses it (`migrated_url`), or a new empty one (`database_url`).
While it runs, AUTEUR_DB_LOOP_GUARD=1 (inherited by the servers the tests start): any statement
on an event loop's thread fails loudly (canvas_server.db.engine)."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from canvas_server.db.engine import LOOP_GUARD
from canvas_server.db.scratch import PostgresServer, postgres_server


def _empty() -> str:
    from canvas_server.db import schema  # SQLAlchemy loads only for the tests that use PostgreSQL


    sequences = (schema.runs_order, schema.turns, schema.event_numbers)
    return "; ".join([f"TRUNCATE {', '.join(table.name for table in schema.metadata.sorted_tables)}",
                      *(f"ALTER SEQUENCE {sequence.name} RESTART" for sequence in sequences)])


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresServer]:
    before = os.environ.get(LOOP_GUARD)
    os.environ[LOOP_GUARD] = "1"
    try:
        with postgres_server() as server:
            yield server
    finally:
        if before is None:
            del os.environ[LOOP_GUARD]
        else:
            os.environ[LOOP_GUARD] = before


@pytest.fixture(scope="session")
def _migrated(postgres: PostgresServer) -> str:
    from canvas_server.db import connect
    from canvas_server.db.upgrade import upgrade

    url = postgres.database()
    engine = connect(url)
    upgrade(engine)
    engine.dispose()
    return url


@pytest.fixture
def database_url(postgres: PostgresServer) -> str:
    """An empty database (never migrated)."""
    return postgres.database()


@pytest.fixture
def migrated_url(_migrated: str) -> str:
    """The database at the newest schema, emptied (no rows, numbering from 1)."""
    import psycopg

    with psycopg.connect(_migrated, autocommit=True) as db:
        db.execute(_empty())
    return _migrated
