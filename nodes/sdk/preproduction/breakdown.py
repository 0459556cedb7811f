"""A screenplay's breakdown: scenes with their sluglines and elements, and the shot list."""

from __future__ import annotations

import itertools
import re
from collections.abc import Mapping, Sequence
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from .shot import Shot


class ScriptNote(BaseModel):
    """What the writer wrote for readers, not for the camera: kept beside the shots, never in them."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    kind: Literal["section", "synopsis", "note", "boneyard"]
    text: str


class Scene(BaseModel):
    """One scene as its slugline and action describe it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str
    number: int = Field(ge=1, description="Position in the script, from 1")
    scene_number: str = Field("", description="The script's own number (#12A#), if any")
    slugline: str
    int_ext: Literal["INT", "EXT", "INT/EXT", ""] = ""
    location: str = ""
    time_of_day: str = ""
    eighths: int = Field(1, ge=1, description="Length in eighths of a page")
    cast: list[str] = Field(default_factory=list)
    shot_ids: list[str] = Field(default_factory=list)
    notes: list[ScriptNote] = Field(default_factory=list, description="Sections, synopses, notes, boneyard")


class Breakdown(BaseModel):
    """The whole breakdown; `shots` are in script order."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    title: str = ""
    source: str = Field("", description="Project-relative path of the screenplay")
    source_sha256: str = ""
    chapter: int = 1
    scenes: list[Scene] = Field(default_factory=list)
    shots: list[Shot] = Field(default_factory=list)
    cast: list[str] = Field(default_factory=list)
    locations: list[str] = Field(default_factory=list)
    duration_rule: str = ""
    refined_by: str | None = Field(None, description="The Ollama model that refined it, if any")
    warnings: list[str] = Field(default_factory=list)
    notes: list[ScriptNote] = Field(default_factory=list, description="Notes before the first scene")

    @property
    def total_duration(self) -> float:
        return sum(shot.duration for shot in self.shots)


def keep_numbers(previous: Mapping[str, int], shot_ids: Sequence[str]) -> dict[str, int]:
    """A scene's shot numbers after a new breakdown of its script: a shot the scene already held
    (same id, so the same text) keeps its number — the render folder its takes are in, and any
    order the director gave the shots — and the other shots take the free numbers, lowest first,
    in script order."""
    kept = {shot_id: previous[shot_id] for shot_id in shot_ids if shot_id in previous}
    used = set(kept.values())
    free = (number for number in itertools.count(1) if number not in used)
    return {shot_id: kept[shot_id] if shot_id in kept else next(free) for shot_id in shot_ids}


_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)*")
_APOSTROPHE = re.compile(r"(['’])")


def _title_word(word: str) -> str:
    # A short tail after an apostrophe is a contraction (Brick's, Don't, We'll), a longer one
    # a name (O'Brien).
    head, *rest = _APOSTROPHE.split(word)
    tail = "".join(part if part in "'’" else part.lower() if len(part) <= 2 else part.capitalize()
                   for part in rest)
    return head.capitalize() + tail


def title_case(text: str) -> str:
    """`BRICK'S PATIO` → `Brick's Patio` (str.title() would write `Brick'S`), `O'BRIEN` → `O'Brien`."""
    return _WORD.sub(lambda match: _title_word(match.group(0)), text)
