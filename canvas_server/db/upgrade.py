"""`auteur db upgrade`: bring a PostgreSQL database to the newest schema (Alembic, the
migrations in `migrations/versions`), and the version a database is at."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from alembic.config import Config
    from sqlalchemy.engine import Engine

MIGRATIONS = Path(__file__).parent / "migrations"
# Two replicas starting at once upgrade the schema once: the second waits on this lock.
_UPGRADE_LOCK = 0x61757465  # "aute"


def _config() -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


def head() -> str:
    """The newest schema version this Auteur knows."""
    from alembic.script import ScriptDirectory

    revision = ScriptDirectory.from_config(_config()).get_current_head()
    assert revision is not None  # the initial migration exists
    return revision


def current(engine: Engine) -> str | None:
    """The version the database is at (None: never upgraded)."""
    from alembic.migration import MigrationContext

    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def upgrade(engine: Engine) -> str:
    """Apply every migration the database lacks; returns the version reached."""
    from alembic import command
    from sqlalchemy import text

    config = _config()
    with engine.begin() as connection:
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _UPGRADE_LOCK})
        config.attributes["connection"] = connection
        command.upgrade(config, "head")
    return head()

