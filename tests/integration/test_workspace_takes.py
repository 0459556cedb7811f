"""`production.save_take` run exactly as a runner runs it: numbering, provenance, concurrency,
idempotency, LFS, the takes gallery and the active take."""

from __future__ import annotations

import asyncio
import json
import multiprocessing
import subprocess
from pathlib import Path
from typing import Any

import pytest

from canvas_server.engine.executor import Executor
from canvas_server.engine.record import RunRecord
from canvas_server.graph.prompt import ApiPrompt
from canvas_server.workspace import takes as take_service
from canvas_server.workspace.manifest import Chapter, Scene, Shot
from canvas_server.workspace.store import NewProject, ProjectStore
from function_runners.execute import execute_task, principal_scratch
from function_runners.local import LocalRunner
from function_runners.result_cache import ResultCache
from function_runners.task import NodeResult, NodeTask
from function_runners.tiers import load_tiers
from nodes.sdk import ModelCache, NodeRegistry, PathSandbox, RunContext, discover, sha256_file
from nodes.sdk.takes import SceneCoords, ShotCoords

SHOT_DIR = "03_Renders/Chapter_01/Scene_01/Shot_01"


@pytest.fixture(scope="module")
def registry() -> NodeRegistry:
    found = discover(only=["core", "production"])
    assert not found.failures, found.failures
    return found


@pytest.fixture
def store(tmp_path: Path) -> ProjectStore:
    store = ProjectStore(tmp_path / "workspace")
    store.create(NewProject(name="Film"))
    return store


def make_png(path: Path, colour: str = "red") -> Path:
    """A real 64x48 PNG made by ffmpeg."""
    path.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        ["ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i", f"color=c={colour}:s=64x48", "-frames:v", "1", str(path)],
        check=True,
    )
    return path


def media_input(store: ProjectStore, path: Path) -> dict[str, Any]:
    return {
        "path": path.relative_to(store.workspace).as_posix(),
        "sha256": sha256_file(path),
        "mime": "image/png",
        "kind": "image",
        "width": 64,
        "height": 48,
    }


def save_task(store: ProjectStore, media: dict[str, Any], run_id: str, graph_hash: str | None = None,
              **inputs: Any) -> NodeTask:
    root = store.projects_dir / "Film"
    return NodeTask(
        run_id=run_id, node_id="9", type="production.save_take", version="1.1.0",
        inputs={"media": media, **inputs}, tier="standard",
        scratch_dir=str(store.workspace / ".auteur" / "scratch" / run_id),
        workspace_root=str(store.workspace), project_root=str(root), project="Film",
        graph_hash=graph_hash,
    )


def run(task: NodeTask, registry: NodeRegistry, events: list[tuple[str, dict[str, Any]]] | None = None) -> NodeResult:
    sink = events if events is not None else []
    return execute_task(task, registry, ModelCache(), runner="test", emit=lambda kind, data: sink.append((kind, data)))


def test_a_saved_take_gets_the_deterministic_name_provenance_and_an_event(store: ProjectStore, registry: NodeRegistry) -> None:
    source = make_png(store.projects_dir / "Film/05_Cache/render.png")
    events: list[tuple[str, dict[str, Any]]] = []
    result = run(save_task(store, media_input(store, source), "run-1", graph_hash="abc123"), registry, events)
    assert result.ok, result.error
    take = store.projects_dir / "Film" / SHOT_DIR / "S01_S01_take01.png"
    assert take.read_bytes() == source.read_bytes()
    assert result.outputs is not None and result.outputs["take_number"] == 1
    assert result.outputs["take"]["path"] == f"Projects/Film/{SHOT_DIR}/S01_S01_take01.png"
    assert result.outputs["take"]["width"] == 64
    provenance = json.loads((take.parent / "S01_S01_take01.provenance.json").read_text())
    assert provenance["status"] == "complete"
    assert (provenance["run_id"], provenance["node_id"], provenance["graph_hash"], provenance["tier"]) == (
        "run-1", "9", "abc123", "standard",
    )
    assert provenance["inputs"]["chapter"] == 1 and provenance["sha256"] == sha256_file(take)
    assert events == [
        ("take_created", {"project": "Film", "shot": "Chapter_01/Scene_01/Shot_01", "take_number": 1,
                          "path": f"{SHOT_DIR}/S01_S01_take01.png"}),
    ]


