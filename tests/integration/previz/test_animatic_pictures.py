"""The animatic inside a project: each shot's picture found on its own (active picture take,
thumbnail, ingredient reference, title card), and the cut saved as a take of the scene."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from function_runners.execute import execute_task
from function_runners.task import NodeTask
from function_runners.tiers import load_tiers
from nodes.sdk import EventType, ModelCache, NodeRegistry, sha256_file
from nodes.sdk.takes import read_provenances

from ..media.media_fixtures import ffmpeg, load, outputs_of, run_node, stream
from .test_animatic import frame_rgb

FPS = 24
SHOT_S = 0.5
COLOURS = {"red": (255, 0, 0), "green": (0, 128, 0), "blue": (0, 0, 255), "white": (255, 255, 255),
           "yellow": (255, 255, 0), "card": (30, 30, 40)}


def nearest(rgb: tuple[int, int, int]) -> str:
    return min(COLOURS, key=lambda name: sum((a - b) ** 2 for a, b in zip(COLOURS[name], rgb, strict=True)))


def take(shot_dir: Path, number: int, source: Path) -> None:
    """A complete take in the shared format (media + provenance)."""
    shot_dir.mkdir(parents=True, exist_ok=True)
    stem = f"S01_{shot_dir.name.replace('Shot_', 'S')}_take{number:02d}"
    shutil.copyfile(source, shot_dir / f"{stem}{source.suffix}")
    (shot_dir / f"{stem}.provenance.json").write_text(json.dumps({
        "status": "complete", "take_number": number, "shot": shot_dir.relative_to(shot_dir.parents[2]).as_posix(),
        "file": f"{stem}{source.suffix}", "sha256": sha256_file(source), "run_id": "r", "node_id": "n",
        "tier": "low"}))


@pytest.fixture
def project(workspace: Path) -> Path:
    root = workspace / "Projects" / "Film"
    scene = root / "03_Renders" / "Chapter_01" / "Scene_01"
    media = workspace / "media"
    for name in ("red", "green", "blue", "white", "yellow"):
        ffmpeg("-f", "lavfi", "-i", f"color=c={name}:s=160x90", "-frames:v", "1", str(media / f"{name}.png"))
    ffmpeg("-f", "lavfi", "-i", "color=c=green:s=160x90:r=24:d=1", "-c:v", "libx264", "-pix_fmt", "yuv420p",
           str(media / "green.mp4"))
    payload = media / "payload.json"
    payload.write_text("{}")
    take(scene / "Shot_01", 1, media / "yellow.png")
    take(scene / "Shot_01", 2, media / "red.png")  # chosen below
    take(scene / "Shot_01", 3, media / "white.png")
    take(scene / "Shot_02", 1, media / "green.mp4")
    take(scene / "Shot_02", 2, payload)  # a Veo payload take: not a picture
    (scene / "Shot_04").mkdir(parents=True)
    shutil.copyfile(media / "white.png", scene / "Shot_04" / "thumbnail.png")
    (root / "project.json").write_text(json.dumps({"name": "Film", "narrative": {"chapters": [
        {"number": 1, "scenes": [{"number": 1, "shots": [{"number": 1, "activeTake": 2}]}]}]}}))
    return root


def test_each_shot_finds_its_picture_and_the_animatic_is_saved_as_a_take_of_the_scene(
    workspace: Path, project: Path, registry: NodeRegistry
) -> None:
    # A reference image comes from the project's own assets (a run reads only its project).
    (project / "01_Assets").mkdir()
    shutil.copyfile(workspace / "media" / "blue.png", project / "01_Assets" / "blue.png")
    blue = load(workspace, registry, "Projects/Film/01_Assets/blue.png")
    ingredient = {"id": "location-sea", "kind": "Location", "name": "Sea", "reference_images": [blue]}
    shots: list[dict[str, Any]] = [{"id": f"s{n}", "number": n, "duration": SHOT_S, "description": f"shot {n}"}
                                   for n in range(1, 6)]
    shots[2]["slot2"] = ingredient
    events: list[tuple[str, dict[str, Any]]] = []
    task = NodeTask(
        run_id="run-a", node_id="7", type="production.animatic", version="1.1.0",
        inputs={"shots": shots, "fps": FPS, "width": 160, "height": 90, "labels": False}, tier="low",
        tier_params=load_tiers().params_for("low", "production.animatic"),
        scratch_dir=str(workspace / ".auteur" / "scratch" / "a"), workspace_root=str(workspace),
        project_root=str(project), project="Film",
    )
    out = outputs_of(execute_task(task, registry, ModelCache(), runner="test",
                                  emit=lambda kind, data: events.append((kind, data))))
    assert out["sources"] == ["take", "take", "reference", "thumbnail", "title card"]
    path = workspace / out["video"]["path"]
    frames = [round((i + 0.5) * SHOT_S * FPS) for i in range(5)]
    assert [nearest(frame_rgb(path, f)) for f in frames] == ["red", "green", "blue", "white", "card"]
    assert int(stream(path, "video")["nb_frames"]) == round(5 * SHOT_S * FPS)

    assert out["take"] == "03_Renders/Chapter_01/Scene_01/Animatic/S01_S00_take01.mp4"
    scene_take = project / out["take"]
    assert scene_take.read_bytes() == path.read_bytes()
    [record] = read_provenances(scene_take.parent)
    assert record.status == "complete" and record.source["kind"] == "animatic"
    assert events == [(EventType.TAKE_CREATED, {"project": "Film", "shot": "Chapter_01/Scene_01/Animatic",
                                                "take_number": 1, "path": out["take"]})]


def test_labels_with_quotes_and_filter_characters_are_burned_in(workspace: Path, registry: NodeRegistry) -> None:
    shots = [{"id": "s1", "number": 1, "duration": 0.5, "description": "The ferry sounds it's horn: 100% [loud]; ok, 'yes'"}]
    out = outputs_of(run_node(workspace, registry, "production.animatic",
                              {"shots": shots, "fps": FPS, "width": 160, "height": 90, "labels": True,
                               "timecode": True}, tier="low"))
    assert int(stream(workspace / out["video"]["path"], "video")["nb_frames"]) == round(0.5 * FPS)
