"""One server per workspace, and no runner outlives its server."""

from __future__ import annotations

import os
import subprocess
import time
from pathlib import Path

import httpx

from ..server_harness import AUTEUR, ServerProcess, free_port


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    status = Path(f"/proc/{pid}/status")
    return status.exists() and "zombie" not in status.read_text()


def children_of(pid: int) -> list[int]:
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


def wait_until(condition: object, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():  # type: ignore[operator]
            return True
        time.sleep(0.1)
    return False


def test_a_second_server_on_a_served_workspace_exits_at_once_naming_the_first(tmp_path: Path) -> None:
    first = ServerProcess(tmp_path / "ws").start()
    try:
        assert first.process is not None
        env = {**os.environ, "AUTEUR_WORKSPACE": str(first.workspace), "AUTEUR_RUNNER_WORKERS": "1"}
        started = time.monotonic()
        second = subprocess.run([*AUTEUR, "serve", "--port", str(free_port()), "--comfyui-port", "0"],
                                env=env, capture_output=True, text=True, timeout=60, check=False)
        assert second.returncode == 1, second.stderr
        assert time.monotonic() - started < 20
        assert f"pid {first.process.pid}" in second.stderr and first.url in second.stderr
        assert httpx.get(f"{first.url}/api/health").status_code == 200
    finally:
        first.stop()
    # The lock went with the first server: the workspace can be served again.
    ServerProcess(tmp_path / "ws").start().stop()


def test_kill_9_of_the_server_leaves_no_runner_or_node_process(tmp_path: Path) -> None:
    server = ServerProcess(tmp_path / "ws").start()
    assert server.process is not None
    pid_file = server.workspace / "ffmpeg.pid"
    graph = {"1": {"class_type": "test.ffmpeg_long", "inputs": {"seconds": 120, "pid_file": str(pid_file)}},
             "2": {"class_type": "core.show", "inputs": {"value": ["1", 0]}}}
    with httpx.Client(base_url=server.url, timeout=30) as client:
        assert client.post("/api/runs", json={"graph": graph}).status_code == 202
    assert wait_until(lambda: pid_file.exists() and pid_file.read_text(), 30), "ffmpeg never started"
    runners = children_of(server.process.pid)
    ffmpeg = int(pid_file.read_text())
    assert runners and alive(ffmpeg)

    os.kill(server.process.pid, 9)  # the server alone: runners lead their own process groups
    server.process.wait(timeout=10)
    assert wait_until(lambda: not any(alive(pid) for pid in [*runners, ffmpeg]), 10), (
        [pid for pid in [*runners, ffmpeg] if alive(pid)])
