"""`auteur db migrate-from-sqlite`: move a workspace's run queue, history and event log from
its SQLite files (its audit log from `audit.jsonl`, its tokens from `tokens.json`) into PostgreSQL, so the workspace can be served by replicas.

The SQLite stores are first opened by today's code, which carries any older schema version
forward (each store's own migrations); then every row is copied in one PostgreSQL transaction,
in the order SQLite kept it, and the database's sequences continue after the copied numbers.
A database that already holds runs or events is refused rather than merged into."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from nodes.sdk import AuteurError
from nodes.sdk.layout import COMFY_SETTINGS_FILE, COMFY_USERS_DIR

from ..governance.audit import AuditLog
from ..governance.principal import LOCAL_PRINCIPAL
from ..governance.tokens import TokenStore
from ..runs.store import RunStore
from ..server.event_log import EventLog
from ..server.template_store import TemplateFiles
from ..server.user_settings import folder_name

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection, Engine

_BATCH = 1000
_RUN_COLUMNS = ("run_id", "status", "tier", "project", "client_id", "principal", "request", "record", "summary",
                "reason", "attempts", "created_at", "started_at", "finished_at", "priority", "queue_pos",
                "batch_id", "retry_of", "agents", "review_state")


class DatabaseNotEmptyError(AuteurError):
    """The target database already holds runs or events."""

    code = "database_not_empty"


@dataclass
class Moved:
    runs: int = 0
    events: int = 0
    outputs: int = 0
    retired: int = 0
    audit: int = 0
    tokens: int = 0
    templates: int = 0
    settings: int = 0


def _rows(db: sqlite3.Connection, sql: str) -> Iterator[list[dict[str, Any]]]:
    cursor = db.execute(sql)
    names = [column[0] for column in cursor.description]
    while batch := cursor.fetchmany(_BATCH):
        yield [dict(zip(names, row, strict=True)) for row in batch]


def _open(path: Path) -> sqlite3.Connection:
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    db.execute("PRAGMA busy_timeout=5000")
    return db


def migrate_from_sqlite(state_dir: Path, engine: Engine, tokens_file: Path, templates_dir: Path) -> Moved:
    """Copy `<state_dir>/runs.sqlite3`, `events.sqlite3`, `audit.jsonl`, `tokens_file`, the
    templates saved in `templates_dir` and each user's ComfyUI settings into the (upgraded) database."""
    from sqlalchemy import text

    runs_db, events_db = state_dir / "runs.sqlite3", state_dir / "events.sqlite3"
    RunStore(runs_db).close()  # carried forward to the current SQLite schema first
    EventLog(events_db, runs_db=runs_db).close()
    moved = Moved()
    with engine.begin() as pg:
        if pg.execute(text("SELECT (SELECT COUNT(*) FROM runs) + (SELECT COUNT(*) FROM events) "
                           "+ (SELECT COUNT(*) FROM token_document)")).scalar_one():
            raise DatabaseNotEmptyError("the database already holds runs, events or tokens; migrate into an "
                                        "empty one", details={})
        runs, events = _open(runs_db), _open(events_db)
        try:
            moved.runs = _copy_runs(runs, pg)
            moved.retired = _copy(runs, pg, "SELECT run_id, principal, retired_at FROM retired_runs",
                                  "INSERT INTO retired_runs VALUES (:run_id, :principal, :retired_at)")
            moved.outputs = _copy(runs, pg, "SELECT output_key, run_id FROM run_outputs",
                                  "INSERT INTO run_outputs VALUES (:output_key, :run_id)")
            _copy(runs, pg, "SELECT key, value FROM queue_state", "INSERT INTO queue_state VALUES (:key, :value)")
            _copy(runs, pg, "SELECT run_id, node_id, action, note, content, principal, decided_at FROM "
                  "review_decisions ORDER BY rowid", "INSERT INTO review_decisions (run_id, node_id, action, note, "
                  "content, principal, decided_at) VALUES (:run_id, :node_id, :action, :note, :content, :principal, "
                  ":decided_at)")
            _copy(runs, pg, "SELECT principal, served FROM principal_turns",
                  "INSERT INTO principal_turns VALUES (:principal, :served)")
            moved.events = _copy_events(events, pg)
            moved.audit = _copy_audit(state_dir, pg)
            moved.tokens = _copy_tokens(tokens_file, pg)
            moved.templates = _copy_templates(templates_dir, pg)
            moved.settings = _copy_settings(state_dir, tokens_file, pg)
        finally:
            runs.close()
            events.close()
        _continue_sequences(pg)
    return moved


def _copy(source: sqlite3.Connection, pg: Connection, select: str, insert: str) -> int:
    from sqlalchemy import text

    count = 0
    for batch in _rows(source, select):
        pg.execute(text(insert), batch)
        count += len(batch)
    return count


