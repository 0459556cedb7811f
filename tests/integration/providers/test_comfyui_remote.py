"""providers.comfyui_remote against a real server speaking ComfyUI's API: a second `auteur
serve` (its ComfyUI port, its own workspace) is the studio's render box. Progress from its /ws,
outputs through /view as takes, cancellation by /interrupt, a refused prompt's node_errors."""

from __future__ import annotations

import json
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from function_runners.task import NodeResult
from nodes.sdk import NodeRegistry
from nodes.sdk.takes import read_provenances

from ..server_harness import ServerProcess, free_port, sleep_prompt
from .conftest import SHOT, run_node


@pytest.fixture(scope="module")
def render_box(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    server = ServerProcess(tmp_path_factory.mktemp("render-box"), comfyui_port=free_port()).start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def comfy_studio(studio: Path, monkeypatch: pytest.MonkeyPatch, render_box: ServerProcess) -> Path:
    monkeypatch.setenv("AUTEUR_COMFYUI_REMOTE_URL", render_box.comfy_url)
    return studio


def render(workspace: Path, registry: NodeRegistry, prompt: dict[str, Any], *,
           is_cancelled: Any = None, progress: list[float] | None = None) -> NodeResult:
    return run_node(workspace, registry, "providers.comfyui_remote",
                    {"prompt": json.dumps(prompt), "shot_path": SHOT}, is_cancelled=is_cancelled, progress=progress)


def test_a_prompt_renders_on_the_remote_server_and_its_outputs_become_takes_with_progress(
    comfy_studio: Path, providers: NodeRegistry, render_box: ServerProcess, tmp_path: Path
) -> None:
    clip = tmp_path / "clip.mp4"
    subprocess.run(["ffmpeg", "-hide_banner", "-loglevel", "error", "-f", "lavfi", "-i",
                    "testsrc=size=160x120:rate=10:duration=2", "-pix_fmt", "yuv420p", "-y", str(clip)], check=True)
    uploaded = httpx.post(f"{render_box.comfy_url}/upload/image", files={"image": ("clip.mp4", clip.read_bytes())},
                          data={"subfolder": "shots", "type": "input"})
    assert uploaded.status_code == 200, uploaded.text
    prompt = {
        "1": {"class_type": "media.load", "inputs": {"path": "Library/Uploads/shots/clip.mp4"}},
        "2": {"class_type": "media.thumbnail", "inputs": {"video": ["1", 0], "timestamp": "00:00:01"}},
        "3": {"class_type": "core.show", "inputs": {"value": ["2", 0]}},
    }
    progress: list[float] = []
    result = render(comfy_studio, providers, prompt, progress=progress)
    assert result.error is None, result.error
    assert result.outputs is not None
    shot_dir = comfy_studio / "Projects" / "Film" / "03_Renders" / "Chapter_01" / "Scene_01" / "Shot_01"
    takes = sorted(path for path in shot_dir.iterdir() if not path.name.endswith(".provenance.json"))
    # The thumbnail, fetched by /view; the loader's upload (type input) is not a result.
    assert [take.name for take in takes] == ["S01_S01_take01.jpg"]
    assert takes[0].read_bytes()[:3] == b"\xff\xd8\xff"
    assert result.outputs["paths"] == [f"03_Renders/{SHOT}/S01_S01_take01.jpg"]
    records = read_provenances(shot_dir)
    source = records[0].source
    assert source["provider"] == "comfyui" and source["server"] == render_box.comfy_url
    assert source["promptId"] == result.outputs["prompt_id"] and records[0].inputs == {"prompt": prompt}
    remote = httpx.get(f"{render_box.url}/api/runs/{source['promptId']}").json()
    assert remote["status"] == "completed"  # an ordinary run on the render box
    assert len(set(progress)) >= 3 and progress == sorted(progress)  # queue, nodes, fetch


def test_a_prompt_the_server_refuses_reports_its_node_errors_on_our_node(
    comfy_studio: Path, providers: NodeRegistry
) -> None:
    result = render(comfy_studio, providers, {"1": {"class_type": "core.add", "inputs": {"a": "seven", "b": 1}},
                                        "2": {"class_type": "core.show", "inputs": {"value": ["1", 0]}}})
    assert result.error is not None and result.error.code == "comfyui_prompt_refused"
    assert "node 1" in result.error.message
    assert "1" in (result.error.details or {})["nodeErrors"]


def test_cancelling_interrupts_the_prompt_on_the_remote_server(
    comfy_studio: Path, providers: NodeRegistry, render_box: ServerProcess
) -> None:
    cancel = threading.Event()
    threading.Timer(2.0, cancel.set).start()
    started = time.monotonic()
    result = render(comfy_studio, providers, sleep_prompt(60), is_cancelled=cancel.is_set)
    assert time.monotonic() - started < 15
    assert result.error is not None and result.error.code == "cancelled"
    assert "cancelled there" in result.error.message
    # The render box's only prompt that never completed is the sleeper: it ends interrupted, not after 60 s.
    deadline, statuses = time.monotonic() + 15, []
    while time.monotonic() < deadline:
        statuses = [run["status"] for run in httpx.get(f"{render_box.url}/api/runs").json()["items"]]
        if "cancelled" in statuses and not {"queued", "running"} & set(statuses):
            break
        time.sleep(0.2)
    else:
        pytest.fail(f"the remote prompt was not interrupted: {statuses}")
