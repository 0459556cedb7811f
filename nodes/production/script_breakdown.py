"""`production.script_breakdown`: a `.fountain` / `.txt` / `.fdx` screenplay → scenes, shots, shot list."""

from __future__ import annotations

import csv
import io
import json
from pathlib import PurePosixPath

from pydantic import BaseModel, Field

from nodes.sdk import (
    EventType,
    Input,
    Node,
    Output,
    Outputs,
    RunContext,
    atomic_write_text,
    layout,
    node,
    sha256_file,
)
from nodes.sdk.preproduction import (
    Breakdown,
    CameraAngle,
    CameraMovement,
    Ingredient,
    Shot,
    ShotSize,
)
from nodes.sdk.shot_list import saved_version

from .final_draft import read_screenplay
from .project_files import project_root
from .screenplay import break_down, parse_screenplay


class BreakdownOut(Outputs):
    breakdown: Breakdown = Output(socket="BREAKDOWN")
    shots: list[Shot] = Output(socket="SHOT", is_list=True)
    shot_list: str = Output(ui=True, description="The shot list's Markdown file in the project")


class ShotRefinement(BaseModel):
    id: str
    description: str = Field(min_length=1)
    size: ShotSize
    angle: CameraAngle
    movement: CameraMovement
    lens: str


class ShotListRefinement(BaseModel):
    """What Ollama may change: each shot's wording and camera, for the shots we gave it."""

    shots: list[ShotRefinement]


REFINE_SYSTEM = (
    "You are a first assistant director. For each shot, improve the visual description and "
    "choose shot size, angle, movement and lens. Keep every id; add no character, place or "
    "event the script does not contain. Answer as JSON."
)


def shot_list_csv(breakdown: Breakdown) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["id", "scene", "shot", "slugline", "size", "angle", "movement", "lens",
                     "duration", "cast", "description", "dialogue"])
    for s in breakdown.shots:
        writer.writerow([s.id, s.scene, s.number, s.slugline, s.size.value, s.angle.value, s.movement.value,
                         s.lens, s.duration, " ".join(s.cast), s.description, s.dialogue])
    return out.getvalue()


def shot_list_markdown(breakdown: Breakdown) -> str:
    lines = [f"# Shot list: {breakdown.title or breakdown.source}", "", f"Durations: {breakdown.duration_rule}", ""]
    for scene in breakdown.scenes:
        lines += [f"## {scene.number}. {scene.slugline}", "",
                  "| Shot | Id | Size | Camera | Duration | Cast | Description |",
                  "|---|---|---|---|---|---|---|"]
        for shot in (s for s in breakdown.shots if s.id in scene.shot_ids):
            camera = f"{shot.angle.value}, {shot.movement.value}, {shot.lens}"
            text = shot.description.replace("|", "/")
            lines.append(f"| {shot.number} | {shot.id} | {shot.size.value} | {camera} | {shot.duration:g} s "
                         f"| {', '.join(shot.cast)} | {text} |")
        lines.append("")
    return "\n".join(lines)


def apply_refinement(breakdown: Breakdown, refinement: ShotListRefinement, model: str) -> Breakdown:
    """Merge the model's answer; an answer naming other shots than ours is not used."""
    by_id = {item.id: item for item in refinement.shots}
    if set(by_id) != {shot.id for shot in breakdown.shots}:
        return breakdown.model_copy(update={"warnings": [*breakdown.warnings,
                                    f"{model} changed the shot ids; kept the deterministic breakdown"]})
    shots = [shot.model_copy(update=by_id[shot.id].model_dump(exclude={"id"})) for shot in breakdown.shots]
    return breakdown.model_copy(update={"shots": shots, "refined_by": model})


@node("production.script_breakdown", title="Script Breakdown", category="Production/Script",
      version="1.0.0", maturity="INTERN", runs_on="inline", reads_shot_list=True)
class ScriptBreakdown(Node):
    """Break a screenplay down into scenes and shots (deterministic; optionally refined by a
    local Ollama model), write the shot list (CSV and Markdown) to 02_Source_Creative/ShotLists/
    and the breakdown for project.json's narrative. The shots it passes on are as the project's
    shot list has them: a shot the director edited there (text, duration, cast, slots, order)
    reaches the payloads with those edits."""

    script: str = Input(description="e.g. 02_Source_Creative/Scripts/pilot.fountain", widget="path",
                        tracks_file=True, picks="script")
    chapter: int = Input(1, ge=1)
    ingredients: list[Ingredient] = Input([], socket="INGREDIENT", is_list=True,
                                          description="Fill shot slots by name (cast, location, objects)")
    refine_with_llm: bool = Input(False)
    llm_model: str = Input("llama3.1:8b")

    def run(self, ctx: RunContext) -> BreakdownOut:
        text, _ = read_screenplay(ctx, self.script)
        path = ctx.resolve(self.script, must_exist=True)
        parsed = parse_screenplay(text, fallback_title=path.stem)
        breakdown = break_down(parsed, chapter=self.chapter, ingredients=self.ingredients,
                               source=self.script, source_sha256=sha256_file(path))
        if self.refine_with_llm:
            breakdown = self.refined(ctx, breakdown)
        written = self.write(ctx, breakdown)  # the script's own breakdown, which the workspace mirrors
        shots = sorted(saved_version(breakdown.shots, project_root(ctx)), key=lambda s: (s.chapter, s.scene, s.number))
        return BreakdownOut(breakdown=breakdown.model_copy(update={"shots": shots}), shots=shots, shot_list=written)

    def refined(self, ctx: RunContext, breakdown: Breakdown) -> Breakdown:
        shots = [{"id": s.id, "slugline": s.slugline, "description": s.description, "dialogue": s.dialogue}
                 for s in breakdown.shots]
        from .llm import refine  # ollama: loaded only by a run that asks the LLM

        answer = refine(ShotListRefinement, model=self.llm_model, system=REFINE_SYSTEM,
                        user=json.dumps({"shots": shots}, ensure_ascii=False))
        if answer.value is None:
            for warning in answer.warnings:
                ctx.logger.warning(warning)
            return breakdown.model_copy(update={"warnings": [*breakdown.warnings, *answer.warnings]})
        return apply_refinement(breakdown, answer.value, self.llm_model)

    def write(self, ctx: RunContext, breakdown: Breakdown) -> str:
        root = project_root(ctx)
        if root is None:
            return ""
        stem = PurePosixPath(self.script).stem
        folder = root / layout.SHOTLISTS_DIR
        atomic_write_text(folder / f"{stem}.csv", shot_list_csv(breakdown))
        atomic_write_text(folder / f"{stem}.md", shot_list_markdown(breakdown))
        atomic_write_text(folder / f"{stem}{layout.BREAKDOWN_SUFFIX}", breakdown.model_dump_json(indent=2) + "\n")
        ctx.emit(EventType.PROJECT_UPDATE,
                 {"project": ctx.project, "breakdown": f"{layout.SHOTLISTS_DIR}/{stem}{layout.BREAKDOWN_SUFFIX}"})
        return f"{layout.SHOTLISTS_DIR}/{stem}.md"
