"""`production.motion_graphics`: a text description → a rendered H.264 MP4 (title cards, lower
thirds, kinetic type, credits, animatic cards, or a scene the model writes) in the project's
style guide. Frames are drawn with Pillow from scene code (motion/scenes.py) and encoded by
ffmpeg; a model-written scene renders only inside the sandbox (motion/sandbox.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import ValidationError

from nodes.sdk import Input, MediaRef, Node, NodeExecutionError, Output, Outputs, RunContext, node
from nodes.sdk.ffmpeg.encode import output_path, run_argv
from nodes.sdk.ffmpeg.output_info import output_ref
from nodes.sdk.ffmpeg.tier_params import EncodeParams

from .domain import StyleGuide
from .motion.frames import FRAME_PATTERN, render_frames
from .motion.look import FontChoice, look_of
from .motion.plan import MotionPlan, PlanTemplate, ask_plan
from .motion.sandbox import run_scene
from .motion.scenes import TEMPLATES

MAX_FRAMES = 3600  # two minutes at 30 fps: drawn frames sit in scratch as PNGs until encoded


class MotionOut(Outputs):
    video: MediaRef = Output(socket="VIDEO", description="The motion graphic (H.264 MP4, no audio)")
    template: str = Output(ui=True, description="The scene template used (new_scene: written by the model)")
    plan: dict[str, object] = Output(socket="JSON", ui=True, description="The template and props the scene was drawn from")


@node("production.motion_graphics", title="Motion Graphics", category="Production/Generate", version="1.0.0",
      maturity="INTERN", runs_on="runner")
class MotionGraphics(Node):
    """Describe a title card, lower third, kinetic typography, credits or an animatic card; the
    language model picks the scene template and fills its props (or writes a new scene, checked
    and sandboxed, when allowed), drawn in the style guide's palette, font and mood."""

    description: str = Input(description="What the graphic shows", multiline=True,
                             pattern=r"^[\s\S]{1,4000}$")
    template: Literal["auto", "title_card", "lower_third", "kinetic_type", "credits", "animatic_card"] = Input(
        "auto", description="auto: the language model picks and fills the props; else the props below are used")
    title: str = Input("")
    subtitle: str = Input("")
    lines: str = Input("", multiline=True, description="One per line (words, credits)")
    style: StyleGuide | None = Input(None, socket="STYLE_GUIDE")
    font: FontChoice = Input("auto", description="auto: from the style guide's mood")
    width: int = Input(1280, ge=64, le=3840)
    height: int = Input(720, ge=64, le=2160)
    fps: int = Input(25, ge=1, le=60)
    duration: float = Input(4.0, gt=0, le=120)
    allow_new_scene: bool = Input(False, description="Let the model write a new scene (sandboxed: no network, "
                                  "time and memory limits)")
    scene_seconds: int = Input(60, ge=1, le=600, description="CPU-time limit of a model-written scene")

    def run(self, ctx: RunContext) -> MotionOut:
        count = round(self.duration * self.fps)
        if not 1 <= count <= MAX_FRAMES:
            raise NodeExecutionError(f"{count} frames: a motion graphic has 1 to {MAX_FRAMES} frames",
                                     code="value_out_of_range", details={"frames": count})
        style = self.style or StyleGuide()
        # H.264 in yuv420p needs even sides
        look = look_of(style.palette, style.mood, self.width - self.width % 2, self.height - self.height % 2,
                       self.font)
        plan, model = self._plan(ctx, style)
        folder = ctx.scratch_dir() / "motion"
        folder.mkdir(parents=True, exist_ok=True)
        ctx.progress(0.2, f"drawing {count} frames")
        if plan.template == "new_scene":
            frames = run_scene(plan.scene_code, [plan.title, plan.subtitle, *plan.lines], look, count, folder,
                               seconds=self.scene_seconds)
        else:
            frames = folder / "frames"
            frames.mkdir(exist_ok=True)
            render_frames(TEMPLATES[plan.template](plan.props(), look), look, count, frames)
        ctx.check_cancelled()
        video = self._encode(ctx, frames, count)
        summary: dict[str, object] = {**plan.model_dump(exclude={"scene_code"}), "model": model,
                                      "frames": count, "background": look.background, "ink": look.ink,
                                      "accent": look.accent, "font": Path(look.font_path).name}
        return MotionOut(video=video, template=plan.template, plan=summary)

    def _plan(self, ctx: RunContext, style: StyleGuide) -> tuple[MotionPlan, str]:
        if self.template != "auto":
            chosen: PlanTemplate = self.template
            lines = [line.strip() for line in self.lines.splitlines() if line.strip()]
            try:
                return MotionPlan(template=chosen, title=self.title, subtitle=self.subtitle, lines=lines), ""
            except ValidationError as exc:
                raise NodeExecutionError(f"the props do not fit the template: {exc.errors()[0]['msg']}",
                                         code="value_out_of_range",
                                         details={"field": str(exc.errors()[0]["loc"][0])}) from exc
        facts = "; ".join(f"{key}: {value}" for key, value in (("mood", style.mood), ("lighting", style.lighting))
                          if value)
        return ask_plan(ctx, self.description, f"Style guide: {facts}." if facts else "",
                        allow_new_scene=self.allow_new_scene)

    def _encode(self, ctx: RunContext, frames: Path, count: int) -> MediaRef:
        encode = ctx.tier_settings(EncodeParams)
        final = output_path(ctx, "motion_graphics", ".mp4")
        # ffmpeg may open only real media demuxers (the SDK's input guard), not an image2
        # sequence: the frames go in as one PNG stream
        stream = frames.parent / "frames.pngs"
        with stream.open("wb") as out:
            for index in range(1, count + 1):
                out.write((frames / (FRAME_PATTERN % index)).read_bytes())
        done = run_argv(ctx, ["-f", "png_pipe", "-framerate", str(self.fps), "-i", str(stream), "-frames:v", str(count),
                              "-c:v", "libx264", "-preset", encode.preset, "-crf", str(encode.crf),
                              "-pix_fmt", "yuv420p", "-r", str(self.fps), "-movflags", "+faststart"],
                        final, duration=count / self.fps, step="encode", span=(0.8, 1.0))
        return output_ref(ctx, final, done, kind="video")
