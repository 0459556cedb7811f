"""Governance on the ComfyUI routes, decided by the one authorization function exactly as on
`/api/runs`: a run is seen, cancelled or deleted by its submitter or an admin.

- Lists (`/queue`, `/history`) and bulk edits (`{clear: true}`) cover only the runs the caller
  may see, as `GET /api/runs` lists only the caller's: others' runs are skipped silently.
- Naming another principal's run (`/history/{id}`, `{delete: [ids]}`, `/interrupt`
  `{prompt_id}`) is a 403 `forbidden` in ComfyUI's error shape, as `/api/runs/{id}` is; a bulk
  delete is checked whole before anything is removed.
"""

from __future__ import annotations

from collections.abc import Iterable

from fastapi import Request
from fastapi.responses import JSONResponse

from ..governance import Action, ForbiddenError, Principal, RunResource, allowed, authorize
from ..runs.store import StoredRun
from ..server.access import run_resource
from .errors import auteur_refusal

_ANYONES = RunResource(run_id="*", owner=None)


def sees_everyone(principal: Principal) -> bool:
    """Admins: a run owned by nobody the caller could be is still theirs to read."""
    return allowed(principal, Action.RUN_READ, _ANYONES)


def visible(principal: Principal, runs: Iterable[StoredRun], action: Action = Action.RUN_READ) -> list[StoredRun]:
    return [run for run in runs if allowed(principal, action, run_resource(run))]


def check_each(principal: Principal, runs: Iterable[StoredRun], action: Action) -> None:
    """403 on the first run the caller may not touch (nothing is done before)."""
    for run in runs:
        authorize(principal, action, run_resource(run))


async def forbidden(request: Request, exc: Exception) -> JSONResponse:
    """`forbidden` (and any other refusal of `authorize`) in ComfyUI's `{error, node_errors}`."""
    assert isinstance(exc, ForbiddenError)
    return JSONResponse(auteur_refusal(exc), status_code=403)
