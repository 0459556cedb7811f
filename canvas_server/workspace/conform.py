"""Conform (docs/architecture.md §14): an edit made in an editing application brought back into the
project. Its clips are matched to shots — by the shot id an export wrote into their metadata, else
by the media they use (a take's path or file name, ties going to the earlier shot in story order),
else by the clip name an export gave them, else, for an unnamed title card, by order — and the
changes are shown before anything is written: each scene's new shot order, new durations and in
points, shots left out of the cut and clips that are new.

Applying repeats the plan under the project's edit lock and writes it only if it is still the plan
the user confirmed (409 `conform_stale` otherwise), as one Git commit of project.json. A shot's number is its place in its scene (the one rule of the
shot list's reorder, `workspace/shot_order.py`): a scene whose order changed is numbered 1…n in
the new order and each renumbered shot's takes move with it (folder, file names, provenance; the
media bytes are never rewritten). A shot left out of the cut is marked `omitted` rather than
deleted and goes after the cut, so its takes stay attached.
A shot moves only within its scene (scenes are the screenplay's); a new clip becomes a new shot
in the scene of the clip before it. A clip longer than a shot can be (`ShotSeconds`, the shot
list's own limit) refuses the conform. The applied answer names every shot as it is after the
conform: its stable id and its new number.
"""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Literal
from urllib.parse import unquote

from pydantic import BaseModel, Field, TypeAdapter, ValidationError

from nodes.sdk.editorial import (
    CutFormat,
    CutShot,
    EditedClip,
    Scope,
    read_cut,
    read_project_cut,
    sniff_format,
)
from nodes.sdk.preproduction import ShotSeconds
from nodes.sdk.takes import ShotCoords

from ..request_body import validation_message
from .errors import WorkspaceError
from .gitrepo import CommitInfo
from .manifest import ProjectManifest, Scene, Shot
from .render_folders import prune_render_folders
from .shot_order import renumber
from .store import ProjectStore
from .takes import mirror_takes

MatchedBy = Literal["metadata", "media", "name", "order"]
_NAMELESS_GAPS = ("fcpxml", "fcp7")


class ConformStaleError(WorkspaceError):
    code = "conform_stale"


class ConformDurationError(WorkspaceError):
    code = "conform_duration_invalid"


class ConformedShot(BaseModel):
    shot: str = Field(description="Chapter_01/Scene_01/Shot_01 (the shot keeps its number and its takes)")
    shot_id: str | None
    clip: str = Field(description="The clip's name in the edit")
    matched_by: MatchedBy
    position: int = Field(description="Place in its scene after the conform (1-based)")
    old_position: int
    duration: float | None = Field(description="Seconds before the conform")
    new_duration: ShotSeconds
    source_in: float | None = Field(description="In point in the take, seconds, before the conform")
    new_source_in: float
    changed: bool


class AddedShot(BaseModel):
    shot: str = Field(description="The new shot's key")
    shot_id: str | None = Field(None, description="Its stable id (given when the conform is applied)")
    clip: str
    media: str | None = Field(description="The media the clip uses, as the edit names it (not imported)")
    position: int
    new_duration: ShotSeconds
    new_source_in: float


class RemovedShot(BaseModel):
    shot: str
    shot_id: str | None
    description: str


class SceneOrder(BaseModel):
    scene: str = Field(description="Chapter_01/Scene_01")
    before: list[str] = Field(description="Shot keys in the old order")
    after: list[str] = Field(description="Shot keys in the new order (new shots included)")


class ConformPlan(BaseModel):
    """What a conform would change; `plan` names it for the confirmation."""

    plan: str = Field(description="Digest of these changes; send it back to apply them")
    format: CutFormat
    fps: float
    clips: int = Field(description="Picture events read from the edit")
    scenes: list[SceneOrder]
    shots: list[ConformedShot]
    added: list[AddedShot]
    removed: list[RemovedShot]
    ignored: list[str] = Field(description="Unnamed gaps matching no title card (filler)")
    kept: list[str] = Field(description="Title cards (shots without a take) an XML edit cannot show, left as they are")
    changed: bool = Field(description="Whether applying would change anything")


