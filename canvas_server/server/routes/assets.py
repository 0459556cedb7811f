"""Assets API: streamed multipart upload (size limit, sniffed type), list, delete.

The body is parsed as it arrives (python-multipart's streaming parser): the file part goes
straight to a temp file in the project, so an oversized upload is refused after at most
limit bytes and a wrong type leaves nothing behind.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel
from python_multipart.exceptions import MultipartParseError
from python_multipart.multipart import MultipartParser, parse_options_header

from nodes.sdk import AuteurError, EventType

from ...workspace import assets as asset_service
from ...workspace.assets import Asset, AssetUpload, media_family
from ...workspace.errors import UploadTooLargeError
from ...workspace.thumbnails import make_thumbnail, thumbnail_path
from ..openapi import ErrorBody
from ..services import AppServices
from .projects import Services, Store, Trashed

router = APIRouter(prefix="/api/projects/{project}/assets", tags=["assets"])
_FIELD_LIMIT = 1024  # `category` and any other text field
_MULTIPART_SLACK = 64 * 1024  # boundaries and part headers around the file


class AssetList(BaseModel):
    items: list[Asset]


class _UploadReader:
    """Callbacks for MultipartParser: route the `file` part to an AssetUpload."""

    def __init__(self, project_root: Path, limit: int) -> None:
        self.project_root = project_root
        self.limit = limit
        self.upload: AssetUpload | None = None
        self.fields: dict[str, bytearray] = {}
        self._headers: dict[str, str] = {}
        self._field = self._value = b""
        self._name: str | None = None

    def callbacks(self) -> dict[str, Any]:
        return {
            "on_part_begin": self._part_begin,
            "on_header_field": lambda data, start, end: self._add("_field", data[start:end]),
            "on_header_value": lambda data, start, end: self._add("_value", data[start:end]),
            "on_header_end": self._header_end,
            "on_headers_finished": self._headers_finished,
            "on_part_data": self._part_data,
        }

    def _add(self, attr: str, chunk: bytes) -> None:
        setattr(self, attr, getattr(self, attr) + chunk)

    def _part_begin(self) -> None:
        self._headers, self._name = {}, None

    def _header_end(self) -> None:
        # latin-1 keeps the raw bytes: the filename parameter is decoded as UTF-8 below.
        self._headers[self._field.decode("latin-1").lower()] = self._value.decode("latin-1")
        self._field = self._value = b""

    def _headers_finished(self) -> None:
        _, params = parse_options_header(self._headers.get("content-disposition", ""))
        self._name = params.get(b"name", b"").decode("utf-8", "replace")
        if self._name == "file":
            if self.upload is not None:
                raise AuteurError("send one `file` part per upload", code="bad_request")
            filename = params.get(b"filename", b"upload").decode("utf-8", "replace")
            self.upload = AssetUpload(self.project_root, filename, self.limit)
        else:
            self.fields[self._name] = bytearray()

    def _part_data(self, data: bytes, start: int, end: int) -> None:
        if self._name == "file" and self.upload is not None:
            self.upload.write(data[start:end])
            return
        value = self.fields.setdefault(self._name or "", bytearray())
        value += data[start:end]
        if len(value) > _FIELD_LIMIT:
            raise AuteurError(f"form field {self._name!r} is too long", code="bad_request")


async def _receive(request: Request, project_root: Path, limit: int) -> tuple[AssetUpload, str]:
    content_type, params = parse_options_header(request.headers.get("content-type", ""))
    if content_type != b"multipart/form-data" or b"boundary" not in params:
        raise AuteurError("upload as multipart/form-data with `file` and `category`", code="bad_request")
    length = request.headers.get("content-length", "")
    if length.isdigit() and int(length) > limit + _MULTIPART_SLACK:
        raise UploadTooLargeError(limit)  # refuse before reading a byte
    reader = _UploadReader(project_root, limit)
    parser = MultipartParser(params[b"boundary"], reader.callbacks())  # type: ignore[arg-type]
    try:
        try:
            async for chunk in request.stream():
                parser.write(chunk)
            parser.finalize()
        except MultipartParseError as exc:
            raise AuteurError("the multipart body cannot be parsed (a part header may hold CR/LF or be too long)",
                              code="bad_request") from exc
        if reader.upload is None:
            raise AuteurError("the upload has no `file` part", code="bad_request")
        category = reader.fields.get("category", bytearray()).decode("utf-8", "replace").strip()
        return reader.upload, category
    except BaseException:
        if reader.upload is not None:
            reader.upload.abort()
        raise


async def _thumbnail(services: AppServices, project: str, root: Path, asset: Asset) -> None:
    """Background: make the thumbnail off the event loop, then tell subscribers."""
    target = thumbnail_path(root, asset.path)
    try:
        await asyncio.to_thread(
            make_thumbnail, root / asset.path, target, video=media_family(asset.mime) == "video"
        )
    except AuteurError as exc:
        services.events.publish(EventType.FILE_CHANGED, {"path": asset.path, "change": "thumbnail_failed", "error": exc.message}, project=project)
        return
    thumb = target.relative_to(root).as_posix()
    services.events.publish(EventType.FILE_CHANGED, {"path": thumb, "change": "thumbnail", "asset": asset.path}, project=project)


@router.post("", status_code=201, responses={415: {"model": ErrorBody, "description": "The file's sniffed type does not fit the category"}})
async def upload_asset(
    project: str,
    request: Request,
    store: Store,
    services: Services,
) -> Asset:
    """Multipart `file` + `category` (Characters, Locations, Objects, Styles, Music)."""
    root = store.root(project)
    name = store.get(project).name
    upload, category = await _receive(request, root, services.settings.max_upload_mb * 1024 * 1024)
    asset = upload.finish(category)
    asset_service.record_asset(store, project, asset)
    services.events.publish(EventType.ASSET_ADDED, asset.model_dump(mode="json"), project=name)
    if media_family(asset.mime) in ("image", "video"):
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
    services.events.publish(EventType.FILE_CHANGED, {"path": path, "change": "deleted"}, project=store.get(project).name)
    return Trashed(deleted=path, trash=target.relative_to(store.workspace).as_posix())
