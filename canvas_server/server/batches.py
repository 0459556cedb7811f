"""Batches (docs/architecture.md §12): one graph and a table of parameter values, one run per row, grouped
under a batch id. Every row is a submission like any other (`run_submit.submit_run`): the same
checks, quota and audit; its columns are the run's `params` (`NODE.INPUT` or a template's
exposed parameter labels; CSV cells are text, typed by the input they set). Rows share their
upstream nodes through the result cache, so a prefix every row has in common runs once."""

from __future__ import annotations

import csv
import io
import uuid
from typing import Any

from nodes.sdk import AuteurError

from ..governance import Action, Principal, RunResource, authorize
from ..runs.storage import off_loop
from ..runs.store import RunSummary
from . import run_submit
from .services import AppServices

MAX_ROWS = 1000


class BatchTableError(AuteurError):
    code = "request_invalid"


class BatchNotFoundError(AuteurError):
    code = "batch_not_found"


def table_rows(table: str | list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The rows of a CSV text (a header row, then one row per run) or of a JSON list of objects."""
    if isinstance(table, str):
        reader = csv.DictReader(io.StringIO(table))
        rows: list[dict[str, Any]] = []
        for number, row in enumerate(reader, start=2):
            if None in row or any(value is None for value in row.values()):
                raise BatchTableError(f"CSV line {number} has not as many cells as the header has columns",
                                      details={"line": number})
            rows.append({key.strip(): value for key, value in row.items() if value != ""})
    else:
        rows = table
    if not rows:
        raise BatchTableError("the table has no rows; a batch needs at least one")
    if len(rows) > MAX_ROWS:
        raise BatchTableError(f"the table has {len(rows)} rows; a batch holds at most {MAX_ROWS}",
                              details={"rows": len(rows), "limit": MAX_ROWS})
    return rows


async def check_room(services: AppServices, principal: Principal, rows: int) -> None:
    """All rows fit in the caller's queued-run quota, or none is queued (429 before the first)."""
    store = services.runs.store
    active, _ = await off_loop(store.shared, store.usage, principal.name)
    limit = services.settings.max_queued_runs
    if active + rows > limit:
        raise run_submit.QuotaExceededError(
            f"{principal.name} has {active} runs queued or running and the batch adds {rows}; at most "
            f"{limit} are allowed (setting AUTEUR_MAX_QUEUED_RUNS)",
            details={"queued": active, "rows": rows, "limit": limit, "setting": "AUTEUR_MAX_QUEUED_RUNS"})


async def submit_batch(
    services: AppServices, principal: Principal, graph: dict[str, Any], table: str | list[dict[str, Any]], *,
    params: dict[str, Any], tier: str | None, project: str | None, client_id: str | None, priority: int,
    row_projects: list[str] | None = None,
) -> tuple[str, list[str]]:
    """Queue one run per row under a new batch id; returns (batch id, run ids in row order).
    `row_projects` gives each row its own project (the studio's batch over several projects);
    the caller authorizes those projects before, so a refused one queues nothing."""
    authorize(principal, Action.RUN_SUBMIT)
    rows = table_rows(table)
    projects: list[str | None] = list(row_projects) if row_projects is not None else [project] * len(rows)
    await check_room(services, principal, len(rows))
    batch_id = uuid.uuid4().hex
    run_ids = []
    for row, row_project in zip(rows, projects, strict=True):
        run = await run_submit.submit_run(
            services, principal, graph, tier=tier, project=row_project, params={**params, **row},
            client_id=client_id, priority=priority, batch_id=batch_id)
        run_ids.append(run.run_id)
    return batch_id, run_ids


async def batch_runs(services: AppServices, principal: Principal, batch_id: str, action: Action
                     ) -> list[RunSummary]:
    """The batch's runs, oldest first, once `authorize` lets the caller `action` them (a batch
    belongs to the principal that submitted it; 404 when there is none)."""
    store = services.runs.store
    runs = (await off_loop(store.shared, store.summaries, batch_id=batch_id, limit=MAX_ROWS * 10)).items
    if not runs:
        raise BatchNotFoundError(f"no batch with id {batch_id!r}", details={"batch_id": batch_id})
    authorize(principal, action, RunResource(run_id=runs[0].run_id, owner=runs[0].principal))
    return runs[::-1]


def current(runs: list[RunSummary]) -> list[RunSummary]:
    """One run per row: a run that was retried gives way to its retry."""
    retried = {run.retry_of for run in runs if run.retry_of}
    return [run for run in runs if run.run_id not in retried]
