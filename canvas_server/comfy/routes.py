"""ComfyUI's queue routes: `/prompt`, `/queue`, `/interrupt`, `/history` (thin: the run
manager does the work; runs here are ordinary runs of `/api/runs`)."""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse

from ..governance import Principal
from ..runs.manager import RunFinishedError, RunManager, RunNotFoundError
from ..runs.store import FINISHED, StoredRun
from ..server.deps import get_principal, get_services
from ..server.services import AppServices
from .errors import invalid_prompt
from .history import history_entry, number, queue_item
from .submit import PromptRefused, submit_prompt
from .ws import queue_remaining

router = APIRouter()
_ALL = 1_000_000


def _manager(services: AppServices) -> RunManager:
    assert services.runs is not None, "the run manager starts with the main app"
    return services.runs


def _runs(services: AppServices, status: str, limit: int = _ALL) -> list[StoredRun]:
    return _manager(services).store.page(status=status, limit=limit).items


async def _json(request: Request) -> Any:
    try:
        return await request.json()
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise PromptRefused(invalid_prompt("the body is not JSON")) from None


@router.get("/prompt")
async def prompt_status(services: AppServices = Depends(get_services)) -> dict[str, Any]:
    return {"exec_info": {"queue_remaining": queue_remaining(services)}}


@router.post("/prompt")
async def queue_prompt(request: Request, services: AppServices = Depends(get_services),
                       principal: Principal = Depends(get_principal)) -> JSONResponse:
    """Validate and queue a prompt: `{prompt_id, number, node_errors}`, or ComfyUI's refusal."""
    try:
        run = submit_prompt(services, await _json(request), principal)
    except PromptRefused as refused:
        return JSONResponse(refused.body, status_code=refused.status)
    return JSONResponse({"prompt_id": run.run_id, "number": number(run), "node_errors": {}})


@router.get("/queue")
async def get_queue(services: AppServices = Depends(get_services)) -> dict[str, Any]:
    def items(status: str) -> list[list[Any]]:
        return [queue_item(run, services.registry) for run in reversed(_runs(services, status))]

    return {"queue_running": items("running"), "queue_pending": items("queued")}


def _cancel(manager: RunManager, run_ids: list[str], principal: Principal, *, queued_only: bool) -> None:
    for run_id in run_ids:
        try:
            if queued_only and manager.get(run_id).status != "queued":
                continue
            manager.cancel(run_id, f"cancelled by {principal.name}")
        except (RunNotFoundError, RunFinishedError):
            continue  # ComfyUI ignores prompts that are gone


@router.post("/queue")
async def edit_queue(request: Request, services: AppServices = Depends(get_services),
                     principal: Principal = Depends(get_principal)) -> JSONResponse:
    """`{clear: true}` cancels every pending prompt; `{delete: [ids]}` cancels those."""
    body = await _json(request)
    manager = _manager(services)
    if isinstance(body, dict) and body.get("clear"):
        _cancel(manager, [run.run_id for run in _runs(services, "queued")], principal, queued_only=True)
    if isinstance(body, dict) and isinstance(body.get("delete"), list):
        _cancel(manager, [str(item) for item in body["delete"]], principal, queued_only=True)
    return JSONResponse({}, status_code=200)


@router.post("/interrupt")
async def interrupt(request: Request, services: AppServices = Depends(get_services),
                    principal: Principal = Depends(get_principal)) -> JSONResponse:
    """Stop the running prompt `prompt_id`, or every running prompt."""
    raw = await request.body()
    body = json.loads(raw) if raw.strip() else {}
    wanted = body.get("prompt_id") if isinstance(body, dict) else None
    running = [run.run_id for run in _runs(services, "running")]
    targets = [wanted] if wanted in running else ([] if wanted else running)
    _cancel(_manager(services), targets, principal, queued_only=False)
    return JSONResponse({}, status_code=200)


def _finished(services: AppServices, limit: int) -> list[StoredRun]:
    runs = [run for status in sorted(FINISHED) for run in _runs(services, status, limit)]
    return sorted(runs, key=lambda run: run.created_at)[-limit:]


@router.get("/history")
async def history(max_items: int | None = None, offset: int = 0,
                  services: AppServices = Depends(get_services)) -> dict[str, Any]:
    runs = _finished(services, _ALL)
    runs = runs[offset:] if offset > 0 else runs
    if max_items is not None:
        runs = runs[-max_items:] if max_items > 0 else []
    workspace = services.settings.workspace
    return {run.run_id: history_entry(run, services.registry, workspace) for run in runs}


@router.get("/history/{prompt_id}")
async def history_of(prompt_id: str, services: AppServices = Depends(get_services)) -> dict[str, Any]:
    run = _manager(services).store.get(prompt_id)
    if run is None or run.status not in FINISHED:
        return {}
    return {prompt_id: history_entry(_manager(services).get(prompt_id), services.registry, services.settings.workspace)}


@router.post("/history")
async def edit_history(request: Request, services: AppServices = Depends(get_services)) -> JSONResponse:
    """`{clear: true}` forgets every finished prompt; `{delete: [ids]}` forgets those."""
    body = await _json(request)
    manager = _manager(services)
    ids: list[str] = []
    if isinstance(body, dict) and body.get("clear"):
        ids += [run.run_id for run in _finished(services, _ALL)]
    if isinstance(body, dict) and isinstance(body.get("delete"), list):
        ids += [str(item) for item in body["delete"]]
    for run_id in ids:
        try:
            manager.delete(run_id)
        except (RunNotFoundError, RunFinishedError):
            continue
    return JSONResponse({}, status_code=200)
