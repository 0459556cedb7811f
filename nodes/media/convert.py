"""`media.convert`: re-encode into MP4, WebM, MOV, AVI or MKV at the tier's preset and CRF."""

from __future__ import annotations

from nodes.sdk import Input, MediaRef, Node, Output, Outputs, RunContext, node
from nodes.sdk.ffmpeg.encode import input_stream, output_path, run_stream, staged
from nodes.sdk.ffmpeg.formats import VIDEO_FORMATS, VideoFormat, encoder_options
from nodes.sdk.ffmpeg.output_info import output_ref, source
from nodes.sdk.ffmpeg.tier_params import EncodeParams


class ConvertOut(Outputs):
    video: MediaRef = Output(socket="VIDEO", description="The converted file")


@node(
    "media.convert",
    title="Convert Video",
    category="Media/Video",
    version="1.0.0",
    maturity="AUTONOMOUS",
    runs_on="runner",
    tier_params=EncodeParams,
)
class ConvertVideo(Node):
    """Re-encode a clip: MP4/MOV/MKV (H.264 + AAC), WebM (VP9 + Opus), AVI (H.264 + MP3).
    The tier decides speed against quality (low: veryfast, standard: medium, high: slow)."""

    video: MediaRef = Input(description="Source clip", socket="VIDEO")
    format: VideoFormat = Input("mp4", description="Target container")

    def run(self, ctx: RunContext) -> ConvertOut:
        path, info = source(ctx, self.video)
        container = VIDEO_FORMATS[self.format]
        final = output_path(ctx, f"{path.stem}_{self.format}", container.suffix)
        encode = ctx.tier_settings(EncodeParams)
        options = encoder_options(container, preset=encode.preset, crf=encode.crf)
        out = input_stream(path).output(str(staged(final)), **options)
        done = run_stream(ctx, out, final, duration=info.duration, step=f"convert to {self.format}")
        return ConvertOut(video=output_ref(ctx, final, done))
