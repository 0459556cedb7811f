"""SQLite run queue and history (`<workspace>/.auteur/runs.sqlite3`).

Every state change is committed before it is announced, so a `kill -9` loses nothing that a
client was told about. WAL mode keeps readers (the API) off the writers' back.
"""

from __future__ import annotations

import json
import sqlite3
import time
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, Field

from function_runners.schema_version import Migration, execute_script, migrate

from ..engine.record import RunRecord, RunStatus

_SCHEMA_V1 = """
CREATE TABLE IF NOT EXISTS runs (
    run_id      TEXT PRIMARY KEY,
    status      TEXT NOT NULL,
    tier        TEXT NOT NULL,
    project     TEXT,
    client_id   TEXT,
    principal   TEXT NOT NULL,
    request     TEXT NOT NULL,
    record      TEXT,
    reason      TEXT,
    attempts    INTEGER NOT NULL DEFAULT 0,
    created_at  REAL NOT NULL,
    started_at  REAL,
    finished_at REAL
);
CREATE INDEX IF NOT EXISTS runs_status ON runs (status, created_at);
CREATE INDEX IF NOT EXISTS runs_created ON runs (created_at);
"""
# v2: a small summary beside the full record, so listing runs never reads their outputs.
_SUMMARY_COLUMN = "ALTER TABLE runs ADD COLUMN summary TEXT"
LIST_COLUMNS = ("run_id, status, tier, project, client_id, principal, reason, attempts, created_at, "
                 "started_at, finished_at, priority, batch_id, retry_of, review_state, summary")
FINISHED: frozenset[str] = frozenset({"completed", "failed", "cancelled", "interrupted"})
_RECORD_BYTES = "COALESCE(LENGTH(CAST(record AS BLOB)), 0)"
_STORED_BYTES = f"LENGTH(CAST(request AS BLOB)) + {_RECORD_BYTES}"


ReviewState = Literal["awaiting", "approved", "rejected", "edited", "changes_requested"]
DECIDED: dict[str, ReviewState] = {"approve": "approved", "reject": "rejected", "edit": "edited",
                                   "request_changes": "changes_requested"}


class ReviewDecisionRow(BaseModel):
    """One decision a person made about a waiting node (the run's review thread)."""

    node_id: str
    action: str
    note: str | None = None
    content: str | None = None
    principal: str
    decided_at: float


class RunRequest(BaseModel):
    """What was submitted: the graph as sent, the prompt that runs, and the overrides."""

    graph: Any = None
    prompt: dict[str, Any]
    params: dict[str, Any] = Field(default_factory=dict)
    targets: list[str] | None = None


class RunHeader(BaseModel):
    """What every view of a run carries: who, where, in what state, when."""

    run_id: str
    status: RunStatus
    tier: str
    project: str | None = None
    client_id: str | None = None
    principal: str
    reason: str | None = None
    attempts: int = 0
    created_at: float
    started_at: float | None = None
    finished_at: float | None = None
    priority: int = Field(0, description="Higher runs first within its principal's line")
    batch_id: str | None = Field(None, description="The batch this run is a row of")
    retry_of: str | None = Field(None, description="The run this one retries")
    review_state: ReviewState | None = Field(
        None, description="awaiting while a node waits for a person; else the last decision (None: never reviewed)")


class StoredRun(RunHeader):
    request: RunRequest
    record: RunRecord | None = None


class ErrorSummary(BaseModel):
    code: str
    message: str
    node_id: str | None = None


class RunSummary(RunHeader):
    """One line of the run list: who, what state, how many nodes did what; no graph, no outputs."""

    nodes: dict[str, int] = Field(default_factory=dict, description="node count by status")
    errors: list[ErrorSummary] = Field(default_factory=list)


class RunPage(BaseModel):
    items: list[StoredRun]
    total: int
    limit: int
    offset: int


class SummaryPage(BaseModel):
    items: list[RunSummary]
    total: int
    limit: int
    offset: int


