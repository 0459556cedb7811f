"""`media.reframe`: one master into a platform's aspect ratio (crop, follow crop, blurred pad)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from nodes.sdk import Input, MediaRef, Node, Output, Outputs, RunContext, node

from .encode import flatten, output_path, run_argv
from .errors import NoVideoStreamError
from .formats import VIDEO_FORMATS, encoder_options
from .output_info import output_ref, source
from .probe import Probe, probe
from .tier_params import EncodeParams

Aspect = Literal["16:9", "9:16", "4:5", "1:1"]
ReframeMode = Literal["center", "follow", "blur_pad"]
ASPECTS: dict[str, tuple[int, int]] = {"16:9": (16, 9), "9:16": (9, 16), "4:5": (4, 5), "1:1": (1, 1)}


@dataclass(frozen=True)
class Frame:
    width: int
    height: int


def target_size(aspect: str, short_side: int) -> Frame:
    """The output resolution at exactly the aspect, its shorter edge as close to `short_side`
    as even dimensions allow (1080 gives 1080×1920 for 9:16, 1080×1350 for 4:5)."""
    across, down = ASPECTS[aspect]
    unit = short_side / min(across, down)
    step = 2 if across % 2 or down % 2 else 1
    k = max(step, round(unit / step) * step)
    return Frame(across * k, down * k)


def _even(value: float) -> int:
    return max(2, round(value / 2) * 2)


def crop_box(src: Frame, aspect: str, follow_x: float) -> tuple[int, int, int, int]:
    """The largest window of the target aspect inside the source, centred on `follow_x` (0..1
    of the width) and kept inside the frame: (width, height, x, y)."""
    across, down = ASPECTS[aspect]
    width = min(src.width, _even(src.height * across / down))
    height = min(src.height, _even(src.width * down / across))
    x = round(follow_x * src.width - width / 2)
    x = max(0, min(src.width - width, x))
    return width, height, x, (src.height - height) // 2


def reframe_filter(src: Frame, out: Frame, aspect: str, mode: str, follow_x: float) -> str:
    """The ffmpeg filter graph (one video input `[0:v]`, output `[v]`)."""
    if mode == "blur_pad":
        return (
            f"[0:v]split=2[bg][fg];"
            f"[bg]scale={out.width}:{out.height}:force_original_aspect_ratio=increase,"
            f"crop={out.width}:{out.height},boxblur=20:2[blur];"
            f"[fg]scale={out.width}:{out.height}:force_original_aspect_ratio=decrease[front];"
            f"[blur][front]overlay=(W-w)/2:(H-h)/2,setsar=1,format=yuv420p[v]"
        )
    width, height, x, y = crop_box(src, aspect, 0.5 if mode == "center" else follow_x)
    return f"[0:v]crop={width}:{height}:{x}:{y},scale={out.width}:{out.height},setsar=1,format=yuv420p[v]"


def frame_of(info: Probe, name: str) -> Frame:
    if not info.has_video or not info.width or not info.height:
        raise NoVideoStreamError(
            f"{name} has no video stream (it is audio only); connect a clip or an image",
            details={"path": name},
        )
    return Frame(info.width, info.height)


class ReframeOut(Outputs):
    video: MediaRef = Output(socket="VIDEO", description="The clip at the target aspect")


@node(
    "media.reframe",
    title="Reframe",
    category="Media/Video",
    version="1.0.0",
    maturity="AUTONOMOUS",
    runs_on="runner",
    tier_params=EncodeParams,
)
class Reframe(Node):
    """Re-cut a master for a platform: 16:9, 9:16, 4:5 or 1:1, by centre crop, by a crop that
    follows a horizontal position, or by fitting it over a blurred copy of itself."""

    video: MediaRef = Input(description="The master clip", socket="VIDEO")
    aspect: Aspect = Input("9:16", description="Target aspect ratio")
    mode: ReframeMode = Input("center", description="center crop, follow crop, or blur_pad")
    follow_x: float = Input(0.5, ge=0.0, le=1.0, description="follow: subject's horizontal position (0 left, 1 right)")
    short_side: int = Input(1080, ge=16, le=4320, description="Pixels on the shorter edge (1080: 1080×1920 for 9:16)")

    def run(self, ctx: RunContext) -> ReframeOut:
        path, info = source(ctx, self.video)
        if not info.width:
            info = probe(path)
        src = frame_of(info, path.name)
        out = target_size(self.aspect, self.short_side)
        encode = ctx.tier_settings(EncodeParams)
        options = encoder_options(VIDEO_FORMATS["mp4"], preset=encode.preset, crf=encode.crf)
        final = output_path(ctx, f"{path.stem}_{self.aspect.replace(':', 'x')}_{self.mode}", ".mp4")
        graph = reframe_filter(src, out, self.aspect, self.mode, self.follow_x)
        args = ["-i", str(path), "-filter_complex", graph, "-map", "[v]", "-map", "0:a?", *flatten(options)]
        done = run_argv(ctx, args, final, duration=info.duration, step=f"reframe {self.aspect}")
        return ReframeOut(video=output_ref(ctx, final, done, kind="video"))
