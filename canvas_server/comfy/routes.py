"""ComfyUI's queue routes: `/prompt`, `/queue`, `/interrupt`, `/history` (thin: the run
manager does the work; runs here are ordinary runs of `/api/runs`, governed as there — see
`access.py`)."""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse

from ..governance import Action, Principal, authorize
from ..runs.manager import RunFinishedError, RunManager, RunNotFoundError
from ..runs.storage import off_loop
from ..runs.store import FINISHED, StoredRun
from ..server.deps import get_principal, get_services
from ..server.services import AppServices
from .access import check_each, visible
from .errors import invalid_prompt
from .history import history_entry, number, queue_item
from .submit import PromptRefused, submit_prompt
from .ws import queue_remaining

router = APIRouter()
_ALL = 1_000_000


async def _runs(services: AppServices, status: str, limit: int = _ALL) -> list[StoredRun]:
    store = services.runs.store
    return (await off_loop(store.shared, store.page, status=status, limit=limit)).items


async def _json(request: Request) -> Any:
    try:
        return await request.json()
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise PromptRefused(invalid_prompt("the body is not JSON")) from None


@router.get("/prompt")
async def prompt_status(services: AppServices = Depends(get_services),
                        principal: Principal = Depends(get_principal)) -> dict[str, Any]:
    authorize(principal, Action.RUN_LIST)
    return {"exec_info": {"queue_remaining": await queue_remaining(services)}}


@router.post("/prompt")
async def queue_prompt(request: Request, services: AppServices = Depends(get_services),
                       principal: Principal = Depends(get_principal)) -> JSONResponse:
    """Validate and queue a prompt: `{prompt_id, number, node_errors}`, or ComfyUI's refusal."""
    try:
        run = await submit_prompt(services, await _json(request), principal)
    except PromptRefused as refused:
        return JSONResponse(refused.body, status_code=refused.status)
    return JSONResponse({"prompt_id": run.run_id, "number": number(run), "node_errors": {}})


@router.get("/queue")
async def get_queue(services: AppServices = Depends(get_services),
                    principal: Principal = Depends(get_principal)) -> dict[str, Any]:
    """The caller's running and pending prompts (an admin's: everyone's)."""
    authorize(principal, Action.RUN_LIST)

    async def items(status: str) -> list[list[Any]]:
        runs = visible(principal, reversed(await _runs(services, status)))
        return [queue_item(run, services.registry) for run in runs]

    # A run waiting for review is pending to ComfyUI, after the queued ones.
    return {"queue_running": await items("running"),
            "queue_pending": await items("queued") + await items("awaiting_review")}


async def _named(manager: RunManager, ids: list[str]) -> list[StoredRun]:
    """The runs behind `ids`; ComfyUI ignores prompts that are gone."""
    found = []
    for run_id in ids:
        try:
            found.append(await manager.read(run_id))
        except RunNotFoundError:
            continue
    return found


async def _cancel(manager: RunManager, runs: list[StoredRun], principal: Principal, *, queued_only: bool) -> None:
    for run in runs:
        if queued_only and run.status != "queued":
            continue
        try:
            await manager.cancel(run.run_id, f"cancelled by {principal.name}")
        except (RunNotFoundError, RunFinishedError):
            continue  # ended meanwhile


def _ids(body: Any) -> list[str]:
    items = body.get("delete") if isinstance(body, dict) else None
    return [str(item) for item in items] if isinstance(items, list) else []


def _clear(body: Any) -> bool:
    return isinstance(body, dict) and bool(body.get("clear"))


@router.post("/queue")
async def edit_queue(request: Request, services: AppServices = Depends(get_services),
                     principal: Principal = Depends(get_principal)) -> JSONResponse:
    """`{clear: true}` cancels the caller's pending prompts (an admin's: all); `{delete: [ids]}`
    cancels those, 403 when one is another principal's."""
    body = await _json(request)
    manager = services.runs
    named = await _named(manager, _ids(body))
    check_each(principal, named, Action.RUN_CANCEL)
    if _clear(body):
        await _cancel(manager, visible(principal, await _runs(services, "queued"), Action.RUN_CANCEL), principal,
                queued_only=True)
    await _cancel(manager, named, principal, queued_only=True)
    return JSONResponse({}, status_code=200)


@router.post("/interrupt")
async def interrupt(request: Request, services: AppServices = Depends(get_services),
                    principal: Principal = Depends(get_principal)) -> JSONResponse:
    """Stop the running prompt `prompt_id` (403 when it is another principal's), or every
    running prompt of the caller (an admin's: all)."""
    raw = await request.body()
    try:
        body = json.loads(raw) if raw.strip() else {}
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise PromptRefused(invalid_prompt("the body is not JSON")) from None
    wanted = body.get("prompt_id") if isinstance(body, dict) else None
    manager = services.runs
    if wanted:
        targets = [run for run in await _named(manager, [str(wanted)]) if run.status == "running"]
        check_each(principal, targets, Action.RUN_CANCEL)
    else:
        targets = visible(principal, await _runs(services, "running"), Action.RUN_CANCEL)
    await _cancel(manager, targets, principal, queued_only=False)
    return JSONResponse({}, status_code=200)


async def _finished(services: AppServices, principal: Principal, limit: int) -> list[StoredRun]:
    runs = [run for status in sorted(FINISHED) for run in await _runs(services, status, limit)]
    return sorted(visible(principal, runs), key=lambda run: run.created_at)[-limit:]


@router.get("/history")
async def history(max_items: int | None = None, offset: int = 0,
                  services: AppServices = Depends(get_services),
                  principal: Principal = Depends(get_principal)) -> dict[str, Any]:
    """The caller's finished prompts (an admin's: everyone's)."""
    authorize(principal, Action.RUN_LIST)
    runs = await _finished(services, principal, _ALL)
    runs = runs[offset:] if offset > 0 else runs
    if max_items is not None:
        runs = runs[-max_items:] if max_items > 0 else []
    workspace = services.settings.workspace
    return {run.run_id: history_entry(run, services.registry, workspace) for run in runs}


@router.get("/history/{prompt_id}")
async def history_of(prompt_id: str, services: AppServices = Depends(get_services),
                     principal: Principal = Depends(get_principal)) -> dict[str, Any]:
    """One finished prompt (`{}` while it is unknown or not finished; 403 when another's)."""
    store = services.runs.store
    run = await off_loop(store.shared, store.get, prompt_id)
    if run is None:
        return {}
    check_each(principal, [run], Action.RUN_READ)
    if run.status not in FINISHED:
        return {}
    return {prompt_id: history_entry(run, services.registry, services.settings.workspace)}


@router.post("/history")
async def edit_history(request: Request, services: AppServices = Depends(get_services),
                       principal: Principal = Depends(get_principal)) -> JSONResponse:
    """`{clear: true}` forgets the caller's finished prompts (an admin's: all); `{delete: [ids]}`
    forgets those, 403 when one is another principal's."""
    body = await _json(request)
    manager = services.runs
    named = await _named(manager, _ids(body))
    check_each(principal, named, Action.RUN_DELETE)
    runs = (visible(principal, await _finished(services, principal, _ALL), Action.RUN_DELETE) if _clear(body) else [])
    for run in [*runs, *named]:
        try:
            await manager.delete(run.run_id)
        except (RunNotFoundError, RunFinishedError):
            continue  # gone meanwhile, or still running: ComfyUI keeps those too
    return JSONResponse({}, status_code=200)
