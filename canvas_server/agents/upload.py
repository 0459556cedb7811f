"""`upload_asset`: a file into a project's assets, as `POST /api/projects/{p}/assets` does it
(the same writer, size limit, type sniffing, manifest entry, event and thumbnail), given either
as base64 or as a path the server may read (inside the project or `AUTEUR_ALLOWED_DIRS`,
through the one path sandbox: never `.auteur`, never outside)."""

from __future__ import annotations

import asyncio
import base64
import binascii
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from nodes.sdk import PathSandbox

from ..governance import Action, Principal
from ..request_body import RequestBody
from ..server.access import authorize_project
from ..server.routes.assets import added
from ..server.services import AppServices
from ..workspace.assets import Asset, AssetUpload
from ..workspace.errors import UploadTooLargeError
from ..workspace.store import ProjectStore
from .one_node import NodeInputError

CHUNK = 1024 * 1024
class UploadRequest(RequestBody):
    project: str
    category: str
    filename: str
    content_base64: str | None = None
    path: str | None = None


async def upload_asset(services: AppServices, principal: Principal, arguments: dict[str, Any]) -> dict[str, Any]:
    """The file is written in a thread; the manifest, event and thumbnail follow on the loop."""
    store, project, asset = await asyncio.to_thread(_receive, services, principal, arguments)
    return added(services, store, project, asset).model_dump(mode="json")


def _receive(services: AppServices, principal: Principal, arguments: dict[str, Any]) -> tuple[ProjectStore, str, Asset]:
    try:
        request = UploadRequest.model_validate(arguments)
    except ValidationError as exc:
        raise NodeInputError("upload_asset's inputs are not valid", details=[
            {"input": ".".join(map(str, error["loc"])), "message": error["msg"]} for error in exc.errors()]) from None
    if (request.content_base64 is None) == (request.path is None):
        raise NodeInputError("give either content_base64 or path", details=[{"input": "content_base64"}])
    authorize_project(services, principal, request.project, Action.PROJECT_EDIT)
    store = ProjectStore(services.settings.workspace)
    root = store.root(request.project)
    limit = services.settings.max_upload_bytes
    with AssetUpload(root, request.filename, limit) as upload:
        if request.content_base64 is not None:
            if len(request.content_base64) > (limit * 4) // 3 + 4:
                raise UploadTooLargeError(limit)
            try:
                upload.write(base64.b64decode(request.content_base64, validate=True))
            except binascii.Error:
                raise NodeInputError("content_base64 is not base64", details=[{"input": "content_base64"}]) from None
        else:
            source = PathSandbox([root, *services.settings.allowed_dirs]).resolve(Path(str(request.path)),
                                                                                   must_exist=True)
            with source.open("rb") as handle:
                while chunk := handle.read(CHUNK):
                    upload.write(chunk)
        return store, request.project, upload.finish(request.category)
