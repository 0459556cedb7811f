"""Executor benchmark: chains of 200/800/1,000 `core.add` nodes and a 2,000-node wide graph,
cold, fully cached, and with one changed constant — against a plain Python loop calling the
same node classes directly (the floor any executor pays for the work itself), and against
ComfyUI's executor on the same wide graph (its figures, measured once on the 2-core
reference machine: ComfyUI is not installed here)."""

from __future__ import annotations

import asyncio
import graphlib
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from canvas_server.engine.executor import Executor
from canvas_server.graph.prompt import ApiPrompt
from canvas_server.graph.validate import validate_prompt
from canvas_server.heap import freeze_startup_heap
from function_runners.local import LocalRunner
from function_runners.result_cache import ResultCache
from function_runners.tiers import load_tiers
from nodes.core.values import Add
from nodes.sdk import ModelCache, PathSandbox, RunContext, discover

REPEATS = 5
# ComfyUI's executor on the 2,000-node wide graph, seconds (issue 18, reference machine).
COMFYUI_WIDE = {"cold": 4.78, "cached": 0.605, "one change": 0.534}
GOAL_VS_COMFYUI = 20.0  # times faster, in every column
GOAL_CHAIN_US = 30.0  # per-node overhead on the 1,000-node chain
REFERENCE_LOOP_US = 3.4  # the bare loop on the reference machine, µs per node


def chain(length: int, bump: int | None = None) -> ApiPrompt:
    prompt: dict[str, Any] = {"0": {"class_type": "core.integer", "inputs": {"value": 0}}}
    for index in range(1, length + 1):
        prompt[str(index)] = {"class_type": "core.add",
                              "inputs": {"a": [str(index - 1), 0], "b": 2 if index == bump else 1}}
    prompt["out"] = {"class_type": "core.show", "inputs": {"value": [str(length), 0]}}
    return ApiPrompt.model_validate(prompt)


