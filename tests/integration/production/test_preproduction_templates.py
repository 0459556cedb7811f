"""The pre-production templates run headless with `auteur run --project` on a screenplay from
the test data, and project.json keeps in step: the breakdown's chapters → scenes → shots with
their ids, the payload takes, the stored ingredients. Editing one scene and re-running keeps
the other shots' ids and re-executes only the changed shot's payload (the run record says so)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from canvas_server.workspace.store import NewProject, ProjectStore

from ..server_harness import AUTEUR

REPO = Path(__file__).resolve().parents[3]
TEMPLATES = REPO / "workspace_templates" / "graphs"
SCREENPLAY = REPO / "tests" / "data" / "screenplays" / "night_market.fountain"
SCRIPT = "02_Source_Creative/Scripts/night_market.fountain"


@pytest.fixture
def film(tmp_path: Path) -> Path:
    """A project `Film` with the night-market screenplay in its Scripts folder."""
    workspace = tmp_path / "ws"
    ProjectStore(workspace).create(NewProject(name="Film"))
    root = workspace / "Projects" / "Film"
    shutil.copy(SCREENPLAY, root / SCRIPT)
    return root


def auteur_run(project_root: Path, template: str, *assignments: str) -> dict[str, Any]:
    workspace = project_root.parents[1]
    command = [*AUTEUR, "run", str(TEMPLATES / template), "--project", "Film", "--json"]
    for assignment in assignments:
        command += ["--set", assignment]
    result = subprocess.run(command, capture_output=True, text=True, cwd=REPO, timeout=180, check=False,
                            env={**os.environ, "AUTEUR_WORKSPACE": str(workspace), "AUTEUR_RUNNER_WORKERS": "1"})
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    record: dict[str, Any] = json.loads(result.stdout)
    return record


def manifest(project_root: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((project_root / "project.json").read_text(encoding="utf-8"))
    return data


def chapter_one(project_root: Path) -> dict[str, Any]:
    return next(c for c in manifest(project_root)["narrative"]["chapters"] if c["number"] == 1)


def shot_ids(project_root: Path) -> list[str]:
    return [shot["id"] for scene in chapter_one(project_root)["scenes"] for shot in scene["shots"] if shot.get("id")]


def item_statuses(record: dict[str, Any], node_id: str) -> list[str]:
    return [item["status"] for item in record["nodes"][node_id]["items"]]


def test_the_screenplay_template_lists_scenes_shots_and_payload_takes_in_project_json(film: Path) -> None:
    record = auteur_run(film, "screenplay_to_veo_payloads.json", f"3.script={SCRIPT}")
    assert record["status"] == "completed", record["errors"]
    assert item_statuses(record, "4") == ["completed"] * 5
    breakdown = json.loads((film / "02_Source_Creative/ShotLists/night_market.breakdown.json").read_text())
    chapter = chapter_one(film)
    assert chapter["breakdown"] == "02_Source_Creative/ShotLists/night_market.breakdown.json"
    assert [scene["slugline"] for scene in chapter["scenes"]] == [
        "EXT. NIGHT MARKET - NIGHT", "INT. NOODLE CART - CONTINUOUS", "ROOFTOP ABOVE THE MARKET"]
    assert [scene["id"] for scene in chapter["scenes"]] == [scene["id"] for scene in breakdown["scenes"]]
    assert shot_ids(film) == [shot["id"] for shot in breakdown["shots"]]
    assert chapter["scenes"][1]["cast"] == ["TOMAS", "MARA"]
    for scene in chapter["scenes"]:
        for shot in scene["shots"]:
            (take,) = shot["takes"]
            assert take["path"].endswith("_take01.json") and (film / take["path"]).is_file()
            payload = json.loads((film / take["path"]).read_text())
            assert payload["shot_id"] == shot["id"]
    assert (film / "02_Source_Creative/ShotLists/night_market.csv").is_file()
    assert (film / "02_Source_Creative/ShotLists/night_market.md").is_file()


def test_editing_one_scene_keeps_the_other_shot_ids_and_reexecutes_only_that_shot(film: Path) -> None:
    first = auteur_run(film, "screenplay_to_veo_payloads.json", f"3.script={SCRIPT}")
    ids_before = shot_ids(film)
    script = film / SCRIPT
    script.write_text(script.read_text().replace(
        "Mara slides the compass across the counter. Tomas pockets it.",
        "Mara pushes the compass over the counter. Tomas hides it in his apron."))
    again = auteur_run(film, "screenplay_to_veo_payloads.json", f"3.script={SCRIPT}")

    assert first["status"] == again["status"] == "completed"
    # world and style did not change; the breakdown read a changed file; one payload is new.
    assert [again["nodes"][n]["status"] for n in ("1", "2", "3")] == ["cached", "cached", "completed"]
    assert item_statuses(again, "4") == ["cached", "cached", "cached", "completed", "cached"]
    ids_after = shot_ids(film)
    changed = [i for i, (a, b) in enumerate(zip(ids_before, ids_after, strict=True)) if a != b]
    assert changed == [3]
    edited = chapter_one(film)["scenes"][1]["shots"][1]
    assert "apron" in edited["description"]
    assert [take["number"] for take in edited["takes"]] == [1, 2]  # takes are never overwritten


def test_the_character_location_template_stores_its_ingredients_and_its_take(film: Path) -> None:
    record = auteur_run(film, "character_location_shot_to_veo.json", "3.scene=2", "1.name=Ana")
    assert record["status"] == "completed", record["errors"]
    take = record["nodes"]["4"]["outputs"]["take"]
    assert take == "03_Renders/Chapter_01/Scene_02/Shot_01/S02_S01_take01.json"
    payload = json.loads((film / take).read_text())
    assert "Ana" in payload["request"]["instances"][0]["prompt"]
    ingredients = {entry["id"]: entry for entry in manifest(film)["ingredients"]}
    assert set(ingredients) == {"character-ana", "location-night-market"}
    assert ingredients["character-ana"]["path"] == "01_Assets/Characters/character-ana.ingredient.json"
    assert ingredients["location-night-market"]["traits"]["weather"] == "light rain"
    scene = next(s for s in chapter_one(film)["scenes"] if s["number"] == 2)
    assert scene["shots"][0]["takes"][0]["path"] == take
