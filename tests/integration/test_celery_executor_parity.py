"""The executor behaves the same on the local runner and on real Celery workers."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

from canvas_server.engine.cancel import CancelToken
from function_runners.local import LocalRunner

from .celery_cluster import process_alive, wait_until
from .conftest_runners import RunnerFactory, runner_kind
from .executor_helpers import EventLog, make_executor, prompt_of


def test_a_value_flows_through_a_chain_of_runner_nodes(tmp_path: Path, runner_factory: RunnerFactory) -> None:
    graph = prompt_of({
        "n": ("core.integer", {"value": 41}),
        "s1": ("test.sleep", {"seconds": 0.1, "value": ["n", 0]}),
        "s2": ("test.sleep", {"seconds": 0.1, "value": ["s1", 0]}),
        "out": ("core.show", {"value": ["s2", 0]}),
    })

    async def scenario() -> None:
        runner = runner_factory()
        await runner.start()
        try:
            events = EventLog()
            record = await make_executor(tmp_path, runner).run(graph, on_event=events)
        finally:
            await runner.close()
        assert record.status == "completed", record.errors
        assert record.outputs["out"] == {"value": 41}
        assert record.nodes["s2"].runner is not None
        assert record.nodes["s2"].runner.startswith(f"{runner_kind(runner)}:")
        assert len(events.of("node_progress")) >= 2  # relayed from the runner process

    asyncio.run(scenario())


def test_a_failing_node_skips_its_descendants_while_an_independent_branch_finishes(
    tmp_path: Path, runner_factory: RunnerFactory
) -> None:
    graph = prompt_of({
        "bad": ("test.fail", {"message": "lens cap on"}),
        "after_bad": ("test.sleep", {"seconds": 0, "value": ["bad", 0]}),
        "show_bad": ("core.show", {"value": ["after_bad", 0]}),
        "good": ("test.sleep", {"seconds": 0.3, "value": "ok"}),
        "show_good": ("core.show", {"value": ["good", 0]}),
    })

    async def scenario() -> None:
        runner = runner_factory()
        await runner.start()
        try:
            record = await make_executor(tmp_path, runner).run(graph)
        finally:
            await runner.close()
        assert record.status == "failed"
        assert record.nodes["bad"].status == "failed"
        assert record.nodes["bad"].error is not None
        assert record.nodes["bad"].error.message == "lens cap on"
        assert record.nodes["bad"].error.details["error_type"] == "ValueError"
        assert record.nodes["after_bad"].status == "skipped"
        assert record.nodes["show_bad"].status == "skipped"
        assert record.outputs["show_good"] == {"value": "ok"}

    asyncio.run(scenario())


def test_independent_slow_branches_overlap_in_time(tmp_path: Path, runner_factory: RunnerFactory) -> None:
    graph = prompt_of({
        "a": ("test.sleep", {"seconds": 1.5, "value": "a"}),
        "b": ("test.sleep", {"seconds": 1.5, "value": "b"}),
        "show_a": ("core.show", {"value": ["a", 0]}),
        "show_b": ("core.show", {"value": ["b", 0]}),
    })

    async def scenario() -> None:
        runner = runner_factory()
        await runner.start()
        if isinstance(runner, LocalRunner):
            await runner.ready()  # the figure times the run, not the processes' start
        try:
            started = time.monotonic()
            record = await make_executor(tmp_path, runner).run(graph)
            elapsed = time.monotonic() - started
        finally:
            await runner.close()
        assert record.status == "completed", record.errors
        assert elapsed < 2.7, f"branches ran one after the other ({elapsed:.2f} s)"
        a, b = record.nodes["a"], record.nodes["b"]
        assert a.started_at is not None and b.started_at is not None
        assert a.finished_at is not None and b.finished_at is not None
        assert max(a.started_at, b.started_at) < min(a.finished_at, b.finished_at)

    asyncio.run(scenario())


def test_cancelling_a_run_kills_a_node_that_ignores_cancellation_within_two_seconds(
    tmp_path: Path, runner_factory: RunnerFactory
) -> None:
    pid_file = tmp_path / "sleeper.pid"
    graph = prompt_of({
        "slow": ("test.sleep", {"seconds": 60, "value": 1, "pid_file": str(pid_file)}),
        "out": ("core.show", {"value": ["slow", 0]}),
    })

    async def scenario() -> None:
        runner = runner_factory()
        await runner.start()
        cancel = CancelToken()
        try:
            run = asyncio.create_task(make_executor(tmp_path, runner).run(graph, cancel=cancel))
            await asyncio.to_thread(wait_until, pid_file.exists, 30, "the node to start")
            await asyncio.sleep(0.2)
            pid = int(pid_file.read_text())
            cancelled_at = time.monotonic()
            cancel.cancel("stop the render")
            record = await run
            await asyncio.to_thread(wait_until, lambda: not process_alive(pid), 2, "the node's process to die")
            gone_after = time.monotonic() - cancelled_at
        finally:
            await runner.close()
        assert record.status == "cancelled"
        assert record.nodes["slow"].status == "cancelled"
        assert record.nodes["out"].status == "cancelled"
        assert gone_after < 2.0

    asyncio.run(scenario())
