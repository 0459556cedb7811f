"""What the quality tier decides for the audio nodes, with the defaults used when a tier
file says nothing (the values per tier live in `function_runners/tiers.toml`)."""

from __future__ import annotations

from pydantic import Field

from nodes.sdk import TierParams


class WhisperParams(TierParams):
    model_size: str = Field("tiny.en", description="faster-whisper model (tiny.en ships offline)")
    compute_type: str = Field("int8", description="CTranslate2 compute type")
    beam_size: int = Field(5, ge=1, le=10, description="Beam search width")
    device: str = Field("cpu", description="cpu, cuda or auto")


class DemucsParams(TierParams):
    model: str = Field("htdemucs", description="Pretrained Demucs model name")
    shifts: int = Field(1, ge=0, le=10, description="Random shifts averaged (quality against time)")
    overlap: float = Field(0.25, ge=0.0, lt=1.0, description="Overlap between split segments")
    segment: float = Field(7.8, gt=0.0, description="Segment length in seconds")
    device: str = Field("cpu", description="cpu, cuda or auto")
