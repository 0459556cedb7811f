"""Veo takes and scene animatics in a project, end to end on real processes: a real
`auteur serve` whose runners call the Vertex double (the real google-genai SDK and
google-auth service-account flow), and `auteur run --project` on the 'Run a scene' template.
The takes land on disk with their provenance, reach project.json through the manifest sync
and show in `GET /api/projects/{id}/tree`."""

from __future__ import annotations

import asyncio
import json
import shutil
import subprocess
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

from canvas_server.workspace.manifest import read_manifest
from canvas_server.workspace.store import NewProject, ProjectStore
from nodes.production.domain import VeoPayload
from nodes.production.veo_generate import payload_key

from ..media.media_fixtures import ffmpeg, ffprobe, stream
from ..server_harness import AUTEUR, collect_events, connect, running_server, wait_for_status
from .vertex_double import VertexDouble, done, inline

REPO = Path(__file__).resolve().parents[3]
RUN_A_SCENE = REPO / "workspace_templates" / "graphs" / "run_a_scene.json"
SCREENPLAY = REPO / "tests" / "data" / "screenplays" / "night_market.fountain"
SCRIPT = "02_Source_Creative/Scripts/night_market.fountain"
FPS = 24
SHOT = "Chapter_01/Scene_02/Shot_03"


