"""`audio.normalize`: two-pass EBU R128 loudness normalisation (ffmpeg loudnorm).

Three inputs need care around loudnorm's limits (each has a regression test):
- louder than 0 LUFS: pass two only accepts measured values up to 0 LUFS, so a fixed gain
  first brings the signal into range and the measurements are shifted by the same gain;
- silence (`-inf`): there is nothing to normalise, so the audio is written unchanged and the
  node says so in `measured.warning`;
- shorter than 3 s: pass one measures the clip as it is (the integrated value is right), but
  pass two needs loudnorm's 3 s window or it drops to a much quieter dynamic mode, so the
  clip is padded with silence for pass two and trimmed back to its own length.
"""

from __future__ import annotations

from typing import Any, Literal

from nodes.sdk import Input, MediaRef, Node, Output, Outputs, RunContext, node
from nodes.sdk.ffmpeg.encode import input_stream, output_path, run_stream, staged
from nodes.sdk.ffmpeg.formats import AUDIO_FORMATS
from nodes.sdk.ffmpeg.loudness import (
    OUTPUT_RATE,
    is_silent,
    loudnorm_filter,
    padded,
    parse_measurement,
    pass_two_filter,
)
from nodes.sdk.ffmpeg.output_info import output_ref
from nodes.sdk.ffmpeg.output_info import source as source_of
from nodes.sdk.ffmpeg.probe import require_audio
from nodes.sdk.ffmpeg.process import find_tool, run_ffmpeg


class NormalizeOut(Outputs):
    audio: MediaRef = Output(socket="AUDIO", description="Audio at -16 LUFS, 48 kHz")
    measured: dict[str, Any] = Output(
        socket="*", ui=True, description="Pass-one loudness measurements fed to pass two"
    )


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
    values measured in pass one drive a linear pass two). Output at 48 kHz. Silent input is
    written unchanged with a warning."""

    audio: MediaRef = Input(description="Audio (or a clip with sound)", socket="AUDIO")
    format: Literal["wav", "flac", "mp3", "m4a"] = Input("wav", description="Output format")

    def run(self, ctx: RunContext) -> NormalizeOut:
        source, info = source_of(ctx, self.audio)
        require_audio(info, source.name)
        measure = input_stream(source).output(
            "-", af=padded(loudnorm_filter(), info.duration), f="null", vn=None
        )
        measured = run_ffmpeg(
            measure.compile(cmd=find_tool("ffmpeg")),
            outputs={},
            duration=info.duration,
            is_cancelled=ctx.cancelled,
            on_progress=lambda fraction: ctx.progress(0.5 * fraction, "measure loudness"),
        )
        found: dict[str, Any] = dict(parse_measurement(measured.stderr))
        if is_silent(found):
            chain = "anull"
            found["warning"] = "the input is silent: nothing to normalise, written unchanged"
            ctx.logger.warning("%s is silent; written unchanged", source.name)
        else:
            chain = padded(pass_two_filter(found), info.duration)
        final = output_path(ctx, f"{source.stem}_norm", f".{self.format}")
        out = input_stream(source).output(
            str(staged(final)), af=chain, ar=OUTPUT_RATE, vn=None, **AUDIO_FORMATS[self.format]
        )
        done = run_stream(ctx, out, final, duration=info.duration, step="normalise", span=(0.5, 1.0))
        return NormalizeOut(audio=output_ref(ctx, final, done, kind="audio"), measured=found)
