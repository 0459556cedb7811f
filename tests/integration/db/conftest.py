"""One PostgreSQL server for the session's database tests; each test gets its own database,
copied from one migrated once (`migrated_url`) or empty (`database_url`)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from canvas_server.db import connect
from canvas_server.db.scratch import PostgresServer, postgres_server
from canvas_server.db.upgrade import upgrade

MIGRATED = "auteur_migrated"


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresServer]:
    with postgres_server() as server:
        engine = connect(server.database())
        upgrade(engine)
        url = engine.url.render_as_string(hide_password=False).replace("postgresql+psycopg://", "postgresql://")
        engine.dispose()
        import psycopg

        with psycopg.connect(server.url(), autocommit=True) as db:
            db.execute(f'ALTER DATABASE "{url.rsplit("/", 1)[1]}" RENAME TO "{MIGRATED}"')
        yield server


@pytest.fixture
def database_url(postgres: PostgresServer) -> str:
    """An empty database (never migrated)."""
    return postgres.database()


@pytest.fixture
def migrated_url(postgres: PostgresServer) -> str:
    """A database at the newest schema."""
    return postgres.database(template=MIGRATED)
