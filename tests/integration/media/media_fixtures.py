"""Shared helpers for the media/audio pack tests: real media made with ffmpeg and espeak-ng,
nodes run exactly as a runner runs them, and independent measurement with ffprobe/ebur128."""

from __future__ import annotations

import itertools
import json
import re
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

from function_runners.execute import execute_task
from function_runners.task import NodeResult, NodeTask
from function_runners.tiers import load_tiers
from nodes.sdk import ModelCache, NodeRegistry

_task_ids = itertools.count()


def ffmpeg(*args: str) -> None:
    """Run the ffmpeg CLI to make test media (independent of the code under test)."""
    subprocess.run(["ffmpeg", "-hide_banner", "-loglevel", "error", "-y", *args], check=True)


def make_video(path: Path, *, seconds: float = 4, size: str = "320x240", fps: int = 25,
               gop: int = 25, audio: bool = True) -> Path:
    """A testsrc clip with a keyframe every `gop` frames and (optionally) a 440 Hz tone."""
    inputs = ["-f", "lavfi", "-i", f"testsrc=size={size}:rate={fps}:duration={seconds}"]
    if audio:
        inputs += ["-f", "lavfi", "-i", f"sine=frequency=440:sample_rate=44100:duration={seconds}"]
    ffmpeg(*inputs, "-c:v", "libx264", "-preset", "ultrafast", "-g", str(gop),
           "-pix_fmt", "yuv420p", *(["-c:a", "aac"] if audio else []), "-shortest", str(path))
    return path


def make_speech(path: Path, sentence: str) -> Path:
    """Real speech: espeak-ng reads `sentence` into a WAV."""
    subprocess.run(["espeak-ng", "-w", str(path), sentence], check=True)
    return path


def ffprobe(path: Path) -> dict[str, Any]:
    out = subprocess.run(
        ["ffprobe", "-v", "error", "-show_format", "-show_streams", "-of", "json", str(path)],
        check=True, capture_output=True,
    ).stdout
    data: dict[str, Any] = json.loads(out)
    return data


def stream(path: Path, kind: str) -> dict[str, Any]:
    return next(s for s in ffprobe(path)["streams"] if s["codec_type"] == kind)


def duration_of(path: Path) -> float:
    return float(ffprobe(path)["format"]["duration"])


def integrated_loudness(path: Path) -> float:
    """Integrated loudness (LUFS) measured by ffmpeg's ebur128 filter."""
    result = subprocess.run(
        ["ffmpeg", "-hide_banner", "-nostats", "-i", str(path), "-af", "ebur128", "-f", "null", "-"],
        check=True, capture_output=True, text=True,
    )
    summary = result.stderr[result.stderr.rindex("Summary:"):]
    match = re.search(r"I:\s+(-?[\d.]+) LUFS", summary)
    assert match, summary
    return float(match.group(1))


def harness_roots(workspace: Path) -> dict[str, Any]:
    """The run roots of a test's tasks: the test workspace plays the project (its `media/`
    files are loaded by relative path) and every earlier task of the test is an ancestor,
    so its outputs may be read."""
    return {"project_root": str(workspace), "input_dirs": [str(workspace / ".auteur" / "scratch")]}


def run_node(
    workspace: Path,
    registry: NodeRegistry,
    type_id: str,
    inputs: dict[str, Any],
    *,
    tier: str = "standard",
    models: ModelCache | None = None,
    is_cancelled: Callable[[], bool] | None = None,
    progress: Callable[[float, str | None], None] | None = None,
    tier_params: dict[str, Any] | None = None,
) -> NodeResult:
    """Run one node exactly as a Function Runner does (same task shape, same body)."""
    number = next(_task_ids)
    task = NodeTask(
        run_id="test-run",
        node_id=str(number),
        type=type_id,
        version="1.0.0",
        inputs=inputs,
        tier=tier,
        tier_params=tier_params if tier_params is not None else load_tiers().params_for(tier, type_id),
        scratch_dir=str(workspace / ".auteur" / "scratch" / f"task{number}"),
        workspace_root=str(workspace),
        **harness_roots(workspace),
    )
    return execute_task(task, registry, models or ModelCache(), runner="test",
                        progress=progress, is_cancelled=is_cancelled)


def outputs_of(result: NodeResult) -> dict[str, Any]:
    assert result.error is None, result.error
    assert result.outputs is not None
    return result.outputs


def load(workspace: Path, registry: NodeRegistry, relative: str) -> dict[str, Any]:
    """A MediaRef (JSON) for a workspace file, made by media.load."""
    media: dict[str, Any] = outputs_of(run_node(workspace, registry, "media.load", {"path": relative}))["media"]
    return media


def task_json(workspace: Path, type_id: str, inputs: dict[str, Any], *, tier: str = "standard") -> str:
    """A NodeTask as JSON, for running a node in a separate worker process."""
    number = next(_task_ids)
    return NodeTask(
        run_id="test-run", node_id=f"w{number}", type=type_id, version="1.0.0", inputs=inputs,
        tier=tier, tier_params=load_tiers().params_for(tier, type_id),
        scratch_dir=str(workspace / ".auteur" / "scratch" / f"worker{number}"),
        workspace_root=str(workspace),
        **harness_roots(workspace),
    ).model_dump_json()


# A runner worker in miniature: run one task (JSON on stdin), print the NodeResult as JSON.
WORKER = """
import sys
from function_runners.execute import execute_task
from function_runners.task import NodeTask
from nodes.sdk import ModelCache, discover
task = NodeTask.model_validate_json(sys.stdin.read())
result = execute_task(task, discover(only=["core", "media", "audio"]), ModelCache(), runner="w")
print(result.model_dump_json())
"""


def _live_processes(name: str) -> list[tuple[int, int, int]]:
    """(pid, parent pid, process group) of live (non-zombie) processes called `name`."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:
            continue
        comm = text[text.index("(") + 1 : text.rindex(")")]
        state, ppid, group = text[text.rindex(")") + 2 :].split()[:3]
        if comm == name and state != "Z":
            found.append((int(stat.parent.name), int(ppid), int(group)))
    return found


def processes_in_group(pgid: int, name: str = "ffmpeg") -> list[int]:
    """Live processes called `name` whose process group is `pgid`."""
    return [pid for pid, _ppid, group in _live_processes(name) if group == pgid]


def children_named(parent: int, name: str = "ffmpeg") -> list[int]:
    """Live child processes of `parent` called `name`."""
    return [pid for pid, ppid, _group in _live_processes(name) if ppid == parent]
