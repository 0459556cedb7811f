"""A real `auteur serve` process on a free port, plus small HTTP/WebSocket client helpers
for the server integration tests."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import websockets

# The `auteur` console script, run by this interpreter (`-m canvas_server.cli.main` would
# create a second `main` module that the command groups do not register on).
AUTEUR = [sys.executable, "-c", "from canvas_server.cli.main import app; app()"]


def make_token(workspace: Path, name: str, role: str = "creator", maturity: str = "AUTONOMOUS") -> str:
    """`auteur tokens create --json` for `workspace`, run by the CLI's own code in this process:
    a Python started per token costs about half a second of CPU, and the suite makes dozens."""
    from typer.testing import CliRunner

    from canvas_server.cli.main import app

    result = CliRunner().invoke(app, ["tokens", "create", "--name", name, "--role", role, "--maturity", maturity,
                                      "--json"], env={"AUTEUR_WORKSPACE": str(workspace)})
    assert result.exit_code == 0, result.output
    return str(json.loads(result.stdout)["token"])


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class ServerProcess:
    """`auteur serve` with its own workspace."""

    def __init__(self, workspace: Path, env: dict[str, str] | None = None, port: int | None = None,
                 comfyui_port: int | None = None, log_level: str = "warning", args: tuple[str, ...] = ()) -> None:
        self.workspace = workspace
        self.args = args  # more `auteur serve` options
        self.log_level = log_level
        self.port = port or free_port()
        # 0 (the default here) keeps tests off ComfyUI's 8188; pass a port to serve the API.
        self.comfyui_port = comfyui_port or 0
        self.env = {**os.environ, "AUTEUR_WORKSPACE": str(workspace), "AUTEUR_RUNNER_WORKERS": "2", **(env or {})}
        self.process: subprocess.Popen[bytes] | None = None
        self.log = workspace / f"server-{self.port}.log"

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def comfy_url(self) -> str:
        return f"http://127.0.0.1:{self.comfyui_port}"

    @property
    def ws_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/ws"

    def start(self, timeout: float = 60.0) -> ServerProcess:
        self.workspace.mkdir(parents=True, exist_ok=True)
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                [*AUTEUR, "serve", "--port", str(self.port), "--comfyui-port", str(self.comfyui_port),
                 "--log-level", self.log_level, *self.args],
                env=self.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"server exited with {self.process.returncode}:\n{self.log.read_text()}")
            try:
                if httpx.get(f"{self.url}/api/health", timeout=1.0).status_code == 200 and (
                        not self.comfyui_port
                        or httpx.get(f"{self.comfy_url}/system_stats", timeout=1.0).status_code in (200, 401)):
                    return self
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        raise RuntimeError(f"server did not start:\n{self.log.read_text()}")

    def kill9(self) -> None:
        """Kill the whole process group (server and its runner workers) with SIGKILL."""
        assert self.process is not None
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)


@contextmanager
def running_server(workspace: Path, env: dict[str, str] | None = None) -> Iterator[ServerProcess]:
    server = ServerProcess(workspace, env).start()
    try:
        yield server
    finally:
        server.stop()


def chain_prompt(value: int = 2, add: int = 3) -> dict[str, Any]:
    """integer → add → show: three inline core nodes."""
    return {
        "1": {"class_type": "core.integer", "inputs": {"value": value}},
        "2": {"class_type": "core.add", "inputs": {"a": ["1", 0], "b": add}},
        "3": {"class_type": "core.show", "inputs": {"value": ["2", 0]}},
    }


def sleep_prompt(seconds: float, value: Any = 1, **extra: Any) -> dict[str, Any]:
    """test.sleep (on a runner process) → show."""
    return {
        "1": {"class_type": "test.sleep", "inputs": {"seconds": seconds, "value": value, **extra}},
        "2": {"class_type": "core.show", "inputs": {"value": ["1", 0]}},
    }


def save_take(client: httpx.Client, project: str, media: str, shot: str) -> None:
    """Store the project file `media` as a take of `shot` by a real run of media.load →
    production.save_take, and wait until it completed."""
    graph = {
        "1": {"class_type": "media.load", "inputs": {"path": media}},
        "2": {"class_type": "production.save_take", "inputs": {"media": ["1", 0], "shot_path": shot}},
    }
    response = client.post("/api/runs", json={"graph": graph, "project": project})
    assert response.status_code == 202, response.text
    assert wait_for_status(client, response.json()["run_id"], {"completed", "failed"})["status"] == "completed"


def wait_for_status(client: httpx.Client, run_id: str, statuses: set[str], timeout: float = 60.0) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        run = client.get(f"/api/runs/{run_id}").json()
        if run["status"] in statuses:
            return run
        time.sleep(0.05)
    raise AssertionError(f"run {run_id} never reached {statuses}: {run['status']}")


async def collect_events(
    ws: Any, until: set[str], timeout: float = 30.0, run_id: str | None = None
) -> list[dict[str, Any]]:
    """Events (heartbeats excluded) until one of type in `until` (for `run_id`) arrives."""
    events: list[dict[str, Any]] = []
    async with asyncio.timeout(timeout):
        while True:
            event = json.loads(await ws.recv())
            if event["type"] == "heartbeat":
                continue
            events.append(event)
            if event["type"] in until and (run_id is None or event.get("run_id") == run_id):
                return events


async def drain(ws: Any, quiet: float = 0.5) -> list[dict[str, Any]]:
    """Every event that arrives until the socket is quiet for `quiet` seconds."""
    events: list[dict[str, Any]] = []
    while True:
        try:
            event = json.loads(await asyncio.wait_for(ws.recv(), quiet))
        except TimeoutError:
            return events
        if event["type"] != "heartbeat":
            events.append(event)


def connect(server: ServerProcess, client_id: str, last_seq: int | None = None, token: str | None = None) -> Any:
    query = f"?client_id={client_id}" + (f"&last_seq={last_seq}" if last_seq is not None else "")
    headers = {"Authorization": f"Bearer {token}"} if token else None
    return websockets.connect(server.ws_url + query, additional_headers=headers)
