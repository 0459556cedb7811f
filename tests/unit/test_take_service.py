"""`ctx.takes`, the one way a node saves a take: numbering, digest, the active take."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from nodes.sdk import ModelCache, NodeExecutionError, PathSandbox, RunContext
from nodes.sdk.takes import Provenance, SceneCoords, ShotCoords

SHOT = ShotCoords(1, 2, 3)


def context(workspace: Path, project_root: Path | None, run_id: str = "run-1",
            events: list[tuple[str, dict[str, Any]]] | None = None) -> RunContext:
    sink = events if events is not None else []
    return RunContext(
        run_id=run_id, node_id="5", type_id="test.saver", tier="standard", tier_params={},
        workspace_root=workspace, sandbox=PathSandbox([project_root or workspace]),
        scratch_dir=workspace / ".auteur" / "scratch", models=ModelCache(), project="Film",
        project_root=project_root, graph_hash="g1", emit=lambda kind, data: sink.append((kind, data)),
    )


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "Projects" / "Film"
    root.mkdir(parents=True)
    (root / "project.json").write_text(json.dumps({"name": "Film"}))
    return root


def test_bytes_are_saved_with_their_suffix_provenance_and_one_event(tmp_path: Path, project: Path) -> None:
    events: list[tuple[str, dict[str, Any]]] = []
    saved = context(tmp_path, project, events=events).takes.save(SHOT, b"{}", suffix=".JSON", inputs={"seed": 7})
    assert saved.path == "03_Renders/Chapter_01/Scene_02/Shot_03/S02_S03_take01.json" and not saved.reused
    assert saved.file.read_bytes() == b"{}"
    record = saved.provenance
    assert (record.run_id, record.node_id, record.graph_hash, record.tier, record.inputs) == (
        "run-1", "5", "g1", "standard", {"seed": 7})
    assert events == [("take_created", {"project": "Film", "shot": SHOT.key, "take_number": 1, "path": saved.path})]


def test_equal_bytes_from_another_run_are_that_take_and_announce_nothing(tmp_path: Path, project: Path) -> None:
    events: list[tuple[str, dict[str, Any]]] = []
    first = context(tmp_path, project).takes.save(SHOT, b"frame", suffix=".png")
    again = context(tmp_path, project, run_id="run-2", events=events).takes.save(SHOT, b"frame", suffix=".png")
    assert (again.number, again.path, again.reused) == (1, first.path, True)
    assert [run.run_id for run in again.provenance.runs] == ["run-1", "run-2"]
    assert events == []


def test_saving_outside_a_project_is_refused_with_project_required(tmp_path: Path) -> None:
    with pytest.raises(NodeExecutionError) as refused:
        context(tmp_path, None).takes.save(SHOT, b"x", suffix=".png", what="Save Take")
    assert refused.value.code == "project_required" and refused.value.message.startswith("Save Take needs")


def test_the_active_take_is_the_chosen_one_else_the_newest_accepted(tmp_path: Path, project: Path) -> None:
    takes = context(tmp_path, project).takes
    for index, (data, suffix) in enumerate([(b"a", ".png"), (b"b", ".png"), (b"c", ".json")]):
        context(tmp_path, project, run_id=f"run-{index}").takes.save(SHOT, data, suffix=suffix)
    newest = takes.active(SHOT)
    pictures = takes.active(SHOT, accept=lambda take: take.file.suffix == ".png")
    assert newest is not None and newest.number == 3 and pictures is not None and pictures.number == 2
    (project / "project.json").write_text(json.dumps({"name": "Film", "narrative": {"chapters": [
        {"number": 1, "scenes": [{"number": 2, "shots": [{"number": 3, "activeTake": 1}]}]}]}}))
    assert takes.chosen() == {SHOT.key: 1}
    chosen = takes.active(SHOT)
    assert chosen is not None and chosen.number == 1


def test_a_scene_take_lives_in_the_scenes_animatic_folder(tmp_path: Path, project: Path) -> None:
    saved = context(tmp_path, project).takes.save(SceneCoords(1, 2), b"mp4", suffix=".mp4")
    assert saved.path == "03_Renders/Chapter_01/Scene_02/Animatic/S02_S00_take01.mp4"


def test_a_provenance_written_before_runs_were_listed_names_its_own_run() -> None:
    old = {"take_number": 1, "shot": SHOT.key, "run_id": "r0", "node_id": "n", "tier": "low", "status": "complete"}
    assert [run.run_id for run in Provenance.model_validate(old).runs] == ["r0"]


def holding(project: Path, *shots: dict[str, Any]) -> None:
    """project.json holding `shots` in chapter 1, scene 2."""
    (project / "project.json").write_text(json.dumps({"name": "Film", "narrative": {"chapters": [
        {"number": 1, "scenes": [{"number": 2, "shots": list(shots)}]}]}}))


def test_a_take_for_another_shot_than_the_one_held_there_is_refused(tmp_path: Path, project: Path) -> None:
    holding(project, {"number": 3, "id": "sh-screenplay", "description": "Mara sets down a cup."})
    with pytest.raises(NodeExecutionError) as refused:
        context(tmp_path, project).takes.save(SHOT, b"x", suffix=".png", shot_id="shot-c01-s02-03")
    assert refused.value.code == "shot_mismatch" and "Mara sets down a cup." in refused.value.message
    assert not (project / SHOT.folder).exists()


def test_a_take_follows_its_shot_id_to_where_project_json_holds_it_now(tmp_path: Path, project: Path) -> None:
    holding(project, {"number": 1, "id": "sh-other"}, {"number": 3, "id": "sh-moved"})
    saved = context(tmp_path, project).takes.save(ShotCoords(1, 2, 1), b"x", suffix=".png", shot_id="sh-moved")
    assert saved.shot == SHOT.key and saved.provenance.shot_id == "sh-moved"


def test_a_take_for_a_shot_the_project_does_not_hold_goes_to_its_coordinates(tmp_path: Path, project: Path) -> None:
    holding(project, {"number": 1, "id": "sh-other"})
    saved = context(tmp_path, project).takes.save(SHOT, b"x", suffix=".png", shot_id="shot-c01-s02-03")
    assert saved.path.startswith(SHOT.folder) and saved.provenance.shot_id == "shot-c01-s02-03"


def test_a_script_shot_a_new_breakdown_puts_in_place_of_the_one_held_there_takes_its_place(
    tmp_path: Path, project: Path,
) -> None:
    """The breakdown was written by this run and is not mirrored yet: the take goes where the mirror
    will number the shot (the kept shot keeps its number 1, so the edited one takes 2)."""
    holding(project, {"number": 1, "id": "sh-kept"}, {"number": 2, "id": "sh-before-the-edit"})
    shotlists = project / "02_Source_Creative" / "ShotLists"
    shotlists.mkdir(parents=True)
    (shotlists / "pilot.breakdown.json").write_text(json.dumps({"chapter": 1, "scenes": [
        {"number": 2, "shot_ids": ["sh-after-the-edit", "sh-kept"]}], "shots": [
        {"id": "sh-after-the-edit", "chapter": 1, "scene": 2, "number": 1},
        {"id": "sh-kept", "chapter": 1, "scene": 2, "number": 2}]}))
    saved = context(tmp_path, project).takes.save(ShotCoords(1, 2, 1), b"x", suffix=".png", shot_id="sh-after-the-edit")
    assert saved.shot == ShotCoords(1, 2, 2).key