def test_a_shot_path_places_the_take_in_another_scene(store: ProjectStore, registry: NodeRegistry) -> None:
    source = make_png(store.projects_dir / "Film/05_Cache/render.png")
    result = run(save_task(store, media_input(store, source), "run-1", shot_path="Chapter_02/Scene_03/Shot_04"), registry)
    assert result.ok, result.error
    assert (store.projects_dir / "Film/03_Renders/Chapter_02/Scene_03/Shot_04/S03_S04_take01.png").is_file()


def test_a_redelivered_task_does_not_create_a_second_take(store: ProjectStore, registry: NodeRegistry) -> None:
    source = make_png(store.projects_dir / "Film/05_Cache/render.png")
    task = save_task(store, media_input(store, source), "run-1")
    first, again = run(task, registry), run(task, registry)
    assert first.outputs == again.outputs
    files = sorted(path.name for path in (store.projects_dir / "Film" / SHOT_DIR).iterdir())
    assert files == [".gitkeep", "S01_S01_take01.png", "S01_S01_take01.provenance.json"]


def test_a_later_run_gets_the_next_take_and_never_overwrites(store: ProjectStore, registry: NodeRegistry) -> None:
    red = make_png(store.projects_dir / "Film/05_Cache/red.png", "red")
    blue = make_png(store.projects_dir / "Film/05_Cache/blue.png", "blue")
    run(save_task(store, media_input(store, red), "run-1"), registry)
    second = run(save_task(store, media_input(store, blue), "run-2"), registry)
    assert second.outputs is not None and second.outputs["take_number"] == 2
    shot = store.projects_dir / "Film" / SHOT_DIR
    assert (shot / "S01_S01_take01.png").read_bytes() == red.read_bytes()
    assert (shot / "S01_S01_take02.png").read_bytes() == blue.read_bytes()


def test_save_take_outside_a_project_fails_with_a_clear_code(store: ProjectStore, registry: NodeRegistry) -> None:
    source = make_png(principal_scratch(store.workspace, None) / "loose.png")  # the run's own folder
    task = save_task(store, media_input(store, source), "run-1").model_copy(update={"project_root": None, "project": None})
    result = run(task, registry)
    assert result.error is not None and result.error.code == "project_required"


def with_screenplay_shot(store: ProjectStore) -> None:
    """project.json's Chapter 1 / Scene 1 / Shot 1 is a screenplay's shot (a breakdown named it)."""
    with store.editing("Film") as manifest:
        manifest.narrative.chapters = [Chapter(number=1, scenes=[Scene(number=1, shots=[
            Shot(number=1, id="sh-cup", description="Mara sets down a cup."), Shot(number=2, id="sh-door")])])]


def test_a_save_take_left_at_its_default_shot_is_not_filed_as_the_screenplays_shot_1(
    store: ProjectStore, registry: NodeRegistry,
) -> None:
    with_screenplay_shot(store)
    source = make_png(store.projects_dir / "Film/05_Cache/render.png")
    result = run(save_task(store, media_input(store, source), "run-1"), registry)
    assert result.error is not None and result.error.code == "shot_mismatch", result.outputs
    assert "default Chapter 1 / Scene 1 / Shot 1" in result.error.message and "sh-cup" in result.error.message
    assert not any((store.projects_dir / "Film" / SHOT_DIR).glob("*take*"))


def test_a_save_take_naming_a_shot_id_files_the_take_where_that_shot_is(store: ProjectStore, registry: NodeRegistry) -> None:
    with_screenplay_shot(store)
    source = make_png(store.projects_dir / "Film/05_Cache/render.png")
    result = run(save_task(store, media_input(store, source), "run-1", shot_id="sh-door"), registry)
    assert result.ok and result.outputs is not None, result.error
    assert result.outputs["path"] == "03_Renders/Chapter_01/Scene_01/Shot_02/S01_S02_take01.png"
    unknown = run(save_task(store, media_input(store, source), "run-2", shot_id="sh-nowhere"), registry)
    assert unknown.error is not None and unknown.error.code == "shot_not_found"


