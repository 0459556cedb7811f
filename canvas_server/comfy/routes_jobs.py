"""ComfyUI's jobs API (`/jobs`, `/jobs/{id}`), which its frontend's Job Queue and Assets
panels read: the caller's runs (an admin's: everyone's) filtered by status, sorted, paged;
cancel one job or several through the run manager's cancel."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse

from nodes.sdk import AuteurError

from ..governance import Action, Principal, authorize
from ..runs.store import StoredRun
from ..server.deps import get_principal, get_services
from ..server.services import AppServices
from .access import check_each, visible
from .history import history_entry, number
from .routes import _ALL, _cancel, _json, _named, _runs

router = APIRouter()

# A run waiting for a person's review is pending to ComfyUI (it has no such state): listed, cancellable.
JOB_STATUS = {"queued": "pending", "awaiting_review": "pending", "running": "in_progress", "completed": "completed",
              "failed": "failed", "cancelled": "cancelled", "interrupted": "cancelled"}
_RUN_STATUSES = {job: [run for run, named in JOB_STATUS.items() if named == job] for job in set(JOB_STATUS.values())}
_PREVIEWED = {"images": "images", "video": "video", "gifs": "video", "audio": "audio"}


class JobQueryError(AuteurError):
    code = "query_invalid"


def _ms(seconds: float | None) -> int | None:
    return None if seconds is None else int(seconds * 1000)


def _outputs(run: StoredRun, services: AppServices) -> dict[str, dict[str, list[Any]]]:
    entry = history_entry(run, services.registry, services.settings.workspace) if run.record else {"outputs": {}}
    outputs: dict[str, dict[str, list[Any]]] = entry["outputs"]
    return outputs


def _preview(outputs: dict[str, dict[str, list[Any]]]) -> tuple[dict[str, Any] | None, int, int]:
    """The first media output as `preview_output`, and the counts of outputs and media ones."""
    first, total, media = None, 0, 0
    for node_id, shown in outputs.items():
        for key, items in shown.items():
            total += len(items)
            if key in _PREVIEWED:
                media += len(items)
                if first is None and items:
                    first = {**items[0], "nodeId": node_id, "mediaType": _PREVIEWED[key]}
    return first, total, media


def job(run: StoredRun, services: AppServices) -> dict[str, Any]:
    preview, total, media = _preview(_outputs(run, services))
    return {"id": run.run_id, "status": JOB_STATUS[run.status], "create_time": _ms(run.created_at),
            "execution_start_time": _ms(run.started_at), "execution_end_time": _ms(run.finished_at),
            "preview_output": preview, "outputs_count": total, "previewable_outputs_count": media,
            "execution_error": None, "workflow_id": None, "priority": number(run)}


def _statuses(status: str | None) -> list[str]:
    wanted = [part.strip() for part in (status or ",".join(_RUN_STATUSES)).split(",") if part.strip()]
    unknown = [part for part in wanted if part not in _RUN_STATUSES]
    if unknown:
        raise JobQueryError(f"unknown job status {unknown[0]!r}", details={"allowed": sorted(_RUN_STATUSES)})
    return [run for part in wanted for run in _RUN_STATUSES[part]]


@router.get("/jobs")
async def list_jobs(status: str | None = None, sort_by: Literal["create_time", "execution_time"] = "create_time",
                    sort_order: Literal["asc", "desc"] = "desc", limit: int = 200, offset: int = 0,
                    services: AppServices = Depends(get_services),
                    principal: Principal = Depends(get_principal)) -> dict[str, Any]:
    authorize(principal, Action.RUN_LIST)
    if limit < 0 or offset < 0:
        raise JobQueryError("limit and offset are counts (0 or more)")
    runs = visible(principal, [run for name in _statuses(status) for run in await _runs(services, name, _ALL)])

    def key(run: StoredRun) -> float:
        if sort_by == "execution_time":
            return (run.finished_at or run.created_at) - (run.started_at or run.created_at)
        return run.created_at

    runs.sort(key=key, reverse=sort_order == "desc")
    page = runs[offset:offset + limit]
    return {"jobs": [job(run, services) for run in page],
            "pagination": {"offset": offset, "limit": limit, "total": len(runs), "has_more": offset + len(page) < len(runs)}}


@router.get("/jobs/{job_id}")
async def one_job(job_id: str, services: AppServices = Depends(get_services),
                  principal: Principal = Depends(get_principal)) -> dict[str, Any]:
    """One job with its outputs and workflow (404 when unknown, 403 when another's)."""
    run = await services.runs.read(job_id)
    check_each(principal, [run], Action.RUN_READ)
    # the prompt as queued (ComfyUI's `extra_pnginfo` workflow is not kept with a run)
    return {**job(run, services), "outputs": _outputs(run, services), "workflow": {"prompt": run.request.prompt},
            "update_time": _ms(run.finished_at or run.started_at or run.created_at)}


async def _cancel_jobs(services: AppServices, principal: Principal, ids: list[str]) -> JSONResponse:
    named = await _named(services.runs, ids)
    check_each(principal, named, Action.RUN_CANCEL)  # all or nothing
    await _cancel(services.runs, named, principal, queued_only=False)
    return JSONResponse({"cancelled": [run.run_id for run in named]})


@router.post("/jobs/{job_id}/cancel")
async def cancel_job(job_id: str, services: AppServices = Depends(get_services),
                     principal: Principal = Depends(get_principal)) -> JSONResponse:
    await services.runs.read(job_id)  # 404 when unknown
    return await _cancel_jobs(services, principal, [job_id])


@router.post("/jobs/cancel")
async def cancel_jobs(request: Request, services: AppServices = Depends(get_services),
                      principal: Principal = Depends(get_principal)) -> JSONResponse:
    """`{job_ids: [...]}`: cancel a batch (403 before anything when one is another's)."""
    body = await _json(request)
    ids = body.get("job_ids") if isinstance(body, dict) else None
    if not isinstance(ids, list) or not all(isinstance(item, str) for item in ids):
        raise JobQueryError("send {\"job_ids\": [\"…\"]}")
    return await _cancel_jobs(services, principal, ids)
