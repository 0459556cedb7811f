"""`production.veo_payload`: a shot, its slotted ingredients, world and style → a validated
Vertex AI Veo 3.1 `predictLongRunning` request, saved as a take of the shot."""

from __future__ import annotations

import hashlib
import json
from typing import Literal

from pydantic import BaseModel, Field, ValidationError, model_validator

from nodes.sdk import Input, Node, NodeExecutionError, Output, Outputs, RunContext, node
from nodes.sdk.preproduction import Shot, slot_ingredients
from nodes.sdk.takes import ShotCoords

from .domain import (
    StyleGuide,
    VeoInstance,
    VeoModel,
    VeoParameters,
    VeoPayload,
    VeoReferenceImage,
    VeoRequest,
    World,
    snap_duration,
)
from .project_files import inline_image, project_aspect_ratio, project_asset, project_root
from .prompting import prompt_sections, prompt_text


class PayloadOut(Outputs):
    payload: VeoPayload = Output(socket="VEO_PAYLOAD")
    take: str = Output(ui=True, description="The take it was saved as ('' when not saved)")


class RefinedPrompt(BaseModel):
    """What Ollama may change: the prompt's wording, nothing else."""

    prompt: str = Field(min_length=1, max_length=4000)


REFINE_SYSTEM = (
    "You polish video generation prompts for Google Veo. Keep every fact of the prompt; add "
    "no character, object, place, colour or event it does not state. Answer as JSON."
)


@node("production.veo_payload", title="Veo 3.1 Payload", category="Production/Veo", version="1.0.0",
      maturity="INTERN", runs_on="inline", output_node=True)
class VeoPayloadNode(Node):
    """Compile a shot into a Veo 3.1 request. With reference images (from the slotted
    ingredients) Veo needs 8 s clips, so durationSeconds is then 8."""

    shot: Shot = Input(socket="SHOT")
    world: World | None = Input(None, socket="WORLD")
    style: StyleGuide | None = Input(None, socket="STYLE_GUIDE")
    model: VeoModel = Input("veo-3.1-generate-001")
    aspect_ratio: Literal["project", "16:9", "9:16"] = Input("project")
    resolution: Literal["720p", "1080p"] = Input("720p")
    generate_audio: bool = Input(True)
    negative_prompt: str = Input("")
    seed: int = Input(-1, ge=-1, le=4_294_967_295, description="-1: let Veo choose")
    sample_count: int = Input(1, ge=1, le=4)
    person_generation: Literal["allow_adult", "dont_allow", "allow_all"] = Input("allow_adult")
    use_reference_images: bool = Input(True)
    first_frame: str = Input("", widget="path", picks="image", description="Image to start from (image-to-video)")
    last_frame: str = Input("", widget="path", picks="image", description="Image to end on (needs first_frame)")
    refine_with_llm: bool = Input(False)
    llm_model: str = Input("llama3.1:8b")
    save_take: bool = Input(True, description="Save the payload as a take of its shot")

    @model_validator(mode="after")
    def _frames(self) -> VeoPayloadNode:
        # Caught at graph validation (value_invalid), before anything runs.
        if self.last_frame and not self.first_frame:
            raise ValueError("last_frame needs first_frame (Veo interpolates between the two)")
        return self

    def run(self, ctx: RunContext) -> PayloadOut:
        sections = prompt_sections(self.shot, self.world, self.style)
        prompt, refined_by = prompt_text(sections), None
        if self.refine_with_llm:
            from .llm import refine  # ollama: loaded only by a run that asks the LLM

            answer = refine(RefinedPrompt, model=self.llm_model, system=REFINE_SYSTEM,
                            user=json.dumps({"prompt": prompt}))
            for warning in answer.warnings:
                ctx.logger.warning(warning)
            if answer.value is not None:
                prompt, refined_by = answer.value.prompt, self.llm_model
        payload = VeoPayload(model=self.model, shot_id=self.shot.id, shot_path=self.shot.shot_path,
                             prompt_sections=sections, refined_by=refined_by, request=self.request(ctx, prompt))
        take = ""
        if self.save_take and project_root(ctx) is not None:
            document = (json.dumps(payload.model_dump(mode="json", by_alias=True, exclude_none=True),
                                   indent=2, ensure_ascii=False) + "\n").encode("utf-8")
            sha = hashlib.sha256(document).hexdigest()
            take = ctx.takes.save(
                ShotCoords.parse(self.shot.shot_path), document, suffix=".json",
                inputs={"shot_id": self.shot.id, "model": self.model}, source={"kind": "veo_payload", "sha256": sha},
                item=sha[:12],  # one node fans out over many shots: the content keeps each item's take its own
                shot_id=self.shot.id,
            ).path
        return PayloadOut(payload=payload, take=take)

    def request(self, ctx: RunContext, prompt: str) -> VeoRequest:
        refs = [ref for i in slot_ingredients(self.shot) for ref in i.reference_images]
        references = ([VeoReferenceImage(image=inline_image(ctx, ref)) for ref in refs[:3]]
                      if self.use_reference_images and refs else None)
        aspect = project_aspect_ratio(ctx) if self.aspect_ratio == "project" else self.aspect_ratio
        try:
            return VeoRequest(
                instances=[VeoInstance(
                    prompt=prompt, reference_images=references,
                    image=inline_image(ctx, project_asset(ctx, self.first_frame)) if self.first_frame else None,
                    last_frame=inline_image(ctx, project_asset(ctx, self.last_frame)) if self.last_frame else None,
                )],
                parameters=VeoParameters(
                    aspect_ratio=aspect,
                    resolution=self.resolution,
                    duration_seconds=8 if references else snap_duration(self.shot.duration),
                    generate_audio=self.generate_audio, negative_prompt=self.negative_prompt or None,
                    seed=None if self.seed < 0 else self.seed, sample_count=self.sample_count,
                    person_generation=self.person_generation,
                ),
            )
        except ValidationError as exc:
            problems = "; ".join(error["msg"].removeprefix("Value error, ") for error in exc.errors())
            raise NodeExecutionError(f"shot {self.shot.id}: invalid Veo 3.1 request: {problems}",
                                     code="veo_payload_invalid", details={"shot": self.shot.id}) from exc