def film_context(store: ProjectStore, type_id: str) -> RunContext:
    """The context a node of `type_id` runs with in project Film (its `ctx.takes`)."""
    return RunContext(
        run_id="run-1", node_id="5", type_id=type_id, tier="standard", tier_params={},
        workspace_root=store.workspace, sandbox=PathSandbox([store.projects_dir / "Film"]),
        scratch_dir=store.workspace / ".auteur" / "scratch", models=ModelCache(), project="Film",
        project_root=store.projects_dir / "Film", graph_hash="g1", emit=lambda kind, data: None,
    )


def test_a_shot_made_by_its_takes_carries_the_id_they_were_made_for(store: ProjectStore) -> None:
    context = film_context(store, "test.saver")
    context.takes.save(ShotCoords(1, 1, 4), b"{}", suffix=".json", shot_id="shot-c01-s01-04")
    shot = take_service.sync_manifest(store, "Film").narrative.shot(1, 1, 4)
    assert shot is not None and shot.id == "shot-c01-s01-04"


def test_a_scenes_own_take_is_listed_as_the_scenes_not_as_a_shot(store: ProjectStore) -> None:
    context = film_context(store, "production.animatic")
    context.takes.save(SceneCoords(1, 1), b"mp4", suffix=".mp4", inputs={"fps": 24})
    assert all(not shot.takes for shot in take_service.gallery(store, "Film"))
    [scene] = take_service.scene_galleries(store.projects_dir / "Film")
    assert (scene.key, scene.chapter, scene.scene) == ("Chapter_01/Scene_01/Animatic", 1, 1)
    [take] = scene.takes
    assert take.provenance.inputs == {"fps": 24} and take.provenance.run_id == "run-1" and take.active


@pytest.mark.parametrize("shot_path", ["../../../outside", "Chapter_01/Scene_01/Shot_01/../../..", "/tmp/Chapter_01"])
def test_a_shot_path_that_escapes_is_refused(store: ProjectStore, registry: NodeRegistry, shot_path: str) -> None:
    source = make_png(store.projects_dir / "Film/05_Cache/render.png")
    result = run(save_task(store, media_input(store, source), "run-1", shot_path=shot_path), registry)
    assert result.error is not None and result.error.code == "shot_invalid"


MEDIA_PAYLOADS = [
    "../outside.png", "Projects/../../outside.png", "%2e%2e/outside.png", "..%2Foutside.png",
    "..\\outside.png", "C:/outside.png", "outside\x00.png", "/dev/zero", "escape/outside.png", "{absolute}",
]


@pytest.mark.parametrize("payload", MEDIA_PAYLOADS)
def test_media_paths_outside_the_workspace_are_refused(
    store: ProjectStore, registry: NodeRegistry, tmp_path: Path, payload: str
) -> None:
    outside = make_png(tmp_path / "outside.png")
    (store.workspace / "escape").symlink_to(tmp_path)
    path = payload.format(absolute=outside)
    media = {"path": path, "sha256": sha256_file(outside), "mime": "image/png", "kind": "image"}
    result = run(save_task(store, media, "run-1"), registry)
    assert result.error is not None and result.error.code == "path_forbidden", result.error
    assert not any((store.projects_dir / "Film" / SHOT_DIR).glob("*take*"))


def _save_in_process(task_json: str, barrier: Any, results: Any) -> None:
    barrier.wait()  # every process allocates at the same moment
    registry = discover(only=["core", "production"])
    result = execute_task(NodeTask.model_validate_json(task_json), registry, ModelCache(), runner="proc")
    results.put(result.model_dump_json())


