"""What the language model answers for a description: a template and its props, or, when the
node allows it, the source of a new scene (checked and sandboxed before it renders)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from nodes.sdk import RunContext
from nodes.sdk.llm import ask_structured, language_model, system, user

from .scenes import SceneProps, TemplateName

PlanTemplate = TemplateName | Literal["new_scene"]
SCENE_CONTRACT = (
    "A new scene is Python 3.11 source defining exactly\n"
    "    def draw(image: Image.Image, t: float, lines: list[str], look: Look) -> None\n"
    "with `from PIL import Image, ImageDraw` and `from frames import Look`; it draws frame t (0 at the start, "
    "1 at the end) onto the RGB image in place. look has width, height, background, ink, accent (hex colours), "
    "pace and font(size) -> a Pillow font. No network, files, processes or other imports: it runs sandboxed "
    "and must pass mypy --strict."
)


class MotionPlan(BaseModel):
    """The model's answer: the template, its props, and the scene source for `new_scene`."""

    model_config = ConfigDict(extra="forbid")

    template: PlanTemplate
    title: str = Field("", max_length=120)
    subtitle: str = Field("", max_length=200)
    lines: list[str] = Field(default_factory=list, max_length=40)
    scene_code: str = Field("", max_length=12000, description="Only for template new_scene")

    def props(self) -> SceneProps:
        return SceneProps(title=self.title, subtitle=self.subtitle, lines=self.lines)


def ask_plan(ctx: RunContext, description: str, style_text: str, *, allow_new_scene: bool) -> tuple[MotionPlan, str]:
    """The validated plan and the model's name."""
    model = language_model(ctx.models)
    choices = ("title_card (title, subtitle), lower_third (title = name, subtitle = role), kinetic_type "
               "(lines = the words or phrases, in order), credits (title, lines as 'Role — Name'), animatic_card "
               "(title = scene heading, subtitle and lines = description)")
    extra = f" Or new_scene, when no template fits, with scene_code. {SCENE_CONTRACT}" if allow_new_scene else ""
    ctx.progress(0.05, f"asking {model.name}")
    answer = ask_structured(
        model, MotionPlan,
        [system(f"You plan motion graphics. Pick the template that fits and fill its props: {choices}.{extra}"),
         user(f"{style_text}\n\nDescription: {description}".strip())],
        max_tokens=3000 if allow_new_scene else 400, on_token=lambda piece: ctx.check_cancelled())
    plan = answer.value
    if plan.template == "new_scene" and not allow_new_scene:
        plan = plan.model_copy(update={"template": "title_card", "scene_code": ""})
    return plan, model.name
