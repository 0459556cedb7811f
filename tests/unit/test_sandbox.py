"""The path sandbox refuses every traversal payload and reads or writes nothing outside."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from nodes.sdk import PathForbiddenError, PathSandbox

# Payloads every path-taking endpoint and node is checked against (tests/integration reuse them).
TRAVERSAL_PAYLOADS = [
    "../outside.txt",
    "../../etc/passwd",
    "01_Assets/../../outside.txt",
    "%2e%2e/outside.txt",
    "%2E%2E%2Foutside.txt",
    "..%2foutside.txt",
    "%252e%252e/outside.txt",
    "/etc/passwd",
    "/tmp",
    "..\\outside.txt",
    "01_Assets\\..\\..\\outside.txt",
    "C:/Windows/win.ini",
    "c:\\Windows\\win.ini",
    "secret\x00.png",
    "/dev/null",
    "/dev/zero",
    "escape/outside.txt",
    "escape_file",
    "device_link",
    "",
]


@pytest.fixture
def layout(tmp_path: Path) -> tuple[Path, Path]:
    """A project beside a secret file, with symlinks pointing out of the project."""
    project = tmp_path / "project"
    (project / "01_Assets").mkdir(parents=True)
    (project / "01_Assets" / "hero.png").write_bytes(b"png")
    secret = tmp_path / "outside.txt"
    secret.write_text("secret")
    os.symlink(tmp_path, project / "escape")
    os.symlink(secret, project / "escape_file")
    os.symlink("/dev/null", project / "device_link")
    return project, secret


@pytest.mark.parametrize("payload", TRAVERSAL_PAYLOADS)
def test_every_traversal_payload_is_refused(layout: tuple[Path, Path], payload: str) -> None:
    project, _ = layout
    with pytest.raises(PathForbiddenError) as caught:
        PathSandbox([project]).resolve(payload)
    assert caught.value.code == "path_forbidden"


def test_paths_inside_the_project_resolve_to_absolute_paths(layout: tuple[Path, Path]) -> None:
    project, _ = layout
    sandbox = PathSandbox([project])
    assert sandbox.resolve("01_Assets/hero.png") == project.resolve() / "01_Assets" / "hero.png"
    assert sandbox.resolve(str(project / "01_Assets")) == project.resolve() / "01_Assets"
    assert sandbox.resolve("03_Renders/new.png") == project.resolve() / "03_Renders" / "new.png"


def test_a_symlink_that_stays_inside_the_project_is_followed(layout: tuple[Path, Path]) -> None:
    project, _ = layout
    os.symlink(project / "01_Assets" / "hero.png", project / "alias.png")
    assert PathSandbox([project]).resolve("alias.png") == project.resolve() / "01_Assets" / "hero.png"


def test_a_missing_file_is_reported_only_when_it_must_exist(layout: tuple[Path, Path]) -> None:
    project, _ = layout
    with pytest.raises(FileNotFoundError):
        PathSandbox([project]).resolve("01_Assets/missing.png", must_exist=True)


def test_an_allowed_directory_is_reachable_by_absolute_path_only(tmp_path: Path, layout: tuple[Path, Path]) -> None:
    project, _ = layout
    stock = tmp_path / "stock"
    stock.mkdir()
    (stock / "clip.mp4").write_bytes(b"mp4")
    sandbox = PathSandbox([project, stock])
    assert sandbox.resolve(str(stock / "clip.mp4")) == stock.resolve() / "clip.mp4"
    with pytest.raises(PathForbiddenError):
        sandbox.resolve("../stock/clip.mp4")


def test_relative_names_a_path_from_its_root_and_refuses_outsiders(layout: tuple[Path, Path]) -> None:
    project, secret = layout
    sandbox = PathSandbox([project])
    assert sandbox.relative(project / "01_Assets" / "hero.png") == "01_Assets/hero.png"
    with pytest.raises(PathForbiddenError):
        sandbox.relative(secret)
