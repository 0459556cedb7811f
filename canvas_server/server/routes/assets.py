"""Assets API: streamed multipart upload (size limit, sniffed type), list, delete.

The file part goes straight to a temp file in the project (`server/multipart.py`), so an
oversized upload is refused after at most limit bytes and a wrong type leaves nothing behind.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel

from nodes.sdk import AuteurError, EventType
from nodes.sdk.storage import store_file, unstore_file

from ...governance import Principal
from ...scrub import scrub_text
from ...workspace import assets as asset_service
from ...workspace.assets import Asset, AssetUpload, category_dir, media_family
from ...workspace.errors import UploadTooLargeError
from ...workspace.models3d import make_model_thumbnail
from ...workspace.store import ProjectStore
from ...workspace.thumbnails import make_thumbnail, thumbnail_path
from .. import direct_upload as direct
from ..deps import get_principal
from ..direct_upload import DirectUpload, DirectUploadDone, DirectUploadRequest
from ..multipart import receive_upload
from ..openapi import ErrorBody
from ..services import AppServices
from .projects import Services, Store, Trashed

router = APIRouter(prefix="/api/projects/{project}/assets", tags=["assets"])


class AssetList(BaseModel):
    items: list[Asset]


async def _thumbnail(services: AppServices, project: str, root: Path, asset: Asset) -> None:
    """Background: make the thumbnail off the event loop, then tell subscribers."""
    target = thumbnail_path(root, asset.path)
    try:
        if media_family(asset.mime) == "model":  # drawn from its meshes (no ffmpeg, no GPU)
            await asyncio.to_thread(make_model_thumbnail, root / asset.path, target)
        else:
            await asyncio.to_thread(
                make_thumbnail, root / asset.path, target, video=media_family(asset.mime) == "video"
            )
    except AuteurError as exc:
        error = scrub_text(exc.message, services.settings.workspace)  # ffmpeg's message names server paths
        services.events.publish(EventType.FILE_CHANGED, {"path": asset.path, "change": "thumbnail_failed", "error": error}, project=project)
        return
    thumb = target.relative_to(root).as_posix()
    services.events.publish(EventType.FILE_CHANGED, {"path": thumb, "change": "thumbnail", "asset": asset.path}, project=project)


async def _store(services: AppServices, file: Path) -> None:
    await asyncio.to_thread(store_file, services.media, services.settings.workspace, file)


@router.post("", status_code=201, responses={415: {"model": ErrorBody, "description": "The file's sniffed type does not fit the category"}})
async def upload_asset(
    project: str,
    request: Request,
    store: Store,
    services: Services,
) -> Asset:
    """Multipart `file` + `category` (Characters, Locations, Objects, Styles, Music, 3D: a glTF 2.0
    `.glb` or a `.gltf` with embedded buffers)."""
    root = store.root(project)
    limit = services.settings.max_upload_bytes
    upload, fields = await receive_upload(request, "file", lambda filename: AssetUpload(root, filename, limit),
                                          limit, UploadTooLargeError(limit))
    return added(services, store, project, upload.finish(fields.get("category", "")))


@router.post("/direct", status_code=201, responses={
    409: {"model": ErrorBody, "description": "Media is not in object storage: use the multipart upload"},
    413: {"model": ErrorBody, "description": "Larger than the upload limit"}})
def direct_upload(project: str, body: DirectUploadRequest, store: Store, services: Services,
                  principal: Annotated[Principal, Depends(get_principal)]) -> DirectUpload:
    """Start an upload that goes straight to object storage: PUT the file to `url` with
    `headers`, then POST the `ticket` to `…/assets/direct/complete`."""
    limit = services.settings.max_upload_mb * 1024 * 1024
    if body.size > limit:
        raise UploadTooLargeError(limit)
    category_dir(store.root(project), body.category)  # an unknown category is refused now
    return direct.issue(services.settings, services.media, store.get(project).name, principal.name, body)


@router.post("/direct/complete", status_code=201, responses={
    403: {"model": ErrorBody, "description": "The ticket is forged, expired, or another project's or caller's"},
    404: {"model": ErrorBody, "description": "Nothing was PUT to the URL"},
    415: {"model": ErrorBody, "description": "The file's sniffed type does not fit the category"}})
async def complete_direct_upload(project: str, body: DirectUploadDone, store: Store, services: Services,
                                 principal: Annotated[Principal, Depends(get_principal)]) -> Asset:
    """Place a directly uploaded file as an asset (sniffed and size-checked like any upload)."""
    claims = direct.redeem(services.settings, body.ticket, store.get(project).name, principal.name)
    root = store.root(project)
    limit = services.settings.max_upload_mb * 1024 * 1024
    with AssetUpload(root, claims["f"], limit) as upload:
        await asyncio.to_thread(direct.receive, services.media, upload, claims["k"])
        asset = upload.finish(claims["c"])
    return added(services, store, project, asset)


def added(services: AppServices, store: ProjectStore, project: str, asset: Asset) -> Asset:
    """An asset in place (from this route or an agent's `upload_asset`): in the manifest, an
    `asset_added` event, a thumbnail made in the background."""
    name, root = store.get(project).name, store.root(project)
    asset_service.record_asset(store, project, asset)
    services.events.publish(EventType.ASSET_ADDED, asset.model_dump(mode="json"), project=name)
    if services.media.remote:  # served from the disk until its object is stored
        services.background.start(_store(services, root / asset.path), name=f"store {asset.path}")
    if media_family(asset.mime) in ("image", "video", "model"):
        services.background.start(_thumbnail(services, name, root, asset), name=f"thumbnail {asset.path}")
    return asset


@router.get("")
def list_assets(
    project: str,
    store: Store,
    category: str | None = Query(None, description="Only this category"),
) -> AssetList:
    return AssetList(items=asset_service.list_assets(store.root(project), category))


@router.delete("")
def delete_asset(
    project: str,
    store: Store,
    services: Services,
    path: str = Query(description="Asset path relative to the project"),
) -> Trashed:
    """Move the asset to the workspace trash."""
    root = store.root(project)
    target = asset_service.delete_asset(root, path, store.trash_dir)
    asset_service.forget_asset(store, project, path)
    if services.media.remote:  # the trash keeps the file; no URL may hand out its object
        unstore_file(services.media, services.settings.workspace, root / path)  # (a worker thread)
    services.events.publish(EventType.FILE_CHANGED, {"path": path, "change": "deleted"}, project=store.get(project).name)
    return Trashed(deleted=path, trash=target.relative_to(store.workspace).as_posix())
