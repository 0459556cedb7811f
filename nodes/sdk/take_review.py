"""The director's review of a take, as stored beside it (`S01_S01_take01.review.json`): a status
(pending, approved, retake) and notes at a timecode. The workspace writes it
(`canvas_server/workspace/review.py`); the storyboard, the exports and any pack read it here."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field

from .layout import REVIEW_SUFFIX
from .takes import ShotCoords

TakeStatus = Literal["pending", "approved", "retake"]


class TakeNote(BaseModel):
    id: str
    seconds: float = Field(ge=0, description="Where in the take the note points (seconds from its start)")
    frame: int | None = Field(None, ge=0, description="The same point as a frame number, when the take has a frame rate")
    text: str
    author: str
    created: datetime


class TakeReview(BaseModel):
    status: TakeStatus = "pending"
    notes: list[TakeNote] = Field(default_factory=list, description="By timecode")


def review_path(root: Path, coords: ShotCoords, take: int) -> Path:
    return root / coords.folder / f"{coords.stem(take)}{REVIEW_SUFFIX}"


def read_review(root: Path, coords: ShotCoords, take: int) -> TakeReview:
    """A take's review; a take never reviewed (or a damaged file) is pending with no notes."""
    try:
        return TakeReview.model_validate_json(review_path(root, coords, take).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return TakeReview()