def wide(width: int, bump: int | None = None) -> ApiPrompt:
    """`width` independent integer → add pairs, all shown by one join: 2·width + width nodes
    is too many, so each branch ends in its own show node (width/2 branches of 4 nodes)."""
    prompt: dict[str, Any] = {}
    for branch in range(width // 4):
        prompt[f"i{branch}"] = {"class_type": "core.integer", "inputs": {"value": branch}}
        prompt[f"a{branch}"] = {"class_type": "core.add",
                                "inputs": {"a": [f"i{branch}", 0], "b": 2 if branch == bump else 1}}
        prompt[f"b{branch}"] = {"class_type": "core.add", "inputs": {"a": [f"a{branch}", 0], "b": 1}}
        prompt[f"s{branch}"] = {"class_type": "core.show", "inputs": {"value": [f"b{branch}", 0]}}
    return ApiPrompt.model_validate(prompt)


def baseline_chain(length: int) -> float:  # CPU seconds: the loop does nothing else
    """Validate and run the same Add nodes in a bare loop: no graph, cache or events."""
    ctx = RunContext(run_id="b", node_id="n", type_id="core.add", tier="standard", tier_params={},
                     workspace_root=Path("."), sandbox=PathSandbox([Path(".")]),
                     scratch_dir=Path("."), models=ModelCache())
    started = time.process_time()
    value: int | float = 0
    for _ in range(length):
        value = Add.model_validate({"a": value, "b": 1}).run(ctx).model_dump()["value"]
    assert value == length
    return time.process_time() - started


async def measure(executor: Executor, prompt: ApiPrompt) -> tuple[float, float]:
    """Wall-clock and CPU seconds of one run (the machine is shared: CPU time is what the
    run itself cost, wall time what it took with everything else running)."""
    wall, cpu = time.perf_counter(), time.process_time()
    record = await executor.run(prompt)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    assert record.status == "completed", record.errors
    return wall, cpu


COLUMNS = ("cold", "cached", "one change")


async def scenario(name: str, size: int, build: Any, bump: int) -> dict[str, Any]:
    timings: dict[str, list[tuple[float, float]]] = {column: [] for column in COLUMNS}
    runner = LocalRunner(workers=1)  # inline nodes never reach it; present as in production
    for _ in range(REPEATS):
        workspace = Path(tempfile.mkdtemp(prefix="auteur-bench-"))
        executor = Executor(registry=discover(only=["core"]), runner=runner,
                            cache=ResultCache(workspace / "cache", workspace), tiers=load_tiers(),
                            workspace=workspace)
        timings["cold"].append(await measure(executor, build(size)))
        timings["cached"].append(await measure(executor, build(size)))
        timings["one change"].append(await measure(executor, build(size, bump)))
    row: dict[str, Any] = {"graph": f"{name} {size}"}
    for column, pairs in timings.items():
        row[column] = statistics.median(wall for wall, _ in pairs)
        row[f"{column} cpu"] = statistics.median(cpu for _, cpu in pairs)
    return row


def validation_rows() -> list[tuple[str, float, float]]:
    """validate_prompt on 10,000-node graphs vs the stdlib's graphlib ordering the same links
    (the floor for any cycle check; ours also checks types, values and links)."""
    registry = discover(only=["core"])
    rows = []
    for label, prompt in (("chain 10000", chain(10_000)), ("cycle 10000", _cycle(10_000))):
        ours = statistics.median(_timed(validate_prompt, prompt, registry) for _ in range(REPEATS))
        floor = statistics.median(_timed(_graphlib_order, prompt) for _ in range(REPEATS))
        rows.append((label, ours, floor))
    return rows


def _cycle(length: int) -> ApiPrompt:
    prompt = chain(length).dump()
    prompt["1"]["inputs"]["a"] = [str(length), 0]  # close the chain into a loop
    return ApiPrompt.model_validate(prompt)


def _graphlib_order(prompt: ApiPrompt) -> None:
    graph = {nid: {v[0] for v in node.inputs.values() if isinstance(v, list)}
             for nid, node in prompt.nodes().items()}
    try:
        list(graphlib.TopologicalSorter(graph).static_order())
    except graphlib.CycleError:
        pass


def _timed(action: Any, *args: Any) -> float:
    started = time.perf_counter()
    action(*args)
    return time.perf_counter() - started


def main() -> None:
    # As `auteur serve` (once started) and `auteur run` (once its packs are loaded) do: the
    # collector no longer rescans the imported modules and node classes on each full collection.
    freeze_startup_heap()
    print("\nValidation (median of 5, seconds)")
    for label, ours, floor in validation_rows():
        print(f"{label:<12}{ours:>10.4f}   graphlib order alone {floor:.4f}  ({ours / floor:.1f}x)")
    rows = []
    for size in (200, 800, 1000):
        rows.append(asyncio.run(scenario("chain", size, chain, size // 2)))
    rows.append(asyncio.run(scenario("wide", 2000, wide, 7)))
    print("\nExecutor (median of 5, seconds: wall clock, then CPU)")
    print(f"{'graph':<12}{'cold':>9}{'cached':>9}{'1 change':>9}{'cold cpu':>10}{'cached cpu':>11}"
          f"{'1 ch. cpu':>10}{'cpu/node µs':>12}{'vs loop':>9}")
    loops: dict[str, float] = {}
    for row in rows:
        size = int(row["graph"].split()[1])
        nodes = size + 2 if row["graph"].startswith("chain") else size
        loop = loops[row["graph"]] = statistics.median(baseline_chain(nodes) for _ in range(REPEATS))
        print(f"{row['graph']:<12}{row['cold']:>9.4f}{row['cached']:>9.4f}{row['one change']:>9.4f}"
              f"{row['cold cpu']:>10.4f}{row['cached cpu']:>11.4f}{row['one change cpu']:>10.4f}"
              f"{row['cold cpu'] / nodes * 1e6:>12.1f}{row['cold cpu'] / loop:>8.1f}x")
    chained = next(row for row in rows if row["graph"] == "chain 1000")
    print(f"\nchain 1000 per node (goal ≤ {GOAL_CHAIN_US:.0f} µs): {chained['cold'] / 1002 * 1e6:.1f} µs wall, "
          f"{chained['cold cpu'] / 1002 * 1e6:.1f} µs CPU; a bare loop calling the same nodes "
          f"{loops['chain 1000'] / 1002 * 1e6:.1f} µs CPU here ({REFERENCE_LOOP_US} µs on the reference machine)")
    widest = next(row for row in rows if row["graph"] == "wide 2000")
    print(f"\nwide 2000 against ComfyUI's executor (its wall clock on the idle reference machine; "
          f"goal ≥ {GOAL_VS_COMFYUI:.0f}x in every column)")
    print(f"{'':<12}{'ComfyUI s':>10}{'ours wall':>10}{'faster':>9}{'ours cpu':>10}{'faster':>9}")
    for column, theirs in COMFYUI_WIDE.items():
        wall, cpu = widest[column], widest[f"{column} cpu"]
        verdict = "" if theirs / cpu >= GOAL_VS_COMFYUI else "  below goal"
        print(f"{column:<12}{theirs:>10.3f}{wall:>10.4f}{theirs / wall:>8.1f}x{cpu:>10.4f}{theirs / cpu:>8.1f}x{verdict}")

if __name__ == "__main__":
    main()