class ConformResult(BaseModel):
    applied: ConformPlan = Field(description="The plan as applied: every shot named as it is now (its stable id and "
                                 "new number; a scene's `before` lists its shots in the old order by their new keys)")
    commit: CommitInfo | None = Field(description="The Git commit that holds the change (None: the project has no Git)")


@dataclass
class _Match:
    clip: EditedClip
    candidate: CutShot | None
    by: MatchedBy | None


def _media_key(media: str) -> str:
    """The media as a comparable string (URL decoding and slashes only: it is never a path)."""
    return unquote(media.removeprefix("file://")).replace("\\", "/")


def _by_media(media: str, free: list[CutShot]) -> CutShot | None:
    key = _media_key(media)
    name = PurePosixPath(key).name
    exact = [c for c in free if any(key == t or key.endswith("/" + t) for t in c.takes)]
    named = [c for c in free if any(PurePosixPath(t).name == name for t in c.takes)]
    return next(iter(exact or named), None)


def _match(clips: list[EditedClip], candidates: list[CutShot]) -> list[_Match]:
    """Metadata first over the whole edit, then media, clip name and order, clip by clip."""
    matches = [_Match(clip, None, None) for clip in clips]
    taken: set[int] = set()
    for match in matches:
        meta = [c for c in candidates if id(c) not in taken and (
            (match.clip.shot_id and c.id == match.clip.shot_id) or
            (match.clip.shot and not match.clip.shot_id and c.coords.key == match.clip.shot))]
        if meta:
            match.candidate, match.by = meta[0], "metadata"
            taken.add(id(meta[0]))
    for match in matches:
        if match.candidate is not None:
            continue
        free = [c for c in candidates if id(c) not in taken]
        clip = match.clip
        found: tuple[CutShot | None, MatchedBy] = (None, "order")
        if clip.media and (media := _by_media(clip.media, free)) is not None:
            found = (media, "media")
        elif clip.name and (named := next((c for c in free if clip.name == c.clip_name), None)) is not None:
            found = (named, "name")
        elif clip.name and not clip.gap and (media := _by_media(clip.name, free)) is not None:
            found = (media, "media")  # an application that names the clip after its file
        elif clip.gap and not clip.name:
            found = (next((c for c in free if not c.takes), None), "order")
        if found[0] is not None:
            match.candidate, match.by = found
            taken.add(id(found[0]))
    return matches


def _seconds(frames: int, fps: float) -> float:
    return round(frames / fps, 6)


_SHOT_SECONDS: TypeAdapter[float] = TypeAdapter(ShotSeconds)


def _shot_seconds(clip: EditedClip, fps: float) -> float:
    """The clip's length as a shot's duration, refused as the shot list refuses it."""
    seconds = _seconds(clip.frames, fps)
    try:
        return _SHOT_SECONDS.validate_python(seconds)
    except ValidationError as exc:
        problem = validation_message([{**error, "loc": ("duration",)} for error in exc.errors()])
        raise ConformDurationError(
            f"the edit's clip {clip.name or 'without a name'!r} lasts {seconds:g} s, which no shot can: {problem}",
            details={"clip": clip.name, "duration": seconds}) from None