@pytest.mark.slow
def test_twenty_concurrent_runs_yield_take01_to_take20_each_with_provenance(store: ProjectStore) -> None:
    context = multiprocessing.get_context("fork")
    # Colours far apart: near greys can encode to the same PNG, and equal bytes share one take.
    sources = [make_png(store.projects_dir / f"Film/05_Cache/r{i}.png", f"0x{i * 12:02x}{255 - i * 12:02x}{i * 37 % 256:02x}")
               for i in range(20)]
    assert len({sha256_file(source) for source in sources}) == 20
    barrier, results = context.Barrier(20), context.Queue()
    tasks = [save_task(store, media_input(store, src), f"run-{i}") for i, src in enumerate(sources)]
    processes = [context.Process(target=_save_in_process, args=(t.model_dump_json(), barrier, results)) for t in tasks]
    for process in processes:
        process.start()
    outcomes = [NodeResult.model_validate_json(results.get(timeout=120)) for _ in processes]
    for process in processes:
        process.join(timeout=30)
    assert all(outcome.ok for outcome in outcomes), [o.error for o in outcomes if not o.ok]
    assert sorted(o.outputs["take_number"] for o in outcomes if o.outputs) == list(range(1, 21))
    shot = store.projects_dir / "Film" / SHOT_DIR
    for number in range(1, 21):
        provenance = json.loads((shot / f"S01_S01_take{number:02d}.provenance.json").read_text())
        source = sources[int(provenance["run_id"].split("-")[1])]
        assert (shot / f"S01_S01_take{number:02d}.png").read_bytes() == source.read_bytes()
        assert provenance["status"] == "complete"
    assert not list(shot.glob(".take-*"))


def test_the_gallery_lists_takes_and_the_active_take_can_be_chosen(store: ProjectStore, registry: NodeRegistry) -> None:
    for i, colour in enumerate(["red", "green", "blue"]):
        source = make_png(store.projects_dir / f"Film/05_Cache/{colour}.png", colour)
        run(save_task(store, media_input(store, source), f"run-{i}"), registry)
    [shot] = [item for item in take_service.gallery(store, "Film") if item.takes]
    assert [t.number for t in shot.takes] == [1, 2, 3] and shot.active_take == 3
    chosen = take_service.set_active(store, "Film", ShotCoords(1, 1, 1), 2)
    assert chosen.active_take == 2 and [t.active for t in chosen.takes] == [False, True, False]
    manifest = take_service.sync_manifest(store, "Film")
    mirrored = manifest.narrative.shot(1, 1, 1)
    assert mirrored is not None and mirrored.active_take == 2
    assert [entry.number for entry in mirrored.takes] == [1, 2, 3]


def test_a_committed_take_is_stored_in_git_as_an_lfs_pointer(store: ProjectStore, registry: NodeRegistry) -> None:
    source = make_png(store.projects_dir / "Film/05_Cache/render.png")
    run(save_task(store, media_input(store, source), "run-1"), registry)
    repo = store.repo("Film")
    info = repo.commit("Take 1 of shot 1")
    assert f"{SHOT_DIR}/S01_S01_take01.png" in info.files
    assert f"{SHOT_DIR}/S01_S01_take01.provenance.json" in info.files
    assert repo.is_lfs_pointer(f"{SHOT_DIR}/S01_S01_take01.png")
    assert not repo.is_lfs_pointer(f"{SHOT_DIR}/S01_S01_take01.provenance.json")
    assert not any(entry.path.startswith("05_Cache") for entry in repo.status())


