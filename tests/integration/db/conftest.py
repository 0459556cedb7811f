"""One PostgreSQL server for the session's database tests: one database migrated once and
emptied before each test that uses it (`migrated_url`), or a new empty one (`database_url`)."""

from __future__ import annotations

from collections.abc import Iterator

import psycopg
import pytest

from canvas_server.db import connect
from canvas_server.db.schema import event_numbers, metadata, runs_order, turns
from canvas_server.db.scratch import PostgresServer, postgres_server
from canvas_server.db.upgrade import upgrade

_EMPTY = "; ".join([f"TRUNCATE {', '.join(table.name for table in metadata.sorted_tables)}",
                    *(f"ALTER SEQUENCE {sequence.name} RESTART" for sequence in (runs_order, turns, event_numbers))])


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresServer]:
    with postgres_server() as server:
        yield server


@pytest.fixture(scope="session")
def _migrated(postgres: PostgresServer) -> str:
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
    with psycopg.connect(_migrated, autocommit=True) as db:
        db.execute(_EMPTY)
    return _migrated
