"""The editorial exports of a project (docs/architecture.md §14), for the server's routes: the cut
of a scene, a chapter or the whole project written by `nodes.sdk.editorial` (the one place the
timeline is built, shared with the editorial pack's export node)."""

from __future__ import annotations

from nodes.sdk.editorial import CutFormat, EditorialExport, Scope, export_cut

from .store import ProjectStore

ExportFormat = CutFormat


def export(store: ProjectStore, name_or_id: str, scope: Scope, fmt: ExportFormat, *,
           packed: bool = False) -> EditorialExport:
    """Write the cut of `scope` under 06_Exports/Editorial/ in `fmt`, media referenced relative to
    it or packed with it in a zip."""
    return export_cut(store.root(name_or_id), scope, fmt, packed=packed)


__all__ = ["EditorialExport", "ExportFormat", "Scope", "export"]
