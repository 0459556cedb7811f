"""The PostgreSQL schema comes from Alembic migrations (`auteur db upgrade`) and matches the
tables the stores query; `auteur db migrate-from-sqlite` moves a workspace's state over."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from typer.testing import CliRunner, Result

from canvas_server.cli.main import app
from canvas_server.db import connect
from canvas_server.db.audit import PgAudit
from canvas_server.db.event_log import PgEventLog
from canvas_server.db.run_store import PgRunStore
from canvas_server.db.schema import metadata
from canvas_server.db.scratch import free_port
from canvas_server.db.templates import PgTemplates, PgUserSettings
from canvas_server.db.tokens import PgTokenDocument
from canvas_server.engine.record import NodeRecord, RunRecord
from canvas_server.events import build_event
from canvas_server.governance import Principal
from canvas_server.governance.audit import AuditLog
from canvas_server.governance.tokens import TokenStore
from canvas_server.runs.store import MIGRATIONS, RunRequest, RunStore, StoredRun
from canvas_server.server.event_log import EventLog
from canvas_server.server.template_store import TemplateStore
from canvas_server.server.user_settings import SettingsFiles
from nodes.sdk import layout


def auteur(*args: str, workspace: Path, url: str) -> Result:
    """`auteur ARGS` in this process (the command line's parsing, messages and exit codes)."""
    env = {"AUTEUR_WORKSPACE": str(workspace), "AUTEUR_DATABASE_URL": url}
    return CliRunner().invoke(app, list(args), env=env)


def test_db_upgrade_creates_the_schema_the_stores_query_and_a_second_upgrade_changes_nothing(
        database_url: str, tmp_path: Path) -> None:
    first = auteur("db", "upgrade", workspace=tmp_path, url=database_url)
    assert first.exit_code == 0, first.output
    assert first.stdout.strip() == "database schema: empty -> 0006_templates_settings"
    engine = connect(database_url)
    with engine.connect() as db:
        differences = compare_metadata(MigrationContext.configure(db), metadata)
    engine.dispose()
    assert differences == []
    again = auteur("db", "upgrade", workspace=tmp_path, url=database_url)
    assert again.stdout.strip() == "database schema: 0006_templates_settings (already current)"


def test_db_upgrade_without_a_database_says_how_to_name_one(tmp_path: Path) -> None:
    result = auteur("db", "upgrade", workspace=tmp_path, url="")
    assert result.exit_code == 2 and "AUTEUR_DATABASE_URL" in result.stderr


def test_db_commands_name_an_unreachable_database_in_one_line_without_its_password(tmp_path: Path) -> None:
    url = f"postgresql://auteur:hunter2@127.0.0.1:{free_port()}/auteur"  # nothing listens there
    for command in ("upgrade", "migrate-from-sqlite"):
        result = auteur("db", command, workspace=tmp_path, url=url)
        assert result.exit_code == 1 and result.stdout == "", command
        [line] = result.stderr.splitlines()
        assert line.startswith("error: PostgreSQL at AUTEUR_DATABASE_URL cannot be used") and "hunter2" not in line


def _principal(name: str) -> Principal:
    return Principal(name=name, maturity="SUPERVISED")


def _version_4_workspace(state: Path) -> None:
    """A run store at schema v4 (before queue control) with runs in every state, and events."""
    state.mkdir(parents=True)
    with sqlite3.connect(state / "runs.sqlite3") as db:
        for step in MIGRATIONS[:4]:
            step(db)
        db.execute("PRAGMA user_version = 4")
        for run_id, status, created in (("queued-2", "queued", 2.0), ("queued-1", "queued", 1.0)):
            db.execute("INSERT INTO runs (run_id, status, tier, principal, request, created_at) VALUES (?,?,?,?,?,?)",
                       (run_id, status, "low", "ana", '{"prompt": {}}', created))
    store = RunStore(state / "runs.sqlite3")  # v5: then one finished run with outputs, one deleted
    record = RunRecord(run_id="done", status="completed", created_at=0.5, nodes={
        "1": NodeRecord(type="core.integer", status="completed", outputs={"value": 5}, cache_key="key-1")})
    store.add(StoredRun(run_id="done", status="queued", tier="low", principal="cy", created_at=0.5,
                        request=RunRequest(prompt={})))
    store.finish("done", record)
    store.add(StoredRun(run_id="gone", status="cancelled", tier="low", principal="cy", created_at=0.1,
                        request=RunRequest(prompt={})))
    store.delete("gone")
    store.close()
    log = EventLog(state / "events.sqlite3")
    for seq, run_id in enumerate(("done", "done", "queued-1", None), start=1):
        log.append(build_event("run_queued", {"status": "queued", "tier": "low"}, seq=seq, ts=float(seq),
                               run_id=run_id, project=None, owner="cy"))
    log.close()
    TokenStore(state / "tokens.json").create("editor", "SUPERVISED")
    TokenStore(state / "tokens.json").create("Ana Lee", "SUPERVISED")  # a user folder named by its digest
    for name in ("editor", "Ana Lee"):
        SettingsFiles(state).update(_principal(name), {"Comfy.Locale": name})
    TemplateStore(state.parent / layout.PIPELINE_TEMPLATES_DIR).save({"name": "Rough Cut", "workflow": {}}, author="cy")
    AuditLog.in_state_dir(state).record_action("cy", "done", None, {"node_id": "1", "type": "speaker.play",
                                                                     "action": "play", "facts": {}})


def test_migrate_from_sqlite_moves_runs_outputs_and_events_and_numbering_continues(
        database_url: str, tmp_path: Path) -> None:
    _version_4_workspace(tmp_path / ".auteur")
    result = auteur("db", "migrate-from-sqlite", workspace=tmp_path, url=database_url)
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == (
        "moved 3 runs, 4 events, 1 output links, 1 retired run ids, 1 audit lines, 2 tokens, 1 templates and 2 "
        "users' settings into the database")

    store = PgRunStore(connect(database_url), replica="after", lease_s=60)
    assert store.counts() == {"queued": 2, "completed": 1}
    assert [p.run_id for p in store.producers("key-1")] == ["done"]
    assert store.ever_used("gone") and store.get("gone") is None
    claimed = [store.claim_next(), store.claim_next()]
    assert [run.run_id for run in claimed if run is not None] == ["queued-1", "queued-2"]
    log = PgEventLog(connect(database_url))
    assert [(e.seq, e.run_id) for e in log.after(0)] == [(1, "done"), (2, "done"), (3, "queued-1"), (4, None)]
    assert [e.seq for e in log.of_run("done", after_run_seq=1)] == [2]
    assert log.last_seq() == 4 and log.next_seq() == 5
    log.close()
    store.close()
    [audited] = AuditLog(PgAudit(connect(database_url))).entries()
    assert (audited.principal, audited.run_id, audited.nodes[0]["action"]) == ("cy", "done", "play")
    assert [token.name for token in TokenStore(PgTokenDocument(connect(database_url))).active()] == ["editor", "Ana Lee"]
    templates = TemplateStore(PgTemplates(connect(database_url)))
    assert (templates.get("rough-cut")[1]["name"], templates.author("rough-cut")) == ("Rough Cut", "cy")
    settings = PgUserSettings(connect(database_url))
    assert [settings.read(_principal(name)) for name in ("editor", "Ana Lee", "local")] == [
        {"Comfy.Locale": "editor"}, {"Comfy.Locale": "Ana Lee"}, {}]

    again = auteur("db", "migrate-from-sqlite", workspace=tmp_path, url=database_url)
    assert again.exit_code == 1 and "already holds runs, events or tokens" in again.stderr
