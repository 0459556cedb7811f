"""`project.json`: the schema-versioned project manifest (docs/architecture.md §7).

Keys are camelCase on disk (`emotionalBeats`, `aspectRatio`) so the browser reads the file as
is; Python code uses snake_case attributes.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from datetime import date as date_type
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, Strict, ValidationError
from pydantic.alias_generators import to_camel

from function_runners.tiers import DEFAULT_TIER, TierName
from nodes.sdk import atomic_write_text, layout

from ..governance.authorize import ProjectResource
from ..governance.roles import Role
from ..request_body import IsoDateTime, validation_message
from .errors import ManifestError

SCHEMA_VERSION = 1
Quality = TierName  # a project's default quality is a tier name


# Numbers in project.json are JSON numbers: `true` is not an intensity nor "3" a shot number
# (pydantic's lax mode would take both). A Number also takes an integer, as JSON does. Likewise
# a flag is a JSON boolean, never `0` or "yes".
Number = Annotated[float, Strict()]
Count = Annotated[int, Strict()]
Flag = Annotated[bool, Strict()]


class _Model(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="allow")


class TakeEntry(_Model):
    """One take of a shot, mirrored from its provenance file beside the media."""

    number: Count
    path: str
    run_id: str | None = None
    created: IsoDateTime | None = None


class Shot(_Model):
    number: Count
    id: str | None = Field(None, description="Stable id from the breakdown (kept across re-breakdowns)")
    description: str = ""
    duration: Number | None = None
    source_in: Number | None = Field(None, ge=0, description="Seconds into the take where the cut starts (set by a conform)")
    omitted: Flag = Field(False, description="Left out of the cut by a conform; kept, with its takes, to come back")
    dialogue: str = ""
    cast: list[str] = Field(default_factory=list)
    slot1: str | None = Field(None, description="Ingredient id in slot 1 (typically a character)")
    slot2: str | None = Field(None, description="Ingredient id in slot 2 (typically a location)")
    slot3: str | None = Field(None, description="Ingredient id in slot 3 (typically an object or style)")
    active_take: Count | None = None
    takes: list[TakeEntry] = Field(default_factory=list)


class Scene(_Model):
    number: Count
    id: str | None = Field(None, description="Stable id from the breakdown")
    title: str = ""
    description: str = ""
    slugline: str = ""
    location: str = ""
    time_of_day: str = ""
    cast: list[str] = Field(default_factory=list)
    shots: list[Shot] = Field(default_factory=list)
    takes: list[TakeEntry] = Field(
        default_factory=list, description="Takes of the whole scene (its animatics, under Scene_NN/Animatic/)"
    )


class Chapter(_Model):
    number: Count
    title: str = ""
    # Set when a script breakdown wrote the chapter: which file, and which version of it.
    breakdown: str | None = Field(None, description="Project-relative path of the breakdown file")
    breakdown_sha256: str | None = None
    scenes: list[Scene] = Field(default_factory=list)


class EmotionalBeat(_Model):
    name: str
    description: str = ""
    position: Number = Field(0.0, ge=0.0, le=1.0, description="Place in the story, 0..1")
    chapter: Count | None = None
    intensity: Number = Field(0.5, ge=0.0, le=1.0)


class Narrative(_Model):
    structure: str = "three-act"
    chapters: list[Chapter] = Field(default_factory=list)
    emotional_beats: list[EmotionalBeat] = Field(default_factory=list)

    def shot(self, chapter: int, scene: int, shot: int) -> Shot | None:
        for chap in self.chapters:
            for sc in chap.scenes if chap.number == chapter else []:
                for sh in sc.shots if sc.number == scene else []:
                    if sh.number == shot:
                        return sh
        return None


class IngredientEntry(_Model):
    """A character, location, object, style… saved by `production.ingredient`, mirrored from
    its `*.ingredient.json` file so the editor and other graphs can reuse it."""

    id: str = Field(min_length=1)
    kind: str
    name: str
    description: str = ""
    traits: dict[str, str] = Field(default_factory=dict)
    reference_images: list[str] = Field(default_factory=list, description="Project-relative paths")
    path: str = Field(description="Project-relative path of the ingredient file")


class StoryEvent(_Model):
    """An event of the story's own time (docs/architecture.md §12, story bible): when it happens —
    a `date`, or an `order` key for an invented calendar (`time_label` says how the story names it)
    — what kind of event, who takes part (ingredient ids) and the scenes and shots that show it."""

    id: str = Field(min_length=1)
    title: str = Field(min_length=1, max_length=200)
    description: str = Field("", max_length=4000)
    type: str = Field("event", min_length=1, max_length=40, description="meeting, battle, discovery…")
    date: date_type | None = Field(None, description="When, in a story with real dates")
    order: Number | None = Field(None, description="When, as an ordering key (invented calendars)")
    time_label: str = Field("", max_length=100, description="How the story names the time (Year 3 of the Drought)")
    participants: list[str] = Field(default_factory=list, description="Ingredient ids")
    scenes: list[str] = Field(default_factory=list, description="Chapter_01/Scene_02")
    shots: list[str] = Field(default_factory=list, description="Chapter_01/Scene_02/Shot_03")

    @property
    def when(self) -> float:
        """The sort key: a date's day number, else the order key."""
        return float(self.date.toordinal()) if self.date is not None else float(self.order or 0.0)


