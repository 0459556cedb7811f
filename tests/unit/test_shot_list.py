"""The shot list as nodes read it from project.json (nodes.sdk.shot_list): a breakdown's shot takes
the director's saved values by its stable id, and the digest the engine keys such nodes by follows
the shot list's edits but not its takes."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from nodes.sdk import NodeExecutionError
from nodes.sdk.preproduction import Ingredient, IngredientKind, Shot
from nodes.sdk.shot_list import saved_version, shot_list_digest


def write_project(root: Path, shot: dict[str, Any], ingredients: list[Ingredient]) -> None:
    entries = []
    for ingredient in ingredients:
        path = root / "01_Assets" / "Locations" / f"{ingredient.id}.ingredient.json"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(ingredient.model_dump_json())
        entries.append({"id": ingredient.id, "kind": ingredient.kind.value, "name": ingredient.name,
                        "path": path.relative_to(root).as_posix()})
    scene = {"number": 1, "shots": [{"number": 2, "id": "shot-a", **shot}]}
    manifest = {"narrative": {"chapters": [{"number": 1, "scenes": [scene]}]}, "ingredients": entries}
    (root / "project.json").write_text(json.dumps(manifest))


PORCH = Ingredient(id="location-porch", kind=IngredientKind.LOCATION, name="Rain Porch")


def test_a_shot_takes_the_shot_lists_text_slots_and_place_by_its_stable_id(tmp_path: Path) -> None:
    write_project(tmp_path, {"description": "hold on her hands", "duration": 3.5, "slot2": PORCH.id}, [PORCH])
    script = Shot(id="shot-a", number=1, description="MARA sets down a cup.")
    other = Shot(id="shot-b", number=2, description="not in the project yet")
    [saved, kept] = saved_version([script, other], tmp_path)
    assert (saved.description, saved.duration, saved.number, saved.slot2) == ("hold on her hands", 3.5, 2, PORCH)
    assert kept == other


def test_a_slot_naming_an_ingredient_the_project_lacks_is_a_clear_error(tmp_path: Path) -> None:
    write_project(tmp_path, {"slot1": "character-nobody"}, [])
    with pytest.raises(NodeExecutionError, match="character-nobody") as caught:
        saved_version([Shot(id="shot-a")], tmp_path)
    assert caught.value.code == "ingredient_not_found"


def test_the_digest_follows_slot_edits_and_ingredient_files_but_not_takes(tmp_path: Path) -> None:
    write_project(tmp_path, {"slot2": PORCH.id}, [PORCH])
    before = shot_list_digest(tmp_path)
    manifest = json.loads((tmp_path / "project.json").read_text())
    manifest["narrative"]["chapters"][0]["scenes"][0]["shots"][0]["takes"] = [{"number": 1, "path": "x.json"}]
    (tmp_path / "project.json").write_text(json.dumps(manifest))
    assert shot_list_digest(tmp_path) == before
    write_project(tmp_path, {"slot2": PORCH.id}, [PORCH.model_copy(update={"description": "wet boards"})])
    assert shot_list_digest(tmp_path) != before
    write_project(tmp_path, {"slot2": None}, [PORCH])
    assert shot_list_digest(tmp_path) not in {before, ""}


def test_an_ingredient_path_in_project_json_leading_outside_the_project_is_never_read(tmp_path: Path) -> None:
    root = tmp_path / "Film"
    root.mkdir()
    outside = tmp_path / "secret.ingredient.json"
    outside.write_text(PORCH.model_dump_json())
    write_project(root, {"slot2": PORCH.id}, [])
    manifest = json.loads((root / "project.json").read_text())
    manifest["ingredients"] = [{"id": PORCH.id, "path": "../secret.ingredient.json"},
                               {"id": "x", "path": "/etc/passwd"}]
    (root / "project.json").write_text(json.dumps(manifest))
    with pytest.raises(NodeExecutionError) as caught:
        saved_version([Shot(id="shot-a")], root)
    assert caught.value.code == "ingredient_not_found"
