"""The ffmpeg command line of an animatic: one filter graph over explicit file inputs.

Title cards are `color` sources inside the graph (no lavfi file input), so the command only
reads real media files. Shot boundaries are placed on whole frames from the cumulative times,
so rounding never drifts: shot i starts at frame round(t_i * fps).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from nodes.sdk.ffmpeg.timecode import format_clock

FONT_SIZE_DIVISOR = 22


@dataclass(frozen=True)
class Cut:
    """One shot on the timeline: its picture (None: a title card) and its label text."""

    picture: Path | None
    is_still: bool
    seconds: float
    label: str


def frame_bounds(cuts: list[Cut], fps: int) -> list[tuple[int, int]]:
    """(first frame, frame count) of each cut, from the cumulative durations."""
    bounds, elapsed = [], 0.0
    for cut in cuts:
        start = round(elapsed * fps)
        elapsed += cut.seconds
        bounds.append((start, round(elapsed * fps) - start))
    return bounds


def _escape(text: str) -> str:
    # a quote cannot be escaped inside a quoted filter argument: labels get the typographic one
    text = text.replace("'", "\u2019")
    for char in ("\\", ":", "%", ",", "[", "]", ";"):
        text = text.replace(char, f"\\{char}")
    return text


def _text(label: str, size: int, *, bottom: bool) -> str:
    y = "h-th-h/30" if bottom else "h/30"
    return (f"drawtext=text='{_escape(label)}':fontcolor=white:fontsize={size}:"
            f"box=1:boxcolor=black@0.5:boxborderw={size // 4}:x=(w-tw)/2:y={y}")


def smpte(frame: int, fps: int) -> str:
    """`HH:MM:SS:FF` of a frame number (non-drop-frame)."""
    seconds, frames = divmod(frame, fps)
    return f"{format_clock(seconds)[:8]}:{frames:02d}"


def _timecode(start_frame: int, fps: int, size: int) -> str:
    start = _escape(smpte(start_frame, fps))
    return (f"drawtext=timecode='{start}':rate={fps}:fontcolor=white:fontsize={size}:"
            f"box=1:boxcolor=black@0.5:x=w-tw-h/30:y=h/30")


@dataclass(frozen=True)
class Canvas:
    width: int
    height: int
    fps: int
    label: bool = True
    timecode: bool = False
    crossfade: float = 0.0


def build_command(cuts: list[Cut], canvas: Canvas, audio_chain: str | None, soundtrack: Path | None) -> list[str]:
    """ffmpeg arguments (inputs, graph, maps) without the output file."""
    args: list[str] = []
    chains: list[str] = []
    bounds = frame_bounds(cuts, canvas.fps)
    fade = round(canvas.crossfade * canvas.fps)
    size = max(10, canvas.height // FONT_SIZE_DIVISOR)
    index = 0
    for number, (cut, (start, frames)) in enumerate(zip(cuts, bounds, strict=True)):
        frames += fade if number < len(cuts) - 1 else 0
        seconds = frames / canvas.fps
        if cut.picture is None:
            source = f"color=c=0x1e1e28:s={canvas.width}x{canvas.height}:r={canvas.fps}:d={seconds:.6f}"
        else:
            if cut.is_still:
                args += ["-loop", "1", "-framerate", str(canvas.fps), "-t", f"{seconds + 1 / canvas.fps:.6f}"]
            args += ["-i", str(cut.picture)]
            # a looped still already lasts the shot (-t above); only clips may need their last frame held
            hold = "" if cut.is_still else f",fps={canvas.fps},tpad=stop_mode=clone:stop_duration={seconds:.6f}"
            source = (f"[{index}:v]scale={canvas.width}:{canvas.height}:force_original_aspect_ratio=decrease,"
                      f"pad={canvas.width}:{canvas.height}:(ow-iw)/2:(oh-ih)/2{hold}")
            index += 1
        steps = [source, f"trim=end_frame={frames}", "setpts=PTS-STARTPTS", "setsar=1", "format=yuv420p"]
        if canvas.label and cut.label:
            steps.append(_text(cut.label, size, bottom=True))
        if canvas.timecode:
            steps.append(_timecode(start, canvas.fps, size))
        chains.append(",".join(steps) + f"[c{number}]")
    chains.append(_join(len(cuts), bounds, fade, canvas.fps))
    maps = ["-map", "[v]"]
    if soundtrack is not None and audio_chain is not None:
        args += ["-i", str(soundtrack)]
        chains.append(f"[{index}:a]{audio_chain}[a]")
        maps += ["-map", "[a]"]
    return [*args, "-filter_complex", ";".join(chains), *maps]


def _join(count: int, bounds: list[tuple[int, int]], fade: int, fps: int) -> str:
    if fade == 0 or count == 1:
        return "".join(f"[c{i}]" for i in range(count)) + f"concat=n={count}:v=1:a=0[v]"
    steps, last = [], "[c0]"
    for i in range(1, count):
        out = "[v]" if i == count - 1 else f"[x{i}]"
        offset = bounds[i][0] / fps
        steps.append(f"{last}[c{i}]xfade=transition=fade:duration={fade / fps:.6f}:offset={offset:.6f}{out}")
        last = out
    return ";".join(steps)
