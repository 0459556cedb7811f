"""Open the shared state for one server replica: connect, upgrade the schema (replicas
starting together upgrade it once), and register the replica."""

from __future__ import annotations

import os
import socket
import time
import uuid
from dataclasses import dataclass

from ..governance.audit import AuditLog
from ..governance.tokens import TokenStore
from ..server.template_store import TemplateRecords
from ..server.user_settings import UserSettings
from .audit import PgAudit
from .engine import connect, reachable
from .event_log import PgEventLog
from .run_store import PgRunStore
from .templates import PgTemplates, PgUserSettings
from .tokens import PgTokenDocument
from .upgrade import upgrade


@dataclass
class SharedState:
    runs: PgRunStore
    events: PgEventLog
    audit: AuditLog
    tokens: TokenStore
    templates: TemplateRecords
    settings: UserSettings


def replica_id() -> str:
    """Unique per server process, readable in the runs it leases (host, pid, a random part)."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def open_shared_state(url: str, address: str, lease_s: float) -> SharedState:
    from sqlalchemy import text

    engine = connect(url)
    replica = replica_id()
    now = time.time()
    with reachable():
        upgrade(engine)
        with engine.begin() as db:
            db.execute(text("INSERT INTO replicas (replica_id, address, started_at, heartbeat_at) "
                            "VALUES (:r, :a, :now, :now)"), {"r": replica, "a": address, "now": now})
    return SharedState(runs=PgRunStore(engine, replica, lease_s), events=PgEventLog(engine),
                       audit=AuditLog(PgAudit(engine)), tokens=TokenStore(PgTokenDocument(engine)),
                       templates=PgTemplates(engine), settings=PgUserSettings(engine))
