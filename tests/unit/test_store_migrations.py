"""Every store opens what the previous version wrote: the old files are made here with the old
DDL (or the old JSON), then opened by today's code, carried forward and stamped."""

from __future__ import annotations

import json
import sqlite3
import time
from pathlib import Path

import pytest

from canvas_server.engine.record import ErrorInfo, NodeRecord, RunRecord
from canvas_server.events import build_event
from canvas_server.governance.tokens import TOKENS_SCHEMA_VERSION, TokenFileTooNewError, TokenStore
from canvas_server.runs.store import MIGRATIONS as RUN_MIGRATIONS
from canvas_server.runs.store import RunStore
from canvas_server.server.event_log import EventLog
from function_runners.result_cache import ResultCache, SqliteIndex
from function_runners.schema_version import SchemaTooNewError, schema_version

# The DDL as it was before stores carried versions (user_version 0).
OLD_RUNS = """
CREATE TABLE runs (run_id TEXT PRIMARY KEY, status TEXT NOT NULL, tier TEXT NOT NULL, project TEXT,
    client_id TEXT, principal TEXT NOT NULL, request TEXT NOT NULL, record TEXT, reason TEXT,
    attempts INTEGER NOT NULL DEFAULT 0, created_at REAL NOT NULL, started_at REAL, finished_at REAL);
CREATE INDEX runs_status ON runs (status, created_at);
CREATE INDEX runs_created ON runs (created_at);
"""
OLD_EVENTS = """CREATE TABLE events (seq INTEGER PRIMARY KEY, type TEXT NOT NULL, ts REAL NOT NULL,
    run_id TEXT, project TEXT, data TEXT NOT NULL)"""
OLD_CACHE = "CREATE TABLE results (key TEXT PRIMARY KEY, outputs TEXT NOT NULL)"


