"""Two-pass EBU R128 loudness with ffmpeg's loudnorm at -16 LUFS: the filters and the
reading of pass one's measurements, shared by `audio.normalize` and the animatic's soundtrack.
"""

from __future__ import annotations

import json
import math

from .errors import FfmpegFailedError

TARGET_I, TARGET_TP, TARGET_LRA = -16.0, -1.5, 11.0
OUTPUT_RATE = 48_000
MIN_WINDOW_S = 3.0  # loudnorm measures over a 3 s window
PAD_TO_S = 3.5
# The ranges loudnorm's pass two accepts for the pass-one values.
_RANGES = {"I": (-99.0, 0.0), "TP": (-99.0, 99.0), "LRA": (0.0, 99.0), "thresh": (-99.0, 0.0)}
HOT_HEADROOM_LU = 10.0  # how far below 0 LUFS a too-hot input is brought before pass two



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
