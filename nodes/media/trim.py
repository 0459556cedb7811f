"""`media.trim`: cut a clip by start and duration, by stream copy or frame-exact re-encode."""

from __future__ import annotations

from pydantic import field_validator

from nodes.sdk import Input, MediaRef, Node, NodeExecutionError, Output, Outputs, RunContext, node
from nodes.sdk.ffmpeg.encode import input_stream, output_path, run_stream, staged
from nodes.sdk.ffmpeg.formats import container_for_suffix, encoder_options
from nodes.sdk.ffmpeg.output_info import output_ref, source
from nodes.sdk.ffmpeg.probe import probe
from nodes.sdk.ffmpeg.tier_params import EncodeParams
from nodes.sdk.ffmpeg.timecode import parse_timecode


class TrimOut(Outputs):
    video: MediaRef = Output(socket="VIDEO", description="The trimmed clip")


@node(
    "media.trim",
    title="Trim Video",
    category="Media/Video",
    version="1.0.0",
    maturity="AUTONOMOUS",
    runs_on="runner",
    tier_params=EncodeParams,
)
class TrimVideo(Node):
    """Cut a clip. Stream copy by default (fast; the cut snaps to the keyframe before
    `start`); `accurate` re-encodes for a frame-exact cut at the tier's preset and CRF."""

    video: MediaRef = Input(description="Source clip", socket="VIDEO")
    start: str = Input("00:00:00", description="Start, HH:MM:SS[.ms] or seconds")
    duration: str = Input("00:00:10", description="Length, HH:MM:SS[.ms] or seconds")
    accurate: bool = Input(False, description="Re-encode for a frame-exact cut (slower)")

    @field_validator("start", "duration")
    @classmethod
    def _timecode(cls, value: str) -> str:
        parse_timecode(value)
        return value

    def run(self, ctx: RunContext) -> TrimOut:
        source_path, info = source(ctx, self.video)
        start, length = parse_timecode(self.start), parse_timecode(self.duration)
        if info.duration is not None:
            length = min(length, info.duration - start)
        if length <= 0:
            raise _out_of_range(self.start, self.duration, info.duration)
        final = output_path(ctx, f"{source_path.stem}_trim", source_path.suffix)
        stream = input_stream(source_path, ss=start)
        if self.accurate:
            encode = ctx.tier_settings(EncodeParams)
            options = encoder_options(
                container_for_suffix(source_path.suffix), preset=encode.preset, crf=encode.crf
            )
        else:
            # No avoid_negative_ts: the muxer keeps the edit list, so playback starts at `start`
            # even though the copied packets begin at the keyframe before it.
            options = {"c": "copy"}
        out = stream.output(str(staged(final)), t=length, **options)
        done = run_stream(ctx, out, final, duration=length, step="trim")
        if self.accurate:
            return TrimOut(video=output_ref(ctx, final, done))
        # ffmpeg's progress time counts the packets before the edit point: probe the true length.
        return TrimOut(video=ctx.media_ref(final, kind="video", **probe(final).ref_fields()))


def _out_of_range(start: str, duration: str, clip_seconds: float | None) -> NodeExecutionError:
    """A cut that would be empty: a zero duration, or a start at or past the clip's end."""
    length = "unknown" if clip_seconds is None else f"{clip_seconds:.2f} s"
    return NodeExecutionError(
        f"the cut is empty: start {start} with duration {duration} on a clip of {length}; "
        "use a start before the end and a duration above zero",
        error_type="ValueError",
        code="value_out_of_range",
        details={"start": start, "duration": duration, "clip_duration": clip_seconds},
    )
