"""The run queue and history in PostgreSQL, shared by every server replica (`RunStorage`).

Claims take the next run by round-robin fair share with `SELECT … FOR UPDATE SKIP LOCKED`, so
replicas claiming at once never take the same run and never wait on each other. A claimed run
is leased to its replica until `lease_expires`; the replica's heartbeat renews it (`renew`),
and any replica queues again the runs of a replica whose lease ran out (`reclaim`)."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

from ..engine.record import RunRecord, RunStatus
from ..runs.storage import LEASE_LOST
from ..runs.store import (
    DECIDED,
    FINISHED,
    LIST_COLUMNS,
    ReviewDecisionRow,
    RunHeader,
    RunPage,
    RunRequest,
    RunSummary,
    StoredRun,
    SummaryPage,
    agents_column,
    output_keys,
    run_of,
    summarize,
    summary_of,
)
from .engine import autocommit

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection, Engine

_LINE_ORDER = "priority DESC, queue_pos, ord"
# A run this replica may change the state of: leased to nobody (queued, ended) or to itself.
_MINE = "(lease_owner IS NULL OR lease_owner = :me)"
_RUN_COLUMNS = ("run_id, status, tier, project, client_id, principal, request, record, reason, attempts, "
                "created_at, started_at, finished_at, priority, batch_id, retry_of, review_state")
# The principal served longest ago (never served first, then whose oldest queued run is
# oldest) gives the first run of its line that no other replica is claiming; its turn is
# taken and the run leased in the same statement.
_CLAIM = f"""
WITH lines AS (
    SELECT principal, MIN(created_at) AS oldest FROM runs WHERE status = 'queued' GROUP BY principal
), candidate AS (
    SELECT r.run_id, r.principal FROM runs r JOIN lines l ON l.principal = r.principal
    LEFT JOIN principal_turns t ON t.principal = r.principal
    WHERE r.status = 'queued'
    ORDER BY COALESCE(t.served, -1), l.oldest, r.priority DESC, r.queue_pos, r.ord
    LIMIT 1 FOR UPDATE OF r SKIP LOCKED
), turn AS (
    INSERT INTO principal_turns (principal, served)
    SELECT principal, nextval('principal_turns_seq') FROM candidate
    ON CONFLICT (principal) DO UPDATE SET served = excluded.served
)
UPDATE runs SET status = 'running', attempts = attempts + 1, started_at = :now, lease_owner = :me,
    lease_expires = :until, cancel_reason = NULL
