"""Celery runner benchmark: per-node dispatch overhead through Celery against the local
process pool (median and p99 of a trivial `core.add` task, one at a time), and the
throughput of 1,000 trivial tasks across 2 workers for each runner.

Starts its own `redis-server` on a free port and two `auteur worker --tier standard
--concurrency 1` processes, and stops them at the end."""

from __future__ import annotations

import asyncio
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import redis

from function_runners.base import Runner, TaskCallbacks
from function_runners.celery_runner import CeleryRunner
from function_runners.execute import execute_task
from function_runners.local import LocalRunner
from function_runners.task import NodeTask
from nodes.sdk import ModelCache, discover

from .serving import free_port

SEQUENTIAL = 300
WARMUP = 20
THROUGHPUT = 1000
IN_FLIGHT = 16





def _wait(check: object, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():  # type: ignore[operator]
            return
        time.sleep(0.1)
    raise TimeoutError(f"{what} did not come up in {timeout} s")


@contextmanager
def celery_workers(directory: Path, count: int = 2) -> Iterator[str]:
    """Redis on a free port plus `count` single-process standard-tier workers."""
    port = free_port()
    server = subprocess.Popen([shutil.which("redis-server") or "redis-server", "--port", str(port),
                               "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"redis://127.0.0.1:{port}/0"
    workers: list[subprocess.Popen[bytes]] = []
    try:
        _wait(lambda: _pings(port), 10, "redis")
        env = {**os.environ, "AUTEUR_BROKER_URL": url, "AUTEUR_LOAD_PLUGINS": "core"}
        logs = [directory / f"worker{index}.log" for index in range(count)]
        for index, log in enumerate(logs):
            with open(log, "wb") as out:
                workers.append(subprocess.Popen(
                    [str(Path(sys.executable).with_name("auteur")), "worker", "--tier", "standard",
                     "--concurrency", "1", "--name", f"bench{index}@%h", "--loglevel", "warning"],
                    env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True))
        ping = redis.Redis(port=port)
        # Each worker consumes from auteur.standard once it is ready.
        _wait(lambda: _consumers(ping) >= count, 60, "the Celery workers")
        yield url
    finally:
        for worker in workers:
            worker.send_signal(signal.SIGTERM)
        for worker in workers:
            try:
                worker.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(worker.pid, signal.SIGKILL)
        server.kill()
        server.wait()


def _pings(port: int) -> bool:
    try:
        return bool(redis.Redis(port=port, socket_connect_timeout=0.2).ping())
    except redis.RedisError:
        return False


def _consumers(client: redis.Redis) -> int:
    """Clients blocked on BRPOP of a queue: a ready, idle worker process."""
    clients = client.client_list()
    return sum(1 for entry in clients if entry.get("cmd") == "brpop")


def _task(workspace: Path, index: int) -> NodeTask:
    return NodeTask(run_id="bench", node_id=str(index), type="core.add", version="1.0.0",
                    inputs={"a": index, "b": 1}, tier="standard",
                    scratch_dir=str(workspace / "scratch"), workspace_root=str(workspace),
                    load_plugins=["core"])


async def _latencies(runner: Runner, workspace: Path) -> list[float]:
    for index in range(WARMUP):
        await runner.run(_task(workspace, index), TaskCallbacks())
    samples = []
    for index in range(SEQUENTIAL):
        started = time.perf_counter()
        result = await runner.run(_task(workspace, index), TaskCallbacks())
        samples.append(time.perf_counter() - started)
        assert result.outputs == {"value": index + 1}, result
    return samples


async def _throughput(runner: Runner, workspace: Path) -> float:
    slots = asyncio.Semaphore(IN_FLIGHT)

    async def one(index: int) -> None:
        async with slots:
            result = await runner.run(_task(workspace, index), TaskCallbacks())
            assert result.ok, result

    started = time.perf_counter()
    await asyncio.gather(*(one(index) for index in range(THROUGHPUT)))
    return THROUGHPUT / (time.perf_counter() - started)


async def _measure(runner: Runner, workspace: Path) -> tuple[list[float], float]:
    await runner.start()
    try:
        return await _latencies(runner, workspace), await _throughput(runner, workspace)
    finally:
        await runner.close()


def _baseline(workspace: Path) -> list[float]:
    """The work itself: execute_task in this process, no dispatch."""
    registry, models = discover(only=["core"]), ModelCache()
    samples = []
    for index in range(SEQUENTIAL):
        started = time.perf_counter()
        execute_task(_task(workspace, index), registry, models, runner="inline")
        samples.append(time.perf_counter() - started)
    return samples


def _p99(samples: list[float]) -> float:
    return statistics.quantiles(samples, n=100)[98]


def _row(name: str, samples: list[float], rate: float | None) -> str:
    throughput = f"{rate:9.0f}/s" if rate is not None else "        -  "
    return (f"{name:<22} {statistics.median(samples) * 1000:9.2f} ms {_p99(samples) * 1000:9.2f} ms"
            f" {throughput}")


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        workspace = Path(tmp)
        baseline = _baseline(workspace)
        local = asyncio.run(_measure(LocalRunner(workers=2, load_plugins=["core"]), workspace))
        with celery_workers(workspace) as url:
            celery = asyncio.run(_measure(CeleryRunner(url, capacity=IN_FLIGHT), workspace))
    print(f"trivial core.add tasks: {SEQUENTIAL} sequential (latency), {THROUGHPUT} with "
          f"{IN_FLIGHT} in flight across 2 worker processes (throughput)")
    print(f"{'runner':<22} {'median':>12} {'p99':>12} {'throughput':>11}")
    print(_row("in-process (no runner)", baseline, None))
    print(_row("local process pool", *local))
    print(_row("celery + redis", *celery))
    overhead = statistics.median(celery[0]) - statistics.median(local[0])
    print(f"celery dispatch overhead over local: {overhead * 1000:.2f} ms per node (median)")


if __name__ == "__main__":
    main()
