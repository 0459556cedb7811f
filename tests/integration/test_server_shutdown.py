"""`kill <pid>` of `auteur serve` (what systemd, Docker and a terminal's Ctrl+C do): the server
stops within seconds, its runner processes go with it, and nothing is left to the
multiprocessing resource tracker (no "leaked semaphore objects" warning at exit)."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

import httpx

from .server_harness import ServerProcess


def _children(pid: int) -> set[int]:
    found = set()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
            found.add(int(entry.name))
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def test_sigterm_stops_the_server_and_its_pool_without_leaking_semaphores(tmp_path: Path) -> None:
    server = ServerProcess(tmp_path / "ws").start()
    assert server.process is not None
    try:
        graph = {"1": {"class_type": "core.integer", "inputs": {"value": 7}},
                 "2": {"class_type": "core.show", "inputs": {"value": ["1", 0]}}}
        run = httpx.post(f"{server.url}/api/runs", json={"graph": graph}, timeout=10)
        assert run.status_code == 202, run.text
        children = _children(server.process.pid)
        assert children, "the local runner pool has no processes"

        os.kill(server.process.pid, signal.SIGTERM)  # the server alone, not its process group
        server.process.wait(timeout=20)
        deadline = time.monotonic() + 10
        while any(_alive(pid) for pid in children) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not [pid for pid in children if _alive(pid)], "runner processes outlived the server"
        log = server.log.read_text()
        assert "leaked semaphore" not in log, log
        assert "Traceback" not in log, log
    finally:
        server.stop()
