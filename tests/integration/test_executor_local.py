"""The executor on the local process-pool runner: caching, parallelism, failure, cancel."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import pytest

from canvas_server.engine.cancel import CancelToken
from function_runners.local import LocalRunner

from .celery_cluster import process_alive
from .executor_helpers import PACKS, EventLog, add_chain, make_executor, prompt_of


def test_a_chain_of_1000_adds_computes_1000_and_rerun_executes_nothing(tmp_path: Path) -> None:
    async def scenario() -> None:
        runner = LocalRunner(workers=1, load_plugins=PACKS)
        await runner.start()
        try:
            executor = make_executor(tmp_path, runner)
            first = await executor.run(add_chain(1000))
            assert first.status == "completed"
            assert first.outputs["out"] == {"value": 1000}
            assert first.count("completed") == 1002
            again = await executor.run(add_chain(1000))
            assert again.outputs["out"] == {"value": 1000}
            assert again.count("completed") == 0 and again.count("cached") == 1002
        finally:
            await runner.close()

    asyncio.run(scenario())


def test_changing_node_500_reexecutes_it_its_500_descendants_and_the_output(tmp_path: Path) -> None:
    async def scenario() -> None:
        runner = LocalRunner(workers=1, load_plugins=PACKS)
        await runner.start()
        try:
            await make_executor(tmp_path, runner).run(add_chain(1000))
            # A fresh executor and cache object: hits must come from the cache on disk.
            changed = await make_executor(tmp_path, runner).run(add_chain(1000, bump=500))
        finally:
            await runner.close()
        executed = {nid for nid, rec in changed.nodes.items() if rec.status == "completed"}
        assert executed == {str(i) for i in range(500, 1001)} | {"out"}
        assert len(executed) == 502
        assert changed.count("cached") == 500
        assert changed.outputs["out"] == {"value": 1001}

    asyncio.run(scenario())


def test_independent_slow_branches_overlap_in_time_on_the_local_runner(tmp_path: Path) -> None:
    graph = prompt_of({
        "a": ("test.sleep", {"seconds": 1.0, "value": "a"}),
        "b": ("test.sleep", {"seconds": 1.0, "value": "b"}),
        "show_a": ("core.show", {"value": ["a", 0]}),
        "show_b": ("core.show", {"value": ["b", 0]}),
    })

    async def scenario() -> None:
        runner = LocalRunner(workers=2, load_plugins=PACKS)
        await runner.start()
        await runner.ready()  # the figure times the run, not the processes' start
        try:
            started = time.monotonic()
            record = await make_executor(tmp_path, runner).run(graph)
            elapsed = time.monotonic() - started
        finally:
            await runner.close()
        a, b = record.nodes["a"], record.nodes["b"]
        assert record.status == "completed"
        assert a.runner != b.runner  # two different worker processes
        overlap = min(a.finished_at, b.finished_at) - max(a.started_at, b.started_at)  # type: ignore[type-var,operator]
        assert overlap > 0.8, f"branches overlapped only {overlap:.2f}s"
        assert elapsed < 1.8

    asyncio.run(scenario())


def test_a_failing_node_skips_only_its_descendants_and_reports_its_error(tmp_path: Path) -> None:
    graph = prompt_of({
        "ok": ("test.sleep", {"seconds": 0.2, "value": 7}),
        "bad": ("test.fail", {"message": "disk on fire"}),
        "after_bad": ("core.show", {"value": ["bad", 0]}),
        "after_ok": ("core.show", {"value": ["ok", 0]}),
    })

    async def scenario() -> None:
        runner = LocalRunner(workers=2, load_plugins=PACKS)
        await runner.start()
        events = EventLog()
        try:
            record = await make_executor(tmp_path, runner).run(graph, on_event=events)
        finally:
            await runner.close()
        assert record.status == "failed"
        assert record.nodes["bad"].status == "failed"
        assert record.nodes["after_bad"].status == "skipped"
        assert record.nodes["after_ok"].status == "completed"
        assert record.outputs == {"after_ok": {"value": 7}}
        error = record.nodes["bad"].error
        assert error is not None and error.message == "disk on fire"
        assert error.details["error_type"] == "ValueError"
        # The traceback is kept for the server's log (and `auteur run --debug`), never in the
        # record's JSON.
        assert "traceback" not in error.details
        assert "raise ValueError(self.message)" in record.tracebacks["bad"]
        assert "raise ValueError" not in record.model_dump_json()
        assert [e.data["node_id"] for e in events.of("node_failed")] == ["bad"]
        assert events.types()[-1] == "run_failed"

    asyncio.run(scenario())


def test_cancelling_a_run_kills_the_running_nodes_process_within_two_seconds(tmp_path: Path) -> None:
    pid_file = tmp_path / "sleeper.pid"
    graph = prompt_of({
        "slow": ("test.sleep", {"seconds": 60, "pid_file": str(pid_file)}),
        "show": ("core.show", {"value": ["slow", 0]}),
    })

    async def scenario() -> None:
        runner = LocalRunner(workers=1, load_plugins=PACKS)
        await runner.start()
        token = CancelToken()
        events = EventLog()
        try:
            run = asyncio.create_task(make_executor(tmp_path, runner).run(graph, cancel=token, on_event=events))
            while not pid_file.exists():
                await asyncio.sleep(0.05)
            pid = int(pid_file.read_text())
            asyncio.get_running_loop().call_later(0.2, token.cancel)
            await asyncio.sleep(0.2)
            cancelled_at = time.monotonic()
            record = await asyncio.wait_for(run, timeout=5)
            while process_alive(pid) and time.monotonic() - cancelled_at < 2:
                await asyncio.sleep(0.02)
            assert not process_alive(pid), "the node's process survived the cancel"
            assert time.monotonic() - cancelled_at < 2
            assert record.status == "cancelled"
            assert record.nodes["slow"].status == "cancelled"
            assert record.nodes["show"].status == "cancelled"
            assert events.types()[-1] == "run_cancelled"
            # The pool replaced the killed process and still runs work.
            after = await make_executor(tmp_path, runner).run(add_chain(3))
            assert after.outputs["out"] == {"value": 3}
        finally:
            await runner.close()

    asyncio.run(scenario())


def test_a_crashing_worker_process_fails_its_node_and_the_pool_keeps_working(tmp_path: Path) -> None:
    graph = prompt_of({
        "crash": ("test.crash", {"code": 3}),
        "show": ("core.show", {"value": ["crash", 0]}),
    })
    after = prompt_of({
        "s": ("test.sleep", {"seconds": 0.1, "value": "alive"}),
        "show": ("core.show", {"value": ["s", 0]}),
    })

    async def scenario() -> None:
        runner = LocalRunner(workers=1, load_plugins=PACKS)
        await runner.start()
        try:
            executor = make_executor(tmp_path, runner)
            record = await asyncio.wait_for(executor.run(graph), timeout=10)
            second = await asyncio.wait_for(executor.run(after), timeout=10)
        finally:
            await runner.close()
        error = record.nodes["crash"].error
        assert record.status == "failed" and error is not None
        assert error.code == "runner_crashed" and "exit code 3" in error.message
        assert second.outputs["show"] == {"value": "alive"}

    asyncio.run(scenario())


def test_a_runner_process_keeps_its_models_warm_between_tasks(tmp_path: Path) -> None:
    graph = prompt_of({"pid": ("test.pid", {"model": "whisper-ish"}), "show": ("core.show", {"value": ["pid", 0]})})

    async def scenario() -> None:
        runner = LocalRunner(workers=1, load_plugins=PACKS)
        await runner.start()
        try:
            executor = make_executor(tmp_path, runner)
            first = await executor.run(graph)
            second = await executor.run(graph)  # test.pid is cache=False: it runs again
        finally:
            await runner.close()
        assert first.nodes["pid"].status == second.nodes["pid"].status == "completed"
        assert first.nodes["pid"].outputs["pid"] == second.nodes["pid"].outputs["pid"]  # type: ignore[index]
        assert second.nodes["pid"].outputs["loads"] == 1  # type: ignore[index]

    asyncio.run(scenario())


def test_events_arrive_in_order_with_progress_and_cached_nodes(tmp_path: Path) -> None:
    graph = prompt_of({"p": ("test.progress", {"steps": 5}), "show": ("core.show", {"value": ["p", 0]})})

    async def scenario() -> tuple[EventLog, EventLog]:
        runner = LocalRunner(workers=1, load_plugins=PACKS)
        await runner.start()
        cold, warm = EventLog(), EventLog()
        try:
            executor = make_executor(tmp_path, runner)
            await executor.run(graph, on_event=cold)
            await executor.run(graph, on_event=warm)
        finally:
            await runner.close()
        return cold, warm

    cold, warm = asyncio.run(scenario())
    assert cold.types() == ["run_started", "node_started", *["node_progress"] * 5, "node_completed",
                            "node_started", "node_completed", "run_completed"]
    assert [e.data["progress"] for e in cold.of("node_progress")] == [0.2, 0.4, 0.6, 0.8, 1.0]
    assert warm.types() == ["run_started", "node_cached", "node_cached", "run_completed"]


@pytest.mark.parametrize("targets", [["mid"]])
def test_explicit_targets_run_only_their_ancestors(tmp_path: Path, targets: list[str]) -> None:
    graph = prompt_of({
        "one": ("core.integer", {"value": 1}),
        "mid": ("core.add", {"a": ["one", 0], "b": 1}),
        "other": ("core.integer", {"value": 9}),
        "show": ("core.show", {"value": ["other", 0]}),
    })

    async def scenario() -> None:
        runner = LocalRunner(workers=1, load_plugins=PACKS)
        await runner.start()
        try:
            record = await make_executor(tmp_path, runner).run(graph, targets=targets)
        finally:
            await runner.close()
        assert set(record.nodes) == {"one", "mid"}
        assert record.nodes["mid"].outputs == {"value": 2}

    asyncio.run(scenario())


def test_a_node_pinned_to_a_tier_runs_with_that_tiers_parameters(tmp_path: Path) -> None:
    graph = prompt_of({
        "fast": ("core.integer", {"value": 1}),
        "show": ("core.show", {"value": ["fast", 0]}),
    })
    graph.nodes()["fast"].tier = "high"
    bad = prompt_of({"x": ("core.integer", {"value": 1}), "show": ("core.show", {"value": ["x", 0]})})

    async def scenario() -> None:
        runner = LocalRunner(workers=1, load_plugins=PACKS)
        executor = make_executor(tmp_path, runner)
        record = await executor.run(graph, tier="low")
        assert (record.nodes["fast"].tier, record.nodes["show"].tier) == ("high", "low")
        unknown = await executor.run(bad, tier="ultra")
        assert unknown.status == "failed"
        assert unknown.errors[0].code == "tier_unknown" and "use one of low, standard, high" in unknown.errors[0].message

    asyncio.run(scenario())
