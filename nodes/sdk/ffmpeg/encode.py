"""Glue between a node's RunContext and one ffmpeg run: staging, progress, cancellation."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import ffmpeg

from nodes.sdk import RunContext

from .process import FfmpegRun, find_tool, run_ffmpeg, staged

__all__ = ["flatten", "input_stream", "output_path", "run_argv", "run_stream", "staged"]


def output_path(ctx: RunContext, stem: str, suffix: str) -> Path:
    """Where a node writes an output (its task's scratch folder)."""
    return ctx.scratch_dir() / f"{stem}{suffix}"


def run_stream(
    ctx: RunContext,
    stream: Any,
    final: Path,
    *,
    duration: float | None,
    step: str,
    span: tuple[float, float] = (0.0, 1.0),
) -> FfmpegRun:
    """Compile an ffmpeg-python output stream that writes `staged(final)`, run it, and
    report progress scaled into `span` of the node's progress."""
    argv: list[str] = stream.overwrite_output().compile(cmd=find_tool("ffmpeg"))
    return _run(ctx, argv, final, duration=duration, step=step, span=span)


def run_argv(
    ctx: RunContext,
    args: list[str],
    final: Path,
    *,
    duration: float | None,
    step: str,
    span: tuple[float, float] = (0.0, 1.0),
) -> FfmpegRun:
    """`ffmpeg -y ARGS staged(final)`, for command lines ffmpeg-python cannot express
    (filter graphs with several `-map`s); staging, progress and cancellation as run_stream."""
    argv = [find_tool("ffmpeg"), "-y", *args, str(staged(final))]
    return _run(ctx, argv, final, duration=duration, step=step, span=span)


def flatten(options: dict[str, object]) -> list[str]:
    """ffmpeg-python style output kwargs as argv (`{"c:v": "libx264"}` -> `-c:v libx264`)."""
    return [part for key, value in options.items() for part in (f"-{key}", str(value))]


def _run(
    ctx: RunContext, argv: list[str], final: Path, *, duration: float | None, step: str,
    span: tuple[float, float],
) -> FfmpegRun:
    low, high = span
    done = run_ffmpeg(
        argv,
        outputs={staged(final): final},
        duration=duration,
        is_cancelled=ctx.cancelled,
        on_progress=lambda fraction: ctx.progress(low + (high - low) * fraction, step),
    )
    ctx.progress(high, step)
    return done


def input_stream(path: Path, **options: Any) -> Any:
    """`ffmpeg.input` (kept here so nodes import one module for ffmpeg plumbing)."""
    return ffmpeg.input(str(path), **options)
