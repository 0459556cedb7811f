"""Edits of a shot from the shot list (its text, duration, cast and three ingredient slots): through the one project.json owner (`store.editing`), with
optimistic concurrency per field — the client sends what it last saw of each field it changes,
and a field someone else changed meanwhile refuses the edit (409 `shot_changed`) instead of
silently overwriting it."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from nodes.sdk.preproduction import ShotSeconds
from nodes.sdk.takes import ShotCoords

from ..request_body import RequestBody
from .errors import ItemNotFoundError, WorkspaceError
from .manifest import Shot
from .store import ProjectStore


class ShotFields(RequestBody):
    """The fields of a shot a director edits in the shot list (unset: not part of this edit)."""

    description: str | None = Field(None, max_length=4000)
    dialogue: str | None = Field(None, max_length=8000)
    duration: ShotSeconds | None = Field(None, description="Seconds (a shot a graph can make)")
    cast: list[str] | None = Field(None, max_length=100, description="Ingredient ids or character names")
    slot1: str | None = Field(None, min_length=1, max_length=200, description="Ingredient id in slot 1")
    slot2: str | None = Field(None, min_length=1, max_length=200, description="Ingredient id in slot 2")
    slot3: str | None = Field(None, min_length=1, max_length=200, description="Ingredient id in slot 3")


SLOTS = ("slot1", "slot2", "slot3")
# What `null` sets a field to: clearing it.
_CLEARED: dict[str, Any] = {"description": "", "dialogue": "", "duration": None, "cast": [],
                            **dict.fromkeys(SLOTS)}


class ShotConflictError(WorkspaceError):
    code = "shot_changed"


def edit_shot(store: ProjectStore, name_or_id: str, coords: ShotCoords, base: ShotFields, changes: ShotFields) -> Shot:
    with store.editing(name_or_id) as manifest:
        shot = manifest.narrative.shot(coords.chapter, coords.scene, coords.shot)
        if shot is None:
            raise ItemNotFoundError("shot", coords.key)
        changed = changes.model_fields_set
        stale = {
            field: getattr(shot, field)
            for field in changed
            if field not in base.model_fields_set or getattr(shot, field) != getattr(base, field)
        }
        if stale:
            raise ShotConflictError(
                f"{coords.key} was changed meanwhile ({', '.join(sorted(stale))}); reload the shot list and edit again",
                details={"shot": coords.key, "current": stale},
            )
        known = {ingredient.id for ingredient in manifest.ingredients}
        for field in sorted(changed & set(SLOTS)):
            wanted = getattr(changes, field)
            if wanted is not None and wanted not in known:
                raise ItemNotFoundError("ingredient", wanted, details={"field": f"changes.{field}", "ingredient": wanted},
                                        message=f"changes.{field}: the project has no ingredient {wanted!r}; make it "
                                                "in the Cast tab or choose one of the project's ingredients")
        for field in changed:
            value = getattr(changes, field)
            setattr(shot, field, value if value is not None else _CLEARED[field])
        updated = shot.model_copy()
    return updated
