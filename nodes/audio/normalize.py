"""`audio.normalize`: two-pass EBU R128 loudness normalisation (ffmpeg loudnorm)."""

from __future__ import annotations

import json
from typing import Any, Literal

from nodes.media.encode import input_stream, output_path, run_stream, staged
from nodes.media.errors import FfmpegFailedError
from nodes.media.ffmpeg_process import find_tool, run_ffmpeg
from nodes.media.formats import AUDIO_FORMATS
from nodes.media.output_info import output_ref
from nodes.media.output_info import source as source_of
from nodes.media.probe import require_audio
from nodes.sdk import Input, MediaRef, Node, Output, Outputs, RunContext, node

TARGET_I, TARGET_TP, TARGET_LRA = -16.0, -1.5, 11.0
OUTPUT_RATE = 48_000


class NormalizeOut(Outputs):
    audio: MediaRef = Output(socket="AUDIO", description="Audio at -16 LUFS, 48 kHz")
    measured: dict[str, Any] = Output(
        socket="*", ui=True, description="Pass-one loudness measurements fed to pass two"
    )


def _loudnorm(**measured: str) -> str:
    base = f"loudnorm=I={TARGET_I}:TP={TARGET_TP}:LRA={TARGET_LRA}"
    extra = "".join(f":{key}={value}" for key, value in measured.items())
    return f"{base}{extra}:print_format=json"


def parse_measurement(stderr: str) -> dict[str, str]:
    """The JSON block loudnorm prints after its `Parsed_loudnorm` banner."""
    start = stderr.rfind("{")
    end = stderr.rfind("}")
    if start < 0 or end < start:
        raise FfmpegFailedError("loudnorm printed no measurement", details={"stderr": stderr[-2000:]})
    values: dict[str, str] = json.loads(stderr[start : end + 1])
    return values


@node(
    "audio.normalize",
    title="Normalize Loudness",
    category="Media/Audio",
    version="1.0.0",
    maturity="AUTONOMOUS",
    runs_on="runner",
)
class NormalizeLoudness(Node):
    """Normalise to -16 LUFS integrated, -1.5 dBTP true peak (EBU R128, two passes: the
    values measured in pass one drive a linear pass two). Output at 48 kHz."""

    audio: MediaRef = Input(description="Audio (or a clip with sound)", socket="AUDIO")
    format: Literal["wav", "flac", "mp3", "m4a"] = Input("wav", description="Output format")

    def run(self, ctx: RunContext) -> NormalizeOut:
        source, info = source_of(ctx, self.audio)
        require_audio(info, source.name)
        measure = input_stream(source).output("-", af=_loudnorm(), f="null", vn=None)
        measured = run_ffmpeg(
            measure.compile(cmd=find_tool("ffmpeg")),
            outputs={},
            duration=info.duration,
            is_cancelled=ctx.cancelled,
            on_progress=lambda fraction: ctx.progress(0.5 * fraction, "measure loudness"),
        )
        found = parse_measurement(measured.stderr)
        second = _loudnorm(
            measured_I=found["input_i"], measured_TP=found["input_tp"],
            measured_LRA=found["input_lra"], measured_thresh=found["input_thresh"],
            offset=found["target_offset"], linear="true",
        )
        final = output_path(ctx, f"{source.stem}_norm", f".{self.format}")
        out = input_stream(source).output(
            str(staged(final)), af=second, ar=OUTPUT_RATE, vn=None, **AUDIO_FORMATS[self.format]
        )
        done = run_stream(ctx, out, final, duration=info.duration, step="normalise", span=(0.5, 1.0))
        return NormalizeOut(audio=output_ref(ctx, final, done, kind="audio"), measured=found)