def summarize(record: RunRecord) -> str:
    """The `summary` column: node counts by status and the errors without their details."""
    counts: dict[str, int] = {}
    for node in record.nodes.values():
        counts[node.status] = counts.get(node.status, 0) + 1
    errors = [{"code": e.code, "message": e.message, "node_id": e.node_id} for e in record.errors]
    return json.dumps({"nodes": counts, "errors": errors}, separators=(",", ":"))


def _backfill_summaries(db: sqlite3.Connection) -> None:
    db.execute(_SUMMARY_COLUMN)
    rows = db.execute("SELECT run_id, record FROM runs WHERE record IS NOT NULL").fetchall()
    for run_id, record in rows:
        db.execute("UPDATE runs SET summary = ? WHERE run_id = ?",
                   (summarize(RunRecord.model_validate_json(record)), run_id))


# v3: ids of deleted runs, never given to another run (a ComfyUI client may choose its
# prompt_id; a reused id would let its new owner replay the old run's persisted events).
_RETIRED = "CREATE TABLE IF NOT EXISTS retired_runs (run_id TEXT PRIMARY KEY, principal TEXT, retired_at REAL)"

# v4: which runs made each output folder (`.auteur/outputs/<key>`), so a file in one is
# served only to a principal who may read one of those runs (ComfyUI `/view`).
_OUTPUTS_TABLE = """
CREATE TABLE IF NOT EXISTS run_outputs (
    output_key TEXT NOT NULL,
    run_id     TEXT NOT NULL,
    PRIMARY KEY (output_key, run_id)
) WITHOUT ROWID
"""


def output_keys(record: RunRecord) -> set[str]:
    """The cache keys (output folders) of the nodes and items a run completed or reused."""
    keys: set[str] = set()
    for node in record.nodes.values():
        if node.cache_key and node.status in ("completed", "cached"):
            keys.add(node.cache_key)
        keys.update(item.cache_key for item in node.items or [] if item.status in ("completed", "cached"))
    return keys


def _index_outputs(db: sqlite3.Connection, run_id: str, record: RunRecord) -> None:
    db.executemany("INSERT OR IGNORE INTO run_outputs (output_key, run_id) VALUES (?, ?)",
                   [(key, run_id) for key in sorted(output_keys(record))])


def _backfill_outputs(db: sqlite3.Connection) -> None:
    db.execute(_OUTPUTS_TABLE)
    for run_id, record in db.execute("SELECT run_id, record FROM runs WHERE record IS NOT NULL").fetchall():
        _index_outputs(db, run_id, RunRecord.model_validate_json(record))



# v5: queue control (docs/architecture.md §12): a priority and a place in its principal's line per run,
# the batch a run belongs to and the run it retries; the queue's own state (paused) and
# when each principal was last served (round-robin fair share) survive restarts.
_QUEUE_CONTROL = """
ALTER TABLE runs ADD COLUMN priority INTEGER NOT NULL DEFAULT 0;
ALTER TABLE runs ADD COLUMN queue_pos REAL;
ALTER TABLE runs ADD COLUMN batch_id TEXT;
ALTER TABLE runs ADD COLUMN retry_of TEXT;
UPDATE runs SET queue_pos = created_at;
CREATE INDEX IF NOT EXISTS runs_batch ON runs (batch_id);
CREATE TABLE IF NOT EXISTS queue_state (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS principal_turns (principal TEXT PRIMARY KEY, served INTEGER NOT NULL)
"""
# v6: human review (docs/architecture.md §12): the agent node types a run holds and its review state
# (the agent-jobs filters), and every decision a person made about a run's waiting nodes.
_REVIEWS = """
ALTER TABLE runs ADD COLUMN agents TEXT;
ALTER TABLE runs ADD COLUMN review_state TEXT;
CREATE TABLE IF NOT EXISTS review_decisions (
    run_id     TEXT NOT NULL,
    node_id    TEXT NOT NULL,
    action     TEXT NOT NULL,
    note       TEXT,
    content    TEXT,
    principal  TEXT NOT NULL,
    decided_at REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS review_decisions_run ON review_decisions (run_id)
"""
MIGRATIONS: tuple[Migration, ...] = (execute_script(_SCHEMA_V1), _backfill_summaries, execute_script(_RETIRED),
                                      _backfill_outputs, execute_script(_QUEUE_CONTROL), execute_script(_REVIEWS))