def plan_conform(root: Path, text: str, fmt: CutFormat | None, scope: Scope) -> ConformPlan:
    """What applying the edit `text` to the shots of `scope` would change."""
    fmt = fmt or sniff_format(text)
    cut = read_project_cut(root, scope)
    fps = cut.fps
    clips = read_cut(text, fmt, fps)
    candidates = cut.shots()
    scene_of = {scene.coords.key.rsplit("/", 1)[0]: scene for scene in cut.scenes}
    matches = _match(clips, candidates)
    if candidates and not any(m.candidate for m in matches):
        raise WorkspaceError("no clip of the edit matches a shot of the project: is it the right project and scope?",
                             code="conform_unmatched", details={"clips": len(clips), "shots": len(candidates)})
    orders: dict[str, list[str]] = {}
    shots: list[ConformedShot] = []
    added: list[AddedShot] = []
    ignored: list[str] = []
    scene_of_last: CutShot | None = next((m.candidate for m in matches if m.candidate), None)
    next_number: dict[str, int] = {}
    for match in matches:
        clip, candidate = match.clip, match.candidate
        if candidate is None and clip.gap and not clip.name:
            ignored.append(f"gap of {clip.frames} frames")
            continue
        if candidate is None:
            assert scene_of_last is not None  # some clip matched (checked above) or there are no shots
            scene_key = scene_of_last.coords.key.rsplit("/", 1)[0]
            number = next_number.get(scene_key) or max(s.coords.shot for s in scene_of[scene_key].shots) + 1
            next_number[scene_key] = number + 1
            key = f"{scene_key}/Shot_{number:02d}"
            orders.setdefault(scene_key, []).append(key)
            added.append(AddedShot(shot=key, clip=clip.name or f"clip {len(added) + 1}", media=clip.media,
                                   position=len(orders[scene_key]), new_duration=_shot_seconds(clip, fps),
                                   new_source_in=_seconds(clip.source_in, fps)))
            continue
        scene_of_last = candidate
        scene_key = candidate.coords.key.rsplit("/", 1)[0]
        orders.setdefault(scene_key, []).append(candidate.coords.key)
        shot = candidate
        duration, source_in = _shot_seconds(clip, fps), 0.0 if clip.gap else _seconds(clip.source_in, fps)
        position = len(orders[scene_key])
        shots.append(ConformedShot(
            shot=candidate.coords.key, shot_id=shot.id, clip=clip.name, matched_by=match.by or "order",
            position=position, old_position=candidate.position, duration=shot.duration, new_duration=duration,
            source_in=shot.source_in, new_source_in=source_in,
            changed=(position != candidate.position or shot.duration is None or abs(shot.duration - duration) > 1e-6
                     or abs((shot.source_in or 0.0) - source_in) > 1e-6 or shot.omitted)))
    matched = {id(m.candidate) for m in matches if m.candidate}
    unmatched = [c for c in candidates if id(c) not in matched and not c.omitted]
    # FCPXML and FCP7 XML keep a gap without its name, and drop one at the end of the cut: a
    # title card missing from them may still be in the edit, so it stays as it is.
    kept = [c.coords.key for c in unmatched if fmt in _NAMELESS_GAPS and not c.takes]
    removed = [RemovedShot(shot=c.coords.key, shot_id=c.id, description=c.description)
               for c in unmatched if c.coords.key not in kept]
    scenes: list[SceneOrder] = []
    for scene in cut.scenes:
        key = scene.coords.key.rsplit("/", 1)[0]
        before = [s.coords.key for s in scene.shots if not s.omitted]
        scenes.append(SceneOrder(scene=key, before=before, after=orders.get(key, [])))
    changed = bool(added or removed or any(s.changed for s in shots) or any(s.before != s.after for s in scenes))
    plan = ConformPlan(plan="", format=fmt, fps=fps, clips=len(clips), scenes=scenes, shots=shots, added=added,
                       removed=removed, ignored=ignored, kept=kept, changed=changed)
    return plan.model_copy(update={"plan": hashlib.sha256(plan.model_dump_json().encode()).hexdigest()})


