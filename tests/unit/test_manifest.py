"""project.json: camelCase on disk, schema-versioned, migrated forward, refused from the future."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from canvas_server.workspace import templates
from canvas_server.workspace.errors import ManifestError, UnknownTemplateError
from canvas_server.workspace.manifest import (
    SCHEMA_VERSION,
    ProjectManifest,
    read_manifest,
    write_manifest,
)


def test_manifest_is_written_with_camel_case_keys_and_read_back_equal(tmp_path: Path) -> None:
    manifest = ProjectManifest(name="Film", narrative=templates.structure("three-act").narrative())
    write_manifest(tmp_path, manifest)
    raw = json.loads((tmp_path / "project.json").read_text())
    assert raw["schemaVersion"] == SCHEMA_VERSION
    assert "emotionalBeats" in raw["narrative"]
    assert raw["settings"] == {"fps": 24.0, "resolution": "1920x1080", "aspectRatio": "16:9",
                               "kind": "feature", "budgetUsd": None}
    assert read_manifest(tmp_path) == manifest


def test_unknown_keys_written_by_a_newer_editor_survive_a_round_trip(tmp_path: Path) -> None:
    data = ProjectManifest(name="Film").dump() | {"colourScript": ["#112233"]}
    (tmp_path / "project.json").write_text(json.dumps(data))
    write_manifest(tmp_path, read_manifest(tmp_path))
    assert json.loads((tmp_path / "project.json").read_text())["colourScript"] == ["#112233"]


def test_a_version_zero_manifest_is_migrated_to_the_current_schema(tmp_path: Path) -> None:
    legacy = {"id": "abc", "name": "Old", "created": "2024-01-01T00:00:00Z", "structure": "story-circle"}
    (tmp_path / "project.json").write_text(json.dumps(legacy))
    manifest = read_manifest(tmp_path)
    assert manifest.schema_version == SCHEMA_VERSION
    assert manifest.narrative.structure == "story-circle"


def test_a_manifest_from_a_newer_schema_is_refused_with_a_clear_code(tmp_path: Path) -> None:
    future = ProjectManifest(name="Film").dump() | {"schemaVersion": SCHEMA_VERSION + 1}
    (tmp_path / "project.json").write_text(json.dumps(future))
    with pytest.raises(ManifestError) as caught:
        read_manifest(tmp_path)
    assert caught.value.code == "manifest_version_unsupported"


def test_a_corrupt_manifest_is_reported_by_project_name_never_server_path(tmp_path: Path) -> None:
    (tmp_path / "project.json").write_text("{not json")
    with pytest.raises(ManifestError) as caught:
        read_manifest(tmp_path)
    assert caught.value.code == "manifest_invalid"
    assert f"{tmp_path.name}/project.json" in caught.value.message
    assert str(tmp_path.parent) not in caught.value.message


@pytest.mark.parametrize(
    ("name", "chapters", "beats"),
    [("three-act", 3, 7), ("heros-journey", 3, 12), ("beat-sheet", 4, 15), ("story-circle", 3, 8)],
)
def test_each_narrative_structure_gives_its_chapters_and_beats(name: str, chapters: int, beats: int) -> None:
    narrative = templates.structure(name).narrative()
    assert narrative.structure == name
    assert len(narrative.chapters) == chapters
    assert len(narrative.emotional_beats) == beats
    positions = [beat.position for beat in narrative.emotional_beats]
    assert positions == sorted(positions)
    assert all(beat.chapter is not None and 1 <= beat.chapter <= chapters for beat in narrative.emotional_beats)
    assert narrative.shot(1, 1, 1) is not None


def test_an_unknown_structure_names_the_known_ones() -> None:
    with pytest.raises(UnknownTemplateError) as caught:
        templates.structure("five-act")
    assert caught.value.code == "structure_unknown"
    assert "three-act" in caught.value.message


def test_every_document_type_has_a_template_file() -> None:
    for kind in templates.document_types().values():
        assert (templates.TEMPLATES_ROOT / "documents" / kind.template).is_file()


def _with_take(created: object) -> dict[str, object]:
    take = {"number": 1, "path": "03_Renders/Chapter_01/Scene_01/Shot_01/S01_S01_take01.mp4", "created": created}
    narrative = {"chapters": [{"number": 1, "scenes": [{"number": 1, "shots": [{"number": 1, "takes": [take]}]}]}]}
    return ProjectManifest(name="Film").dump() | {"narrative": narrative}


def test_a_take_created_as_a_number_is_refused_naming_the_field_and_the_constraint(tmp_path: Path) -> None:
    (tmp_path / "project.json").write_text(json.dumps(_with_take(1733380000)))
    with pytest.raises(ManifestError) as caught:
        read_manifest(tmp_path)
    assert caught.value.message == (f"{tmp_path.name}/project.json cannot be read: narrative.chapters.0.scenes.0"
                                    ".shots.0.takes.0.created: Input should be a valid datetime")
    (tmp_path / "project.json").write_text(json.dumps(_with_take("2026-12-05T07:20:00Z")))
    [take] = read_manifest(tmp_path).narrative.chapters[0].scenes[0].shots[0].takes
    assert take.created is not None and take.created.isoformat() == "2026-12-05T07:20:00+00:00"


def test_a_change_that_would_break_the_project_names_the_field_and_the_constraint(tmp_path: Path) -> None:
    manifest = ProjectManifest(name="Film")
    manifest.settings.fps = -1
    with pytest.raises(ManifestError) as caught:
        write_manifest(tmp_path, manifest)
    assert caught.value.code == "manifest_rejected"
    assert caught.value.message == ("the project would not be valid after this change: "
                                    "settings.fps: Input should be greater than 0")
