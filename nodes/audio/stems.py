"""`audio.stems`: split music into vocals, drums, bass and other with Demucs."""

from __future__ import annotations

import wave
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from nodes.sdk import Input, MediaRef, Node, Output, Outputs, RunContext, atomic_publish, node
from nodes.sdk.ffmpeg.encode import input_stream, output_path, run_stream, staged
from nodes.sdk.ffmpeg.output_info import output_ref
from nodes.sdk.ffmpeg.output_info import source as source_of
from nodes.sdk.ffmpeg.probe import Probe, require_audio

from .demucs_model import choose_model, load_demucs, max_segment
from .devices import torch_device
from .separate import SeparationSettings, separate
from .tier_params import DemucsParams


class Stems(BaseModel):
    """The STEMS value: one WAV per source."""

    vocals: MediaRef
    drums: MediaRef
    bass: MediaRef
    other: MediaRef
    model: str


class StemsOut(Outputs):
    stems: Stems = Output(socket="STEMS", description="All four stems")
    vocals: MediaRef = Output(socket="AUDIO", description="Vocals")
    drums: MediaRef = Output(socket="AUDIO", description="Drums")
    bass: MediaRef = Output(socket="AUDIO", description="Bass")
    other: MediaRef = Output(socket="AUDIO", description="Everything else")


def _decode(ctx: RunContext, source: Path, info: Probe, rate: int, channels: int) -> Any:
    """The source as a [channels, samples] float tensor at the model's rate (via ffmpeg)."""
    import numpy as np
    import torch

    raw = output_path(ctx, f"{source.stem}_mix", ".f32")
    out = input_stream(source).output(str(staged(raw)), f="f32le", ac=channels, ar=rate, vn=None)
    run_stream(ctx, out, raw, duration=info.duration, step="decode", span=(0.0, 0.1))
    samples = np.fromfile(raw, dtype=np.float32)
    raw.unlink()
    return torch.from_numpy(samples.reshape(-1, channels).T.copy())


def _write_wav(ctx: RunContext, samples: Any, name: str, rate: int) -> MediaRef:
    """[channels, samples] float tensor → 16-bit WAV, written directly (no ffmpeg start)."""
    import numpy as np

    pcm = (np.clip(samples.T.contiguous().numpy(), -1.0, 1.0) * 32767).astype("<i2")
    final = output_path(ctx, name, ".wav")
    partial = staged(final)
    try:
        with wave.open(str(partial), "wb") as handle:
            handle.setnchannels(samples.shape[0])
            handle.setsampwidth(2)
            handle.setframerate(rate)
            handle.writeframes(pcm.tobytes())
        atomic_publish(partial, final)
    except OSError:
        partial.unlink(missing_ok=True)
        raise
    return ctx.media_ref(final, kind="audio", mime="audio/x-wav", duration=pcm.shape[0] / rate,
                         sample_rate=rate, channels=samples.shape[0])


def _write(ctx: RunContext, tensor: Any, name: str, rate: int, info: Probe) -> MediaRef:
    """One stem as 16-bit WAV at the input's sample rate and channel count."""
    channels = info.channels or tensor.shape[0]
    if channels == 1 and tensor.shape[0] > 1:
        tensor = tensor.mean(0, keepdim=True)
    if (info.sample_rate or rate) == rate:
        return _write_wav(ctx, tensor, name, rate)
    raw = output_path(ctx, name, ".f32")
    tensor.T.contiguous().numpy().astype("float32").tofile(raw)
    final = output_path(ctx, name, ".wav")
    stream = input_stream(raw, f="f32le", ar=rate, ac=tensor.shape[0]).output(
        str(staged(final)), ar=info.sample_rate, **{"c:a": "pcm_s16le"}
    )
    try:
        done = run_stream(ctx, stream, final, duration=None, step=f"write {name}")
    finally:
        raw.unlink(missing_ok=True)
    return output_ref(ctx, final, done, kind="audio")


@node(
    "audio.stems",
    title="Separate Stems",
    category="Media/Audio",
    version="1.0.0",
    maturity="SUPERVISED",
    runs_on="runner",
    tier_params=DemucsParams,
)
class SeparateStems(Node):
    """Separate vocals, drums, bass and other with Demucs (model, shifts, overlap and
    segment from the tier). Models load once per runner process; weights never download:
    named models come from AUTEUR_DEMUCS_REPO."""

    audio: MediaRef = Input(description="Music (or a clip with sound)", socket="AUDIO")
    model: str = Input("", description="Override the tier's model (e.g. demucs_unittest)")

    def run(self, ctx: RunContext) -> StemsOut:
        source, info = source_of(ctx, self.audio)
        require_audio(info, source.name)
        tier = ctx.tier_settings(DemucsParams)
        name = choose_model(self.model, tier.model)
        model = load_demucs(ctx.models, name)
        wav = _decode(ctx, source, info, model.samplerate, model.audio_channels)
        settings = SeparationSettings(
            shifts=tier.shifts,
            overlap=tier.overlap,
            segment=max_segment(model, tier.segment),
            device=torch_device(tier.device),
        )
        separated = separate(ctx, model, wav, settings)
        refs = {
            stem: _write(ctx, separated[index], f"{source.stem}_{stem}", model.samplerate, info)
            for index, stem in enumerate(model.sources)
        }
        ctx.progress(1.0, "stems written")
        return StemsOut(stems=Stems(model=name, **{k: refs[k] for k in ("vocals", "drums", "bass", "other")}),
                        vocals=refs["vocals"], drums=refs["drums"], bass=refs["bass"], other=refs["other"])
