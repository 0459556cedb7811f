"""`editorial.export`: the run's project (or one chapter or scene of it) as an edit for Resolve,
Premiere, Final Cut or Avid — the same export as POST /api/projects/{p}/editorial/exports, from
`nodes.sdk.editorial`."""

from __future__ import annotations

from typing import Literal

from nodes.sdk import (
    AuteurError,
    Input,
    Node,
    NodeExecutionError,
    Output,
    Outputs,
    RunContext,
    node,
)
from nodes.sdk.editorial import Scope, export_cut


class ExportOut(Outputs):
    file: str = Output(description="The written export, a path in the project (06_Exports/Editorial/...)")
    frames: int = Output(description="Length of the cut in frames")


@node("editorial.export", title="Editorial Export", category="Production/Editorial", version="1.0.0",
      maturity="INTERN", runs_on="inline", output_node=True, cache=False)
class EditorialExportNode(Node):
    """The cut as .otio, CMX 3600 EDL, FCPXML (Final Cut Pro / Resolve) or FCP7 XML (Premiere):
    one clip per shot with its approved (else active) take, title cards for shots without one,
    markers from take notes, the animatics' soundtracks on an audio track; media referenced
    relative to the export, or packed with it in a zip."""

    format: Literal["otio", "edl", "fcpxml", "fcp7"] = Input("otio", description="The edit's format")
    chapter: int = Input(0, ge=0, le=9999, description="Only this chapter; 0: the whole project")
    scene: int = Input(0, ge=0, le=9999, description="Only this scene of the chapter; 0: the whole chapter")
    zip: bool = Input(False, description="Pack the export and its media in one .zip")

    def run(self, ctx: RunContext) -> ExportOut:
        root = ctx.takes.project_root("Exporting a cut")
        if self.scene and not self.chapter:
            raise NodeExecutionError("a scene is numbered within its chapter: give the chapter too",
                                     code="value_invalid")
        scope = Scope(chapter=self.chapter or None, scene=self.scene or None)
        try:
            written = export_cut(root, scope, self.format, packed=self.zip)
        except AuteurError as exc:
            raise NodeExecutionError(exc.message, code=exc.code, details=exc.details) from exc
        ctx.progress(1.0, f"{len(written.clips)} clips, {written.frames} frames")
        return ExportOut(file=written.path, frames=written.frames)
