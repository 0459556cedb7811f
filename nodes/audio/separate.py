"""Demucs separation on raw float audio, with progress and cancellation via its callback."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from nodes.sdk import RunContext


@dataclass
class SeparationSettings:
    shifts: int
    overlap: float
    segment: float
    device: str = "cpu"


def _progress_callback(
    ctx: RunContext, length: int, chunk: int, shifts: int
) -> Callable[[dict[str, Any]], None]:
    """Demucs calls back at the start and end of every chunk; a chunk that ended means
    audio up to offset + chunk is done for this model and shift."""
    done = [0.0]

    def callback(info: dict[str, Any]) -> None:
        ctx.check_cancelled()
        if info.get("state") != "end":
            return
        passes = max(1, shifts)
        reached = min(1.0, (info["segment_offset"] + chunk) / max(1, length))
        within = (info["shift_idx"] + reached) / passes
        fraction = (info["model_idx_in_bag"] + within) / max(1, info.get("models", 1))
        done[0] = max(done[0], fraction)
        ctx.progress(0.1 + 0.8 * done[0], "separate")

    return callback


def separate(ctx: RunContext, model: Any, wav: Any, settings: SeparationSettings) -> Any:
    """`wav` is a [channels, samples] tensor at the model's rate; returns
    [sources, channels, samples], scaled back to the input's level."""
    import torch
    from demucs.apply import apply_model

    ref = wav.mean(0)
    mean, std = ref.mean(), ref.std() + 1e-8
    with torch.no_grad():
        sources = apply_model(
            model, ((wav - mean) / std)[None], shifts=settings.shifts, split=True,
            overlap=settings.overlap, segment=settings.segment, progress=False,
            device=settings.device,
            callback=_progress_callback(
                ctx, wav.shape[-1], int(settings.segment * model.samplerate), settings.shifts
            ),
        )[0]
    return sources * std + mean
