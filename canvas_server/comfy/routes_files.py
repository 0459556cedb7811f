"""`GET /view` and `POST /upload/image`, onto the sandboxed folders of `files.py`, with the
rights of the assets and files routes: a file inside `Projects/<name>/` needs `project.read`
on that project (as `GET /api/projects/{name}/files`); the workspace's shared folders (uploads,
temp, engine outputs) need `run.list` to read (any role) and `run.submit` to upload to (creators:
uploads exist to feed prompts), as a viewer reads but never runs."""

from __future__ import annotations

import mimetypes
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Depends, File, Form, UploadFile
from fastapi.responses import FileResponse

from nodes.sdk import AuteurError, atomic_write_bytes

from ..governance import Action, Principal, authorize
from ..server.access import authorize_project
from ..server.deps import get_principal, get_services
from ..server.services import AppServices
from .files import free_name, locate, project_of, upload_target

router = APIRouter()


class UploadTooLargeError(AuteurError):
    code = "upload_too_large"


@router.get("/view")
async def view(filename: str, subfolder: str = "", type: str = "output",
               services: AppServices = Depends(get_services),
               principal: Principal = Depends(get_principal)) -> FileResponse:
    """One file of the input, output or temp folder (never outside it, never server state)."""
    workspace = services.settings.workspace
    if type == "output":  # checked before the file is looked up: no existence probe into projects
        _may_read(services, principal, workspace.resolve() / subfolder.strip("/") / "_")
    path = locate(workspace, filename, subfolder, type)
    _may_read(services, principal, path)
    media_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    return FileResponse(path, media_type=media_type, filename=path.name,
                        content_disposition_type="inline")


def _may_read(services: AppServices, principal: Principal, path: Path) -> None:
    project = project_of(services.settings.workspace, path)
    if project is not None:
        authorize_project(services, principal, project, Action.PROJECT_READ)
    else:
        authorize(principal, Action.RUN_LIST)


async def _read(upload: UploadFile, limit: int) -> bytes:
    content = await upload.read(limit + 1)
    if len(content) > limit:
        raise UploadTooLargeError(f"the upload is larger than {limit // (1024 * 1024)} MiB",
                                  details={"limit_bytes": limit})
    return content


@router.post("/upload/image")
async def upload_image(
    image: UploadFile = File(...),
    type: str = Form("input"),
    subfolder: str = Form(""),
    overwrite: str = Form("false"),
    services: AppServices = Depends(get_services),
    principal: Principal = Depends(get_principal),
) -> dict[str, Any]:
    """Store an upload; a name already taken by other content becomes `name (1).ext`."""
    authorize(principal, Action.RUN_SUBMIT)
    settings = services.settings
    content = await _read(image, settings.max_upload_mb * 1024 * 1024)
    target = upload_target(settings.workspace, image.filename or "upload", subfolder, type)
    final = free_name(target, content, overwrite.lower() in {"true", "1", "yes"})
    if not final.exists() or final == target:
        atomic_write_bytes(final, content)
    return {"name": final.name, "subfolder": subfolder.strip("/"), "type": type}
