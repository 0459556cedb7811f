"""Real Celery workers, one per tier: routing, warm models, crashes, ffmpeg cancel, takes."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import pytest

from canvas_server.engine.cancel import CancelToken
from function_runners.base import TaskCallbacks
from function_runners.celery_runner import CeleryRunner
from function_runners.task import NodeTask

from .celery_cluster import Cluster, process_alive, wait_until
from .celery_media import MEDIA_PACKS, make_project, media_executor, takes_of
from .executor_helpers import make_executor, prompt_of

pytestmark = pytest.mark.slow  # starts Redis and three workers (about 10 s)


def _parent_of(pid: int) -> int:
    with open(f"/proc/{pid}/stat") as handle:
        return int(handle.read().rsplit(") ", 1)[1].split()[1])


def test_a_node_run_at_tier_high_runs_on_the_high_worker_and_low_on_the_low_worker(
    tmp_path: Path, celery_cluster: Cluster
) -> None:
    graph = prompt_of({"p": ("test.pid", {}), "out": ("core.show", {"value": ["p", 0]})})

    async def scenario() -> dict[str, tuple[str, int]]:
        runner = CeleryRunner(celery_cluster.broker_url)
        await runner.start()
        seen = {}
        try:
            for tier in ("high", "low"):
                record = await make_executor(tmp_path, runner).run(graph, tier=tier)
                assert record.status == "completed", record.errors
                entry = record.nodes["p"]
                assert entry.runner is not None and entry.tier == tier
                seen[tier] = (entry.runner, record.outputs["out"]["value"])
        finally:
            await runner.close()
        return seen

    seen = asyncio.run(scenario())
    for tier, (label, pid) in seen.items():
        assert label.startswith(f"celery:{tier}:")
        assert label.endswith(f":{pid}")
        # The pool process that ran it belongs to that tier's worker.
        worker = celery_cluster.workers[tier].process
        assert worker is not None and _parent_of(pid) == worker.pid


def test_a_worker_process_keeps_its_models_warm_between_tasks(tmp_path: Path, celery_cluster: Cluster) -> None:
    graph = prompt_of({"p": ("test.pid", {"model": "whisper-tiny"}), "out": ("core.show", {"value": ["p", 1]})})

    async def scenario() -> tuple[list[int], set[str | None]]:
        runner = CeleryRunner(celery_cluster.broker_url)
        await runner.start()
        try:
            loads, labels = [], set()
            for _ in range(3):
                record = await make_executor(tmp_path, runner).run(graph, tier="low")
                loads.append(record.outputs["out"]["value"])
                labels.add(record.nodes["p"].runner)
            return loads, labels
        finally:
            await runner.close()

    loads, labels = asyncio.run(scenario())
    assert len(labels) == 1  # the low worker's single pool process ran all three
    # That process loaded the model once and reused it for the later tasks.
    assert loads[1:] == [loads[0]] * 2


def test_cancelling_a_long_ffmpeg_node_on_a_worker_kills_ffmpeg_within_two_seconds(
    tmp_path: Path, celery_cluster: Cluster
) -> None:
    pid_file = tmp_path / "ffmpeg.pid"
    graph = prompt_of({
        "encode": ("test.ffmpeg_long", {"seconds": 120, "pid_file": str(pid_file)}),
        "out": ("core.show", {"value": ["encode", 0]}),
    })

    async def scenario() -> None:
        runner = CeleryRunner(celery_cluster.broker_url)
        await runner.start()
        cancel = CancelToken()
        try:
            run = asyncio.create_task(make_executor(tmp_path, runner).run(graph, tier="high", cancel=cancel))
            await asyncio.to_thread(wait_until, pid_file.exists, 30, "ffmpeg to start")
            await asyncio.sleep(0.3)
            ffmpeg_pid = int(pid_file.read_text())
            assert process_alive(ffmpeg_pid)
            cancelled_at = time.monotonic()
            cancel.cancel("director changed their mind")
            record = await run
            await asyncio.to_thread(wait_until, lambda: not process_alive(ffmpeg_pid), 2,
                                    "ffmpeg to die")
            assert time.monotonic() - cancelled_at < 2.0
        finally:
            await runner.close()
        assert record.status == "cancelled"
        assert record.nodes["encode"].status == "cancelled"

    asyncio.run(scenario())


def test_a_redelivered_save_take_task_returns_the_first_take_instead_of_making_a_second(
    tmp_path: Path, celery_cluster: Cluster
) -> None:
    workspace = tmp_path / "workspace"
    project = make_project(workspace)
    load = prompt_of({"load": ("media.load", {"path": "clip.mp4"}),
                      "out": ("core.show", {"value": ["load", 0]})})

    async def scenario() -> list[int]:
        runner = CeleryRunner(celery_cluster.broker_url)
        await runner.start()
        try:
            loaded = await media_executor(workspace, runner).run(load, project_root=project, project="Film")
            assert loaded.status == "completed", loaded.errors
            task = NodeTask(
                run_id="run-1", node_id="save", type="production.save_take", version="1.0.0",
                inputs={"media": loaded.outputs["out"]["value"], "shot_path": "Chapter_01/Scene_01/Shot_01"},
                tier="standard", scratch_dir=str(workspace / ".auteur" / "outputs" / "ab" / "abc"),
                workspace_root=str(workspace), project_root=str(project), project="Film",
                cache_key="ab" + "c" * 62, load_plugins=MEDIA_PACKS,
            )
            events: list[str] = []
            callbacks = TaskCallbacks(emit=lambda kind, data: events.append(kind))
            # The same message delivered twice (as after a worker died before acknowledging).
            first = await runner.run(task, callbacks)
            second = await runner.run(task, callbacks)
            assert first.error is None and second.error is None
            assert first.outputs == second.outputs
            assert events == ["take_created"]  # the redelivery did not run the node again
            return [first.outputs["take_number"], second.outputs["take_number"]]  # type: ignore[index]
        finally:
            await runner.close()

    assert asyncio.run(scenario()) == [1, 1]
    assert [path.name for path in takes_of(project)] == ["S01_S01_take01.mp4"]


@pytest.mark.slow
def test_a_node_that_kills_its_worker_process_fails_after_bounded_redeliveries(
    tmp_path: Path, celery_cluster: Cluster
) -> None:
    graph = prompt_of({"boom": ("test.crash", {"code": 7}), "after": ("test.sleep", {"value": ["boom", 0]}),
                       "out": ("core.show", {"value": ["after", 0]})})

    async def scenario() -> None:
        runner = CeleryRunner(celery_cluster.broker_url)
        await runner.start()
        try:
            record = await make_executor(tmp_path, runner).run(graph, tier="low")
        finally:
            await runner.close()
        assert record.status == "failed"
        error = record.nodes["boom"].error
        assert error is not None and error.code == "runner_crashed"
        assert "3 times" in error.message
        assert record.nodes["after"].status == "skipped"

    asyncio.run(scenario())
