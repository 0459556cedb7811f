"""The path sandbox refuses every traversal payload and reads or writes nothing outside."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from nodes.sdk import MediaRef, PathForbiddenError, PathSandbox, sha256_file

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


# ---- issue 19: hidden names, MediaRefs re-checked where read, server-side writes ----------


@pytest.mark.parametrize("payload", [".git/config", ".auteur/secret.key", "01_Assets/.hidden.png",
                                     "gitlink/config", ".trash/old.png"])
def test_a_hidden_name_is_unreachable_named_or_through_a_symlink(layout: tuple[Path, Path], payload: str) -> None:
    project, _ = layout
    for hidden in (".git/config", ".auteur/secret.key", "01_Assets/.hidden.png", ".trash/old.png"):
        (project / hidden).parent.mkdir(parents=True, exist_ok=True)
        (project / hidden).write_text("hidden")
    os.symlink(project / ".git", project / "gitlink")
    with pytest.raises(PathForbiddenError, match="hidden"):
        PathSandbox([project]).resolve(payload)


def test_a_hidden_folder_that_is_a_root_of_its_own_is_reachable_below_it(tmp_path: Path) -> None:
    outputs = tmp_path / ".auteur" / "outputs" / "ab" / "abc"
    outputs.mkdir(parents=True)
    (outputs / "clip.mp4").write_bytes(b"mp4")
    (tmp_path / ".auteur" / "secret.key").write_bytes(b"key")
    sandbox = PathSandbox([tmp_path, outputs])
    assert sandbox.resolve(".auteur/outputs/ab/abc/clip.mp4") == outputs.resolve() / "clip.mp4"
    with pytest.raises(PathForbiddenError):
        sandbox.resolve(".auteur/secret.key")


def test_a_media_ref_is_read_only_inside_the_roots_and_with_its_own_content(layout: tuple[Path, Path]) -> None:
    project, secret = layout
    workspace = project.parent
    hero = project / "01_Assets" / "hero.png"
    sandbox = PathSandbox([project])
    good = MediaRef(path="project/01_Assets/hero.png", sha256=sha256_file(hero), mime="image/png", kind="image")
    assert sandbox.resolve_media(good, workspace) == hero.resolve()
    changed = good.model_copy(update={"sha256": "0" * 64})
    with pytest.raises(PathForbiddenError, match="sha256"):
        sandbox.resolve_media(changed, workspace)
    outside = MediaRef(path="outside.txt", sha256=sha256_file(secret), mime="image/png", kind="image")
    with pytest.raises(PathForbiddenError) as refused:
        sandbox.resolve_media(outside, workspace)
    assert str(workspace) not in refused.value.message  # the ref's own path, never the server's


def test_contain_refuses_a_server_path_that_a_symlinked_folder_leads_outside(layout: tuple[Path, Path]) -> None:
    project, _ = layout
    sandbox = PathSandbox([project])
    assert sandbox.contain(project / "01_Assets" / "new.png") == project / "01_Assets" / "new.png"
    with pytest.raises(PathForbiddenError) as refused:
        sandbox.contain(project / "escape" / "05_Cache" / ".project.lock")
    assert str(project.parent) not in refused.value.message
