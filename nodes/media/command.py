"""Run an ffmpeg command line written out as argv (for filter graphs with several `-map`s,
which ffmpeg-python cannot express), with the same staging, progress and cancellation."""

from __future__ import annotations

from pathlib import Path

from nodes.sdk import RunContext

from .ffmpeg_process import FfmpegRun, find_tool, run_ffmpeg, staged


def run_argv(
    ctx: RunContext,
    args: list[str],
    final: Path,
    *,
    duration: float | None,
    step: str,
    span: tuple[float, float] = (0.0, 1.0),
) -> FfmpegRun:
    """`ffmpeg -y ARGS staged(final)`; the output is renamed to `final` on success."""
    low, high = span
    done = run_ffmpeg(
        [find_tool("ffmpeg"), "-y", *args, str(staged(final))],
        outputs={staged(final): final},
        duration=duration,
        is_cancelled=ctx.cancelled,
        on_progress=lambda fraction: ctx.progress(low + (high - low) * fraction, step),
    )
    ctx.progress(high, step)
    return done


def flatten(options: dict[str, object]) -> list[str]:
    """ffmpeg-python style output kwargs as argv (`{"c:v": "libx264"}` -> `-c:v libx264`)."""
    return [part for key, value in options.items() for part in (f"-{key}", str(value))]