# A principal's line: higher priority first, then its place (moves change the place).
_LINE_ORDER = "priority DESC, queue_pos, rowid"


def agents_column(agents: list[str] | None) -> str | None:
    """`,a,b,`: every type framed by commas, so one `instr`/`strpos` finds a whole type name."""
    return f",{','.join(sorted(set(agents)))}," if agents else None


def run_of(data: dict[str, Any]) -> StoredRun:
    """A stored run from its row's columns (either database's)."""
    data.pop("summary", None)
    data.pop("queue_pos", None)
    data.pop("agents", None)
    data["request"] = json.loads(data["request"])
    data["record"] = json.loads(data["record"]) if data["record"] else None
    return StoredRun.model_validate(data)


def summary_of(data: dict[str, Any]) -> RunSummary:
    """A run list line from its row's `LIST_COLUMNS` (either database's)."""
    summary = json.loads(data.pop("summary") or "{}")
    return RunSummary.model_validate({**data, **summary})


def _row_to_run(row: sqlite3.Row) -> StoredRun:
    return run_of(dict(row))


def _row_to_summary(row: sqlite3.Row) -> RunSummary:
    return summary_of(dict(row))


class RunStore:
    """All access happens on the event loop thread; one connection is enough. One server per
    workspace (the workspace lock), so no run is ever leased (see `RunStorage`)."""

    shared = False
    lease_s = 0.0

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self._db.row_factory = sqlite3.Row
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.execute("PRAGMA busy_timeout=5000")
        self.schema_version = migrate(self._db, MIGRATIONS, name=str(path))
        # Bytes stored per principal: summed once per principal, then kept up to date here
        # (summing on every submission would read every record the principal has).
        self._stored: dict[str, int] = {}

    def close(self) -> None:
        self._db.close()

    def add(self, run: StoredRun, agents: list[str] | None = None) -> None:
        """Store a new run; `agents` names the agent node types it holds (the jobs list's filter)."""
        request = run.request.model_dump_json()
        self._db.execute(
            "INSERT INTO runs (run_id, status, tier, project, client_id, principal, request, record, reason, "
            "attempts, created_at, priority, queue_pos, batch_id, retry_of, agents) "
            "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            (run.run_id, run.status, run.tier, run.project, run.client_id, run.principal,
             request, None, run.reason, run.attempts, run.created_at, run.priority, run.created_at,
             run.batch_id, run.retry_of, agents_column(agents)),
        )
        self._count(run.principal, len(request.encode()))

    def usage(self, principal: str) -> tuple[int, int]:
        """A principal's queued and running runs, and the bytes its stored runs take."""
        active = self._db.execute("SELECT COUNT(*) FROM runs WHERE status IN ('queued', 'running') "
                                  "AND principal = ?", (principal,)).fetchone()[0]
        if principal not in self._stored:
            self._stored[principal] = int(self._db.execute(
                f"SELECT COALESCE(SUM({_STORED_BYTES}), 0) FROM runs WHERE principal = ?", (principal,)).fetchone()[0])
        return int(active), self._stored[principal]

    def _count(self, principal: str, change: int) -> None:
        if principal in self._stored:
            self._stored[principal] += change

    def _sizes(self, run_id: str, columns: str) -> tuple[str, int] | None:
        row = self._db.execute(f"SELECT principal, {columns} FROM runs WHERE run_id = ?", (run_id,)).fetchone()
        return (str(row[0]), int(row[1])) if row is not None else None

    def get(self, run_id: str) -> StoredRun | None:
        row = self._db.execute("SELECT * FROM runs WHERE run_id = ?", (run_id,)).fetchone()
        return _row_to_run(row) if row is not None else None

    @staticmethod
    def _where(filters: dict[str, str | None]) -> tuple[str, list[str]]:
        where, args = [], []
        for column, value in filters.items():
            if value is not None:
                where.append(f"{column} = ?")
                args.append(value)
        return (f"WHERE {' AND '.join(where)}" if where else ""), args

    def _select(self, columns: str, filters: dict[str, str | None], limit: int,
                offset: int) -> tuple[int, list[sqlite3.Row]]:
        clause, args = self._where(filters)
        total = self._db.execute(f"SELECT COUNT(*) FROM runs {clause}", args).fetchone()[0]
        rows = self._db.execute(
            f"SELECT {columns} FROM runs {clause} ORDER BY created_at DESC, rowid DESC LIMIT ? OFFSET ?",
            [*args, limit, offset],
        ).fetchall()
        return int(total), rows

    def page(self, *, status: str | None = None, limit: int = 50, offset: int = 0) -> RunPage:
        """Whole stored runs, newest first (the ComfyUI queue and history need the prompts)."""
        total, rows = self._select("*", {"status": status}, limit, offset)
        return RunPage(items=[_row_to_run(row) for row in rows], total=total, limit=limit, offset=offset)

    def summaries(
        self,
        *,
        status: str | None = None,
        project: str | None = None,
        client_id: str | None = None,
        principal: str | None = None,
        batch_id: str | None = None,
        limit: int = 50,
        offset: int = 0,
    ) -> SummaryPage:
        """Newest first, without requests or records; `principal` keeps only its own runs."""
        filters = {"status": status, "project": project, "client_id": client_id, "principal": principal,
                   "batch_id": batch_id}
        total, rows = self._select(LIST_COLUMNS, filters, limit, offset)
        return SummaryPage(items=[_row_to_summary(row) for row in rows], total=total, limit=limit,
                           offset=offset)

    def claim_next(self) -> StoredRun | None:
        """The next run by round-robin fair share, marked running (attempts + 1) in the same
        transaction: the principal with queued runs served longest ago (never served first,
        then whose oldest queued run is oldest) gives the first run of its line."""
        self._db.execute("BEGIN IMMEDIATE")
        try:
            row = self._db.execute(
                "SELECT r.principal FROM runs r LEFT JOIN principal_turns t ON t.principal = r.principal "
                "WHERE r.status = 'queued' GROUP BY r.principal "
                "ORDER BY COALESCE(MAX(t.served), -1), MIN(r.created_at) LIMIT 1").fetchone()
            if row is not None:
                row = self._db.execute(
                    f"SELECT run_id, principal FROM runs WHERE status = 'queued' AND principal = ? "
                    f"ORDER BY {_LINE_ORDER} LIMIT 1", (row[0],)).fetchone()
                self._db.execute(
                    "UPDATE runs SET status = 'running', attempts = attempts + 1, started_at = ? "
                    "WHERE run_id = ?",
                    (time.time(), row[0]),
                )
                self._db.execute(
                    "INSERT INTO principal_turns (principal, served) VALUES (?, "
                    "(SELECT COALESCE(MAX(served), 0) + 1 FROM principal_turns)) "
                    "ON CONFLICT (principal) DO UPDATE SET served = excluded.served", (row[1],))
            self._db.execute("COMMIT")
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        return self.get(row[0]) if row is not None else None

    def queued_lines(self) -> list[list[RunSummary]]:
        """Every principal's queued runs in line order, the principals in the order their turn
        comes (the order `claim_next` serves them)."""
        rows = self._db.execute(
            f"SELECT {LIST_COLUMNS} FROM runs r WHERE status = 'queued' ORDER BY {_LINE_ORDER}").fetchall()
        lines: dict[str, list[RunSummary]] = {}
        for row in rows:
            lines.setdefault(row["principal"], []).append(_row_to_summary(row))
        served = dict(self._db.execute("SELECT principal, served FROM principal_turns").fetchall())
        return sorted(lines.values(), key=lambda line: (
            served.get(line[0].principal, -1), min(run.created_at for run in line)))

    def line_of(self, run_id: str) -> list[tuple[str, int, float]]:
        """(run id, priority, place) of the queued runs in the line `run_id` stands in."""
        rows = self._db.execute(
            f"SELECT run_id, priority, queue_pos FROM runs WHERE status = 'queued' AND principal = "
            f"(SELECT principal FROM runs WHERE run_id = ?) ORDER BY {_LINE_ORDER}", (run_id,)).fetchall()
        return [(str(row[0]), int(row[1]), float(row[2])) for row in rows]

    def place(self, run_id: str, priority: int, queue_pos: float) -> None:
        self._db.execute("UPDATE runs SET priority = ?, queue_pos = ? WHERE run_id = ? AND status = 'queued'",
                         (priority, queue_pos, run_id))

    def paused(self) -> bool:
        row = self._db.execute("SELECT value FROM queue_state WHERE key = 'paused'").fetchone()
        return row is not None and row[0] == "1"

    def set_paused(self, paused: bool) -> None:
        self._db.execute("INSERT INTO queue_state (key, value) VALUES ('paused', ?) "
                         "ON CONFLICT (key) DO UPDATE SET value = excluded.value", ("1" if paused else "0",))

    def finish(self, run_id: str, record: RunRecord, reason: str | None = None) -> None:
        """Store a run's record as it ended, or as it stopped to wait for review (not finished)."""
        before = self._sizes(run_id, _RECORD_BYTES)
        stored = record.model_dump_json()
        waits = record.status == "awaiting_review"
        self._db.execute("BEGIN IMMEDIATE")
        try:
            self._db.execute(
                "UPDATE runs SET status = ?, record = ?, summary = ?, reason = COALESCE(?, reason), "
                "started_at = COALESCE(?, started_at), finished_at = ?, "
                "review_state = CASE WHEN ? THEN 'awaiting' WHEN review_state = 'awaiting' THEN NULL "
                "ELSE review_state END WHERE run_id = ?",
                (record.status, stored, summarize(record), reason, record.started_at,
                 None if waits else record.finished_at or time.time(), waits, run_id),
            )
            _index_outputs(self._db, run_id, record)
            self._db.execute("COMMIT")
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        if before is not None:
            self._count(before[0], len(stored.encode()) - before[1])

    def decide(self, run_id: str, decision: ReviewDecisionRow, request: RunRequest, reason: str) -> None:
        """Keep a person's decision and queue the run again with the request it changed."""
        self._db.execute("BEGIN IMMEDIATE")
        try:
            self._db.execute(
                "INSERT INTO review_decisions (run_id, node_id, action, note, content, principal, decided_at) "
                "VALUES (?,?,?,?,?,?,?)", (run_id, decision.node_id, decision.action, decision.note,
                                           decision.content, decision.principal, decision.decided_at))
            self._db.execute(
                "UPDATE runs SET status = 'queued', request = ?, review_state = ?, reason = ?, "
                "finished_at = NULL WHERE run_id = ? AND status = 'awaiting_review'",
                (request.model_dump_json(), DECIDED[decision.action], reason, run_id))
            self._db.execute("COMMIT")
        except BaseException:
            self._db.execute("ROLLBACK")
            raise

    def decisions(self, run_id: str) -> list[ReviewDecisionRow]:
        """A run's review thread: every decision about its waiting nodes, oldest first."""
        rows = self._db.execute(
            "SELECT node_id, action, note, content, principal, decided_at FROM review_decisions "
            "WHERE run_id = ? ORDER BY decided_at, rowid", (run_id,)).fetchall()
        return [ReviewDecisionRow.model_validate(dict(row)) for row in rows]

    def jobs(self, *, agent: str | None, status: str | None, review: str | None, principal: str | None,
             limit: int, offset: int) -> SummaryPage:
        """Agent jobs: the runs holding an agent node, newest first, by agent type, status and
        review state (`none`: never reviewed)."""
        where = ["agents IS NOT NULL"]
        args: list[Any] = []
        if agent is not None:
            where.append("instr(agents, ?) > 0")
            args.append(f",{agent},")
        for column, value in (("status", status), ("principal", principal)):
            if value is not None:
                where.append(f"{column} = ?")
                args.append(value)
        if review == "none":
            where.append("review_state IS NULL")
        elif review is not None:
            where.append("review_state = ?")
            args.append(review)
        clause = " AND ".join(where)
        total = self._db.execute(f"SELECT COUNT(*) FROM runs WHERE {clause}", args).fetchone()[0]
        rows = self._db.execute(
            f"SELECT {LIST_COLUMNS} FROM runs WHERE {clause} ORDER BY created_at DESC, rowid DESC "
            f"LIMIT ? OFFSET ?", [*args, limit, offset]).fetchall()
        return SummaryPage(items=[_row_to_summary(row) for row in rows], total=int(total), limit=limit,
                           offset=offset)

    def producers(self, output_key: str) -> list[RunHeader]:
        """The finished runs that made (or reused) the output folder `output_key`."""
        rows = self._db.execute(
            f"SELECT {LIST_COLUMNS} FROM runs JOIN run_outputs USING (run_id) WHERE output_key = ?",
            (output_key,)).fetchall()
        return [RunHeader.model_validate({k: row[k] for k in row.keys() if k != "summary"}) for row in rows]

    def set_status(self, run_id: str, status: RunStatus, reason: str | None = None) -> None:
        finished_at = time.time() if status in FINISHED else None
        self._db.execute(
            "UPDATE runs SET status = ?, reason = COALESCE(?, reason), finished_at = ? WHERE run_id = ?",
            (status, reason, finished_at, run_id),
        )

    def recover(self, max_attempts: int) -> tuple[list[str], list[str]]:
        """After a crash: runs left `running` are queued again (the result cache makes the
        retry redo only uncached nodes), unless they already failed to finish `max_attempts`
        times, in which case they are marked interrupted. Returns (resumed, interrupted)."""
        rows = self._db.execute("SELECT run_id, attempts FROM runs WHERE status = 'running'").fetchall()
        resumed = [row[0] for row in rows if row[1] < max_attempts]
        interrupted = [row[0] for row in rows if row[1] >= max_attempts]
        for run_id in resumed:
            self.set_status(run_id, "queued", "resumed after the server stopped while it was running")
        for run_id in interrupted:
            self.set_status(
                run_id, "interrupted",
                f"the server stopped while this run was executing, {max_attempts} times; not resumed again",
            )
        return resumed, interrupted

    def client_runs(self, limit: int = 10_000) -> list[tuple[str, str, str | None]]:
        """(client id, run id, principal) of the newest runs submitted with a client id."""
        rows = self._db.execute(
            "SELECT client_id, run_id, principal FROM runs WHERE client_id IS NOT NULL "
            "ORDER BY created_at DESC LIMIT ?", (limit,)).fetchall()
        return [(row[0], row[1], row[2]) for row in rows]

    def queued_count(self) -> int:
        return int(self._db.execute("SELECT COUNT(*) FROM runs WHERE status = 'queued'").fetchone()[0])

    def counts(self) -> dict[str, int]:
        rows = self._db.execute("SELECT status, COUNT(*) FROM runs GROUP BY status").fetchall()
        return {row[0]: int(row[1]) for row in rows}

    def delete(self, run_id: str) -> bool:
        """Forget a run; its id stays retired (see `ever_used`)."""
        with self._db:
            self._db.execute("BEGIN IMMEDIATE")
            before = self._sizes(run_id, _STORED_BYTES)
            if before is not None:
                self._count(before[0], -before[1])
            self._db.execute("DELETE FROM run_outputs WHERE run_id = ?", (run_id,))
            self._db.execute("INSERT OR IGNORE INTO retired_runs SELECT run_id, principal, ? FROM runs WHERE run_id = ?",
                             (time.time(), run_id))
            return self._db.execute("DELETE FROM runs WHERE run_id = ?", (run_id,)).rowcount > 0

    def ever_used(self, run_id: str) -> bool:
        """Whether a run has ever had this id, deleted ones included."""
        row = self._db.execute("SELECT 1 FROM runs WHERE run_id = ? UNION ALL "
                               "SELECT 1 FROM retired_runs WHERE run_id = ? LIMIT 1", (run_id, run_id)).fetchone()
        return row is not None

    def renew(self, live: dict[str, RunRecord]) -> dict[str, str]:
        return {}

    def request_cancel(self, run_id: str, reason: str) -> bool:
        return False

    def reclaim(self, max_attempts: int) -> tuple[list[str], list[str]]:
        return [], []
