"""Schema versions for the SQLite stores (runs, events, result cache), with forward migrations.

A store lists its migrations in order; migration `n` brings a database from version `n` to
`n + 1`. The version lives in SQLite's own `PRAGMA user_version`, so a database written before
versions existed reads as version 0 and is carried forward on open. A database newer than the
code that opens it is refused rather than misread.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Sequence

Migration = Callable[[sqlite3.Connection], None]


class SchemaTooNewError(RuntimeError):
    """The database was written by a newer Auteur than this one."""


def schema_version(db: sqlite3.Connection) -> int:
    return int(db.execute("PRAGMA user_version").fetchone()[0])


def migrate(db: sqlite3.Connection, migrations: Sequence[Migration], *, name: str) -> int:
    """Apply every migration above the stored version, each in its own transaction; returns
    the version reached (`len(migrations)`)."""
    target = len(migrations)
    db.execute("BEGIN IMMEDIATE")  # two processes opening one store migrate it once
    try:
        current = schema_version(db)
        if current > target:
            raise SchemaTooNewError(
                f"{name} has schema version {current}, newer than this Auteur's {target}: upgrade Auteur"
            )
        for step in migrations[current:]:
            step(db)
        if current != target:
            db.execute(f"PRAGMA user_version = {target}")
        db.execute("COMMIT")
    except BaseException:
        db.execute("ROLLBACK")
        raise
    return target


def execute_script(ddl: str) -> Migration:
    """A migration made of plain statements (`;`-separated, no triggers)."""

    def step(db: sqlite3.Connection) -> None:
        for statement in filter(None, (part.strip() for part in ddl.split(";"))):
            db.execute(statement)

    return step