def test_an_unchanged_rerun_reports_the_take_it_already_made_instead_of_a_copy(store: ProjectStore) -> None:
    """Load → Trim → Thumbnail → Save Take, run twice unchanged through the real executor: Save
    Take runs again (it is never cached) but finds its bytes are the shot's newest take."""
    root = store.projects_dir / "Film"
    subprocess.run(["ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i", "testsrc=size=64x48:rate=24:duration=3",
                    "-pix_fmt", "yuv420p", str(root / "01_Assets" / "clip.mp4")], check=True)
    graph = ApiPrompt.model_validate({
        "load": {"class_type": "media.load", "inputs": {"path": "01_Assets/clip.mp4"}},
        "trim": {"class_type": "media.trim", "inputs": {"video": ["load", 0], "start": "0", "duration": "2"}},
        "still": {"class_type": "media.thumbnail", "inputs": {"video": ["trim", 0], "timestamp": "1"}},
        "save": {"class_type": "production.save_take", "inputs": {"media": ["still", 0]}},
    })
    packs = ["core", "media", "production"]

    async def twice() -> list[RunRecord]:
        runner = LocalRunner(workers=1, load_plugins=packs)
        await runner.start()
        try:
            executor = Executor(registry=discover(only=packs), runner=runner, tiers=load_tiers(),
                                cache=ResultCache(store.workspace / ".auteur" / "cache", store.workspace),
                                workspace=store.workspace, load_plugins=packs)
            return [await executor.run(graph, project="Film", project_root=root, tier="high") for _ in range(2)]
        finally:
            await runner.close()

    first, second = asyncio.run(twice())
    assert first.status == second.status == "completed", (first.errors, second.errors)
    assert second.nodes["still"].status == "cached" and second.nodes["save"].status == "completed"
    assert first.nodes["save"].outputs["take_number"] == second.nodes["save"].outputs["take_number"] == 1  # type: ignore[index]
    shot = root / SHOT_DIR
    assert sorted(path.name for path in shot.glob("*take*")) == ["S01_S01_take01.jpg", "S01_S01_take01.provenance.json"]
    provenance = json.loads((shot / "S01_S01_take01.provenance.json").read_text())
    assert provenance["run_id"] == first.run_id
    assert [run["run_id"] for run in provenance["runs"]] == [first.run_id, second.run_id]
    [listed] = [item for item in take_service.gallery(store, "Film") if item.takes]
    assert listed.active_take == 1 and [take.number for take in listed.takes] == [1]


def test_new_bytes_after_an_unchanged_rerun_still_get_the_next_take(store: ProjectStore, registry: NodeRegistry) -> None:
    red = make_png(store.projects_dir / "Film/05_Cache/red.png", "red")
    blue = make_png(store.projects_dir / "Film/05_Cache/blue.png", "blue")
    events: list[tuple[str, dict[str, Any]]] = []
    numbers = [run(save_task(store, media_input(store, source), f"run-{i}"), registry, events).outputs["take_number"]  # type: ignore[index]
               for i, source in enumerate([red, red, blue, red])]
    assert numbers == [1, 1, 2, 3]  # only the newest take is compared: going back to red is a new take
    assert [data["take_number"] for kind, data in events if kind == "take_created"] == [1, 2, 3]


def test_a_standalone_shots_payload_is_not_filed_as_the_screenplays_shot_1(store: ProjectStore) -> None:
    """Shot (left at chapter 1 / scene 1 / shot 1) → Veo Payload, run by the real executor in a
    project whose Shot 1 is a screenplay's: refused, nothing filed there."""
    with_screenplay_shot(store)
    root = store.projects_dir / "Film"
    graph = ApiPrompt.model_validate({
        "shot": {"class_type": "production.shot", "inputs": {"description": "A lighthouse at dusk."}},
        "payload": {"class_type": "production.veo_payload", "inputs": {"shot": ["shot", 0]}},
    })
    packs = ["core", "production"]

    async def once() -> RunRecord:
        runner = LocalRunner(workers=1, load_plugins=packs)
        await runner.start()
        try:
            executor = Executor(registry=discover(only=packs), runner=runner, tiers=load_tiers(),
                                cache=ResultCache(store.workspace / ".auteur" / "cache", store.workspace),
                                workspace=store.workspace, load_plugins=packs)
            return await executor.run(graph, project="Film", project_root=root, tier="low")
        finally:
            await runner.close()

    record = asyncio.run(once())
    assert record.status == "failed"
    error = record.nodes["payload"].error
    assert error is not None and error.code == "shot_mismatch" and "Mara sets down a cup." in error.message
    assert not any((root / SHOT_DIR).glob("*take*"))
