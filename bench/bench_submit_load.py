"""Submit latency under load: p50/p99 of `POST /api/runs` (a 3-node graph) with 50 concurrent
clients against a real `auteur serve`, and in the same run the floor of this stack — a minimal
FastAPI app on uvicorn whose one endpoint does one SQLite insert — reported as a ratio
(target: p99 ≤ 3× the floor's p99). Then the same server with its run queue and event log in
PostgreSQL (`AUTEUR_DATABASE_URL`, a throwaway server from `canvas_server.db.scratch`; skipped
with a note where PostgreSQL is not installed). Loopback only; request count and time are bounded.

`AUTEUR_BENCH_PROFILE=DIR` starts the server under cProfile (see `_PROFILED_SERVE`) and writes
`DIR/serve.prof` when it stops, to find where a submit's time goes.
"""

from __future__ import annotations

import asyncio
import os
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path
from typing import Any

import httpx

from .serving import free_port, start_auteur, stop, wait_healthy

CLIENTS = 50
REQUESTS_PER_CLIENT = 6
WARMUP_REQUESTS = 50
TIME_LIMIT_S = 120.0
TARGET_RATIO = 3.0

_FLOOR_APP = textwrap.dedent('''
    import sqlite3, sys, time
    import uvicorn
    from fastapi import FastAPI

    db = sqlite3.connect(sys.argv[2], check_same_thread=False, isolation_level=None)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=NORMAL")
    db.execute("CREATE TABLE IF NOT EXISTS runs (id INTEGER PRIMARY KEY, ts REAL, body TEXT)")
    app = FastAPI()

    @app.get("/api/health")
    async def health() -> dict:
        return {"ok": True}

    @app.post("/api/runs", status_code=202)
    async def submit(body: dict) -> dict:
        cursor = db.execute("INSERT INTO runs (ts, body) VALUES (?, ?)", (time.time(), str(body)))
        return {"run_id": cursor.lastrowid, "status": "queued"}

    uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[1]), log_level="warning")
''')

# `auteur serve` under cProfile; the profile is dumped on SIGTERM: uvicorn's handler stops the
# server, and its re-raising of the signal afterwards is made a no-op so `finally` runs.
_PROFILED_SERVE = textwrap.dedent('''
    import cProfile, signal, sys
    from canvas_server.cli.main import app
    signal.raise_signal = lambda signum: None
    profiler = cProfile.Profile()
    profiler.enable()
    try:
        app(sys.argv[2:])
    finally:
        profiler.disable()
        profiler.dump_stats(sys.argv[1])
''')


def _start_auteur(workspace: Path, port: int, database_url: str | None = None) -> subprocess.Popen[bytes]:
    # The queue limit well above the requests sent: a store that executes slower than it
    # accepts must not answer 429 (submit latency is what is measured).
    env = {"AUTEUR_RUNNER_WORKERS": "2", "AUTEUR_CONCURRENT_RUNS": "4", "AUTEUR_MAX_QUEUED_RUNS": "2000"}
    if database_url:
        env["AUTEUR_DATABASE_URL"] = database_url
    profile_dir = os.environ.get("AUTEUR_BENCH_PROFILE")
    if not profile_dir:
        return start_auteur(workspace, port, env)
    Path(profile_dir).mkdir(parents=True, exist_ok=True)
    return start_auteur(workspace, port, env, [sys.executable, "-c", _PROFILED_SERVE, str(Path(profile_dir) / "serve.prof")])


def _start_floor(directory: Path, port: int) -> subprocess.Popen[bytes]:
    script = directory / "floor_app.py"
    script.write_text(_FLOOR_APP)
    process = subprocess.Popen([sys.executable, str(script), str(port), str(directory / "floor.sqlite3")],
                               start_new_session=True)
    wait_healthy(process, port)
    return process


def graph(value: int) -> dict[str, Any]:
    """The 3-node graph of the issue: integer -> add -> show."""
    return {
        "1": {"class_type": "core.integer", "inputs": {"value": value}},
        "2": {"class_type": "core.add", "inputs": {"a": ["1", 0], "b": 1}},
        "3": {"class_type": "core.show", "inputs": {"value": ["2", 0]}},
    }


