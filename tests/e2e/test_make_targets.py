"""The README's two commands, as a user types them: `make run` serves the canvas."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_make_help_lists_every_target_the_readme_names() -> None:
    result = subprocess.run(["make", "help"], cwd=REPO, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0
    for target in ("setup", "run", "test", "bench", "up", "down", "logs"):
        assert f"make {target} " in result.stdout


def test_make_run_starts_the_canvas_on_the_embedded_default(tmp_path: Path) -> None:
    port = _free_port()
    env = {**os.environ, "AUTEUR_WORKSPACE": str(tmp_path / "workspace")}
    process = subprocess.Popen(["make", "run", f"PORT={port}"], cwd=REPO, env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                               start_new_session=True)
    try:
        deadline = time.monotonic() + 120
        health = None
        while time.monotonic() < deadline and process.poll() is None:
            try:
                health = httpx.get(f"http://127.0.0.1:{port}/api/health", timeout=1)
                break
            except httpx.HTTPError:
                time.sleep(0.2)
        assert health is not None and health.status_code == 200, "the canvas did not come up"
        nodes = httpx.get(f"http://127.0.0.1:{port}/api/nodes", timeout=10).json()
        assert "core.add" in str(nodes)
        assert (tmp_path / "workspace" / ".auteur").is_dir()  # SQLite state under the workspace
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)