def _copy_runs(source: sqlite3.Connection, pg: Connection) -> int:
    columns = ", ".join(_RUN_COLUMNS)
    values = ", ".join(f":{name}" for name in _RUN_COLUMNS)
    # In rowid order: `ord` (the tie-break SQLite's rowid was) is handed out in the same order.
    return _copy(source, pg, f"SELECT {columns}, LENGTH(CAST(request AS BLOB)) + "
                 "COALESCE(LENGTH(CAST(record AS BLOB)), 0) AS stored_bytes FROM runs ORDER BY rowid",
                 f"INSERT INTO runs ({columns}, stored_bytes) VALUES ({values}, :stored_bytes)")


def _copy_events(source: sqlite3.Connection, pg: Connection) -> int:
    """Events in their order, each run's numbered 1, 2, … (its sequence, as new ones will be)."""
    from sqlalchemy import text

    counters: dict[str, int] = {}
    count = 0
    for batch in _rows(source, "SELECT seq, type, ts, run_id, project, data, owner FROM events ORDER BY seq"):
        for row in batch:
            row["run_seq"] = None
            if row["run_id"] is not None:
                row["run_seq"] = counters[row["run_id"]] = counters.get(row["run_id"], 0) + 1
            json.loads(row["data"])  # a damaged row stops the move rather than being copied
        pg.execute(text("INSERT INTO events (seq, type, ts, run_id, run_seq, project, data, owner) VALUES "
                        "(:seq, :type, :ts, :run_id, :run_seq, :project, :data, :owner)"), batch)
        count += len(batch)
    if counters:
        pg.execute(text("INSERT INTO run_event_counters (run_id, last) VALUES (:r, :n)"),
                   [{"r": run_id, "n": last} for run_id, last in counters.items()])
    return count


def _copy_audit(state_dir: Path, pg: Connection) -> int:
    from sqlalchemy import text

    entries = AuditLog.in_state_dir(state_dir).entries()
    if entries:
        pg.execute(text("INSERT INTO audit (ts, principal, run_id, entry) VALUES (:ts, :p, :r, :e)"),
                   [{"ts": e.ts, "p": e.principal, "r": e.run_id, "e": e.model_dump_json()} for e in entries])
    return len(entries)


def _copy_tokens(tokens_file: Path, pg: Connection) -> int:
    """The tokens document as it is (hashes only; revoked names stay taken)."""
    from sqlalchemy import text

    tokens = TokenStore(tokens_file).document.load()
    if tokens.tokens or tokens.local_mode:
        pg.execute(text("INSERT INTO token_document (id, doc, version) VALUES (1, :d, 1)"),
                   {"d": tokens.model_dump_json()})
    return len(tokens.tokens)


def _copy_templates(templates_dir: Path, pg: Connection) -> int:
    """The workspace's templates with their authors (an unreadable file stays behind, as the
    template list leaves it out)."""
    from sqlalchemy import text

    files = TemplateFiles(templates_dir)
    saved = files.all()
    if saved:
        pg.execute(text("INSERT INTO templates (id, doc, author, saved_at) VALUES (:id, :doc, :author, :at)"),
                   [{"id": template_id, "doc": json.dumps(data), "author": files.author(template_id),
                     "at": (templates_dir / f"{template_id}.json").stat().st_mtime} for template_id, data in saved])
    return len(saved)


def _copy_settings(state_dir: Path, tokens_file: Path, pg: Connection) -> int:
    """Each principal's settings file: the principals are the tokens' names and the local user
    (a folder is named by its principal, or by the name's digest: the names find both)."""
    from sqlalchemy import text

    names = {LOCAL_PRINCIPAL.name, *(token.name for token in TokenStore(tokens_file).document.load().tokens)}
    rows = []
    for name in sorted(names):
        settings = _settings_file(state_dir / COMFY_USERS_DIR / folder_name(name) / COMFY_SETTINGS_FILE)
        if settings:
            rows.append({"p": name, "d": json.dumps(settings)})
    if rows:
        pg.execute(text("INSERT INTO user_settings (principal, doc) VALUES (:p, :d)"), rows)
    return len(rows)


def _settings_file(path: Path) -> dict[str, Any]:
    try:
        loaded = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return loaded if isinstance(loaded, dict) else {}


def _continue_sequences(pg: Connection) -> None:
    """New events, turns and runs are numbered after the copied ones."""
    from sqlalchemy import text

    for sequence, table, column in (("events_seq", "events", "seq"), ("principal_turns_seq", "principal_turns", "served")):
        pg.execute(text(f"SELECT setval('{sequence}', GREATEST((SELECT MAX({column}) FROM {table}), 1), "
                        f"(SELECT MAX({column}) FROM {table}) IS NOT NULL)"))
