"""What the quality tier decides for the media nodes, with the defaults used when a tier
file says nothing (the values per tier live in `function_runners/tiers.toml`)."""

from __future__ import annotations

from pydantic import Field

from nodes.sdk import TierParams


class EncodeParams(TierParams):
    """x264/x265-style speed against quality, for every node that re-encodes video."""

    preset: str = Field("medium", description="Encoder preset (veryfast … slow)")
    crf: int = Field(23, ge=0, le=51, description="Constant rate factor: lower is better quality")


class ThumbnailParams(TierParams):
    width: int = Field(640, ge=16, le=7680, description="Still width in pixels (height keeps the aspect)")
