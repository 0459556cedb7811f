"""Start-up benchmark: `auteur serve` from exec to a healthy `/api/health` (an empty workspace,
and one with 10,000 runs in its history), `auteur --help`, and `auteur run` of a three-node
core graph; each beside `python -c pass` (the interpreter's own start) as a ratio."""

from __future__ import annotations

import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import httpx

from .serving import AUTEUR, free_port, stop

REPEATS = 5
HISTORY = 10_000
TARGETS = {"serve → healthy, empty": 1.5, "serve → healthy, 10,000 runs": 2.0, "auteur --help": 0.3,
           "auteur run (3 core nodes)": 0.5}
GRAPH = {
    "1": {"class_type": "core.integer", "inputs": {"value": 2}},
    "2": {"class_type": "core.add", "inputs": {"a": ["1", 0], "b": 3}},
    "3": {"class_type": "core.show", "inputs": {"value": ["2", 0]}},
}


Figure = tuple[float, float]  # (wall seconds, CPU seconds of the measured process)


def _median(measure: Callable[[], Figure]) -> Figure:
    figures = [measure() for _ in range(REPEATS)]
    return statistics.median(f[0] for f in figures), statistics.median(f[1] for f in figures)


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _process_cpu(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _exec(command: list[str], env: dict[str, str] | None = None) -> Figure:
    started, cpu = time.perf_counter(), _children_cpu()
    done = subprocess.run(command, capture_output=True, text=True, env={**os.environ, **(env or {})})
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(command[-3:])} exited with {done.returncode}: {done.stderr[-2000:]}")
    return time.perf_counter() - started, _children_cpu() - cpu


def _serve_until_healthy(workspace: Path) -> Figure:
    port = free_port()
    started = time.perf_counter()
    process = subprocess.Popen(
        [*AUTEUR, "serve", "--port", str(port), "--comfyui-port", str(free_port()), "--log-level", "warning"],
        env={**os.environ, "AUTEUR_WORKSPACE": str(workspace)}, start_new_session=True,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        with httpx.Client(timeout=5) as client:
            while True:
                if process.poll() is not None:
                    raise RuntimeError(f"auteur serve exited with {process.returncode}")
                try:
                    if client.get(f"http://127.0.0.1:{port}/api/health").status_code == 200:
                        return time.perf_counter() - started, _process_cpu(process.pid)
                except httpx.TransportError:
                    time.sleep(0.005)
    finally:
        stop(process)


def _with_history(workspace: Path, count: int) -> None:
    """`count` finished runs written straight into the run store (one in ten from a client)."""
    from canvas_server.runs.store import RunRequest, RunStore, StoredRun
    from canvas_server.settings import Settings

    store = RunStore(Settings(workspace=workspace).state_dir / "runs.sqlite3")
    request = RunRequest(graph=GRAPH, prompt=GRAPH)
    now = time.time()
    try:
        for index in range(count):
            store.add(StoredRun(run_id=f"history-{index:05d}", status="completed", tier="low",
                                client_id=f"client-{index // 10}" if index % 10 == 0 else None,
                                principal="local", request=request, created_at=now - count + index))
    finally:
        store.close()


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="auteur-bench-start-") as tmp:
        root = Path(tmp)
        graph = root / "graph.json"
        graph.write_text(json.dumps(GRAPH))
        history = root / "history"
        _with_history(history, HISTORY)
        baseline, baseline_cpu = _median(lambda: _exec([sys.executable, "-c", "pass"]))
        print(f"python -c pass: {baseline * 1000:.0f} ms, {baseline_cpu * 1000:.0f} ms CPU (median of {REPEATS}); "
              "CPU is the measured process's own (the server's, not its runner pool's)", flush=True)
        workspace = {"AUTEUR_WORKSPACE": str(root / "cli")}
        measures: dict[str, Callable[[], Figure]] = {
            "serve → healthy, empty": lambda: _serve_until_healthy(Path(tempfile.mkdtemp(dir=root))),
            "serve → healthy, 10,000 runs": lambda: _serve_until_healthy(history),
            "auteur --help": lambda: _exec([*AUTEUR, "--help"]),
            "auteur run (3 core nodes)": lambda: _exec([*AUTEUR, "run", str(graph), "--json"], workspace),
        }
        for name, measure in measures.items():
            seconds, cpu = _median(measure)
            verdict = "ok" if seconds <= TARGETS[name] else "over"
            print(f"{name}: {seconds:.2f} s = {seconds / baseline:.0f}x python -c pass, "
                  f"{cpu:.2f} s CPU = {cpu / baseline_cpu:.0f}x (target ≤ {TARGETS[name]} s: {verdict})", flush=True)


if __name__ == "__main__":
    main()