class AssetEntry(_Model):
    path: str
    category: str
    name: str
    mime: str
    size: Count
    sha256: str
    added: IsoDateTime
    thumbnail: str | None = None


ProjectKind = Literal["feature", "series", "short", "music_video"]


class ProjectSettings(_Model):
    fps: Number = Field(24.0, gt=0)
    resolution: str = Field("1920x1080", pattern=r"^\d+x\d+$")
    aspect_ratio: str = Field("16:9", pattern=r"^\d+(\.\d+)?:\d+(\.\d+)?$")
    budget_usd: Number | None = Field(None, ge=0, description="What provider runs (Veo, Higgsfield, Suno…) may "
                                      "spend in this project, in US dollars; a run whose estimate does not fit "
                                      "what is left is refused (none: no limit)")
    kind: ProjectKind = Field("feature", description="What the project makes (the studio view groups by it)")


class ProjectManifest(_Model):
    """The whole of `project.json`."""

    schema_version: int = SCHEMA_VERSION
    id: str = Field(default_factory=lambda: uuid.uuid4().hex)
    name: str
    description: str = ""
    created: IsoDateTime = Field(default_factory=lambda: datetime.now(UTC))
    updated: IsoDateTime = Field(default_factory=lambda: datetime.now(UTC))
    quality: Quality = DEFAULT_TIER
    narrative: Narrative = Field(default_factory=Narrative)
    assets: list[AssetEntry] = Field(default_factory=list)
    ingredients: list[IngredientEntry] = Field(default_factory=list)
    timeline: list[StoryEvent] = Field(default_factory=list, description="Story events, kept sorted by their time")
    canvas: dict[str, Any] = Field(default_factory=dict)
    settings: ProjectSettings = Field(default_factory=ProjectSettings)
    owner: str | None = Field(None, description="Principal that created the project (None: made before roles)")
    members: dict[str, Role] = Field(default_factory=dict, description="Principal name -> role in this project")

    def dump(self) -> dict[str, Any]:
        return self.model_dump(mode="json", by_alias=True)

    def access(self) -> ProjectResource:
        """What `governance.authorize` decides on: the owner and the members' roles."""
        return ProjectResource(name=self.name, owner=self.owner, members=dict(self.members))


def _from_v0(data: dict[str, Any]) -> dict[str, Any]:
    """Pre-release manifests had `structure` at the top level and no schema version."""
    upgraded = dict(data)
    structure = upgraded.pop("structure", None)
    narrative = dict(upgraded.get("narrative") or {})
    if structure and "structure" not in narrative:
        narrative["structure"] = structure
    upgraded["narrative"] = narrative
    upgraded["schemaVersion"] = 1
    return upgraded


# version found on disk -> function upgrading it by one version
_MIGRATIONS: dict[int, Callable[[dict[str, Any]], dict[str, Any]]] = {0: _from_v0}


def migrate(data: dict[str, Any]) -> dict[str, Any]:
    """Upgrade raw manifest data to the current schema version, one step at a time."""
    version = data.get("schemaVersion", data.get("schema_version", 0))
    if not isinstance(version, int) or version > SCHEMA_VERSION:
        raise ManifestError(
            f"project.json schema version {version!r} is newer than this Auteur supports "
            f"({SCHEMA_VERSION}); upgrade Auteur Canvas",
            code="manifest_version_unsupported",
            details={"schema_version": version, "supported": SCHEMA_VERSION},
        )
    while version < SCHEMA_VERSION:
        data = _MIGRATIONS[version](data)
        version = data["schemaVersion"]
    return data


def read_manifest(project_root: Path) -> ProjectManifest:
    path = project_root / layout.MANIFEST
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
        return ProjectManifest.model_validate(migrate(raw))
    except (OSError, json.JSONDecodeError, ValidationError) as exc:
        # The message names the project's file, never the server's folders.
        reason = (exc.strerror if isinstance(exc, OSError)
                  else validation_message(exc.errors()) if isinstance(exc, ValidationError) else str(exc))
        raise ManifestError(f"{project_root.name}/{layout.MANIFEST} cannot be read: {reason}",
                            details={"project": project_root.name}) from exc


def write_manifest(project_root: Path, manifest: ProjectManifest) -> None:
    """Validate the whole new state, then replace project.json atomically: a rejected change
    leaves the file byte-identical, and readers never see half of it."""
    try:
        checked = ProjectManifest.model_validate(manifest.model_dump(by_alias=True))
    except ValidationError as exc:
        raise ManifestError(
            f"the project would not be valid after this change: {validation_message(exc.errors())}",
            code="manifest_rejected",
            details=[{"loc": list(error["loc"]), "msg": error["msg"]} for error in exc.errors()],
        ) from exc
    atomic_write_text(project_root / layout.MANIFEST, json.dumps(checked.dump(), indent=2) + "\n")
