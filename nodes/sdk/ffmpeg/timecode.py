"""Timestamps as users type them: `HH:MM:SS[.ms]`, `MM:SS`, or plain seconds."""

from __future__ import annotations

import re

_CLOCK = re.compile(r"^(?:(\d+):)?([0-5]?\d):([0-5]?\d(?:\.\d+)?)$")
_SECONDS = re.compile(r"^\d+(?:\.\d+)?$")


class TimecodeError(ValueError):
    """A timestamp that is neither a clock time nor a number of seconds."""


def parse_timecode(text: str) -> float:
    """Seconds for `01:02:03.5`, `02:03`, `93.5`; TimecodeError otherwise."""
    value = text.strip()
    if _SECONDS.match(value):
        return float(value)
    match = _CLOCK.match(value)
    if not match:
        raise TimecodeError(f"{text!r} is not a timestamp; use HH:MM:SS[.ms] or seconds")
    hours, minutes, seconds = match.groups()
    return int(hours or 0) * 3600 + int(minutes) * 60 + float(seconds)


def format_clock(seconds: float, separator: str = ".") -> str:
    """`HH:MM:SS.mmm` (`,` before the milliseconds for SRT)."""
    millis = round(max(0.0, seconds) * 1000)
    hours, rest = divmod(millis, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    secs, ms = divmod(rest, 1000)
    return f"{hours:02d}:{minutes:02d}:{secs:02d}{separator}{ms:03d}"

