"""project.json's pre-production parts: additive schema (old manifests load), breakdowns
mirrored into the narrative by stable id, ingredients mirrored from their files."""

from __future__ import annotations

import json
from pathlib import Path

from canvas_server.workspace.manifest import (
    Chapter,
    Narrative,
    ProjectManifest,
    Scene,
    Shot,
    read_manifest,
)
from canvas_server.workspace.manifest_sync import sync_project
from canvas_server.workspace.preproduction import (
    apply_breakdown,
    mirror_breakdowns,
    mirror_ingredients,
)
from canvas_server.workspace.shot_order import reorder_shots
from canvas_server.workspace.store import NewProject, ProjectPatch, ProjectStore
from nodes.sdk.preproduction import Breakdown

BREAKDOWN = {
    "title": "Two Rooms", "chapter": 1,
    "scenes": [{"id": "sc-a", "number": 1, "slugline": "INT. A - DAY", "shot_ids": ["sh-1", "sh-2"]},
               {"id": "sc-b", "number": 2, "slugline": "INT. B - NIGHT", "cast": ["ANA"], "shot_ids": ["sh-3"]}],
    "shots": [{"id": "sh-1", "number": 1, "description": "A door."},
              {"id": "sh-2", "number": 2, "description": "A window."},
              {"id": "sh-3", "number": 1, "description": "Ana waits.", "cast": ["ANA"], "duration": 3.5}],
    "warnings": [], "duration_rule": "…",
}


def test_a_manifest_written_before_ingredients_and_shot_ids_still_loads(tmp_path: Path) -> None:
    (tmp_path / "project.json").write_text(json.dumps({
        "schemaVersion": 1, "id": "p1", "name": "Old", "created": "2024-01-01T00:00:00Z",
        "updated": "2024-01-01T00:00:00Z",
        "narrative": {"chapters": [{"number": 1, "scenes": [{"number": 1, "shots": [{"number": 1}]}]}]},
    }))
    manifest = read_manifest(tmp_path)
    assert manifest.ingredients == []
    shot = manifest.narrative.shot(1, 1, 1)
    assert shot is not None and shot.id is None


def test_a_breakdown_becomes_the_chapter_and_is_not_applied_twice(tmp_path: Path) -> None:
    folder = tmp_path / "02_Source_Creative" / "ShotLists"
    folder.mkdir(parents=True)
    (folder / "two.breakdown.json").write_text(json.dumps(BREAKDOWN))
    manifest = ProjectManifest(name="Film")
    mirror_breakdowns(tmp_path, manifest)
    (chapter,) = manifest.narrative.chapters
    assert chapter.title == "Two Rooms" and chapter.breakdown == "02_Source_Creative/ShotLists/two.breakdown.json"
    assert [[shot.id for shot in scene.shots] for scene in chapter.scenes] == [["sh-1", "sh-2"], ["sh-3"]]
    assert chapter.scenes[1].cast == ["ANA"] and chapter.scenes[1].shots[0].duration == 3.5
    chapter.scenes[0].title = "renamed by hand"
    mirror_breakdowns(tmp_path, manifest)  # same file, same sha: the hand edit stays
    assert manifest.narrative.chapters[0].scenes[0].title == "renamed by hand"


def test_a_shot_keeps_its_active_take_only_while_its_id_and_place_are_unchanged() -> None:
    chapter = Chapter(number=1, scenes=[
        Scene(number=1, shots=[Shot(number=1, id="sh-1", active_take=2), Shot(number=2, id="sh-old", active_take=1)]),
    ])
    edited = dict(BREAKDOWN, shots=[*BREAKDOWN["shots"][:1], {"id": "sh-2", "number": 2}, BREAKDOWN["shots"][2]])
    apply_breakdown(chapter, Breakdown.model_validate(edited))
    assert [(s.id, s.active_take) for s in chapter.scenes[0].shots] == [("sh-1", 2), ("sh-2", None)]


def test_a_rebreakdown_keeps_the_edits_of_shots_whose_text_is_unchanged_and_drops_those_of_changed_ones() -> None:
    chapter = Chapter(number=1)
    apply_breakdown(chapter, Breakdown.model_validate(BREAKDOWN))
    door, window = chapter.scenes[0].shots
    door.description, door.duration, door.cast, door.slot1 = "A red door, slowly.", 9.0, ["ANA"], "character-ana"
    window.description = "edited, but the script changes this shot"
    edited = dict(BREAKDOWN, shots=[
        {"id": "sh-0", "number": 1, "description": "A new opening."}, {**BREAKDOWN["shots"][0], "number": 2},
        {"id": "sh-2b", "number": 3, "description": "A broken window."}, BREAKDOWN["shots"][2]])
    edited["scenes"] = [{**BREAKDOWN["scenes"][0], "shot_ids": ["sh-0", "sh-1", "sh-2b"]}, BREAKDOWN["scenes"][1]]
    apply_breakdown(chapter, Breakdown.model_validate(edited))
    kept, opening, changed = chapter.scenes[0].shots  # the kept shot keeps its number: new ones take the free ones
    assert (kept.id, kept.number, kept.description, kept.duration, kept.cast, kept.slot1) == (
        "sh-1", 1, "A red door, slowly.", 9.0, ["ANA"], "character-ana")
    assert [(opening.number, opening.description), (changed.number, changed.description)] == [
        (2, "A new opening."), (3, "A broken window.")]


