"""Starting and stopping the servers the benchmarks measure (a real `auteur serve`, or any
other process that answers `/api/health`), on free loopback ports."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

# The `auteur` console script, run by this interpreter.
AUTEUR = [sys.executable, "-c", "from canvas_server.cli.main import app; app()"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_healthy(process: subprocess.Popen[bytes], port: int, timeout: float = 60.0) -> None:
    """Until `/api/health` answers 200; stops the process and raises if it never does."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode}")
        try:
            if httpx.get(f"http://127.0.0.1:{port}/api/health", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            time.sleep(0.1)
    stop(process)
    raise RuntimeError("server did not start")


def start_auteur(workspace: Path, port: int, env: dict[str, str], command: list[str] | None = None) -> subprocess.Popen[bytes]:
    """`auteur serve` on `port` with its own workspace (and `env` on top of ours), healthy."""
    serve = ["serve", "--port", str(port), "--comfyui-port", "0", "--log-level", "warning"]
    process = subprocess.Popen(
        [*(command or AUTEUR), *serve],
        env={**os.environ, "AUTEUR_WORKSPACE": str(workspace), **env}, start_new_session=True,
    )
    wait_healthy(process, port)
    return process


def stop(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM to the process group, SIGKILL if it has not ended in 30 s."""
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)
