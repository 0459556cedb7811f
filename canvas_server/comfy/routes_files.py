"""`GET /view` and `POST /upload/image`, onto the sandboxed folders of `files.py`, with the
rights of the assets and files routes: a file inside `Projects/<name>/` needs `project.read`
on that project (as `GET /api/projects/{name}/files`); an engine output (`.auteur/outputs/<key>`)
needs `run.read` on a run that made it, or `project.read` on that run's project; a scratch
folder (`Scratch/<name>-<hash>`, the uploads of `input` among it) is its principal's alone;
the rest (temp) needs `run.list` to read (any role); uploads need `run.submit` (creators:
uploads exist to feed prompts), as a viewer reads but never runs."""

from __future__ import annotations

import asyncio
import mimetypes
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from function_runners.execute import principal_scratch
from nodes.sdk import AuteurError

from ..governance import Action, Principal, RunResource, allowed, authorize
from ..runs.storage import off_loop
from ..server.access import authorize_project, run_resource
from ..server.deps import get_principal, get_services
from ..server.media import media_response
from ..server.multipart import receive_upload
from ..server.services import AppServices
from ..workspace.errors import UploadTooLargeError
from .files import (
    ComfyFileNotFoundError,
    locate,
    output_key_of,
    project_of,
    scratch_of,
    upload_target,
)
from .uploads import StagedUpload

router = APIRouter()


@router.get("/view")
async def view(filename: str, subfolder: str = "", type: str = "output",
               services: AppServices = Depends(get_services),
               principal: Principal = Depends(get_principal)) -> Response:
    """One file of the input, output or temp folder (never outside it, never server state);
    media kept in object storage is a 307 to its presigned URL."""
    workspace = services.settings.workspace
    shared = services.runs.store.shared  # an output's runs are read from the run store
    if type == "output":  # checked before the file is looked up: no existence probe into projects
        await off_loop(shared, _may_read, services, principal, workspace.resolve() / subfolder.strip("/") / "_")
    path = locate(workspace, filename, subfolder, type, principal.name)
    await off_loop(shared, _may_read, services, principal, path)
    media_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    return await asyncio.to_thread(media_response, services, path, media_type=media_type, inline=True)


def _may_read(services: AppServices, principal: Principal, path: Path) -> None:
    workspace = services.settings.workspace
    project = project_of(workspace, path)
    key = output_key_of(workspace, path)
    scratch = scratch_of(workspace, path)
    if project is not None:
        authorize_project(services, principal, project, Action.PROJECT_READ)
    elif key is not None:
        _may_read_output(services, principal, key)
    elif scratch is not None:
        # A principal's scratch folder (its uploads, its project-less files) is its own.
        own = principal_scratch(workspace, principal.name).name
        authorize(principal, Action.RUN_LIST)
        authorize(principal, Action.RUN_READ,
                  RunResource(run_id=f"scratch folder {scratch}", owner=principal.name if scratch == own else None))
    else:
        authorize(principal, Action.RUN_LIST)


def _may_read_output(services: AppServices, principal: Principal, key: str) -> None:
    """An engine output is served to whoever may read a run that made it (its owner, an
    admin) or that run's project; its content-addressed folder name grants nothing."""
    producers = services.runs.producers(key)
    for run in producers:
        if allowed(principal, Action.RUN_READ, run_resource(run)):
            return
        if run.project is not None and _may_read_project(services, principal, run.project):
            return
    if not producers:
        raise ComfyFileNotFoundError("no such output file", details={"output": key})
    authorize(principal, Action.RUN_READ, run_resource(producers[0]))  # raises: says why


def _may_read_project(services: AppServices, principal: Principal, project: str) -> bool:
    try:
        authorize_project(services, principal, project, Action.PROJECT_READ)
    except AuteurError:  # gone, or not a member
        return False
    return True


@router.post("/upload/image")
async def upload_image(request: Request, services: AppServices = Depends(get_services),
                       principal: Principal = Depends(get_principal)) -> dict[str, Any]:
    """Multipart `image` (+ `type`, `subfolder`, `overwrite`), streamed to disk under the upload
    limit; a name already taken by other content becomes `name (1).ext`."""
    authorize(principal, Action.RUN_SUBMIT)
    workspace, limit = services.settings.workspace, services.settings.max_upload_bytes
    staged, fields = await receive_upload(request, "image", lambda name: StagedUpload(workspace, name, limit),
                                          limit, UploadTooLargeError(limit))
    try:
        subfolder, kind = fields.get("subfolder", ""), fields.get("type", "") or "input"
        target = upload_target(workspace, staged.filename or "upload", subfolder, kind, principal.name)
        final = staged.place(target, fields.get("overwrite", "").lower() in {"true", "1", "yes"})
    finally:
        staged.abort()  # a no-op once placed
    return {"name": final.name, "subfolder": subfolder.strip("/"), "type": kind}
