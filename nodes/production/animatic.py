"""`production.animatic`: the shots as one MP4 at their durations, with the soundtrack under it."""

from __future__ import annotations

from pathlib import Path

from nodes.sdk import Input, MediaRef, Node, NodeExecutionError, Output, Outputs, RunContext, node
from nodes.sdk.ffmpeg.encode import output_path, run_argv
from nodes.sdk.ffmpeg.output_info import output_ref, source
from nodes.sdk.ffmpeg.probe import media_file
from nodes.sdk.ffmpeg.tier_params import EncodeParams
from nodes.sdk.preproduction import Shot
from nodes.sdk.takes import SceneCoords

from .animatic_graph import Canvas, Cut, build_command
from .animatic_sound import Soundtrack, encode_with_soundtrack
from .project_files import project_root
from .shot_pictures import find_picture


class AnimaticOut(Outputs):
    video: MediaRef = Output(socket="VIDEO", description="The animatic (H.264/AAC MP4)")
    duration: float = Output(socket="FLOAT", description="Its length: the sum of the shot durations")
    take: str = Output(ui=True, description="The scene take it was saved as ('' when not saved)")
    sources: list[str] = Output(socket="TEXT", ui=True,
                                description="Where each shot's picture came from: given, take, thumbnail, reference, title card")


def shot_label(shot: Shot) -> str:
    """`12A/3 — description` (the script's scene number when it has one)."""
    scene = shot.scene_number or str(shot.scene)
    text = " ".join(shot.description.split())
    return f"{scene}/{shot.number}  {text[:60]}".strip()


@node(
    "production.animatic",
    title="Animatic",
    category="Production/Previz",
    version="1.1.0",
    maturity="AUTONOMOUS",
    runs_on="runner",
    tier_params=EncodeParams,
)
class Animatic(Node):
    """Cut the shots into one MP4: each still (or clip) held for its shot's duration on whole
    frames, a title card where a shot has no picture, optional crossfade, shot labels and
    timecode, and the soundtrack cut to length and normalised to -16 LUFS."""

    shots: list[Shot] = Input(description="The shots, in order", socket="SHOT", is_list=True)
    pictures: list[MediaRef] = Input(
        [], description="One image or clip per shot, in shot order (missing: found in the project, else a title card)",
        socket="MEDIA", is_list=True,
    )
    soundtrack: MediaRef | None = Input(None, description="Audio laid under the cut", socket="AUDIO")
    fps: int = Input(24, ge=1, le=120, description="Frames per second")
    width: int = Input(1280, ge=16, le=7680, description="Width in pixels")
    height: int = Input(720, ge=16, le=4320, description="Height in pixels")
    crossfade: float = Input(0.0, ge=0.0, le=2.0, description="Crossfade between shots, seconds")
    labels: bool = Input(True, description="Burn in scene/shot number and description")
    timecode: bool = Input(False, description="Burn in the timecode")
    find_pictures: bool = Input(True, description="Shots without a picture: their active take, thumbnail or "
                                "an ingredient's reference image (else a title card)")
    save_take: bool = Input(True, description="Inside a project, save the animatic as a take of the first shot's scene")

    def run(self, ctx: RunContext) -> AnimaticOut:
        if not self.shots:
            raise NodeExecutionError("the animatic needs at least one shot", code="value_out_of_range")
        root = project_root(ctx)
        chosen = ctx.takes.chosen() if root is not None and self.find_pictures else {}
        pictures = [self._picture(ctx, root, chosen, index, shot) for index, shot in enumerate(self.shots)]
        cuts = [self._cut(ctx, ref, shot) for (ref, _where), shot in zip(pictures, self.shots, strict=True)]
        total = round(sum(shot.duration for shot in self.shots) * self.fps) / self.fps
        canvas = Canvas(self.width - self.width % 2, self.height - self.height % 2, self.fps,
                        self.labels, self.timecode, self.crossfade)
        encode = ctx.tier_settings(EncodeParams)
        final = output_path(ctx, "animatic", ".mp4")
        picture = [*build_command(cuts, canvas, None, None),
                   "-c:v", "libx264", "-preset", encode.preset, "-crf", str(encode.crf), "-r", str(self.fps),
                   "-pix_fmt", "yuv420p", "-t", f"{total:.6f}"]
        if self.soundtrack is None:
            done = run_argv(ctx, [*picture, "-movflags", "+faststart"], final, duration=total,
                            step="cut the animatic")
        else:
            done = encode_with_soundtrack(ctx, picture, Soundtrack(source(ctx, self.soundtrack)[0], total), final)
        take = ""
        if self.save_take and root is not None:
            first = self.shots[0]
            inputs = {**self.model_dump(mode="json", exclude={"pictures", "soundtrack"}),
                      "pictures": [ref.path if ref else None for ref, _ in pictures],
                      "soundtrack": self.soundtrack.path if self.soundtrack else None}
            saved = ctx.takes.save(SceneCoords(first.chapter, first.scene), final, inputs=inputs,
                                   source={"kind": "animatic"})
            take = saved.path
        return AnimaticOut(video=output_ref(ctx, final, done, kind="video"), duration=total, take=take,
                           sources=[where for _ref, where in pictures])

    def _picture(self, ctx: RunContext, root: Path | None, chosen: dict[str, int], index: int,
                 shot: Shot) -> tuple[MediaRef | None, str]:
        given = self.pictures[index] if index < len(self.pictures) else None
        if given is not None:
            return given, "given"
        if not self.find_pictures:
            return None, "title card"
        return find_picture(ctx, root, shot, chosen)

    def _cut(self, ctx: RunContext, ref: MediaRef | None, shot: Shot) -> Cut:
        if ref is None:
            return Cut(None, True, shot.duration, shot_label(shot) or f"Shot {shot.number}")
        # the graph scales whatever comes: no ffprobe per picture (100 stills cost 5 s of probes)
        return Cut(media_file(ctx, ref), ref.kind == "image", shot.duration, shot_label(shot))