def _apply(manifest: ProjectManifest, plan: ConformPlan) -> tuple[list[tuple[int, Scene]], dict[str, Shot]]:
    """Write the plan into the manifest: the (chapter, scene) pairs whose order it set, and the
    shot each of the plan's keys names."""
    by_key: dict[str, Shot] = {}
    scenes: dict[str, tuple[int, Scene]] = {}
    for chapter in manifest.narrative.chapters:
        for scene in chapter.scenes:
            scene_key = f"Chapter_{chapter.number:02d}/Scene_{scene.number:02d}"
            scenes[scene_key] = chapter.number, scene
            for shot in scene.shots:
                by_key[ShotCoords(chapter.number, scene.number, shot.number).key] = shot
    for conformed in plan.shots:
        shot = by_key[conformed.shot]
        shot.duration, shot.source_in, shot.omitted = conformed.new_duration, conformed.new_source_in, False
    for new in plan.added:
        coords = ShotCoords.parse(new.shot)
        by_key[new.shot] = Shot(number=coords.shot, id=f"shot-{uuid.uuid4().hex[:12]}", description=new.clip,
                                duration=new.new_duration, source_in=new.new_source_in)
    for gone in plan.removed:
        by_key[gone.shot].omitted = True
    ordered = []
    for order in plan.scenes:
        chapter_number, scene = scenes[order.scene]
        placed = [by_key[key] for key in order.after]
        rest = [shot for shot in scene.shots if all(shot is not p for p in placed)]
        scene.shots = placed + rest  # omitted shots (and any outside the edit) after the cut
        ordered.append((chapter_number, scene))
    return ordered, by_key


def _as_applied(plan: ConformPlan, scenes: list[tuple[int, Scene]], by_key: dict[str, Shot]) -> ConformPlan:
    """The plan with every shot named as it is after the renumbering (a shot's number is its
    place): the keys the preview used are the old numbers, which other shots may now hold."""
    place = {id(shot): ShotCoords(chapter, scene.number, number).key
             for chapter, scene in scenes for number, shot in enumerate(scene.shots, start=1)}

    def now(key: str) -> str:
        return place.get(id(by_key[key]), key)

    return plan.model_copy(update={
        "shots": [s.model_copy(update={"shot": now(s.shot)}) for s in plan.shots],
        "added": [a.model_copy(update={"shot": now(a.shot), "shot_id": by_key[a.shot].id}) for a in plan.added],
        "removed": [r.model_copy(update={"shot": now(r.shot)}) for r in plan.removed],
        "kept": [now(key) for key in plan.kept],
        "scenes": [o.model_copy(update={"before": [now(k) for k in o.before], "after": [now(k) for k in o.after]})
                   for o in plan.scenes],
    })


def preview(store: ProjectStore, name_or_id: str, text: str, fmt: CutFormat | None, scope: Scope) -> ConformPlan:
    return plan_conform(store.root(name_or_id), text, fmt, scope)


def apply(store: ProjectStore, name_or_id: str, text: str, fmt: CutFormat | None, scope: Scope,
          confirmed: str) -> ConformResult:
    """Write the confirmed plan into project.json as one commit; refused if the plan changed."""
    root = store.root(name_or_id)
    with store.editing(name_or_id, commit=f"Conform: the cut from the {fmt or sniff_format(text)} edit") as manifest:
        plan = plan_conform(root, text, fmt, scope)  # under the lock: the file is `manifest`
        if plan.plan != confirmed:
            raise ConformStaleError("the project or the edit changed since the preview: preview the conform again",
                                    details={"plan": plan.plan, "confirmed": confirmed})
        if not plan.changed:
            raise WorkspaceError("the edit changes nothing in the project", code="nothing_to_commit")
        scenes, by_key = _apply(manifest, plan)
        applied = _as_applied(plan, scenes, by_key)  # before renumbering: it numbers copies of the shots
        for chapter, scene in scenes:
            renumber(root, chapter, scene)
        mirror_takes(root, manifest)
        prune_render_folders(root, manifest)
    return ConformResult(applied=applied, commit=store.repo(name_or_id).head() if (root / ".git").exists() else None)
