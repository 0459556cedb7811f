"""World and style: the context every prompt of a project takes into account."""

from __future__ import annotations

import re

from pydantic import BaseModel, ConfigDict, Field, field_validator

from nodes.sdk import MediaRef
from nodes.sdk.preproduction import MAX_REFERENCE_IMAGES

HEX_COLOUR = r"^#[0-9A-Fa-f]{6}$"


class World(BaseModel):
    """The rules of the story world."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = ""
    genre: str = ""
    physics: str = ""
    magic_system: str = ""
    tech_level: str = ""
    tone: str = ""


class StyleGuide(BaseModel):
    """The look: palette, mood, lighting, lens and camera language, references."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = ""
    palette: list[str] = Field(default_factory=list, description="Hex colours, e.g. #1A2B3C")
    mood: str = ""
    lighting: str = ""
    lens: str = ""
    camera_language: str = ""
    reference_images: list[MediaRef] = Field(default_factory=list, max_length=MAX_REFERENCE_IMAGES)

    @field_validator("palette")
    @classmethod
    def _hex_colours(cls, palette: list[str]) -> list[str]:
        bad = [colour for colour in palette if not re.match(HEX_COLOUR, colour)]
        if bad:
            raise ValueError(f"palette colours must be hex like #1A2B3C, not {', '.join(bad)}")
        return [colour.upper() for colour in palette]
