"""`auteur serve` that cannot start as configured says so in one line naming what to change,
exits with status 2, and leaves nothing listening (it checks before it starts anything)."""

from __future__ import annotations

import os
import socket
import sqlite3
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from .server_harness import AUTEUR, free_port


def _serve(workspace: Path, port: int, comfyui_port: int, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*AUTEUR, "serve", "--port", str(port), "--comfyui-port", str(comfyui_port)],
        env={**os.environ, "AUTEUR_WORKSPACE": str(workspace), "AUTEUR_LOAD_PLUGINS": "core", **env},
        capture_output=True, text=True, timeout=60,
    )


def _listening(port: int) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) == 0


def _one_line(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 2, result.stdout + result.stderr
    lines = (result.stdout + result.stderr).strip().splitlines()
    assert len(lines) == 1, lines
    return lines[0]


@pytest.fixture
def taken() -> Iterator[int]:
    """A port another program listens on."""
    with socket.socket() as other:
        other.bind(("127.0.0.1", 0))
        other.listen()
        yield int(other.getsockname()[1])


def test_a_taken_server_port_is_named_with_the_port_flag(tmp_path: Path, taken: int) -> None:
    comfyui_port = free_port()
    line = _one_line(_serve(tmp_path / "ws", taken, comfyui_port))
    assert f"port {taken}" in line and "already in use" in line and "--port" in line, line
    assert not _listening(comfyui_port)


def test_a_taken_comfyui_port_is_named_with_its_flag_and_how_to_turn_it_off(tmp_path: Path, taken: int) -> None:
    port = free_port()
    line = _one_line(_serve(tmp_path / "ws", port, taken))
    assert f"port {taken}" in line and "ComfyUI" in line and "--comfyui-port N" in line, line
    assert "--comfyui-port 0" in line, line
    assert not _listening(port)


def test_an_unwritable_workspace_is_named_with_the_setting_to_change(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    port, comfyui_port = free_port(), free_port()
    line = _one_line(_serve(blocker / "ws", port, comfyui_port))
    assert "cannot write to the workspace" in line and str(blocker / "ws") in line, line
    assert "AUTEUR_WORKSPACE" in line, line
    assert not _listening(port) and not _listening(comfyui_port)


def test_a_missing_editor_build_named_by_the_setting_is_a_startup_error(tmp_path: Path) -> None:
    port, comfyui_port = free_port(), free_port()
    line = _one_line(_serve(tmp_path / "ws", port, comfyui_port, AUTEUR_WEB_DIR=str(tmp_path / "no-dist")))
    assert "no editor build" in line and "make web" in line and "AUTEUR_WEB_DIR" in line, line
    assert not _listening(port) and not _listening(comfyui_port)


def test_a_run_store_written_by_a_newer_auteur_stops_the_start_in_one_line(tmp_path: Path) -> None:
    state = tmp_path / "ws" / ".auteur"
    state.mkdir(parents=True)
    with sqlite3.connect(state / "runs.sqlite3") as db:
        db.execute("PRAGMA user_version = 999")
    port, comfyui_port = free_port(), free_port()
    line = _one_line(_serve(tmp_path / "ws", port, comfyui_port))
    assert line.startswith("error: ") and "runs.sqlite3" in line and "999" in line, line
    assert not _listening(port) and not _listening(comfyui_port)


def test_comfyui_frontend_without_the_comfyui_port_says_which_port_to_give(tmp_path: Path) -> None:
    port = free_port()
    line = _one_line(_serve(tmp_path / "ws", port, 0, AUTEUR_COMFYUI_FRONTEND="1"))
    assert line == "error: --comfyui-frontend needs the ComfyUI port (--comfyui-port N, not 0)"
    assert not _listening(port)


@pytest.mark.parametrize(("env", "names"), [
    ({"AUTEUR_EVENTS_URL": "redis://:hunter2@127.0.0.1:9/0"}, ("AUTEUR_EVENTS_URL", "Redis")),
    ({"AUTEUR_DATABASE_URL": "postgresql://auteur:hunter2@127.0.0.1:9/auteur"}, ("AUTEUR_DATABASE_URL", "PostgreSQL")),
])
def test_an_unreachable_event_relay_or_database_is_named_without_its_secret(
        tmp_path: Path, env: dict[str, str], names: tuple[str, ...]) -> None:
    """(Unreachable object storage stops the start the same way, after boto3's retries; its
    message is asserted in the S3 contract test.)"""
    port = free_port()
    line = _one_line(_serve(tmp_path / "ws", port, 0, **env))
    assert all(name in line for name in names) and "hunter2" not in line, line
    assert not _listening(port)