def old_database(path: Path, ddl: str, *rows: tuple[str, tuple[object, ...]]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with sqlite3.connect(path) as db:
        db.executescript(ddl)
        for statement, values in rows:
            db.execute(statement, values)
    return path


def test_a_run_store_written_before_versions_opens_with_summaries_and_output_keys_backfilled(tmp_path: Path) -> None:
    record = RunRecord(run_id="r1", status="failed", created_at=1.0,
                       nodes={"1": NodeRecord(type="core.integer", status="completed", outputs={"big": "x" * 1000},
                                              cache_key="k1"),
                              "2": NodeRecord(type="core.show", status="failed")})
    record.errors.append(ErrorInfo(code="node_failed", message="boom", node_id="2", details={"trace": "…"}))
    path = old_database(tmp_path / "runs.sqlite3", OLD_RUNS, (
        "INSERT INTO runs (run_id, status, tier, principal, request, record, created_at) VALUES (?,?,?,?,?,?,?)",
        ("r1", "failed", "low", "local", json.dumps({"prompt": {}}), record.model_dump_json(), time.time())))

    store = RunStore(path)
    assert store.schema_version == len(RUN_MIGRATIONS) == 6
    [summary] = store.summaries().items
    assert summary.run_id == "r1" and summary.nodes == {"completed": 1, "failed": 1}
    assert summary.review_state is None  # v6: never reviewed, and no agent job
    assert store.jobs(agent=None, status=None, review=None, principal=None, limit=10, offset=0).total == 0
    assert [error.code for error in summary.errors] == ["node_failed"]
    assert "outputs" not in summary.model_dump()
    stored = store.get("r1")
    assert stored is not None and stored.record is not None
    assert stored.record.nodes["1"].outputs == {"big": "x" * 1000}
    # v4: which runs made each output folder (ComfyUI `/view` asks before serving one).
    assert [run.run_id for run in store.producers("k1")] == ["r1"] and store.producers("k2") == []
    store.close()
    assert RunStore(path).schema_version == 6  # opening again migrates nothing twice


def test_an_event_log_written_before_versions_keeps_its_events(tmp_path: Path) -> None:
    path = old_database(tmp_path / "events.sqlite3", OLD_EVENTS, (
        "INSERT INTO events (seq, type, ts, run_id, project, data) VALUES (?,?,?,?,?,?)",
        (7, "run_queued", 1.0, "r1", None, json.dumps({}))))
    log = EventLog(path)
    assert log.schema_version == 3 and log.last_seq() == 7
    assert [event.seq for event in log.after(0)] == [7]


def test_a_result_cache_written_before_versions_still_answers(tmp_path: Path) -> None:
    old_database(tmp_path / "cache" / "cache.sqlite3", OLD_CACHE, (
        "INSERT INTO results (key, outputs) VALUES (?, ?)", ("k1", json.dumps({"value": 5}))))
    cache = ResultCache(tmp_path / "cache")
    assert isinstance(cache.index, SqliteIndex) and cache.index.schema_version == 1
    assert cache.get("k1") == {"value": 5}


def test_a_store_from_a_newer_version_is_refused_not_misread(tmp_path: Path) -> None:
    path = old_database(tmp_path / "runs.sqlite3", OLD_RUNS + "PRAGMA user_version = 99;")
    with pytest.raises(SchemaTooNewError, match="99"):
        RunStore(path)
    with sqlite3.connect(path) as db:
        assert schema_version(db) == 99


def test_a_tokens_file_from_before_roles_gets_the_default_role_and_a_version(tmp_path: Path) -> None:
    path = tmp_path / "tokens.json"
    path.write_text(json.dumps({"tokens": [{"id": "ab12", "name": "old", "maturity": "SUPERVISED",
                                            "sha256": "0" * 64, "created_at": 1.0}]}))
    store = TokenStore(path)
    [token] = store.active()
    assert token.role == "creator"
    store.create("new", "INTERN")
    assert json.loads(path.read_text())["schema_version"] == TOKENS_SCHEMA_VERSION == 2
    path.write_text(json.dumps({"schema_version": 3, "tokens": []}))
    with pytest.raises(TokenFileTooNewError):
        TokenStore(path).active()


def test_a_deleted_run_s_id_stays_used(tmp_path: Path) -> None:
    """A ComfyUI client chooses its prompt_id: one that ever existed is never given again."""
    path = old_database(tmp_path / "old.sqlite3", OLD_RUNS, (
        "INSERT INTO runs (run_id, status, tier, principal, request, created_at) VALUES (?,?,?,?,?,?)",
        ("r1", "completed", "low", "ana", json.dumps({"prompt": {}}), time.time())))
    store = RunStore(path)
    assert store.ever_used("r1") and not store.ever_used("r2")
    assert store.delete("r1") and store.get("r1") is None
    assert store.ever_used("r1")
    assert not store.delete("r1")
    store.close()
    assert RunStore(path).ever_used("r1")


def test_the_event_log_knows_every_run_it_holds_events_of(tmp_path: Path) -> None:
    log = EventLog(tmp_path / "events.sqlite3")
    assert not log.has_run("r1")
    log.append(build_event("run_queued", {"status": "queued"}, seq=1, ts=1.0, run_id="r1"))
    assert log.has_run("r1") and not log.has_run("r2")


def test_events_stored_before_owners_were_recorded_get_their_run_s_owner_only_from_its_creation(
    tmp_path: Path,
) -> None:
    """An event older than the run its id names now belongs to a run deleted before ids were
    retired: it gets no owner (nobody but an admin replays it), never the new run's."""
    runs = old_database(tmp_path / "runs.sqlite3", OLD_RUNS, (
        "INSERT INTO runs (run_id, status, tier, principal, request, created_at) VALUES (?,?,?,?,?,?)",
        ("r1", "completed", "low", "bea", json.dumps({"prompt": {}}), 100.0)))
    insert = "INSERT INTO events (seq, type, ts, run_id, project, data) VALUES (?,?,?,?,?,?)"
    path = old_database(tmp_path / "events.sqlite3", OLD_EVENTS,
                        (insert, (1, "run_queued", 50.0, "r1", None, json.dumps({}))),
                        (insert, (2, "run_queued", 101.0, "r1", None, json.dumps({}))),
                        (insert, (3, "run_queued", 102.0, "gone", None, json.dumps({}))))
    log = EventLog(path, runs_db=runs)
    assert [(event.seq, event.owner) for event in log.after(0)] == [(1, None), (2, "bea"), (3, None)]
    log.append(build_event("run_started", {}, seq=4, ts=103.0, run_id="r1", owner="bea"))
    log.close()
    assert [event.owner for event in EventLog(path).after(3)] == ["bea"]
