"""The director's review of takes: a status per take (pending, approved, retake) and notes at a
timecode, stored beside the take as `S01_S01_take01.review.json` so they are versioned with it
(the format is `nodes.sdk.take_review`, which packs read too).

Approving a take makes it the shot's active take (what the storyboard and the animatic use), in
the same project lock that writes the review, so the two never disagree.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

from nodes.sdk import atomic_write_text
from nodes.sdk.take_review import TakeNote, TakeReview, TakeStatus, read_review, review_path
from nodes.sdk.takes import ShotCoords, read_provenances

from .errors import ItemNotFoundError
from .store import ProjectStore

ShotStatus = Literal["pending", "approved", "retake", "no_takes"]


def shot_status(reviews: list[TakeReview]) -> ShotStatus:
    """A shot is approved once one take is; else it needs a retake when its latest take does."""
    if not reviews:
        return "no_takes"
    if any(review.status == "approved" for review in reviews):
        return "approved"
    return "retake" if reviews[-1].status == "retake" else "pending"


def _require_take(root: Path, coords: ShotCoords, take: int) -> None:
    numbers = [p.take_number for p in read_provenances(root / coords.folder) if p.status == "complete"]
    if take not in numbers:
        raise ItemNotFoundError("take", f"{coords.key} take {take}", {"shot": coords.key, "take": take})


def set_status(store: ProjectStore, name_or_id: str, coords: ShotCoords, take: int, status: TakeStatus) -> TakeReview:
    """Set a take's status; approving it also makes it the shot's active take. Only one take of
    a shot is approved at a time: approving another returns the previous one to pending."""
    from .takes import manifest_shot  # takes imports this module for the gallery

    root = store.root(name_or_id)
    with store.editing(name_or_id, only_if_changed=True) as manifest:
        _require_take(root, coords, take)
        if status == "approved":
            for other in read_provenances(root / coords.folder):
                previous = read_review(root, coords, other.take_number)
                if other.take_number != take and previous.status == "approved":
                    _write(root, coords, other.take_number, previous.model_copy(update={"status": "pending"}))
            manifest_shot(manifest, coords).active_take = take
        review = read_review(root, coords, take).model_copy(update={"status": status})
        _write(root, coords, take, review)
    return review


def add_note(store: ProjectStore, name_or_id: str, coords: ShotCoords, take: int, *,
             seconds: float, frame: int | None, text: str, author: str) -> TakeReview:
    root = store.root(name_or_id)
    with store.editing(name_or_id, only_if_changed=True):
        _require_take(root, coords, take)
        review = read_review(root, coords, take)
        note = TakeNote(id=uuid.uuid4().hex[:12], seconds=seconds, frame=frame, text=text, author=author,
                        created=datetime.now(UTC))
        review.notes = sorted([*review.notes, note], key=lambda item: (item.seconds, item.created))
        _write(root, coords, take, review)
    return review


def delete_note(store: ProjectStore, name_or_id: str, coords: ShotCoords, take: int, note_id: str) -> TakeReview:
    root = store.root(name_or_id)
    with store.editing(name_or_id, only_if_changed=True):
        _require_take(root, coords, take)
        review = read_review(root, coords, take)
        kept = [note for note in review.notes if note.id != note_id]
        if len(kept) == len(review.notes):
            raise ItemNotFoundError("note", note_id, {"shot": coords.key, "take": take, "note": note_id})
        review.notes = kept
        _write(root, coords, take, review)
    return review


def _write(root: Path, coords: ShotCoords, take: int, review: TakeReview) -> None:
    atomic_write_text(review_path(root, coords, take), review.model_dump_json(indent=2))


__all__ = ["ShotStatus", "TakeNote", "TakeReview", "TakeStatus", "add_note", "delete_note", "read_review",
           "review_path", "set_status", "shot_status"]
