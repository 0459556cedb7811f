"""A result is reused only where it is the same result (issue 19, H1 and H2).

H1: a node's cache key covers the run's project and the identity and content of every file a
path input names, so the same graph in another project, or over an edited file, runs again.
H2: identical nodes of concurrent runs run once (single flight) and never share or delete
each other's files: each execution stages in its own folder and takes the key's folder only
if it is absent.
"""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from canvas_server.engine.executor import Executor
from canvas_server.engine.record import RunRecord
from canvas_server.graph.prompt import ApiPrompt
from function_runners.local import LocalRunner

from .executor_helpers import make_executor, prompt_of
from .media.media_fixtures import make_video

PACKS = ["core", "media"]
CLIP = "01_Assets/Locations/secret_clip_2.mp4"


def load_graph(path: str = CLIP) -> ApiPrompt:
    return prompt_of({"load": ("media.load", {"path": path}),
                      "show": ("core.show", {"value": ["load", 0]})})


def trim_graph(path: str = CLIP) -> ApiPrompt:
    """A frame-exact (re-encoding) trim: long enough for two of them to overlap."""
    return prompt_of({"load": ("media.load", {"path": path}),
                      "trim": ("media.trim", {"video": ["load", 0], "start": "1", "duration": "4",
                                              "accurate": True}),
                      "show": ("core.show", {"value": ["trim", 0]})})


def with_executor(workspace: Path, body: Callable[[Executor], Awaitable[Any]], *, workers: int = 1) -> Any:
    async def scenario() -> Any:
        runner = LocalRunner(workers=workers, load_plugins=PACKS)
        await runner.start()
        try:
            return await body(make_executor(workspace, runner, PACKS))
        finally:
            await runner.close()

    return asyncio.run(scenario())


def project(workspace: Path, name: str) -> Path:
    root = workspace / name
    (root / "01_Assets" / "Locations").mkdir(parents=True, exist_ok=True)
    return root


def media_file(workspace: Path, record: RunRecord, node_id: str) -> Path:
    outputs = record.nodes[node_id].outputs
    assert outputs is not None
    ref = next(iter(outputs.values()))
    path = workspace / ref["path"]
    assert path.is_file(), f"{node_id}'s file {ref['path']} is gone"
    assert hashlib.sha256(path.read_bytes()).hexdigest() == ref["sha256"]
    return path


def test_the_same_load_in_another_project_is_not_served_from_the_first_projects_cache(tmp_path: Path) -> None:
    workspace = tmp_path / "ws"
    alice, bob = project(workspace, "AliceFilm"), project(workspace, "BobFilm")
    make_video(alice / CLIP, seconds=2)

    async def body(executor: Executor) -> tuple[RunRecord, RunRecord]:
        first = await executor.run(load_graph(), project="AliceFilm", project_root=alice)
        second = await executor.run(load_graph(), project="BobFilm", project_root=bob)
        return first, second

    first, second = with_executor(workspace, body)
    assert first.status == "completed" and first.nodes["load"].status == "completed"
    assert second.nodes["load"].status == "failed", second.nodes["load"]
    assert second.nodes["load"].error is not None and second.nodes["load"].error.code == "media_not_found"
    assert second.nodes["load"].cache_key != first.nodes["load"].cache_key
    assert second.outputs == {}


def test_one_user_with_two_projects_gets_each_projects_own_file(tmp_path: Path) -> None:
    workspace = tmp_path / "ws"
    short, long = project(workspace, "Short"), project(workspace, "Long")
    make_video(short / CLIP, seconds=1)
    make_video(long / CLIP, seconds=3)

    async def body(executor: Executor) -> list[RunRecord]:
        return [await executor.run(load_graph(), project=name, project_root=root)
                for name, root in (("Short", short), ("Long", long))]

    records = with_executor(workspace, body)
    assert [record.nodes["load"].status for record in records] == ["completed", "completed"]
    loaded = [media_file(workspace, record, "load") for record in records]
    assert loaded == [short / CLIP, long / CLIP]


