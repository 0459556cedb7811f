"""A client written from ComfyUI's protocol runs core and media graphs against a real
`auteur serve`: queue with a prompt_id, wait for `executing` with `node: null`, fetch the
history, download every output with `/view`."""

from __future__ import annotations

import subprocess
import time
import uuid
from pathlib import Path

import httpx

from ..server_harness import ServerProcess, chain_prompt
from .comfy_client import ComfyClient


def _types(messages: list[dict]) -> list[str]:
    return [message["type"] for message in messages]


def test_connect_sends_status_with_the_queue_and_the_client_id(comfy_server: ServerProcess) -> None:
    client = ComfyClient(f"127.0.0.1:{comfy_server.comfyui_port}", "status-client")
    (first,) = client.connect()
    client.close()
    assert first["type"] == "status"
    assert first["data"]["sid"] == "status-client"
    assert isinstance(first["data"]["status"]["exec_info"]["queue_remaining"], int)


def test_core_graph_runs_and_its_history_is_an_ordinary_run(comfy: ComfyClient, comfy_server: ServerProcess) -> None:
    prompt_id = str(uuid.uuid4())
    answer = comfy.queue_prompt(chain_prompt(2, 3), prompt_id)
    assert answer["prompt_id"] == prompt_id and answer["node_errors"] == {}
    messages = comfy.wait(prompt_id)
    kinds = _types(messages)
    assert kinds.index("execution_start") < kinds.index("executing") < kinds.index("execution_success")
    executed = [m["data"] for m in messages if m["type"] == "executed"]
    assert executed == [{"node": "3", "display_node": "3", "output": {"text": ["5"]}, "prompt_id": prompt_id}]
    assert all(m["data"].get("prompt_id") == prompt_id for m in messages if m["type"] != "status")
    entry = comfy.history(prompt_id)
    assert entry["status"] == {"status_str": "success", "completed": True, "messages": entry["status"]["messages"]}
    assert entry["outputs"] == {"3": {"text": ["5"]}}
    assert entry["prompt"][1] == prompt_id and entry["prompt"][4] == ["3"]
    run = httpx.get(f"{comfy_server.url}/api/runs/{prompt_id}").json()
    assert run["status"] == "completed" and run["outputs"]["3"] == {"value": 5}


def test_unchanged_rerun_reports_execution_cached(comfy: ComfyClient) -> None:
    prompt = chain_prompt(40, 2)
    first = comfy.queue_prompt(prompt)["prompt_id"]
    comfy.wait(first)
    second = comfy.queue_prompt(prompt)["prompt_id"]
    messages = comfy.wait(second)
    kinds = [kind for kind in _types(messages) if kind != "status"]  # queue notices interleave
    # One execution_cached listing every cached node, right after execution_start, as ComfyUI sends.
    assert kinds.count("execution_cached") == 1
    assert kinds.index("execution_cached") == kinds.index("execution_start") + 1
    (cached,) = [m["data"] for m in messages if m["type"] == "execution_cached"]
    assert sorted(cached["nodes"]) == ["1", "2", "3"] and cached["prompt_id"] == second
    assert "executing" not in kinds[:kinds.index("execution_success")]
    assert [m["data"]["node"] for m in messages if m["type"] == "executed"] == ["3"]  # the cached UI output
    assert "execution_success" in kinds


def test_a_first_run_sends_an_empty_execution_cached_after_execution_start(comfy: ComfyClient) -> None:
    prompt_id = comfy.queue_prompt(chain_prompt(41, 2))["prompt_id"]
    messages = comfy.wait(prompt_id)
    kinds = [kind for kind in _types(messages) if kind != "status"]  # queue notices interleave
    assert kinds.index("execution_cached") == kinds.index("execution_start") + 1
    assert [m["data"]["nodes"] for m in messages if m["type"] == "execution_cached"] == [[]]


def test_runs_submitted_on_api_runs_appear_in_history(comfy: ComfyClient, comfy_server: ServerProcess) -> None:
    run_id = httpx.post(f"{comfy_server.url}/api/runs", json={"graph": chain_prompt(1, 1)}).json()["run_id"]
    deadline = time.monotonic() + 30
    while not (entry := comfy.request(f"/history/{run_id}")[1]) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert entry[run_id]["outputs"] == {"3": {"text": ["2"]}}


def test_failing_node_sends_execution_error_without_server_paths(comfy: ComfyClient) -> None:
    prompt = {"1": {"class_type": "test.fail", "inputs": {"message": "disk on fire"}},
              "2": {"class_type": "core.show", "inputs": {"value": ["1", 0]}}}
    prompt_id = comfy.queue_prompt(prompt)["prompt_id"]
    messages = comfy.wait(prompt_id)
    (error,) = [m["data"] for m in messages if m["type"] == "execution_error"]
    assert error["node_id"] == "1" and error["node_type"] == "test.fail"
    assert "disk on fire" in error["exception_message"] and error["exception_type"] == "ValueError"
    assert error["traceback"] and any("disk on fire" in line for line in error["traceback"])
    assert not any('"/' in line or str(Path.home()) in line for line in error["traceback"])
    assert comfy.history(prompt_id)["status"]["status_str"] == "error"


def test_interrupt_stops_a_long_run(comfy: ComfyClient) -> None:
    prompt = {"1": {"class_type": "test.sleep", "inputs": {"seconds": 60, "value": uuid.uuid4().hex}},
              "2": {"class_type": "core.show", "inputs": {"value": ["1", 0]}}}
    prompt_id = comfy.queue_prompt(prompt)["prompt_id"]
    while not ((m := comfy.receive())["type"] == "executing" and m["data"]["node"] == "1"):
        pass
    started = time.monotonic()
    assert comfy.request("/interrupt", {"prompt_id": prompt_id})[0] == 200
    messages = comfy.wait(prompt_id)
    assert time.monotonic() - started < 15
    (stopped,) = [m["data"] for m in messages if m["type"] == "execution_interrupted"]
    assert stopped["prompt_id"] == prompt_id


def _clip(path: Path) -> bytes:
    subprocess.run(["ffmpeg", "-hide_banner", "-loglevel", "error", "-f", "lavfi", "-i",
                    "testsrc=size=160x120:rate=10:duration=2", "-pix_fmt", "yuv420p", "-y", str(path)], check=True)
    return path.read_bytes()


def test_media_graph_thumbnails_an_uploaded_clip(comfy: ComfyClient, tmp_path: Path) -> None:
    uploaded = comfy.upload("clip.mp4", _clip(tmp_path / "clip.mp4"), subfolder="shots")
    assert uploaded == {"name": "clip.mp4", "subfolder": "shots", "type": "input"}
    prompt = {
        "1": {"class_type": "media.load", "inputs": {"path": f"Library/Uploads/shots/{uploaded['name']}"}},
        "2": {"class_type": "media.thumbnail", "inputs": {"video": ["1", 0], "timestamp": "00:00:01"}},
        "3": {"class_type": "core.show", "inputs": {"value": ["2", 0]}},
    }
    prompt_id = comfy.queue_prompt(prompt)["prompt_id"]
    messages = comfy.wait(prompt_id)
    assert "execution_success" in _types(messages), messages
    files = comfy.outputs(prompt_id)
    assert [data[:2] for data in files["3"]] == [b"\xff\xd8"]  # the JPEG still, via /view
    assert comfy.history(prompt_id)["outputs"]["1"]["video"][0]["type"] == "input"  # the upload
    assert comfy.view("clip.mp4", "shots", "input")[:100] == (tmp_path / "clip.mp4").read_bytes()[:100]
