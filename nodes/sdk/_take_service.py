"""`ctx.takes`: the one way a node saves a take (the shape of InvokeAI's `context.images.save`).

The node hands over the media and says which shot it belongs to; the service fills in the rest:
the take number (exclusive create, never an overwrite), the provenance (run, graph hash, tier,
project, the node's inputs), the content digest (bytes equal to the shot's newest take are
reported as that take, with this run added to its provenance) and the `take_created` event the
workspace mirrors into project.json.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ._errors import AuteurError, NodeExecutionError
from ._events import EventType
from ._sandbox import PathSandbox
from .layout import BREAKDOWN_SUFFIX, MANIFEST, SHOTLISTS_DIR
from .preproduction import keep_numbers, shot_id_at
from .shot_list import manifest_shots
from .storage import process_media_store, store_file
from .takes import Provenance, ShotCoords, promote, read_provenances

if TYPE_CHECKING:
    from ._context import RunContext


@dataclass(frozen=True)
class SavedTake:
    """A take as the node reports it."""

    shot: str
    number: int
    path: str  # inside the project, e.g. 03_Renders/Chapter_01/Scene_01/Shot_01/S01_S01_take01.png
    file: Path  # where it is on disk
    provenance: Provenance
    reused: bool  # True when these bytes were already the shot's newest take


class TakeService:
    """Saves and lists the takes of the run's project."""

    def __init__(self, ctx: RunContext) -> None:
        self._ctx = ctx

    def project_root(self, what: str = "Saving a take") -> Path:
        """The run's project folder; `project_required` when the run has none."""
        root = self._ctx.project_root
        if root is None or not (root / MANIFEST).is_file():
            raise NodeExecutionError(
                f"{what} needs a run inside a project: submit the run with a project "
                "(API `project`, CLI `--project NAME`)", code="project_required")
        return root

    def save(
        self,
        coords: ShotCoords,
        media: Path | bytes,
        *,
        suffix: str | None = None,
        inputs: Mapping[str, Any] | None = None,
        source: Mapping[str, Any] | None = None,
        item: str | None = None,
        shot_id: str | None = None,
        what: str = "Saving a take",
    ) -> SavedTake:
        """Save `media` (a file, or bytes with their `suffix`) as the next take of `coords`.

        `inputs` and `source` are recorded in the provenance. `item` tells apart the takes one
        node saves in one run (one per shot of a list, one per sample); a redelivered task with
        the same run, node and item gets the take it saved the first time. `shot_id` is the
        stable id of the shot the media was made for: see `target`.
        """
        ctx = self._ctx
        root = self.project_root(what)
        if shot_id is not None:
            coords = self.target(coords, shot_id, what)
        shot_dir = PathSandbox([root]).resolve(coords.folder)
        extension = (suffix if suffix is not None else Path(str(media)).suffix if isinstance(media, Path) else "")
        record = Provenance(
            take_number=0, shot=coords.key, run_id=ctx.provenance.run_id,
            node_id=ctx.node_id if item is None else f"{ctx.node_id}@{item}",
            graph_hash=ctx.provenance.graph_hash, tier=ctx.tier, project=ctx.project,
            inputs=dict(inputs or {}), source=dict(source or {}), shot_id=shot_id,
        )
        saved, made = promote(media, shot_dir, coords, record, extension.lower())
        take = self._describe(coords, shot_dir, saved, reused=not made)
        if made:
            # Streamed to the media store (when it is object storage) before anyone is told.
            store_file(process_media_store(ctx.workspace_root), ctx.workspace_root, take.file)
            ctx.emit(EventType.TAKE_CREATED, {"project": ctx.project, "shot": coords.key,
                                              "take_number": take.number, "path": take.path})
        return take

    def list(self, coords: ShotCoords) -> list[SavedTake]:
        """The shot's complete takes whose media is on disk, by number."""
        shot_dir = PathSandbox([self.project_root("Reading takes")]).resolve(coords.folder)
        return [self._describe(coords, shot_dir, record, reused=False) for record in read_provenances(shot_dir)
                if record.status == "complete" and record.file and (shot_dir / record.file).is_file()]

    def _shots(self) -> Iterator[tuple[ShotCoords, dict[str, Any]]]:
        return manifest_shots(self._ctx.project_root)

    def chosen(self) -> dict[str, int]:
        """{shot key: take number} as project.json chooses them (`activeTake`); empty outside a
        project or when the manifest cannot be read."""
        return {coords.key: int(shot["activeTake"]) for coords, shot in self._shots()
                if shot.get("activeTake") is not None}

    def locate(self, shot_id: str) -> ShotCoords | None:
        """Where project.json holds the shot with this stable id, if it does."""
        return next((coords for coords, shot in self._shots() if shot.get("id") == shot_id), None)

    def held(self, coords: ShotCoords) -> tuple[str, str] | None:
        """(stable id, description) of the shot project.json holds at `coords`, when it has an id."""
        shot = next((shot for found, shot in self._shots() if found == coords), None)
        if shot is None or not shot.get("id"):
            return None
        return str(shot["id"]), str(shot.get("description") or "").strip()

    def _claimable(self, coords: ShotCoords, held: tuple[str, str], shot_id: str) -> bool:
        """Whether the shot held at `coords` is a new project's placeholder (the id of its place,
        no text) that no take made for another shot has claimed: a take made for `shot_id` may
        go there, and the shot then takes that id (the take mirror)."""
        held_id, described = held
        return (held_id == shot_id_at(coords.chapter, coords.scene, coords.shot) and not described
                and all(take.provenance.shot_id in (None, shot_id) for take in self.list(coords)))

    def _placed_by_breakdown(self, shot_id: str) -> ShotCoords | None:
        """Where project.json will hold shot `shot_id` once the newest breakdown naming it (one
        the same run may just have written) is mirrored: its scene, numbered as the mirror
        numbers it (`keep_numbers`, from the shots project.json holds there now)."""
        root = self._ctx.project_root
        folder = root / SHOTLISTS_DIR if root is not None else None
        paths = sorted(folder.glob(f"*{BREAKDOWN_SUFFIX}") if folder is not None and folder.is_dir() else [],
                       key=lambda path: path.stat().st_mtime, reverse=True)
        for path in paths:
            try:
                data = json.loads(path.read_text(encoding="utf-8"))
                listed = {shot.get("id") for shot in data.get("shots") or []}
                scene = next((s for s in data.get("scenes") or [] if shot_id in (s.get("shot_ids") or [])), None)
                if scene is None or shot_id not in listed:
                    continue
                chapter, number = int(data.get("chapter", 1)), int(scene["number"])
                held = {str(shot["id"]): coords.shot for coords, shot in self._shots()
                        if (coords.chapter, coords.scene) == (chapter, number) and shot.get("id")}
                numbers = keep_numbers(held, [i for i in scene["shot_ids"] if i in listed])
                return ShotCoords(chapter, number, numbers[shot_id])
            except (OSError, ValueError, KeyError, TypeError, AttributeError, AuteurError):
                continue
        return None

    def target(self, coords: ShotCoords, shot_id: str, what: str = "Saving a take") -> ShotCoords:
        """Where a take made for shot `shot_id` goes: wherever project.json holds that shot (it
        may have been renumbered), or will hold it once the breakdown naming it is mirrored;
        else `coords` — unless project.json holds a different shot there, which is refused
        (`shot_mismatch`) rather than filed as that shot's next take."""
        located = self.locate(shot_id) or self._placed_by_breakdown(shot_id)
        if located is not None:
            return located
        held = self.held(coords)
        if held is None or self._claimable(coords, held, shot_id):
            return coords
        held_id, described = held
        raise NodeExecutionError(
            f"{what}: {coords.key} is another shot ({held_id}{f': {described[:60]!r}' if described else ''}) "
            f"than the one this take was made for ({shot_id}); give the Shot its own chapter/scene/number, "
            "or take the shot from the breakdown (Scene Shots) to make a take of it",
            code="shot_mismatch", details={"shot": coords.key, "held": held_id, "made_for": shot_id},
        )

    def active(self, coords: ShotCoords, *, chosen: Mapping[str, int] | None = None,
               accept: Callable[[SavedTake], bool] | None = None) -> SavedTake | None:
        """The shot's active take among those `accept`ed: the one project.json chooses, else the
        newest (the takes gallery's rule). Pass `chosen` to read project.json once for many shots."""
        takes = {take.number: take for take in self.list(coords) if accept is None or accept(take)}
        number = (self.chosen() if chosen is None else chosen).get(coords.key)
        if number not in takes:
            number = max(takes, default=None)
        return None if number is None else takes[number]

    @staticmethod
    def _describe(coords: ShotCoords, shot_dir: Path, record: Provenance, *, reused: bool) -> SavedTake:
        name = str(record.file)
        return SavedTake(shot=coords.key, number=record.take_number, path=f"{coords.folder}/{name}",
                         file=shot_dir / name, provenance=record, reused=reused)
