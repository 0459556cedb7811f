"""No internals in answers: run records, events and CLI output carry no traceback or server
path; the traceback is in the server's log under the run id, and `auteur run --debug` shows it."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import httpx
import pytest

from ..server_harness import AUTEUR, ServerProcess, wait_for_status


def failing_graph(message: str) -> dict[str, object]:
    return {"1": {"class_type": "test.fail", "inputs": {"message": message}},
            "2": {"class_type": "core.show", "inputs": {"value": ["1", 0]}}}


def test_a_failed_node_answers_without_traceback_or_server_path(
    team_server: ServerProcess, clients: dict[str, httpx.Client]
) -> None:
    root = str(team_server.workspace.resolve())
    graph = failing_graph(f"cannot open {root}/Projects/secret.mov")
    run_id = clients["ada"].post("/api/runs", json={"graph": graph}).json()["run_id"]
    record = wait_for_status(clients["ada"], run_id, {"failed"})
    text = json.dumps({key: record[key] for key in ("nodes", "errors", "outputs", "reason")})
    assert "Traceback" not in text and root not in text and "site-packages" not in text
    assert "File \\\"" not in text
    [error] = record["errors"]
    assert error["message"] == "cannot open Projects/secret.mov"
    assert error["details"]["error_type"] == "ValueError" and "traceback" not in error["details"]
    assert record["nodes"]["1"]["error"] == error
    # ... and the server keeps the traceback, under the run id.
    log = team_server.log.read_text(encoding="utf-8", errors="replace")
    assert f"run {run_id} node 1 (test.fail) failed" in log and "Traceback (most recent call last)" in log


def test_a_failed_node_answers_without_paths_outside_the_workspace_either(
    team_server: ServerProcess, clients: dict[str, httpx.Client]
) -> None:
    root = str(team_server.workspace.resolve())
    message = f"ffmpeg: /var/tmp/auteur-stage-7/frame_0001.png: No such file; wrote {root}/.auteur/outputs/ab/out.mp4"
    run_id = clients["ada"].post("/api/runs", json={"graph": failing_graph(message)}).json()["run_id"]
    record = wait_for_status(clients["ada"], run_id, {"failed"})
    [error] = record["errors"]
    assert error["message"] == "ffmpeg: frame_0001.png: No such file; wrote .auteur/outputs/ab/out.mp4"
    answered = json.dumps({key: record[key] for key in ("nodes", "errors", "reason")})
    assert "/var/tmp" not in answered and root not in answered


def cli(workspace: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "AUTEUR_WORKSPACE": str(workspace)}
    return subprocess.run([*AUTEUR, *args], env=env, capture_output=True, text=True, timeout=120, check=False)


def test_auteur_run_shows_the_traceback_only_with_debug(tmp_path: Path) -> None:
    graph = tmp_path / "fail.json"
    graph.write_text(json.dumps(failing_graph("disk on fire")))
    plain = cli(tmp_path / "ws", "run", str(graph))
    assert plain.returncode == 1 and "disk on fire" in plain.stderr
    assert "Traceback" not in plain.stdout + plain.stderr
    debug = cli(tmp_path / "ws", "run", "--debug", str(graph))
    assert debug.returncode == 1 and "Traceback (most recent call last)" in debug.stderr
    assert "ValueError: disk on fire" in debug.stderr


@pytest.mark.parametrize("depth", [65, 300, 990, 5000])
@pytest.mark.parametrize("command", ["validate", "run"])
def test_a_deeply_nested_graph_file_is_a_clear_cli_error(tmp_path: Path, depth: int, command: str) -> None:
    graph = tmp_path / "deep.json"
    value = "[" * depth + "]" * depth
    graph.write_text('{"1": {"class_type": "core.show", "inputs": {"value": ' + value + "}}}")
    result = cli(tmp_path / "ws", command, str(graph))
    assert result.returncode == 2, result.stderr
    assert "graph_invalid" in result.stderr and "deep" in result.stderr
    assert "Traceback" not in result.stderr and "RecursionError" not in result.stderr


def test_a_non_media_upload_or_input_is_named_as_the_project_names_it_never_by_a_server_path(
    team_server: ServerProcess, clients: dict[str, httpx.Client], film: str
) -> None:
    root = str(team_server.workspace.resolve())
    uploaded = clients["cy"].post(f"/api/projects/{film}/assets", data={"category": "Styles"},
                                  files={"file": ("not_a_clip.mp4", b"no video here\n" * 64, "video/mp4")})
    assert 400 <= uploaded.status_code < 500 and root not in uploaded.text and "Projects/" not in uploaded.text, uploaded.text
    fake = team_server.workspace / "Projects" / film / "01_Assets" / "Video" / "not_a_clip.mp4"
    fake.parent.mkdir(parents=True, exist_ok=True)
    fake.write_bytes(b"no video here\n" * 64)
    graph = {"1": {"class_type": "media.load", "inputs": {"path": "01_Assets/Video/not_a_clip.mp4"}},
             "2": {"class_type": "core.show", "inputs": {"value": ["1", 0]}}}
    run_id = clients["cy"].post("/api/runs", json={"graph": graph, "project": film}).json()["run_id"]
    record = wait_for_status(clients["cy"], run_id, {"failed"})
    [error] = record["errors"]
    assert error["code"] == "not_media", error
    assert error["message"].startswith("01_Assets/Video/not_a_clip.mp4 is not a media file ffmpeg can read (")
    assert error["message"].endswith("Invalid data found when processing input)")
    answered = json.dumps({key: record[key] for key in ("nodes", "errors", "reason")})
    assert root not in answered and "Projects/" not in answered