def test_a_file_changed_under_the_same_path_is_loaded_again(tmp_path: Path) -> None:
    workspace = tmp_path / "ws"
    root = project(workspace, "Film")
    make_video(root / CLIP, seconds=1)

    async def body(executor: Executor) -> list[RunRecord]:
        first = await executor.run(load_graph(), project="Film", project_root=root)
        unchanged = await executor.run(load_graph(), project="Film", project_root=root)
        make_video(root / CLIP, seconds=2)  # the user replaces the clip, same name
        edited = await executor.run(load_graph(), project="Film", project_root=root)
        return [first, unchanged, edited]

    first, unchanged, edited = with_executor(workspace, body)
    assert [r.nodes["load"].status for r in (first, unchanged, edited)] == ["completed", "cached", "completed"]
    assert first.outputs["show"] != edited.outputs["show"]
    assert media_file(workspace, edited, "load") == root / CLIP  # the sha256 is the new content's


def test_two_concurrent_runs_of_the_same_trim_execute_it_once_and_both_keep_its_file(tmp_path: Path) -> None:
    workspace = tmp_path / "ws"
    film = project(workspace, "Film")  # a run reads only inside its project (or scratch folder)
    make_video(film / CLIP, seconds=6, size="640x480")

    async def body(executor: Executor) -> list[RunRecord]:
        return list(await asyncio.gather(executor.run(trim_graph(), project="Film", project_root=film), executor.run(trim_graph(), project="Film", project_root=film)))

    records = with_executor(workspace, body, workers=2)
    assert [record.status for record in records] == ["completed", "completed"], [r.errors for r in records]
    assert sorted(record.nodes["trim"].status for record in records) == ["cached", "completed"]
    trimmed = {media_file(workspace, record, "trim") for record in records}
    assert len(trimmed) == 1  # one execution, one file, both runs name it
    assert not list(trimmed.pop().parent.glob(".*partial*"))


def test_identical_trims_of_two_executors_on_one_workspace_never_delete_each_others_files(tmp_path: Path) -> None:
    """Two executors (two servers, or a run resumed beside its crashed twin) do not share a
    single flight: each execution stages privately; the second keeps its own folder."""
    workspace = tmp_path / "ws"
    film = project(workspace, "Film")  # a run reads only inside its project (or scratch folder)
    make_video(film / CLIP, seconds=6, size="640x480")

    async def body(first: Executor) -> list[RunRecord]:
        second = make_executor(workspace, first.runner, PACKS)
        return list(await asyncio.gather(first.run(trim_graph(), project="Film", project_root=film), second.run(trim_graph(), project="Film", project_root=film)))

    records = with_executor(workspace, body, workers=2)
    assert [record.status for record in records] == ["completed", "completed"], [r.errors for r in records]
    for record in records:
        media_file(workspace, record, "trim")


def test_a_crashed_executions_leftover_folder_is_neither_used_nor_deleted(tmp_path: Path) -> None:
    workspace = tmp_path / "ws"
    film = project(workspace, "Film")  # a run reads only inside its project (or scratch folder)
    make_video(film / CLIP, seconds=6, size="640x480")

    async def body(executor: Executor) -> tuple[RunRecord, RunRecord]:
        first = await executor.run(trim_graph(), project="Film", project_root=film)
        return first, await executor.run(trim_graph(), project="Film", project_root=film)

    # A first run finds the trim's key; then its results are lost as if the server had died
    # after ffmpeg started: only a half-written file remains in the key's folder.
    first, _ = with_executor(workspace, body)
    folder = media_file(workspace, first, "trim").parent
    for child in folder.iterdir():
        child.unlink()
    leftover = folder / ".clip.partial.mp4"
    leftover.write_bytes(b"half a clip")
    (workspace / ".auteur" / "cache").rename(workspace / ".auteur" / "cache-lost")

    def rerun(executor: Executor) -> Awaitable[RunRecord]:
        return executor.run(trim_graph(), project="Film", project_root=film)

    resumed = with_executor(workspace, rerun)
    assert resumed.status == "completed", resumed.errors
    assert resumed.nodes["trim"].status == "completed"
    assert media_file(workspace, resumed, "trim").parent != folder
    assert leftover.read_bytes() == b"half a clip"
