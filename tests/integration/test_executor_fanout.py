"""Lists fan out in the engine: one run per item, each item keyed and cached on its own,
dispatched in parallel up to the runner's capacity, collected in order."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

from canvas_server.engine.executor import Executor
from canvas_server.engine.record import RunRecord
from canvas_server.graph.prompt import ApiPrompt
from function_runners.local import LocalRunner

from .executor_helpers import PACKS, EventLog, make_executor, prompt_of


def fan_graph(values: str, seconds: float = 0.4) -> ApiPrompt:
    """items(values) → sleep per item (runner) → collect the whole list."""
    return prompt_of({
        "src": ("test.items", {"values": values}),
        "each": ("test.sleep", {"seconds": seconds, "value": ["src", 0]}),
        "out": ("test.collect", {"values": ["each", 0]}),
    })


async def _with_runner(workers: int, body: _Body) -> None:
    runner = LocalRunner(workers=workers, load_plugins=PACKS)
    await runner.start()
    await runner.ready()  # the figures time the runs, not the processes' start
    try:
        await body(runner)
    finally:
        await runner.close()


class _Body:
    def __init__(self, tmp_path: Path, graphs: list[ApiPrompt], log: EventLog | None = None) -> None:
        self.tmp_path, self.graphs, self.log = tmp_path, graphs, log
        self.records: list[RunRecord] = []
        self.seconds: list[float] = []

    async def __call__(self, runner: LocalRunner) -> None:
        executor: Executor = make_executor(self.tmp_path, runner)
        for graph in self.graphs:
            started = time.monotonic()
            self.records.append(await executor.run(graph, on_event=self.log))
            self.seconds.append(time.monotonic() - started)


def test_a_list_fans_out_in_parallel_and_is_collected_in_order(tmp_path: Path) -> None:
    log = EventLog()
    body = _Body(tmp_path, [fan_graph("a,b,c,d")], log)
    asyncio.run(_with_runner(4, body))
    record = body.records[0]
    assert record.status == "completed", record.errors
    assert record.outputs["out"] == {"count": 4, "items": ["a", "b", "c", "d"]}
    items = record.nodes["each"].items
    assert items is not None and [item.index for item in items] == [0, 1, 2, 3]
    assert len({item.cache_key for item in items}) == 4
    # Four 0.4 s items on four workers overlap: well under the 1.6 s a serial run needs.
    assert body.seconds[0] < 1.4
    starts = sorted(item.started_at or 0 for item in items)
    assert starts[-1] - starts[0] < 0.35
    settled = [e.data["item"] for e in log.of("node_progress")
               if e.data.get("node_id") == "each" and e.data.get("item_status") == "completed"]
    assert sorted(settled) == [0, 1, 2, 3]
    assert len([e for e in log.of("node_completed") if e.data["node_id"] == "each"]) == 1


def test_rerun_caches_every_item_and_one_changed_item_reexecutes_alone(tmp_path: Path) -> None:
    body = _Body(tmp_path, [fan_graph("a,b,c"), fan_graph("a,b,c"), fan_graph("a,X,c")])
    asyncio.run(_with_runner(2, body))
    first, again, changed = body.records
    assert again.nodes["each"].status == "cached"
    assert [item.status for item in again.nodes["each"].items or []] == ["cached"] * 3
    assert [item.status for item in changed.nodes["each"].items or []] == ["cached", "completed", "cached"]
    assert changed.outputs["out"] == {"count": 3, "items": ["a", "X", "c"]}
    assert (changed.nodes["each"].items or [])[0].cache_key == (first.nodes["each"].items or [])[0].cache_key


def test_an_empty_list_runs_no_item_and_collects_an_empty_list(tmp_path: Path) -> None:
    body = _Body(tmp_path, [fan_graph("")])
    asyncio.run(_with_runner(1, body))
    record = body.records[0]
    assert record.status == "completed", record.errors
    assert record.outputs["out"] == {"count": 0, "items": []}
    assert record.nodes["each"].items == []


def test_a_failing_item_fails_the_node_naming_the_item_and_skips_its_descendants(tmp_path: Path) -> None:
    graph = prompt_of({
        "src": ("test.items", {"values": "ok,ok2"}),
        "each": ("test.fail", {"message": ["src", 0]}),
        "out": ("test.collect", {"values": ["each", 0]}),
    })
    body = _Body(tmp_path, [graph])
    asyncio.run(_with_runner(2, body))
    record = body.records[0]
    assert record.status == "failed"
    assert record.nodes["each"].status == "failed"
    assert record.nodes["out"].status == "skipped"
    assert record.errors[0].message.startswith("item 0 of 2")
    assert [item.status for item in record.nodes["each"].items or []] == ["failed", "failed"]
