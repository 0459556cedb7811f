"""The event socket's state is visible and a dropped socket resumes with `last_seq`; the setup
script leaves every system package the project needs on this machine."""

from __future__ import annotations

import shutil
import subprocess

from .conftest import REPO, EditorPage


def test_a_dropped_socket_reconnects_with_last_seq_and_the_state_is_shown(
    editor: EditorPage, project: str
) -> None:
    editor.open(project)
    seq_before = editor.eval("() => window.__auteur.stream.seq")
    editor.eval("() => window.__auteur.stream.drop()")
    editor.page.wait_for_selector("[data-testid=connection][data-state=reconnecting]")
    editor.shot("reconnecting")
    editor.page.wait_for_selector("[data-testid=connection][data-state=open]", timeout=15_000)
    detail = editor.page.locator("[data-testid=connection]").get_attribute("title") or ""
    assert seq_before is None or f"#{seq_before}" in detail
    editor.shot("reconnected")


def test_the_setup_script_finds_every_system_package_it_installs() -> None:
    result = subprocess.run(
        ["bash", str(REPO / "scripts" / "install_system_deps.sh")],
        capture_output=True,
        text=True,
        check=True,
    )
    assert "all present" in result.stdout or "installed" in result.stdout
    for command in ("ffmpeg", "git-lfs", "espeak-ng", "sox", "redis-server", "chromium"):
        assert shutil.which(command), command