def test_a_rebreakdown_of_an_unchanged_script_keeps_the_order_the_director_gave_the_shots() -> None:
    chapter = Chapter(number=1)
    apply_breakdown(chapter, Breakdown.model_validate(BREAKDOWN))
    door, window = chapter.scenes[0].shots
    door.number, window.number = 2, 1  # moved in the shot list (their takes' folders moved with them)
    chapter.scenes[0].shots = [window, door]
    apply_breakdown(chapter, Breakdown.model_validate(dict(BREAKDOWN, title="Two Rooms, revised")))
    assert [(shot.id, shot.number) for shot in chapter.scenes[0].shots] == [("sh-2", 1), ("sh-1", 2)]


def test_ingredient_files_are_mirrored_with_project_relative_references(tmp_path: Path) -> None:
    project = tmp_path / "Projects" / "Film"
    folder = project / "01_Assets" / "Characters"
    folder.mkdir(parents=True)
    (folder / "character-ana.ingredient.json").write_text(json.dumps({
        "id": "character-ana", "kind": "Character", "name": "Ana", "traits": {"voice": "soft"},
        "reference_images": [{"path": "Projects/Film/01_Assets/Characters/ana.png", "sha256": "x",
                              "mime": "image/png", "kind": "image"}]}))
    (folder / "broken.ingredient.json").write_text("{")
    manifest = ProjectManifest(name="Film")
    mirror_ingredients(project, tmp_path, manifest)
    (entry,) = manifest.ingredients
    assert entry.id == "character-ana" and entry.traits == {"voice": "soft"}
    assert entry.reference_images == ["01_Assets/Characters/ana.png"]
    assert entry.path == "01_Assets/Characters/character-ana.ingredient.json"


def test_a_new_projects_placeholder_shots_have_ids_and_a_breakdown_replaces_the_acts_no_one_worked_in(
    tmp_path: Path,
) -> None:
    store = ProjectStore(tmp_path)
    created = store.create(NewProject(name="Film"))
    placeholders = [(c.number, shot.id) for c in created.narrative.chapters for s in c.scenes for shot in s.shots]
    assert placeholders == [(1, "shot-c01-s01-01"), (2, "shot-c02-s01-01"), (3, "shot-c03-s01-01")]
    with store.editing("Film") as manifest:  # the director wrote something in Act III's shot
        manifest.narrative.chapters[2].scenes[0].shots[0].description = "A storm over the bay"
    folder = store.root("Film") / "02_Source_Creative" / "ShotLists"
    (folder / "two.breakdown.json").write_text(json.dumps(BREAKDOWN))
    sync_project(store, "Film")
    chapters = store.get("Film").narrative.chapters
    assert [(c.number, c.title) for c in chapters] == [(1, "Two Rooms"), (3, "Act III — Resolution")]
    assert [s.slugline for s in chapters[0].scenes] == ["INT. A - DAY", "INT. B - NIGHT"]


def _render_folders(root: Path) -> list[str]:
    renders = root / "03_Renders"
    return sorted(p.relative_to(renders).as_posix() for p in renders.rglob("*") if p.is_dir())


def test_the_render_folders_of_dropped_placeholder_acts_go_with_them_unless_they_hold_a_file(tmp_path: Path) -> None:
    store = ProjectStore(tmp_path)
    store.create(NewProject(name="Film"))
    root = store.root("Film")
    assert "Chapter_02/Scene_01/Shot_01" in _render_folders(root)
    (root / "03_Renders" / "Chapter_03" / "Scene_01" / "Shot_01" / "lighting.txt").write_text("a note of the director's")
    (root / "02_Source_Creative" / "ShotLists" / "two.breakdown.json").write_text(json.dumps(BREAKDOWN))
    sync_project(store, "Film")
    assert [c.number for c in store.get("Film").narrative.chapters] == [1]  # Acts II and III were untouched
    # Act I's folder is the breakdown's first shot's now; Act II's placeholder went; Act III's
    # holds a file, so it stays.
    assert _render_folders(root) == ["Chapter_01", "Chapter_01/Scene_01", "Chapter_01/Scene_01/Shot_01",
                                     "Chapter_03", "Chapter_03/Scene_01", "Chapter_03/Scene_01/Shot_01"]


def test_a_reorder_removes_placeholder_folders_no_shot_names_and_moves_into_one(tmp_path: Path) -> None:
    store = ProjectStore(tmp_path)
    store.create(NewProject(name="Film"))
    root = store.root("Film")
    (root / "02_Source_Creative" / "ShotLists" / "two.breakdown.json").write_text(json.dumps(BREAKDOWN))
    sync_project(store, "Film")
    # A placeholder folder of no shot, as projects made before the prune kept them.
    stale = root / "03_Renders" / "Chapter_01" / "Scene_01" / "Shot_03"
    stale.mkdir()
    (stale / ".gitkeep").touch()
    reorder_shots(store, "Film", 1, 1, [2, 1])
    assert _render_folders(root) == ["Chapter_01", "Chapter_01/Scene_01", "Chapter_01/Scene_01/Shot_02"]
    assert (root / "03_Renders" / "Chapter_01" / "Scene_01" / "Shot_02" / ".gitkeep").is_file()  # sh-1's, moved


def test_a_narrative_with_a_shot_numbered_zero_is_patched_and_prunes_no_folder_of_a_shot(tmp_path: Path) -> None:
    store = ProjectStore(tmp_path)
    store.create(NewProject(name="Film"))
    narrative = Narrative(chapters=[Chapter(number=1, scenes=[Scene(number=1, shots=[Shot(number=0), Shot(number=1)])])])
    store.update("Film", ProjectPatch(narrative=narrative))
    assert _render_folders(store.root("Film")) == ["Chapter_01", "Chapter_01/Scene_01", "Chapter_01/Scene_01/Shot_01"]