@pytest.fixture(scope="module")
def clip(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    """A real one-second MP4 with sound, as Veo returns."""
    path = tmp_path_factory.mktemp("veo") / "clip.mp4"
    ffmpeg("-f", "lavfi", "-i", "color=c=teal:s=160x90:r=24:d=1", "-f", "lavfi", "-i", "sine=d=1",
           "-c:v", "libx264", "-pix_fmt", "yuv420p", "-c:a", "aac", "-shortest", str(path))
    return path.read_bytes()


def waited(read: Callable[[], Any], timeout: float = 20.0) -> Any:
    """The first truthy `read()` (the manifest sync runs just after the event)."""
    deadline = time.monotonic() + timeout
    while not (found := read()) and time.monotonic() < deadline:
        time.sleep(0.1)
    return found


def manifest(root: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((root / "project.json").read_text(encoding="utf-8"))
    return data


def scene(data: dict[str, Any], chapter: int, number: int) -> dict[str, Any]:
    found = [s for c in data["narrative"]["chapters"] if c["number"] == chapter for s in c["scenes"]
             if s["number"] == number]
    return found[0] if found else {}


def takes_in(tree: dict[str, Any]) -> list[str]:
    found = [tree["path"]] if tree["kind"] == "take" else []
    for child in tree["children"]:
        found += takes_in(child)
    return found


def veo_graph() -> dict[str, Any]:
    return {
        "1": {"class_type": "production.shot", "inputs": {
            "description": "A lighthouse at dawn, slow dolly in", "duration": 4.0,
            "chapter": 1, "scene": 2, "number": 3}},
        "2": {"class_type": "production.veo_payload", "inputs": {
            "shot": ["1", 0], "model": "veo-3.1-fast-generate-001", "seed": 7, "save_take": False}},
        "3": {"class_type": "production.veo_generate", "inputs": {"payload": ["2", 0]}},
    }


def test_a_veo_take_made_on_a_real_server_reaches_project_json_and_the_tree(
    tmp_path: Path, vertex: tuple[VertexDouble, dict[str, str]], clip: bytes
) -> None:
    double, env = vertex
    double.polls = [(200, {"name": "op", "done": False}), done(inline(clip))]
    workspace = tmp_path / "ws"
    with running_server(workspace, env) as server, httpx.Client(base_url=server.url, timeout=30) as client:
        created = client.post("/api/projects", json={"name": "Film"})
        assert created.status_code == 201, created.text
        root = workspace / "Projects" / "Film"

        async def scenario() -> list[dict[str, Any]]:
            async with connect(server, "director") as ws:
                await ws.recv()
                response = client.post("/api/runs", json={"graph": veo_graph(), "project": "Film",
                                                          "client_id": "director"})
                assert response.status_code == 202, response.text
                return await collect_events(ws, {"run_completed", "run_failed"}, timeout=90)

        events = asyncio.run(scenario())
        assert events[-1]["type"] == "run_completed", events[-1]
        run_id = events[-1]["run_id"]
        path = f"03_Renders/{SHOT}/S02_S03_take01.mp4"
        assert [e["data"] for e in events if e["type"] == "take_created"] == [
            {"project": "Film", "shot": SHOT, "take_number": 1, "path": path, "node_id": "3"}]
        assert (root / path).read_bytes() == clip
        assert len(double.of(":predictLongRunning")) == 1

        provenance = json.loads((root / path.replace(".mp4", ".provenance.json")).read_text())
        submitted = double.of(":predictLongRunning")[0].body
        payload = VeoPayload.model_validate(provenance["inputs"])
        assert payload.request.body() == submitted  # the provenance is the payload Vertex was sent
        assert provenance["run_id"] == run_id and provenance["status"] == "complete"
        assert provenance["source"]["payload_sha256"] == payload_key(payload)

        shot = waited(lambda: next(iter(
            [s for s in scene(manifest(root), 1, 2).get("shots", []) if s["number"] == 3 and s["takes"]]), None))
        assert shot, manifest(root)["narrative"]
        assert [(t["number"], t["path"], t["runId"]) for t in shot["takes"]] == [(1, path, run_id)]

        tree = client.get(f"/api/projects/{created.json()['id']}/tree")
        assert tree.status_code == 200, tree.text
        assert takes_in(tree.json()) == [path]


def test_run_a_scene_headless_cuts_the_returned_takes_into_the_scenes_animatic(
    tmp_path: Path, vertex: tuple[VertexDouble, dict[str, str]], clip: bytes
) -> None:
    double, env = vertex
    double.polls = [done(inline(clip))]
    workspace = tmp_path / "ws"
    ProjectStore(workspace).create(NewProject(name="Film"))
    root = workspace / "Projects" / "Film"
    shutil.copy(SCREENPLAY, root / SCRIPT)
    command = [*AUTEUR, "run", str(RUN_A_SCENE), "--project", "Film", "--json", "--tier", "low",
               "--set", f"1.script={SCRIPT}", "--set", "3.seed=7"]
    result = subprocess.run(command, capture_output=True, text=True, cwd=REPO, timeout=300, check=False,
                            env={**env, "AUTEUR_WORKSPACE": str(workspace), "AUTEUR_RUNNER_WORKERS": "1"})
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    record = json.loads(result.stdout)
    assert record["status"] == "completed", record["errors"]

    # the fanned-out generation: one list of take paths per shot
    generated = [paths[0] for paths in record["nodes"]["4"]["outputs"]["paths"]]
    shots = record["nodes"]["2"]["outputs"]["shots"]
    assert len(generated) == len(shots) == len(double.of(":predictLongRunning")) >= 2
    assert all((root / path).read_bytes() == clip for path in generated)

    animatic = record["nodes"]["5"]["outputs"]
    take = root / animatic["take"]
    assert animatic["take"] == "03_Renders/Chapter_01/Scene_01/Animatic/S01_S00_take01.mp4"
    assert animatic["sources"] == ["given"] * len(shots)
    provenance = json.loads(take.with_name(take.name.replace(".mp4", ".provenance.json")).read_text())
    assert provenance["inputs"]["pictures"] == [f"Projects/Film/{path}" for path in generated]
    expected = sum(shot["duration"] for shot in shots)
    assert float(ffprobe(take)["format"]["duration"]) == pytest.approx(expected, abs=1 / FPS)
    assert int(stream(take, "video")["nb_frames"]) == pytest.approx(expected * FPS, abs=1)

    # the CLI run's manifest sync lists the scene's animatic beside its shots' takes
    first = scene(manifest(root), 1, 1)
    assert [t["path"] for t in first["takes"]] == [animatic["take"]]
    assert sorted(t["path"] for s in first["shots"] for t in s["takes"] if t["path"].endswith(".mp4")) == \
        sorted(generated)


def test_a_scene_animatic_made_on_a_real_server_is_listed_under_its_scene_in_project_json_and_the_tree(
    tmp_path: Path,
) -> None:
    graph = {
        "1": {"class_type": "production.shot", "inputs": {"description": "The harbour at dawn", "duration": 1.5,
                                                         "chapter": 1, "scene": 2, "number": 1}},
        "2": {"class_type": "production.animatic", "inputs": {"shots": ["1", 0], "width": 320, "height": 180,
                                                             "labels": False}},
        "3": {"class_type": "core.show", "inputs": {"value": ["2", 0]}},
    }
    workspace = tmp_path / "ws"
    with running_server(workspace) as server, httpx.Client(base_url=server.url, timeout=30) as client:
        created = client.post("/api/projects", json={"name": "Film"})
        assert created.status_code == 201, created.text
        root = workspace / "Projects" / "Film"
        paths = []
        for _ in range(2):  # a second cut is a second take of the scene
            submitted = client.post("/api/runs", json={"graph": graph, "project": "Film"})
            assert submitted.status_code == 202, submitted.text
            run = wait_for_status(client, submitted.json()["run_id"], {"completed", "failed"}, timeout=90)
            assert run["status"] == "completed", run["errors"]
            paths.append(run["nodes"]["2"]["outputs"]["take"])
            graph["2"]["inputs"]["labels"] = True
        folder = "03_Renders/Chapter_01/Scene_02/Animatic"
        assert paths == [f"{folder}/S02_S00_take01.mp4", f"{folder}/S02_S00_take02.mp4"]

        found = waited(lambda: len(scene(manifest(root), 1, 2).get("takes", [])) == 2)
        listed = scene(manifest(root), 1, 2)
        assert found, listed
        assert [(t["number"], t["path"]) for t in listed["takes"]] == [(1, paths[0]), (2, paths[1])]
        assert listed["shots"] == []  # a scene take makes no shot entry

        tree = client.get(f"/api/projects/{created.json()['id']}/tree").json()
        [chapter] = [c for c in tree["children"] if c["kind"] == "chapter" and c["number"] == 1]
        [scene_node] = [s for s in chapter["children"] if s["number"] == 2]
        assert [(t["kind"], t["path"], t["active"]) for t in scene_node["children"]] == [
            ("take", paths[0], False), ("take", paths[1], True)]


def test_a_manifest_written_before_scene_takes_still_loads(tmp_path: Path) -> None:
    (tmp_path / "project.json").write_text(json.dumps({
        "schemaVersion": 1, "name": "Old", "narrative": {"chapters": [
            {"number": 1, "scenes": [{"number": 1, "shots": [{"number": 1, "takes": []}]}]}]}}))
    loaded = read_manifest(tmp_path)
    assert loaded.narrative.chapters[0].scenes[0].takes == []
    assert loaded.dump()["narrative"]["chapters"][0]["scenes"][0]["takes"] == []
