"""Errors users can act on: missing ffmpeg, missing or non-media files, no audio, unsupported
formats, disk full (output removed), the sandbox and maturity levels."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from canvas_server.graph.prompt import ApiPrompt
from canvas_server.graph.validate import validate_prompt
from nodes.sdk import NodeRegistry

from .media_fixtures import (
    WORKER,
    load,
    make_video,
    run_node,
    task_json,
)


@pytest.fixture
def clip(workspace: Path, registry: NodeRegistry) -> dict[str, object]:
    make_video(workspace / "media" / "clip.mp4", seconds=3)
    return load(workspace, registry, "media/clip.mp4")


def test_missing_ffmpeg_is_reported_with_the_install_command(
    workspace: Path, registry: NodeRegistry, clip: dict[str, object],
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    empty = tmp_path / "empty-bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    result = run_node(workspace, registry, "media.trim", {"video": clip, "duration": "1"})
    assert result.error is not None
    assert result.error.code == "dependency_missing"
    assert "apt-get install ffmpeg" in result.error.message


def test_loading_a_missing_file_names_the_path(workspace: Path, registry: NodeRegistry) -> None:
    result = run_node(workspace, registry, "media.load", {"path": "media/nope.mp4"})
    assert result.error is not None
    assert result.error.code == "media_not_found"
    assert "media/nope.mp4" in result.error.message


def test_a_ref_whose_file_was_deleted_is_media_not_found(
    workspace: Path, registry: NodeRegistry, clip: dict[str, object]
) -> None:
    (workspace / "media" / "clip.mp4").unlink()
    result = run_node(workspace, registry, "media.convert", {"video": clip})
    assert result.error is not None
    assert result.error.code == "media_not_found"


def test_a_text_file_is_not_a_media_file(workspace: Path, registry: NodeRegistry) -> None:
    (workspace / "media" / "notes.mp4").write_text("not a video, just notes\n")
    result = run_node(workspace, registry, "media.load", {"path": "media/notes.mp4"})
    assert result.error is not None
    assert result.error.code == "not_media"
    assert "not a media file" in result.error.message


@pytest.mark.parametrize(
    ("type_id", "extra"),
    [("media.extract_audio", {"format": "mp3"}), ("audio.normalize", {}), ("audio.transcribe", {})],
)
def test_audio_operations_on_a_silent_clip_say_there_is_no_audio_stream(
    workspace: Path, registry: NodeRegistry, type_id: str, extra: dict[str, object]
) -> None:
    make_video(workspace / "media" / "silent.mp4", seconds=2, audio=False)
    silent = load(workspace, registry, "media/silent.mp4")
    socket = "video" if type_id.startswith("media.") else "audio"
    result = run_node(workspace, registry, type_id, {socket: silent, **extra})
    assert result.error is not None
    assert result.error.code == "no_audio_stream"
    assert "no audio stream" in result.error.message


def test_a_container_ffmpeg_cannot_write_is_unsupported_format(
    workspace: Path, registry: NodeRegistry
) -> None:
    # An MP4 named .dat probes fine (by content), but a stream-copy trim keeps the
    # extension, for which ffmpeg has no muxer.
    make_video(workspace / "media" / "clip.mp4", seconds=2)
    shutil.move(workspace / "media" / "clip.mp4", workspace / "media" / "clip.dat")
    odd = load(workspace, registry, "media/clip.dat")
    result = run_node(workspace, registry, "media.trim", {"video": odd, "duration": "1"})
    assert result.error is not None
    assert result.error.code == "unsupported_format"
    assert not list((workspace / ".auteur").rglob("clip_trim*"))


def test_running_out_of_space_removes_the_partial_output(
    workspace: Path, registry: NodeRegistry, clip: dict[str, object]
) -> None:
    # A real write failure: the worker's file-size limit (inherited by ffmpeg, with SIGXFSZ
    # ignored so the write fails with EFBIG) stands in for a full disk.
    limited = (
        "import resource, signal\n"
        "signal.signal(signal.SIGXFSZ, signal.SIG_IGN)\n"
        "resource.setrlimit(resource.RLIMIT_FSIZE, (20_000, 20_000))\n" + WORKER
    )
    task = task_json(workspace, "media.convert", {"video": clip, "format": "mkv"}, tier="high")
    done = subprocess.run([sys.executable, "-c", limited], input=task, capture_output=True,
                          text=True, check=True, timeout=120)
    error = json.loads(done.stdout)["error"]
    assert error["code"] == "disk_full"
    assert "removed" in error["message"]
    scratch = workspace / ".auteur" / "scratch"
    assert not [path for path in scratch.rglob("*") if path.is_file()]


@pytest.mark.parametrize("path", ["../outside.mp4", "/etc/passwd", "media/%2e%2e/x.mp4"])
def test_load_refuses_paths_outside_the_sandbox(
    workspace: Path, registry: NodeRegistry, path: str
) -> None:
    result = run_node(workspace, registry, "media.load", {"path": path})
    assert result.error is not None
    assert result.error.code == "path_forbidden"


def _prompt(type_id: str) -> ApiPrompt:
    inputs = {"video": ["1", 0]} if type_id.startswith("media.") else {"audio": ["1", 0]}
    return ApiPrompt.model_validate({
        "1": {"class_type": "media.load", "inputs": {"path": "media/clip.mp4"}},
        "2": {"class_type": type_id, "inputs": inputs},
        "3": {"class_type": "core.show", "inputs": {"value": ["2", 0]}},
    })


def _refused(type_id: str, caller: str, registry: NodeRegistry) -> bool:
    errors = validate_prompt(_prompt(type_id), registry, caller_maturity=caller)
    return any(e.code == "maturity_insufficient" and e.node_id == "2" for e in errors)


@pytest.mark.parametrize(
    "type_id",
    ["media.trim", "media.convert", "media.thumbnail", "media.extract_audio", "audio.normalize"],
)
def test_file_editing_nodes_refuse_every_caller_below_autonomous(
    registry: NodeRegistry, type_id: str
) -> None:
    for caller in ("STUDENT", "INTERN", "SUPERVISED"):
        assert _refused(type_id, caller, registry), caller
    assert not _refused(type_id, "AUTONOMOUS", registry)


@pytest.mark.parametrize("type_id", ["audio.transcribe", "audio.stems"])
def test_analysis_nodes_need_supervised(registry: NodeRegistry, type_id: str) -> None:
    assert _refused(type_id, "INTERN", registry)
    assert not _refused(type_id, "SUPERVISED", registry)
