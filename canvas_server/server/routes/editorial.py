"""Editorial API: the cut of a project, chapter or scene exported for editing applications, and an
edited cut conformed back into the shot list (preview, then apply what was previewed)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from pydantic import Field

from nodes.sdk import EventType
from nodes.sdk.editorial import CutFormat

from ...request_body import RequestBody
from ...workspace import conform, editorial
from ...workspace.conform import ConformPlan, ConformResult
from ...workspace.editorial import EditorialExport, ExportFormat, Scope
from ...workspace.errors import WorkspaceError
from ..openapi import ErrorBody
from .projects import Services, Store

router = APIRouter(prefix="/api/projects/{project}/editorial", tags=["editorial"])

# An edit decision list of 10,000 events is about 1 MiB; XML timelines run a few times that.
MAX_EDIT_BYTES = 8 * 1024 * 1024


class ExportRequest(RequestBody, Scope):
    format: ExportFormat = Field(description="otio, edl (CMX 3600), fcpxml (Final Cut Pro / Resolve), fcp7 (Premiere)")
    zip: bool = Field(False, description="Pack the export and its media in one .zip (media/<take file>)")


@router.post("/exports", status_code=201)
def export_cut(project: str, request: ExportRequest, store: Store) -> EditorialExport:
    """Write the cut under 06_Exports/Editorial/, media referenced relative to the export file (or packed with it)."""
    return editorial.export(store, project, Scope(chapter=request.chapter, scene=request.scene), request.format,
                            packed=request.zip)


class ConformRequest(RequestBody, Scope):
    content: str = Field(description="The edit file's text (.otio, .edl, FCPXML or FCP7 XML)")
    format: CutFormat | None = Field(None, description="Its format; sniffed from the text when absent")


class ConformConfirmation(ConformRequest):
    plan: str = Field(description="The `plan` of the preview being confirmed")


def _checked(request: ConformRequest) -> tuple[str, Scope]:
    size = len(request.content.encode("utf-8"))
    if size > MAX_EDIT_BYTES:
        raise WorkspaceError(f"the edit is {size} bytes; at most {MAX_EDIT_BYTES} are conformed",
                             code="edit_too_large", details={"limit": MAX_EDIT_BYTES, "size": size})
    return request.content, Scope(chapter=request.chapter, scene=request.scene)


_REFUSALS: dict[int | str, dict[str, Any]] = {422: {"model": ErrorBody, "description": "The edit cannot be read (`edit_unreadable`) or matches no shot"},
             413: {"model": ErrorBody, "description": "The edit is too large (`edit_too_large`)"}}


@router.post("/conform/preview", responses=_REFUSALS)
def preview_conform(project: str, request: ConformRequest, store: Store) -> ConformPlan:
    """What the edit would change in the shot list (order, durations, in points, removed and new shots); nothing is written."""
    text, scope = _checked(request)
    return conform.preview(store, project, text, request.format, scope)


@router.post("/conform/apply", responses={
    **_REFUSALS, 409: {"model": ErrorBody, "description": "The plan changed since the preview (`conform_stale`)"}})
def apply_conform(project: str, request: ConformConfirmation, store: Store, services: Services) -> ConformResult:
    """Apply the previewed plan to project.json as one Git commit; takes are never changed."""
    text, scope = _checked(request)
    result = conform.apply(store, project, text, request.format, scope, request.plan)
    services.events.publish(EventType.PROJECT_UPDATE, {"reason": "conformed"}, project=store.get(project).name)
    return result
