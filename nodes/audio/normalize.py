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

import json
import math
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
MIN_WINDOW_S = 3.0  # loudnorm measures over a 3 s window
PAD_TO_S = 3.5
# The ranges loudnorm's pass two accepts for the pass-one values.
_RANGES = {"I": (-99.0, 0.0), "TP": (-99.0, 99.0), "LRA": (0.0, 99.0), "thresh": (-99.0, 0.0)}
HOT_HEADROOM_LU = 10.0  # how far below 0 LUFS a too-hot input is brought before pass two


class NormalizeOut(Outputs):
    audio: MediaRef = Output(socket="AUDIO", description="Audio at -16 LUFS, 48 kHz")
    measured: dict[str, Any] = Output(
        socket="*", ui=True, description="Pass-one loudness measurements fed to pass two"
    )


def loudnorm_filter(**measured: str) -> str:
    """The loudnorm filter at the -16 LUFS target: pass one bare, pass two with what pass one measured."""
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


def is_silent(found: dict[str, str]) -> bool:
    """loudnorm reports `-inf` integrated loudness for digital silence (nothing above the gate)."""
    value = float(found["input_i"])
    return math.isinf(value) or math.isnan(value)


def _clamp(name: str, value: float) -> str:
    low, high = _RANGES[name]
    return f"{min(high, max(low, value)):.2f}"


def pass_two_filter(found: dict[str, str]) -> str:
    """A fixed pre-gain (for input above 0 LUFS) and loudnorm's linear pass on the measurements."""
    measured_i = float(found["input_i"])
    gain = min(0.0, -HOT_HEADROOM_LU - measured_i) if measured_i > -HOT_HEADROOM_LU else 0.0
    loudnorm = loudnorm_filter(
        measured_I=_clamp("I", measured_i + gain),
        measured_TP=_clamp("TP", float(found["input_tp"]) + gain),
        measured_LRA=_clamp("LRA", float(found["input_lra"])),
        measured_thresh=_clamp("thresh", float(found["input_thresh"]) + gain),
        offset=f"{float(found['target_offset']):.2f}" if math.isfinite(float(found["target_offset"])) else "0",
        linear="true",
    )
    return f"volume={gain:.2f}dB,{loudnorm}" if gain else loudnorm


def padded(chain: str, duration: float | None) -> str:
    """Pad a short clip to loudnorm's window (and trim the result back to its length)."""
    if duration is None or duration >= MIN_WINDOW_S:
        return chain
    loops = math.ceil(PAD_TO_S / max(duration, 0.05))
    return f"aloop=loop={loops}:size=2147483647,{chain},atrim=duration={duration:.6f}"


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
