"""Projects on disk: the full tree, a Git repository with LFS, a first commit, trash, CLI."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from canvas_server.workspace.errors import (
    GitError,
    NameInvalidError,
    ProjectExistsError,
    ProjectNotFoundError,
)
from canvas_server.workspace.gitrepo import check_git_lfs
from canvas_server.workspace.manifest import ProjectSettings
from canvas_server.workspace.store import NewProject, ProjectPatch, ProjectStore
from canvas_server.workspace.tree import project_tree

SKELETON = [
    "01_Assets/Characters", "01_Assets/Locations", "01_Assets/Objects", "01_Assets/Styles",
    "01_Assets/Music", "02_Source_Creative/Treatments", "02_Source_Creative/Scripts",
    "02_Source_Creative/ShotLists", "02_Source_Creative/Canvas", "03_Renders/Chapter_01/Scene_01/Shot_01",
    "04_Project_Files", "05_Cache", "06_Exports",
]


@pytest.fixture
def store(tmp_path: Path) -> ProjectStore:
    return ProjectStore(tmp_path / "workspace")


def git(root: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(root), *args], capture_output=True, text=True, check=True).stdout


def test_creating_a_project_lays_out_the_full_tree_and_library(store: ProjectStore) -> None:
    manifest = store.create(NewProject(name="Night Train", structure="story-circle", quality="high"))
    root = store.projects_dir / "Night Train"
    for folder in SKELETON:
        assert (root / folder).is_dir(), folder
    assert json.loads((root / "project.json").read_text())["id"] == manifest.id
    assert manifest.quality == "high" and manifest.narrative.structure == "story-circle"
    for folder in ("Narrative_Templates", "Pipeline_Templates", "Stock_Media", "AI_Models"):
        assert (store.library_dir / folder).is_dir()
    assert (store.library_dir / "Narrative_Templates" / "three-act.json").is_file()


def test_a_new_project_is_a_git_repository_with_lfs_and_a_first_commit(store: ProjectStore) -> None:
    store.create(NewProject(name="Film"))
    root = store.projects_dir / "Film"
    assert "*.mp4 filter=lfs" in (root / ".gitattributes").read_text()
    assert git(root, "config", "--local", "filter.lfs.clean").strip() == "git-lfs clean -- %f"
    log = git(root, "log", "--format=%s").splitlines()
    assert log == ["Create project Film (Three-Act Structure, standard quality)"]
    tracked = git(root, "ls-files").splitlines()
    assert "project.json" in tracked and ".gitattributes" in tracked and ".gitignore" in tracked
    assert not [path for path in tracked if path.startswith(("05_Cache", "06_Exports"))]
    assert git(root, "status", "--porcelain") == ""


def test_committing_media_stores_an_lfs_pointer_not_the_bytes(store: ProjectStore) -> None:
    store.create(NewProject(name="Film"))
    root = store.projects_dir / "Film"
    media = root / "03_Renders/Chapter_01/Scene_01/Shot_01/S01_S01_take01.png"
    media.write_bytes(b"\x89PNG\r\n\x1a\n" + os.urandom(4096))
    repo = store.repo("Film")
    assert [entry.path for entry in repo.status()] == ["03_Renders/Chapter_01/Scene_01/Shot_01/S01_S01_take01.png"]
    info = repo.commit("Add take 1")
    assert info.files == ["03_Renders/Chapter_01/Scene_01/Shot_01/S01_S01_take01.png"]
    assert repo.is_lfs_pointer("03_Renders/Chapter_01/Scene_01/Shot_01/S01_S01_take01.png")
    assert "S01_S01_take01.png" in git(root, "lfs", "ls-files")
    assert [item.message for item in repo.log()][:1] == ["Add take 1"]


def test_committing_a_clean_project_says_nothing_to_commit(store: ProjectStore) -> None:
    store.create(NewProject(name="Film"))
    with pytest.raises(GitError) as caught:
        store.repo("Film").commit("again")
    assert caught.value.code == "nothing_to_commit"


def test_projects_are_listed_and_found_by_name_or_id(store: ProjectStore) -> None:
    first = store.create(NewProject(name="Alpha"))
    store.create(NewProject(name="Beta", structure="beat-sheet"))
    assert [item.name for item in store.list()] == ["Alpha", "Beta"]
    assert store.get(first.id).name == "Alpha"
    with pytest.raises(ProjectNotFoundError):
        store.get("Gamma")


@pytest.mark.parametrize("name", ["../evil", "..", "a/b", ".hidden", "", "x" * 101, "a\\b", "a\x00b"])
def test_a_project_name_that_could_escape_or_hide_is_refused(store: ProjectStore, name: str) -> None:
    with pytest.raises(NameInvalidError):
        store.create(NewProject(name=name))
    assert not any(store.workspace.parent.glob("evil*"))


def test_creating_a_project_twice_is_refused(store: ProjectStore) -> None:
    store.create(NewProject(name="Film"))
    with pytest.raises(ProjectExistsError):
        store.create(NewProject(name="Film"))


def test_an_update_changes_only_the_given_fields(store: ProjectStore) -> None:
    created = store.create(NewProject(name="Film", description="first"))
    updated = store.update("Film", ProjectPatch(quality="low", settings=ProjectSettings(fps=25, aspect_ratio="9:16")))
    assert (updated.quality, updated.settings.fps, updated.settings.aspect_ratio) == ("low", 25, "9:16")
    assert updated.description == "first" and updated.id == created.id
    assert updated.updated > created.updated


def test_delete_moves_the_project_to_a_recoverable_trash(store: ProjectStore) -> None:
    store.create(NewProject(name="Film"))
    trashed = store.delete("Film")
    assert trashed.parent == store.trash_dir and (trashed / "project.json").is_file()
    assert (trashed / ".git").is_dir()
    assert store.list() == []
    store.restore(trashed.name)
    assert [item.name for item in store.list()] == ["Film"]


def test_the_tree_holds_chapters_scenes_shots_and_asset_folders(store: ProjectStore) -> None:
    store.create(NewProject(name="Film", structure="heros-journey"))
    tree = project_tree(store, "Film")
    chapters = [node for node in tree.children if node.kind == "chapter"]
    assert [node.title for node in chapters] == ["Departure", "Initiation", "Return"]
    shot = chapters[0].children[0].children[0]
    assert (shot.kind, shot.path) == ("shot", "03_Renders/Chapter_01/Scene_01/Shot_01")
    assets = next(node for node in tree.children if node.kind == "folder")
    assert [node.title for node in assets.children] == ["Characters", "Locations", "Objects", "Styles", "Music", "3D"]


def test_the_startup_check_finds_git_lfs() -> None:
    status = check_git_lfs()
    assert status.lfs_available and status.lfs is not None and "git-lfs" in status.lfs


def test_the_startup_check_explains_what_works_without_git_lfs(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    # A PATH holding only git (no git-lfs): the real binaries, a real missing one.
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    git_path = subprocess.run(["which", "git"], capture_output=True, text=True, check=True).stdout.strip()
    os.symlink(git_path, bin_dir / "git")
    monkeypatch.setenv("PATH", str(bin_dir))
    monkeypatch.setenv("GIT_EXEC_PATH", git(tmp_path, "--exec-path").strip())
    status = check_git_lfs()
    assert status.git is not None and not status.lfs_available
    assert "git-lfs is not installed" in status.message and "commits, status and log work" in status.message


def auteur(workspace: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "AUTEUR_WORKSPACE": str(workspace), "COLUMNS": "200"}
    command = [str(Path(sys.executable).with_name("auteur")), "project", *args]  # the installed script
    return subprocess.run(command, capture_output=True, text=True, env=env, timeout=60, check=False)


@pytest.mark.slow  # seven CLI processes, each importing the app
def test_the_cli_creates_lists_commits_logs_and_deletes_projects(tmp_path: Path) -> None:
    workspace = tmp_path / "ws"
    created = auteur(workspace, "new", "Film", "--structure", "three-act", "--quality", "standard")
    assert created.returncode == 0, created.stderr
    listed = json.loads(auteur(workspace, "list", "--json").stdout)
    assert [(item["name"], item["quality"]) for item in listed] == [("Film", "standard")]
    assert json.loads(auteur(workspace, "show", "Film").stdout)["name"] == "Film"
    (workspace / "Projects/Film/04_Project_Files/notes.txt").write_text("notes")
    assert "?? 04_Project_Files/notes.txt" in auteur(workspace, "status", "Film").stdout
    committed = auteur(workspace, "commit", "Film", "-m", "Add notes")
    assert committed.returncode == 0 and "Add notes" in committed.stdout
    history = json.loads(auteur(workspace, "log", "Film", "--json").stdout)
    assert history[0]["message"] == "Add notes"
    assert auteur(workspace, "delete", "Film", "--yes").returncode == 0
    assert json.loads(auteur(workspace, "list", "--json").stdout) == []
    missing = auteur(workspace, "show", "Film")
    assert missing.returncode == 1 and "project_not_found" in missing.stderr
    [trashed] = auteur(workspace, "trash").stdout.split()
    assert trashed.startswith("Film.")
    assert auteur(workspace, "restore", trashed).returncode == 0
    restored_history = json.loads(auteur(workspace, "log", "Film", "--json").stdout)
    assert restored_history[0]["message"] == "Add notes"
    assert auteur(workspace, "trash").stdout.split() == []
