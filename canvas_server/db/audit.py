"""The audit log in PostgreSQL (`governance.audit.AuditStore`), one row per line, written by
whichever replica ran the action."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..governance.audit import AuditEntry, AuditUnavailableError
from .engine import autocommit

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine


class PgAudit:
    def __init__(self, engine: Engine) -> None:
        self._single = autocommit(engine)

    def append(self, entry: AuditEntry) -> None:
        from sqlalchemy import text
        from sqlalchemy.exc import SQLAlchemyError

        try:
            with self._single.connect() as db:
                db.execute(text("INSERT INTO audit (ts, principal, run_id, entry) VALUES (:ts, :p, :r, :e)"),
                           {"ts": entry.ts, "p": entry.principal, "r": entry.run_id, "e": entry.model_dump_json()})
        except SQLAlchemyError as exc:  # the database is away: what is not audited does not run
            raise AuditUnavailableError(
                f"the audit log cannot be written (database: {type(exc).__name__}); nothing was done") from exc

    def entries(self) -> list[AuditEntry]:
        from sqlalchemy import text

        with self._single.connect() as db:
            rows = db.execute(text("SELECT entry FROM audit ORDER BY id")).scalars().all()
        return [AuditEntry.model_validate_json(row) for row in rows]
