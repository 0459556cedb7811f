"""ComfyUI's `front: true` on `/prompt` puts the prompt at the front of the caller's queue."""

from __future__ import annotations

import httpx

from ..server_harness import ServerProcess, chain_prompt, wait_for_status
from .comfy_client import ComfyClient


def test_a_prompt_queued_with_front_starts_before_those_queued_earlier(
        comfy: ComfyClient, comfy_server: ServerProcess) -> None:
    with httpx.Client(base_url=comfy_server.url, timeout=30) as api:
        assert api.post("/api/queue/pause").status_code == 200
        try:
            early = [comfy.queue_prompt(chain_prompt(value))["prompt_id"] for value in (1, 2)]
            front = comfy.queue_prompt(chain_prompt(3), front=True)["prompt_id"]
            assert [run["run_id"] for run in api.get("/api/queue").json()["queued"]] == [front, *early]
        finally:
            api.post("/api/queue/resume")
        runs = [wait_for_status(api, run_id, {"completed"}) for run_id in (front, *early)]
    assert min(runs, key=lambda run: run["started_at"])["run_id"] == front


def test_prompts_queued_with_a_number_take_that_place_in_the_callers_line(
        comfy: ComfyClient, comfy_server: ServerProcess) -> None:
    """ComfyUI's `number` orders its queue (lower first); ours are submission times in ms."""
    with httpx.Client(base_url=comfy_server.url, timeout=30) as api:
        assert api.post("/api/queue/pause").status_code == 200
        try:
            last = comfy.queue_prompt(chain_prompt(4), number=10**13)["prompt_id"]  # far in the future
            early = [comfy.queue_prompt(chain_prompt(value))["prompt_id"] for value in (5, 6)]
            first = comfy.queue_prompt(chain_prompt(7), number=0)["prompt_id"]
            assert [run["run_id"] for run in api.get("/api/queue").json()["queued"]] == [first, *early, last]
        finally:
            api.post("/api/queue/resume")
        for run_id in (first, *early, last):
            wait_for_status(api, run_id, {"completed"})
