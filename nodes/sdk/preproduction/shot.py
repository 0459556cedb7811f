"""Shots: what the camera sees, where it sits in the story, and its three ingredient slots."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from ..takes import ShotCoords
from .ingredient import Ingredient

SLOT_COUNT = 3
MAX_SHOT_SECONDS = 600  # the longest shot, in the shot list as in a graph
# A shot's length in seconds: the one constraint wherever one is set (a graph's Shot, the shot
# list's edit, a conform of an edit).
ShotSeconds = Annotated[float, Field(gt=0, le=MAX_SHOT_SECONDS)]


class ShotSize(StrEnum):
    EXTREME_WIDE = "extreme wide shot"
    WIDE = "wide shot"
    FULL = "full shot"
    MEDIUM_WIDE = "medium wide shot"
    MEDIUM = "medium shot"
    MEDIUM_CLOSE_UP = "medium close-up"
    CLOSE_UP = "close-up"
    EXTREME_CLOSE_UP = "extreme close-up"
    INSERT = "insert"


class CameraAngle(StrEnum):
    EYE_LEVEL = "eye level"
    HIGH = "high angle"
    LOW = "low angle"
    OVERHEAD = "overhead"
    DUTCH = "dutch angle"
    OVER_THE_SHOULDER = "over the shoulder"
    POV = "point of view"


class CameraMovement(StrEnum):
    STATIC = "static"
    PAN = "pan"
    TILT = "tilt"
    DOLLY_IN = "dolly in"
    DOLLY_OUT = "dolly out"
    TRACKING = "tracking"
    CRANE = "crane"
    HANDHELD = "handheld"
    STEADICAM = "steadicam"
    ZOOM = "zoom"


class Shot(BaseModel):
    """One shot. Slots: 1 typically a character, 2 a location, 3 an object or style — but any
    ingredient may fill any slot."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(description="Stable id: kept across re-breakdowns of an edited script")
    chapter: int = Field(1, ge=1)
    scene: int = Field(1, ge=1)
    number: int = Field(1, ge=1, description="Shot number within its scene")
    scene_number: str = Field("", description="The script's own scene number, e.g. '12A'")
    slugline: str = ""
    description: str = ""
    dialogue: str = Field("", description="Lines spoken in the shot, for audio")
    duration: ShotSeconds = 4.0
    size: ShotSize = ShotSize.MEDIUM
    angle: CameraAngle = CameraAngle.EYE_LEVEL
    movement: CameraMovement = CameraMovement.STATIC
    lens: str = Field("35mm", description="Focal length or lens character")
    lighting: str = ""
    cast: list[str] = Field(default_factory=list)
    location: str = ""
    time_of_day: str = ""
    slot1: Ingredient | None = None
    slot2: Ingredient | None = None
    slot3: Ingredient | None = None

    @property
    def slots(self) -> list[Ingredient | None]:
        return [self.slot1, self.slot2, self.slot3]

    @property
    def shot_path(self) -> str:
        """Where its takes go: Chapter_01/Scene_02/Shot_03."""
        return ShotCoords(self.chapter, self.scene, self.number).key


def shot_id_at(chapter: int, scene: int, number: int) -> str:
    """The stable id of a shot no script named: the one a Shot node placed there makes, and a new
    project's placeholder shots carry (`shot-c01-s02-03`)."""
    return f"shot-c{chapter:02d}-s{scene:02d}-{number:02d}"


def slot_ingredients(shot: Shot) -> list[Ingredient]:
    """The ingredients filling the shot's slots, in slot order."""
    return [ingredient for ingredient in shot.slots if ingredient is not None]