async def load(base: str, *, clients: int = CLIENTS, per_client: int = REQUESTS_PER_CLIENT) -> list[float]:
    """Latencies of `clients` concurrent clients each posting `per_client` submits in turn.
    The clients are built before the clock starts (an httpx client builds an SSL context,
    tens of milliseconds of CPU that would otherwise land in the first requests' latency)."""
    latencies: list[float] = []
    https = [httpx.AsyncClient(base_url=base, timeout=60) for _ in range(clients)]
    deadline = time.monotonic() + TIME_LIMIT_S / 2

    async def client(index: int, http: httpx.AsyncClient) -> None:
        for request in range(per_client):
            if time.monotonic() > deadline:
                return
            started = time.perf_counter()
            response = await http.post("/api/runs", json={"graph": graph(index * 1000 + request)})
            latencies.append(time.perf_counter() - started)
            if response.status_code != 202:
                raise RuntimeError(f"{base}: {response.status_code} {response.text[:200]}")

    try:
        await asyncio.gather(*(client(index, http) for index, http in enumerate(https)))
    finally:
        await asyncio.gather(*(http.aclose() for http in https))
    return latencies


def percentiles(samples: list[float]) -> tuple[float, float]:
    """(p50, p99) in seconds."""
    ordered = sorted(samples)
    return statistics.median(ordered), ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]


def _measure(base: str) -> tuple[float, float, int]:
    asyncio.run(load(base, clients=10, per_client=WARMUP_REQUESTS // 10))
    samples = asyncio.run(load(base))
    p50, p99 = percentiles(samples)
    return p50, p99, len(samples)


def _measure_auteur(workspace: Path, database_url: str | None = None) -> tuple[float, float, int]:
    port = free_port()
    server = _start_auteur(workspace, port, database_url)
    try:
        return _measure(f"http://127.0.0.1:{port}")
    finally:
        stop(server)


def _measure_postgres(root: Path) -> tuple[float, float, int] | None:
    from canvas_server.db.scratch import postgres_server

    try:
        with postgres_server() as postgres:
            return _measure_auteur(root / "workspace-pg", postgres.database())
    except (RuntimeError, subprocess.CalledProcessError) as exc:
        print(f"PostgreSQL run skipped: {exc}")
        return None


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="auteur-bench-load-") as tmp:
        root = Path(tmp)
        floor_port = free_port()
        floor = _start_floor(root, floor_port)
        try:
            floor_p50, floor_p99, floor_n = _measure(f"http://127.0.0.1:{floor_port}")
        finally:
            stop(floor)
        p50, p99, n = _measure_auteur(root / "workspace")
        postgres = _measure_postgres(root)
    print(f"floor (FastAPI + one SQLite insert): p50 {floor_p50 * 1000:.1f} ms, p99 {floor_p99 * 1000:.1f} ms "
          f"(n={floor_n}, {CLIENTS} clients)")
    print(f"auteur POST /api/runs (3-node graph): p50 {p50 * 1000:.1f} ms, p99 {p99 * 1000:.1f} ms "
          f"(n={n}, {CLIENTS} clients)")
    ratio = p99 / floor_p99
    verdict = "within" if ratio <= TARGET_RATIO else "OVER"
    print(f"ratio p99 auteur/floor: {ratio:.2f}x ({verdict} the {TARGET_RATIO:.0f}x target); "
          f"p50 ratio {p50 / floor_p50:.2f}x")
    if postgres is not None:
        pg_p50, pg_p99, pg_n = postgres
        print(f"auteur with PostgreSQL (AUTEUR_DATABASE_URL): p50 {pg_p50 * 1000:.1f} ms, p99 {pg_p99 * 1000:.1f} ms "
              f"(n={pg_n}, {CLIENTS} clients); p99 vs floor {pg_p99 / floor_p99:.2f}x, vs SQLite {pg_p99 / p99:.2f}x")


if __name__ == "__main__":
    main()