FROM candidate WHERE runs.run_id = candidate.run_id
RETURNING {", ".join(f"runs.{column.strip()}" for column in _RUN_COLUMNS.split(","))}
"""


class PgRunStore:
    """`replica`: this server's id, written on the runs it leases; `lease_s`: how long a lease
    holds without renewal (a dead replica's runs are taken back after that)."""

    shared = True

    def __init__(self, engine: Engine, replica: str, lease_s: float = 15.0) -> None:
        self._engine = engine
        self._single = autocommit(engine)
        self.replica = replica
        self.lease_s = lease_s

    def close(self) -> None:
        self._write("DELETE FROM replicas WHERE replica_id = :me", me=self.replica)
        self._engine.dispose()

    def _all(self, sql: str, **params: Any) -> list[dict[str, Any]]:
        from sqlalchemy import text

        with self._single.connect() as db:  # one statement, committed (some are UPDATE … RETURNING)
            return [dict(row._mapping) for row in db.execute(text(sql), params)]

    def _one(self, sql: str, **params: Any) -> Any:
        rows = self._all(sql, **params)
        return next(iter(rows[0].values())) if rows else None

    def _write(self, sql: str, **params: Any) -> int:
        from sqlalchemy import text

        with self._single.connect() as db:
            return int(db.execute(text(sql), params).rowcount)

    def add(self, run: StoredRun, agents: list[str] | None = None) -> None:
        request = run.request.model_dump_json()
        self._write(
            "INSERT INTO runs (run_id, status, tier, project, client_id, principal, request, reason, attempts, "
            "created_at, priority, queue_pos, batch_id, retry_of, stored_bytes, agents) VALUES (:run_id, :status, "
            ":tier, :project, :client_id, :principal, :request, :reason, :attempts, :created_at, :priority, "
            ":created_at, :batch_id, :retry_of, :bytes, :agents)",
            **run.model_dump(include={"run_id", "status", "tier", "project", "client_id", "principal", "reason",
                                      "attempts", "created_at", "priority", "batch_id", "retry_of"}),
            request=request, bytes=len(request.encode()), agents=agents_column(agents))

    def usage(self, principal: str) -> tuple[int, int]:
        [row] = self._all("SELECT COUNT(*) FILTER (WHERE status IN ('queued', 'running')) AS active, "
                          "COALESCE(SUM(stored_bytes), 0) AS bytes FROM runs WHERE principal = :p", p=principal)
        return int(row["active"]), int(row["bytes"])

    def get(self, run_id: str) -> StoredRun | None:
        rows = self._all(f"SELECT {_RUN_COLUMNS} FROM runs WHERE run_id = :r", r=run_id)
        return run_of(rows[0]) if rows else None

    def _select(self, columns: str, filters: dict[str, str | None], limit: int,
                offset: int) -> tuple[int, list[dict[str, Any]]]:
        given = {column: value for column, value in filters.items() if value is not None}
        clause = " AND ".join(f"{column} = :{column}" for column in given)
        where = f"WHERE {clause}" if clause else ""
        total = int(self._one(f"SELECT COUNT(*) FROM runs {where}", **given))
        rows = self._all(f"SELECT {columns} FROM runs {where} ORDER BY created_at DESC, ord DESC "
                         "LIMIT :limit OFFSET :offset", **given, limit=limit, offset=offset)
        return total, rows

    def page(self, *, status: str | None = None, limit: int = 50, offset: int = 0) -> RunPage:
        total, rows = self._select(_RUN_COLUMNS, {"status": status}, limit, offset)
        return RunPage(items=[run_of(row) for row in rows], total=total, limit=limit, offset=offset)

    def summaries(self, *, status: str | None = None, project: str | None = None, client_id: str | None = None,
                  principal: str | None = None, batch_id: str | None = None, limit: int = 50,
                  offset: int = 0) -> SummaryPage:
        filters = {"status": status, "project": project, "client_id": client_id, "principal": principal,
                   "batch_id": batch_id}
        total, rows = self._select(LIST_COLUMNS, filters, limit, offset)
        return SummaryPage(items=[summary_of(row) for row in rows], total=total, limit=limit, offset=offset)

    def claim_next(self) -> StoredRun | None:
        """As the SQLite store's (round-robin fair share, then the principal's line), taking the
        first run no other replica holds locked; leased to this replica. One statement: the
        claim is a single round trip."""
        now = time.time()
        rows = self._all(_CLAIM, now=now, me=self.replica, until=now + self.lease_s)
        return run_of(rows[0]) if rows else None

    def queued_lines(self) -> list[list[RunSummary]]:
        rows = self._all(f"SELECT {LIST_COLUMNS} FROM runs WHERE status = 'queued' ORDER BY {_LINE_ORDER}")
        lines: dict[str, list[RunSummary]] = {}
        for row in rows:
            lines.setdefault(row["principal"], []).append(summary_of(row))
        served = {row["principal"]: row["served"] for row in self._all("SELECT principal, served FROM principal_turns")}
        return sorted(lines.values(), key=lambda line: (
            served.get(line[0].principal, -1), min(run.created_at for run in line)))

    def line_of(self, run_id: str) -> list[tuple[str, int, float]]:
        rows = self._all(
            f"SELECT run_id, priority, queue_pos FROM runs WHERE status = 'queued' AND principal = "
            f"(SELECT principal FROM runs WHERE run_id = :r) ORDER BY {_LINE_ORDER}", r=run_id)
        return [(str(row["run_id"]), int(row["priority"]), float(row["queue_pos"])) for row in rows]

    def place(self, run_id: str, priority: int, queue_pos: float) -> None:
        self._write("UPDATE runs SET priority = :p, queue_pos = :q WHERE run_id = :r AND status = 'queued'",
                    p=priority, q=queue_pos, r=run_id)

    def paused(self) -> bool:
        return bool(self._one("SELECT value FROM queue_state WHERE key = 'paused'") == "1")

    def set_paused(self, paused: bool) -> None:
        self._write("INSERT INTO queue_state (key, value) VALUES ('paused', :v) "
                    "ON CONFLICT (key) DO UPDATE SET value = excluded.value", v="1" if paused else "0")

    def finish(self, run_id: str, record: RunRecord, reason: str | None = None) -> None:
        """Store how the run ended, unless another replica has taken it over meanwhile (this
        one's lease ran out, as after a long pause): then that one's end is the run's."""
        from sqlalchemy import text

        stored = record.model_dump_json()
        waits = record.status == "awaiting_review"  # stopped for a person, not finished
        with self._engine.begin() as db:
            changed = db.execute(text(
                "UPDATE runs SET status = :status, record = :record, summary = :summary, "
                "reason = COALESCE(:reason, reason), started_at = COALESCE(:started, started_at), "
                "finished_at = :finished, lease_owner = NULL, lease_expires = NULL, cancel_reason = NULL, "
                "review_state = CASE WHEN :waits THEN 'awaiting' WHEN review_state = 'awaiting' THEN NULL "
                "ELSE review_state END, "
                f"stored_bytes = octet_length(request) + :bytes WHERE run_id = :r AND {_MINE}"),
                {"status": record.status, "record": stored, "summary": summarize(record), "reason": reason,
                 "started": record.started_at, "finished": None if waits else record.finished_at or time.time(),
                 "waits": waits, "bytes": len(stored.encode()), "r": run_id, "me": self.replica}).rowcount
            if changed:
                _index_outputs(db, run_id, record)

    def producers(self, output_key: str) -> list[RunHeader]:
        rows = self._all(f"SELECT {LIST_COLUMNS} FROM runs JOIN run_outputs USING (run_id) WHERE output_key = :k",
                         k=output_key)
        return [RunHeader.model_validate({k: v for k, v in row.items() if k != "summary"}) for row in rows]

    def set_status(self, run_id: str, status: RunStatus, reason: str | None = None) -> None:
        self._write(
            "UPDATE runs SET status = :s, reason = COALESCE(:reason, reason), finished_at = :f, "
            f"lease_owner = NULL, lease_expires = NULL, cancel_reason = NULL WHERE run_id = :r AND {_MINE}",
            s=status, reason=reason, f=time.time() if status in FINISHED else None, r=run_id, me=self.replica)

    def recover(self, max_attempts: int) -> tuple[list[str], list[str]]:
        """At start: only the runs of dead replicas (leases run out); live ones keep theirs."""
        return self.reclaim(max_attempts)

    def client_runs(self, limit: int = 10_000) -> list[tuple[str, str, str | None]]:
        rows = self._all("SELECT client_id, run_id, principal FROM runs WHERE client_id IS NOT NULL "
                         "ORDER BY created_at DESC LIMIT :n", n=limit)
        return [(row["client_id"], row["run_id"], row["principal"]) for row in rows]

    def queued_count(self) -> int:
        return int(self._one("SELECT COUNT(*) FROM runs WHERE status = 'queued'"))

    def counts(self) -> dict[str, int]:
        return {row["status"]: int(row["n"]) for row in self._all("SELECT status, COUNT(*) AS n FROM runs GROUP BY status")}

    def delete(self, run_id: str) -> bool:
        from sqlalchemy import text

        with self._engine.begin() as db:
            db.execute(text("DELETE FROM run_outputs WHERE run_id = :r"), {"r": run_id})
            db.execute(text("INSERT INTO retired_runs SELECT run_id, principal, :now FROM runs WHERE run_id = :r "
                            "ON CONFLICT DO NOTHING"), {"r": run_id, "now": time.time()})
            return int(db.execute(text("DELETE FROM runs WHERE run_id = :r"), {"r": run_id}).rowcount) > 0

    def ever_used(self, run_id: str) -> bool:
        return self._one("SELECT 1 FROM runs WHERE run_id = :r UNION ALL SELECT 1 FROM retired_runs "
                         "WHERE run_id = :r LIMIT 1", r=run_id) is not None

    # ---- human review ------------------------------------------------------------------

    def decide(self, run_id: str, decision: ReviewDecisionRow, request: RunRequest, reason: str) -> None:
        from sqlalchemy import text

        with self._engine.begin() as db:
            db.execute(text(
                "INSERT INTO review_decisions (run_id, node_id, action, note, content, principal, decided_at) "
                "VALUES (:run_id, :node_id, :action, :note, :content, :principal, :decided_at)"),
                {"run_id": run_id, **decision.model_dump()})
            db.execute(text(
                "UPDATE runs SET status = 'queued', request = :request, review_state = :state, reason = :reason, "
                "finished_at = NULL WHERE run_id = :r AND status = 'awaiting_review'"),
                {"request": request.model_dump_json(), "state": DECIDED[decision.action], "reason": reason,
                 "r": run_id})

    def decisions(self, run_id: str) -> list[ReviewDecisionRow]:
        rows = self._all("SELECT node_id, action, note, content, principal, decided_at FROM review_decisions "
                         "WHERE run_id = :r ORDER BY decided_at, ord", r=run_id)
        return [ReviewDecisionRow.model_validate(row) for row in rows]

    def jobs(self, *, agent: str | None, status: str | None, review: str | None, principal: str | None,
             limit: int, offset: int) -> SummaryPage:
        where, params = ["agents IS NOT NULL"], {}
        if agent is not None:
            where.append("strpos(agents, :agent) > 0")
            params["agent"] = f",{agent},"
        for column, value in (("status", status), ("principal", principal)):
            if value is not None:
                where.append(f"{column} = :{column}")
                params[column] = value
        if review == "none":
            where.append("review_state IS NULL")
        elif review is not None:
            where.append("review_state = :review")
            params["review"] = review
        clause = " AND ".join(where)
        total = int(self._one(f"SELECT COUNT(*) FROM runs WHERE {clause}", **params))
        rows = self._all(f"SELECT {LIST_COLUMNS} FROM runs WHERE {clause} ORDER BY created_at DESC, ord DESC "
                         "LIMIT :limit OFFSET :offset", **params, limit=limit, offset=offset)
        return SummaryPage(items=[summary_of(row) for row in rows], total=total, limit=limit, offset=offset)

    # ---- leases ----------------------------------------------------------------------

    def renew(self, live: dict[str, RunRecord]) -> dict[str, str]:
        """Extend this replica's leases and store the records so far (another replica shows a
        running run's nodes from them); a run it no longer holds (taken over, or ended
        elsewhere) is answered with LEASE_LOST, one whose cancellation was asked elsewhere
        with that reason."""
        from sqlalchemy import text

        now = time.time()
        answers: dict[str, str] = {}
        with self._engine.begin() as db:
            db.execute(text("UPDATE replicas SET heartbeat_at = :now WHERE replica_id = :me"),
                       {"now": now, "me": self.replica})
            for run_id, record in live.items():
                held = db.execute(text(
                    "UPDATE runs SET lease_expires = :until, record = :record, summary = :summary "
                    "WHERE run_id = :r AND status = 'running' AND lease_owner = :me RETURNING cancel_reason"),
                    {"until": now + self.lease_s, "record": record.model_dump_json(), "summary": summarize(record),
                     "r": run_id, "me": self.replica}).first()
                if held is None:
                    answers[run_id] = LEASE_LOST
                elif held[0]:
                    answers[run_id] = str(held[0])
        return answers

    def request_cancel(self, run_id: str, reason: str) -> bool:
        return self._write("UPDATE runs SET cancel_reason = :why WHERE run_id = :r AND status = 'running'",
                           why=reason, r=run_id) > 0

    def reclaim(self, max_attempts: int) -> tuple[list[str], list[str]]:
        """Runs left `running` by a replica whose lease ran out: queued again (cached nodes are
        not redone), or interrupted once they have failed to finish `max_attempts` times. Two
        replicas reclaiming at once take each run once (the row lock re-checks the lease)."""
        now = time.time()
        expired = "status = 'running' AND (lease_expires IS NULL OR lease_expires < :now)"
        resumed = self._all(
            f"UPDATE runs SET status = 'queued', lease_owner = NULL, lease_expires = NULL, cancel_reason = NULL, "
            "record = NULL, summary = NULL, "
            f"reason = 'resumed after the server running it stopped' WHERE {expired} AND attempts < :n "
            "RETURNING run_id", now=now, n=max_attempts)
        interrupted = self._all(
            f"UPDATE runs SET status = 'interrupted', lease_owner = NULL, lease_expires = NULL, finished_at = :now, "
            f"reason = :why WHERE {expired} AND attempts >= :n RETURNING run_id", now=now, n=max_attempts,
            why=f"the server stopped while this run was executing, {max_attempts} times; not resumed again")
        return [row["run_id"] for row in resumed], [row["run_id"] for row in interrupted]


def _index_outputs(db: Connection, run_id: str, record: RunRecord) -> None:
    from sqlalchemy import text

    keys = sorted(output_keys(record))
    if keys:
        db.execute(text("INSERT INTO run_outputs (output_key, run_id) VALUES (:k, :r) ON CONFLICT DO NOTHING"),
                   [{"k": key, "r": run_id} for key in keys])

