"""The one way a run enters the queue from the server: `POST /api/runs` and ComfyUI's
`POST /prompt` both call `submit_run` (docs/architecture.md §6, §8, §11).

In order: the caller may submit runs at all (`run.submit`) and is within its quota (queued
runs, stored bytes: 429 `quota_exceeded`); the graph passes `graph.check` (in a thread)
with the caller's maturity (MaturityError names the nodes above it); the project is found by
name or id (404, never a path) and the caller holds its creator role (`project.run`); a
`client_id` is bound to the principal that first used it and subscribed to the run; the run
is audited and queued. Every refusal is an `AuteurError` the caller maps to its own shape.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from typing import Any

from function_runners.tiers import DEFAULT_TIER
from nodes.sdk import AuteurError

from ..governance import Action, ClientResource, Principal, authorize
from ..graph.check import GraphCheck, check_graph, runnable
from ..runs.storage import off_loop
from ..runs.store import RunRequest, StoredRun
from ..workspace.store import ProjectRef, ProjectStore
from .access import project_resource
from .services import AppServices

MIB = 1024 * 1024


def run_project(services: AppServices, principal: Principal, project: str | None) -> ProjectRef | None:
    """The run's project, found by name or id (404 when there is none: never a path), in
    which the caller must hold the project's creator role."""
    if project is None:
        return None
    store = ProjectStore(services.settings.workspace)
    ref = store.find(project)
    authorize(principal, Action.PROJECT_RUN, project_resource(store.get(ref.name)))
    return ref


def bind_client(services: AppServices, principal: Principal, client_id: str) -> None:
    """A client id belongs to the principal that first used it (`client.use`)."""
    state = services.events.client(client_id)
    authorize(principal, Action.CLIENT_USE, ClientResource(client_id, state.owner))
    services.events.own(state, principal.name)


class QuotaExceededError(AuteurError):
    code = "quota_exceeded"


async def check_quota(services: AppServices, principal: Principal) -> None:
    """A principal's share of the server: its queued and running runs, the bytes of its runs."""
    store = services.runs.store
    active, stored = await off_loop(store.shared, store.usage, principal.name)
    settings = services.settings
    if active >= settings.max_queued_runs:
        raise QuotaExceededError(
            f"{principal.name} has {active} runs queued or running, the most allowed "
            "(setting AUTEUR_MAX_QUEUED_RUNS); wait for some to finish or cancel them",
            details={"queued": active, "limit": settings.max_queued_runs, "setting": "AUTEUR_MAX_QUEUED_RUNS"})
    if stored >= settings.max_stored_mb * MIB:
        raise QuotaExceededError(
            f"{principal.name}'s runs take {stored // MIB} MiB, the most allowed "
            "(setting AUTEUR_MAX_STORED_MB); delete finished runs to submit more",
            details={"stored_bytes": stored, "limit_bytes": settings.max_stored_mb * MIB,
                     "setting": "AUTEUR_MAX_STORED_MB"})


async def submit_run(
    services: AppServices,
    principal: Principal,
    graph: dict[str, Any],
    *,
    tier: str | None = None,
    project: str | None = None,
    params: dict[str, Any] | None = None,
    targets: list[str] | None = None,
    client_id: str | None = None,
    run_id: str | None = None,
    priority: int = 0,
    batch_id: str | None = None,
    retry_of: str | None = None,
    checked: GraphCheck | None = None,
) -> StoredRun:
    """Check, authorize, audit and queue one run; returns it as stored (status `queued`).
    `checked`: this graph's check for this caller, with these targets and no params, made just
    now (the editor's validate-and-queue): refused by the same rules, not made again."""
    authorize(principal, Action.RUN_SUBMIT)
    await check_quota(services, principal)
    params = params or {}
    if checked is not None and not params:
        checked = runnable(checked, principal.caller)
    else:
        # Reading, converting and validating a graph of thousands of nodes takes CPU seconds: in
        # a thread, so the event loop keeps answering (the check touches no loop-bound service).
        checked = await asyncio.to_thread(
            check_graph, graph, services.registry, principal.caller, params=params, targets=targets,
            max_nodes=services.settings.max_graph_nodes,
        )
    ref = run_project(services, principal, project)
    run_id = run_id or uuid.uuid4().hex
    if client_id:
        bind_client(services, principal, client_id)
        services.events.subscribe(client_id, runs=[run_id])
    run = StoredRun(
        run_id=run_id, status="queued",
        tier=tier or (ref.quality if ref else None) or DEFAULT_TIER,
        project=ref.name if ref else None, client_id=client_id, principal=principal.name,
        request=RunRequest(graph=graph, prompt=checked.prompt.dump(), params=params, targets=targets),
        created_at=time.time(), priority=priority, batch_id=batch_id, retry_of=retry_of,
    )
    await off_loop(services.runs.store.shared, services.audit.record_run, principal, run_id, checked.prompt,
                   services.registry, run.project)
    await services.runs.submit(run)
    return run


RETRYABLE = frozenset({"failed", "interrupted", "cancelled"})


class RunNotRetryableError(AuteurError):
    code = "conflict"


async def retry_run(services: AppServices, principal: Principal, run: StoredRun) -> StoredRun:
    """A new run of a failed, interrupted or cancelled run: the same graph, inputs, tier,
    project, priority and batch, checked and authorized again as any submission is (the
    result cache makes it redo only the nodes that did not complete)."""
    if run.status not in RETRYABLE:
        raise RunNotRetryableError(
            f"run {run.run_id} is {run.status}; only a failed, interrupted or cancelled run can be retried",
            details={"status": run.status})
    request = run.request
    return await submit_run(
        services, principal, request.graph if request.graph is not None else request.prompt, tier=run.tier,
        project=run.project, params=request.params, targets=request.targets, client_id=run.client_id,
        priority=run.priority, batch_id=run.batch_id, retry_of=run.run_id)
