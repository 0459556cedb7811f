"""Editorial API: the cut of a project, chapter or scene exported for editing applications."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import Field

from ...workspace import editorial
from ...workspace.editorial import EditorialExport, ExportFormat, Scope
from .projects import Store

router = APIRouter(prefix="/api/projects/{project}/editorial", tags=["editorial"])


class ExportRequest(Scope):
    format: ExportFormat = Field(description="otio, edl (CMX 3600), fcpxml (Final Cut Pro / Resolve), fcp7 (Premiere)")


@router.post("/exports", status_code=201)
def export_cut(project: str, request: ExportRequest, store: Store) -> EditorialExport:
    """Write the cut under 06_Exports/Editorial/, media referenced relative to the export file."""
    return editorial.export(store, project, Scope(chapter=request.chapter, scene=request.scene), request.format)
