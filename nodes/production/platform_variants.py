"""`production.platform_variants`: YouTube, TikTok/Reels and Instagram feed cuts of one master,
by media.reframe's crop/pad geometry, as a list that fans out downstream."""

from __future__ import annotations

from typing import Literal

from nodes.sdk import Input, MediaRef, Node, NodeExecutionError, Output, Outputs, RunContext, node
from nodes.sdk.ffmpeg.encode import flatten, output_path, run_argv
from nodes.sdk.ffmpeg.formats import VIDEO_FORMATS, encoder_options
from nodes.sdk.ffmpeg.output_info import output_ref, source
from nodes.sdk.ffmpeg.probe import probe
from nodes.sdk.ffmpeg.reframe import ReframeMode, frame_of, reframe_filter, target_size
from nodes.sdk.ffmpeg.tier_params import EncodeParams

Platform = Literal["youtube", "tiktok_reels", "instagram_feed"]
# platform → (aspect, file-name tag): 1920×1080, 1080×1920 and 1080×1350 at short_side 1080
PLATFORMS: dict[str, tuple[str, str]] = {
    "youtube": ("16:9", "youtube_16x9"),
    "tiktok_reels": ("9:16", "tiktok_reels_9x16"),
    "instagram_feed": ("4:5", "instagram_feed_4x5"),
}


class PlatformVariantsOut(Outputs):
    videos: list[MediaRef] = Output(socket="VIDEO", is_list=True,
                                    description="One cut per platform, in YouTube, TikTok/Reels, Instagram order")
    platforms: list[str] = Output(socket="TEXT", is_list=True, description="The platform of each cut")


@node(
    "production.platform_variants",
    title="Platform Variants",
    category="Production/Previz",
    version="1.0.0",
    maturity="AUTONOMOUS",
    runs_on="runner",
    tier_params=EncodeParams,
)
class PlatformVariants(Node):
    """Cut one master for YouTube (16:9, 1920×1080), TikTok/Reels (9:16, 1080×1920) and the
    Instagram feed (4:5, 1080×1350): centre crop, a crop that follows the subject, or the
    frame over a blurred copy of itself. The list output runs what follows once per platform."""

    video: MediaRef = Input(description="The master (e.g. the animatic)", socket="VIDEO")
    mode: ReframeMode = Input("blur_pad", description="center crop, follow crop, or blur_pad")
    follow_x: float = Input(0.5, ge=0.0, le=1.0, description="follow: subject's horizontal position (0..1)")
    short_side: int = Input(1080, ge=16, le=4320, description="Pixels on the shorter edge (1080 for the platforms)")
    youtube: bool = Input(True, description="Make the YouTube 16:9 cut")
    tiktok_reels: bool = Input(True, description="Make the TikTok/Reels 9:16 cut")
    instagram_feed: bool = Input(True, description="Make the Instagram feed 4:5 cut")

    def run(self, ctx: RunContext) -> PlatformVariantsOut:
        path, info = source(ctx, self.video)
        if not info.width:
            info = probe(path)
        src = frame_of(info, path.name)
        chosen = [name for name in PLATFORMS if getattr(self, name)]
        if not chosen:
            raise NodeExecutionError("choose at least one platform", code="value_out_of_range")
        encode = ctx.tier_settings(EncodeParams)
        options = flatten(encoder_options(VIDEO_FORMATS["mp4"], preset=encode.preset, crf=encode.crf))
        videos = []
        for index, name in enumerate(chosen):
            aspect, tag = PLATFORMS[name]
            out = target_size(aspect, self.short_side)
            final = output_path(ctx, f"{path.stem}_{tag}", ".mp4")
            graph = reframe_filter(src, out, aspect, self.mode, self.follow_x)
            args = ["-i", str(path), "-filter_complex", graph, "-map", "[v]", "-map", "0:a?", *options]
            span = (index / len(chosen), (index + 1) / len(chosen))
            done = run_argv(ctx, args, final, duration=info.duration, step=f"{name} {aspect}", span=span)
            videos.append(output_ref(ctx, final, done, kind="video"))
        return PlatformVariantsOut(videos=videos, platforms=chosen)
