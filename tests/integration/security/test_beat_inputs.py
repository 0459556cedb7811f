"""Hostile input for production.cut_on_beats (issue 26): audio outside the run's roots, a file
that is not audio, no shots, a shot list that is not shots, a minimum outside its bounds —
each a clear node error before ffmpeg decodes anything it should not."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import pytest

from function_runners.execute import execute_task
from function_runners.task import NodeResult, NodeTask
from nodes.production import CutOnBeats
from nodes.sdk import ModelCache, NodeRegistry

NOT_A_SONG = b"not a song"
SHOT = {"id": "s1", "chapter": 1, "scene": 1, "number": 1, "description": "a", "duration": 2.0}


def audio_ref(path: str, sha256: str = "0" * 64) -> dict[str, Any]:
    return {"path": path, "sha256": sha256, "mime": "audio/wav", "kind": "audio"}


def run_cut(workspace: Path, inputs: dict[str, Any]) -> NodeResult:
    registry = NodeRegistry()
    registry.add(CutOnBeats, "production")
    project = workspace / "Projects" / "Film"
    project.mkdir(parents=True, exist_ok=True)
    (project / "project.json").write_text(json.dumps({"name": "Film"}))
    (project / "notes.txt").write_bytes(NOT_A_SONG)
    task = NodeTask(run_id="run-1", node_id="1", type="production.cut_on_beats", version="1.0.0", inputs=inputs,
                    tier="standard", scratch_dir=str(workspace / ".auteur" / "scratch"),
                    workspace_root=str(workspace), project_root=str(project), project="Film")
    return execute_task(task, registry, ModelCache(), runner="test")


@pytest.mark.parametrize(("hostile", "code"), [
    ({"audio": audio_ref("../../../etc/passwd")}, "path_forbidden"),
    ({"audio": audio_ref("/etc/passwd")}, "path_forbidden"),
    ({"audio": audio_ref(".auteur/secret.key")}, "path_forbidden"),
    ({"audio": audio_ref("Projects/Film/notes.txt")}, "path_forbidden"),  # not the file it names
    ({"audio": audio_ref("Projects/Film/notes.txt", hashlib.sha256(NOT_A_SONG).hexdigest())}, None),
    ({"shots": []}, "value_out_of_range"),
    ({"shots": [{"description": "no place or length"}]}, "value_invalid"),
    ({"shots": "Chapter_01"}, "value_invalid"),
    ({"min_seconds": 0}, "value_invalid"),
    ({"min_seconds": 1e9}, "value_invalid"),
])
def test_hostile_cut_on_beats_inputs_are_a_clear_node_error(tmp_path: Path, hostile: dict[str, Any],
                                                            code: str | None) -> None:
    result = run_cut(tmp_path, {"shots": [SHOT, {**SHOT, "id": "s2", "number": 2}],
                                "audio": audio_ref("Projects/Film/song.wav"), **hostile})
    assert result.error is not None and result.outputs is None
    if code is not None:
        assert result.error.code == code, result.error
    else:  # a real file that is not audio: ffmpeg's refusal, a media error, never a crash
        assert result.error.code not in ("node_failed", "internal_error"), result.error
    assert "Traceback" not in result.error.message and "root:" not in result.error.message
