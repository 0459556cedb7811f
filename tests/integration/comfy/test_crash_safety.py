"""A kill -9 of the server with 20 prompts queued through `/prompt`: after a restart all
20 complete and appear in `/history`.

A 30 s prompt goes first (one run at a time), so the 20 are surely still queued when the
server dies; the restarted server would resume it ahead of them, and the test cancels it
instead of waiting the 30 s out."""

from __future__ import annotations

import time
from pathlib import Path

import httpx

from ..server_harness import ServerProcess, chain_prompt, free_port
from .comfy_client import ComfyClient


def test_twenty_queued_prompts_complete_after_kill_9(tmp_path: Path) -> None:
    env = {"AUTEUR_CONCURRENT_RUNS": "1"}
    port = free_port()
    server = ServerProcess(tmp_path / "ws", env, comfyui_port=port).start()
    comfy = ComfyClient(f"127.0.0.1:{port}")
    blocker = {"1": {"class_type": "test.sleep", "inputs": {"seconds": 30, "value": "block"}},
               "2": {"class_type": "core.show", "inputs": {"value": ["1", 0]}}}
    ids = [comfy.queue_prompt(blocker)["prompt_id"]]
    ids += [comfy.queue_prompt(chain_prompt(i, 1))["prompt_id"] for i in range(20)]
    server.kill9()
    restarted = ServerProcess(tmp_path / "ws", env, port=server.port, comfyui_port=port).start()
    try:
        assert httpx.post(f"{restarted.url}/api/runs/{ids[0]}/cancel", timeout=30).status_code == 202
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            history = comfy.request("/history")[1]
            if set(ids[1:]) <= set(history):
                break
            time.sleep(0.2)
        assert set(ids[1:]) <= set(history)
        assert all(history[i]["status"]["completed"] for i in ids[1:])
        assert [history[i]["outputs"]["3"]["text"] for i in ids[1:]] == [[str(i + 1)] for i in range(20)]
    finally:
        restarted.stop()
