"""`media.thumbnail`: JPEG stills at one or several timestamps, sized by the tier."""

from __future__ import annotations

from pydantic import field_validator

from nodes.sdk import Input, MediaRef, Node, NodeExecutionError, Output, Outputs, RunContext, node
from nodes.sdk.ffmpeg.encode import input_stream, output_path, run_stream, staged
from nodes.sdk.ffmpeg.errors import NoVideoStreamError
from nodes.sdk.ffmpeg.output_info import output_ref, source
from nodes.sdk.ffmpeg.probe import Probe
from nodes.sdk.ffmpeg.tier_params import ThumbnailParams
from nodes.sdk.ffmpeg.timecode import parse_timecode


class ThumbnailOut(Outputs):
    image: MediaRef = Output(socket="IMAGE", description="The still at the first timestamp")
    images: list[MediaRef] = Output(
        socket="*", ui=True, description="Every still, in timestamp order (batch mode)"
    )


def _timestamps(single: str, batch: str) -> list[str]:
    listed = [part.strip() for part in batch.split(",") if part.strip()]
    return listed or [single]


def require_video(info: Probe, name: str) -> None:
    """Refuse a file without a picture (audio only) before ffmpeg runs."""
    if not info.has_video:
        raise NoVideoStreamError(
            f"{name} has no video stream (it is audio only); connect a clip or an image",
            details={"path": name},
        )


def _check_inside(seconds: float, text: str, info: Probe) -> None:
    if info.duration is not None and seconds >= info.duration:
        raise NodeExecutionError(
            f"timestamp {text} is past the end of the clip ({info.duration:.2f} s)",
            error_type="ValueError",
            code="value_out_of_range",
            details={"timestamp": text, "duration": info.duration},
        )


@node(
    "media.thumbnail",
    title="Thumbnail",
    category="Media/Video",
    version="1.0.0",
    maturity="AUTONOMOUS",
    runs_on="runner",
    tier_params=ThumbnailParams,
)
class Thumbnail(Node):
    """Grab a JPEG still at `timestamp`, or one per entry of `timestamps` (comma separated).
    The width comes from the tier; the height keeps the aspect ratio."""

    video: MediaRef = Input(description="Source clip", socket="VIDEO")
    timestamp: str = Input("00:00:01", description="HH:MM:SS[.ms] or seconds")
    timestamps: str = Input("", description="Batch mode: several timestamps, comma separated")

    @field_validator("timestamp", "timestamps")
    @classmethod
    def _timecodes(cls, value: str) -> str:
        for part in filter(None, (item.strip() for item in value.split(","))):
            parse_timecode(part)
        return value

    def run(self, ctx: RunContext) -> ThumbnailOut:
        path, info = source(ctx, self.video)
        require_video(info, path.name)
        width = ctx.tier_settings(ThumbnailParams).width
        stamps = _timestamps(self.timestamp, self.timestamps)
        refs: list[MediaRef] = []
        for index, text in enumerate(stamps):
            ctx.check_cancelled()
            seconds = parse_timecode(text)
            _check_inside(seconds, text, info)
            final = output_path(ctx, f"{path.stem}_thumb{index:03d}", ".jpg")
            out = input_stream(path, ss=seconds).output(
                str(staged(final)), vframes=1, vf=f"scale={width}:-2", **{"q:v": 2}
            )
            span = (index / len(stamps), (index + 1) / len(stamps))
            done = run_stream(ctx, out, final, duration=None, step=f"thumbnail {text}", span=span)
            refs.append(output_ref(ctx, final, done, kind="image"))
        return ThumbnailOut(image=refs[0], images=refs)
