"""`production.paperwork`: a screenplay's paperwork for the crew — shot list (CSV or PDF),
storyboard PDF (one scene or all) with each shot's approved take as its panel, and the
screenplay PDF in standard layout — written into the project beside the shot lists."""

from __future__ import annotations

from pathlib import Path, PurePosixPath
from typing import Literal

from pydantic import ValidationError

from nodes.sdk import (
    Input,
    Node,
    NodeExecutionError,
    Output,
    Outputs,
    RunContext,
    atomic_write_bytes,
    atomic_write_text,
    layout,
    node,
)
from nodes.sdk.ffmpeg.process import find_tool, run_ffmpeg, staged
from nodes.sdk.preproduction import Breakdown
from nodes.sdk.takes import ShotCoords

from .final_draft import read_screenplay
from .project_files import project_root
from .screenplay import break_down, parse_screenplay
from .screenplay.finaldraft import fountain_to_document
from .script_breakdown import shot_list_csv
from .shot_pictures import picture_kind

Document = Literal["shot_list_csv", "shot_list_pdf", "storyboard_pdf", "screenplay_pdf"]


class PaperworkOut(Outputs):
    file: str = Output(description="The written file, a path in the project (or the run's scratch folder)")


def panel_picture(ctx: RunContext, take_file: Path, name: str) -> Path:
    """The take as a still: an image as it is, a clip's first frame (ffmpeg) otherwise."""
    if picture_kind(take_file) == "image":
        return take_file
    frame = ctx.scratch_dir() / f"{name}.png"
    argv = [find_tool(), "-i", str(take_file), "-frames:v", "1", str(staged(frame))]
    run_ffmpeg(argv, outputs={staged(frame): frame}, duration=None, is_cancelled=ctx.cancelled)
    return frame


@node("production.paperwork", title="Paperwork", category="Production/Script",
      version="1.0.0", maturity="INTERN", runs_on="inline")
class Paperwork(Node):
    """Shot list (CSV/PDF), storyboard PDF or screenplay PDF of a screenplay. The shot list and
    storyboard follow the script's breakdown file when there is one (it may have been refined),
    else the script's deterministic breakdown; a storyboard panel is the shot's approved take
    (else its newest picture take), blank when it has none."""

    script: str = Input(description="e.g. 02_Source_Creative/Scripts/pilot.fountain", widget="path",
                        tracks_file=True, picks="script")
    document: Document = Input("storyboard_pdf")
    scene: int = Input(0, ge=0, description="Storyboard of this scene (its position in the script); 0: all")

    def run(self, ctx: RunContext) -> PaperworkOut:
        # reportlab loads when the node runs: the catalog (every server, runner and CLI) stays light
        from .paperwork import Panel, screenplay_pdf, shot_list_pdf, storyboard_pdf

        text, _ = read_screenplay(ctx, self.script)
        stem = PurePosixPath(self.script).stem
        root = project_root(ctx)
        if self.document == "screenplay_pdf":
            return self.written(ctx, root, f"{layout.SCRIPTS_DIR}/{stem}.pdf", screenplay_pdf(fountain_to_document(text)))
        breakdown = self.breakdown(ctx, root, stem, text)
        if self.document == "shot_list_csv":
            return self.written(ctx, root, f"{layout.SHOTLISTS_DIR}/{stem}.csv", shot_list_csv(breakdown))
        if self.document == "shot_list_pdf":
            return self.written(ctx, root, f"{layout.SHOTLISTS_DIR}/{stem}.shotlist.pdf", shot_list_pdf(breakdown))
        shots = [shot for shot in breakdown.shots if self.scene in (0, shot.scene)]
        if self.scene and not shots:
            raise NodeExecutionError(f"{self.script} has no scene {self.scene}", code="scene_not_found")
        chosen = ctx.takes.chosen() if root is not None else {}
        panels = []
        for shot in shots:
            take = ctx.takes.active(ShotCoords.parse(shot.shot_path), chosen=chosen,
                                    accept=lambda t: picture_kind(t.file) is not None) if root is not None else None
            panels.append(Panel(shot, panel_picture(ctx, take.file, shot.id) if take is not None else None))
        suffix = f".scene{self.scene:02d}" if self.scene else ""
        title = breakdown.title or stem
        return self.written(ctx, root, f"{layout.SHOTLISTS_DIR}/{stem}.storyboard{suffix}.pdf",
                            storyboard_pdf(title, panels))

    def breakdown(self, ctx: RunContext, root: Path | None, stem: str, text: str) -> Breakdown:
        saved = root / layout.SHOTLISTS_DIR / f"{stem}{layout.BREAKDOWN_SUFFIX}" if root is not None else None
        if saved is not None and saved.is_file():
            try:
                return Breakdown.model_validate_json(saved.read_bytes())
            except ValidationError:
                ctx.logger.warning("%s is not a breakdown file; using the script's own breakdown", saved.name)
        return break_down(parse_screenplay(text, fallback_title=stem), source=self.script)

    def written(self, ctx: RunContext, root: Path | None, relative: str, data: bytes | str) -> PaperworkOut:
        target = (root / relative) if root is not None else ctx.scratch_dir() / PurePosixPath(relative).name
        if isinstance(data, str):
            atomic_write_text(target, data)
        else:
            atomic_write_bytes(target, data)
        return PaperworkOut(file=relative if root is not None else str(target))
