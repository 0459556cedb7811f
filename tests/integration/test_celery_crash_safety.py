"""Crash safety with real processes: a worker killed with SIGKILL mid-task, Redis down."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest

from function_runners.celery_runner import CeleryRunner

from .celery_cluster import RedisServer, Worker, wait_until
from .celery_media import make_project, media_executor, takes_of
from .executor_helpers import make_executor, prompt_of

pytestmark = pytest.mark.slow

# Short enough for a test, longer than any task here (it must exceed the longest task).
FAST_REDELIVERY = {"AUTEUR_CELERY_VISIBILITY_TIMEOUT_S": "5", "AUTEUR_CELERY_RESTORE_INTERVAL_S": "1"}


@pytest.fixture
def redis_server(tmp_path: Path) -> Iterator[RedisServer]:
    server = RedisServer(tmp_path / "redis").start()
    try:
        yield server
    finally:
        server.stop()


def _pid_of(label: str | None) -> int:
    assert label is not None
    return int(label.rsplit(":", 1)[1])


def test_a_task_whose_worker_is_killed_is_redelivered_and_the_run_makes_exactly_one_take(
    tmp_path: Path, redis_server: RedisServer
) -> None:
    workspace = tmp_path / "workspace"
    project = make_project(workspace)
    pid_file = tmp_path / "render.pid"
    graph = prompt_of({
        "load": ("media.load", {"path": "clip.mp4"}),
        "render": ("test.sleep", {"seconds": 2, "value": ["load", 0], "pid_file": str(pid_file)}),
        "take": ("production.save_take", {"media": ["render", 0], "shot_path": "Chapter_01/Scene_01/Shot_01"}),
    })
    first = Worker("standard", redis_server.url, tmp_path / "first.log", extra_env=FAST_REDELIVERY).start()
    second = Worker("standard", redis_server.url, tmp_path / "second.log", extra_env=FAST_REDELIVERY)

    async def scenario() -> None:
        runner = CeleryRunner(redis_server.url)
        await runner.start()
        try:
            run = asyncio.create_task(media_executor(workspace, runner).run(
                graph, project_root=project, project="Film"))
            await asyncio.to_thread(wait_until, pid_file.exists, 60, "the render to start")
            killed_pid = int(pid_file.read_text())
            first.kill9()
            await asyncio.to_thread(second.start)
            record = await asyncio.wait_for(run, 60)
        finally:
            await runner.close()
        assert record.status == "completed", record.errors
        assert _pid_of(record.nodes["render"].runner) != killed_pid
        assert record.outputs["take"]["take_number"] == 1

    try:
        asyncio.run(scenario())
    finally:
        first.stop()
        second.stop()
    assert [path.name for path in takes_of(project)] == ["S01_S01_take01.mp4"]


def test_redis_down_at_submit_fails_the_node_clearly_and_runs_proceed_when_it_returns(
    tmp_path: Path, redis_server: RedisServer
) -> None:
    graph = prompt_of({"s": ("test.sleep", {"seconds": 0, "value": "ok"}),
                       "out": ("core.show", {"value": ["s", 0]})})
    worker = Worker("standard", redis_server.url, tmp_path / "worker.log").start()

    async def scenario() -> None:
        runner = CeleryRunner(redis_server.url)
        await runner.start()
        try:
            assert runner.healthy()
            redis_server.stop()
            assert not runner.healthy()
            down = await make_executor(tmp_path, runner).run(graph)
            assert down.status == "failed"
            error = down.nodes["s"].error
            assert error is not None and error.code == "broker_unavailable"
            assert f"127.0.0.1:{redis_server.port}" in error.message and "unreachable" in error.message

            redis_server.start()
            await asyncio.to_thread(wait_until, runner.healthy, 10, "redis to answer again")
            again = await asyncio.wait_for(make_executor(tmp_path, runner).run(graph), 60)
            assert again.status == "completed", again.errors
            assert again.outputs["out"] == {"value": "ok"}
        finally:
            await runner.close()

    try:
        asyncio.run(scenario())
    finally:
        worker.stop()
