"""The library layer under the API: uploads, documents, and the file watcher's events."""

from __future__ import annotations

import asyncio
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from canvas_server.server.routes.workflows import _file as workflow_file
from canvas_server.workspace import documents
from canvas_server.workspace.assets import AssetUpload, list_assets
from canvas_server.workspace.errors import (
    ItemNotFoundError,
    UnsupportedMediaTypeError,
    UploadTooLargeError,
)
from canvas_server.workspace.store import NewProject, ProjectPatch, ProjectStore
from canvas_server.workspace.thumbnails import thumbnail_path
from canvas_server.workspace.watcher import ProjectWatcher
from nodes.sdk import PathForbiddenError


@pytest.fixture
def store(tmp_path: Path) -> ProjectStore:
    store = ProjectStore(tmp_path / "workspace")
    store.create(NewProject(name="Film"))
    return store


@pytest.fixture
def root(store: ProjectStore) -> Path:
    return store.root("Film")


def wav_bytes(tmp_path: Path) -> bytes:
    path = tmp_path / "tone.wav"
    subprocess.run(["ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i", "sine=duration=0.2", str(path)], check=True)
    return path.read_bytes()


def test_an_upload_is_named_by_its_sniffed_type_and_never_replaces_an_asset(root: Path, tmp_path: Path) -> None:
    data = wav_bytes(tmp_path)
    first = AssetUpload(root, "Theme.mp3", 1 << 20)
    first.write(data)
    second = AssetUpload(root, "Theme.mp3", 1 << 20)
    second.write(data)
    assert first.finish("Music").path == "01_Assets/Music/Theme.wav"
    assert second.finish("Music").path == "01_Assets/Music/Theme_2.wav"
    assert [asset.name for asset in list_assets(root, "Music")] == ["Theme.wav", "Theme_2.wav"]


def test_a_client_file_name_cannot_choose_the_folder(root: Path, tmp_path: Path) -> None:
    upload = AssetUpload(root, "../../..\\evil/../../x.wav", 1 << 20)
    upload.write(wav_bytes(tmp_path))
    assert upload.finish("Music").path == "01_Assets/Music/x.wav"


def test_an_upload_over_the_limit_stops_while_writing_and_leaves_nothing(root: Path) -> None:
    upload = AssetUpload(root, "big.png", 1000)
    upload.write(b"\x89PNG\r\n\x1a\n" + b"0" * 900)
    with pytest.raises(UploadTooLargeError):
        upload.write(b"0" * 200)
    assert not [p for p in (root / "01_Assets").rglob("*") if p.is_file() and p.name != ".gitkeep"]


def test_content_that_does_not_match_the_category_leaves_nothing(root: Path, tmp_path: Path) -> None:
    with AssetUpload(root, "song.png", 1 << 20) as upload:
        upload.write(wav_bytes(tmp_path))
        with pytest.raises(UnsupportedMediaTypeError):
            upload.finish("Characters")
    assert not [p for p in (root / "01_Assets").rglob("*") if p.is_file() and p.name != ".gitkeep"]


def test_every_document_type_is_created_from_its_template(root: Path) -> None:
    made = [documents.create(root, kind, "Night Train") for kind in ("treatment", "screenplay", "beat_sheet", "shot_list")]
    assert [doc.path for doc in made] == [
        "02_Source_Creative/Treatments/Night_Train.md",
        "02_Source_Creative/Scripts/Night_Train.fountain",
        "02_Source_Creative/Treatments/Night_Train_beat_sheet.md",
        "02_Source_Creative/ShotLists/Night_Train.csv",
    ]
    listed = {doc.path: doc.type for doc in documents.list_documents(root)}
    assert [listed[doc.path] for doc in made] == ["treatment", "screenplay", "beat_sheet", "shot_list"]


def test_documents_outside_the_creative_folder_are_not_served(root: Path) -> None:
    with pytest.raises(PathForbiddenError):
        documents.read(root, "../Film/project.json")
    with pytest.raises(ItemNotFoundError) as caught:
        documents.read(root, "project.json")
    assert caught.value.code == "document_not_found"


def test_the_watcher_reports_a_new_file_and_a_manifest_change(store: ProjectStore, root: Path) -> None:
    received: list[tuple[str, dict[str, Any], str | None]] = []

    async def scenario() -> None:
        watcher = ProjectWatcher(store.projects_dir, lambda kind, data, project: received.append((kind, data, project)), debounce_ms=100)
        watcher.start()
        await asyncio.sleep(0.5)
        (root / "04_Project_Files" / "notes.txt").write_text("x")
        (root / "05_Cache" / "ignored.bin").write_bytes(b"x")
        store.update("Film", ProjectPatch(description="changed on disk"))
        for _ in range(100):
            if {kind for kind, _, _ in received} >= {"file_changed", "project_update"}:
                break
            await asyncio.sleep(0.05)
        await watcher.stop()

    asyncio.run(scenario())
    assert ("file_changed", {"path": "04_Project_Files/notes.txt", "change": "added"}, "Film") in received
    assert ("project_update", {"reason": "manifest_changed"}, "Film") in received
    assert not [data for _, data, _ in received if str(data.get("path", "")).startswith(("05_Cache", ".git"))]


# ---- issue 19 M7: a symlinked folder inside a project never takes a server write outside ----

SYMLINK_PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 64


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    folder = tmp_path / "elsewhere"
    folder.mkdir()
    return folder


def link_folder(root: Path, relative: str, target: Path) -> None:
    """Replace the project's folder `relative` with a symlink to `target`."""
    folder = root / relative
    if folder.exists():
        shutil.rmtree(folder)
    folder.parent.mkdir(parents=True, exist_ok=True)
    os.symlink(target, folder)


def everything_in(folder: Path) -> list[Path]:
    return sorted(folder.rglob("*"))


def test_an_asset_upload_into_a_symlinked_category_writes_nothing_outside(root: Path, outside: Path) -> None:
    link_folder(root, "01_Assets/Characters", outside)
    upload = AssetUpload(root, "hero.png", 1 << 20)
    upload.write(SYMLINK_PNG)
    with pytest.raises(PathForbiddenError):
        upload.finish("Characters")
    assert everything_in(outside) == []
    assert not upload.temp.exists()


def test_an_upload_into_a_symlinked_assets_folder_is_refused_before_a_byte_is_written(
    root: Path, outside: Path
) -> None:
    link_folder(root, "01_Assets", outside)
    with pytest.raises(PathForbiddenError):
        AssetUpload(root, "hero.png", 1 << 20)
    assert everything_in(outside) == []


def test_the_project_lock_never_follows_a_symlinked_cache_folder(
    store: ProjectStore, root: Path, outside: Path
) -> None:
    link_folder(root, "05_Cache", outside)
    with pytest.raises(PathForbiddenError):
        store.update("Film", ProjectPatch(description="edited"))
    assert everything_in(outside) == []


def test_a_thumbnail_never_lands_in_a_symlinked_cache_folder(root: Path, outside: Path) -> None:
    link_folder(root, "05_Cache", outside)
    with pytest.raises(PathForbiddenError) as refused:
        thumbnail_path(root, "01_Assets/Characters/hero.png")
    assert str(outside) not in refused.value.message


def test_documents_and_workflows_are_never_saved_through_a_symlinked_folder(
    root: Path, outside: Path
) -> None:
    link_folder(root, "02_Source_Creative", outside)
    with pytest.raises(PathForbiddenError):
        documents.create(root, "screenplay", "Pilot")
    with pytest.raises(PathForbiddenError):
        workflow_file(root, "storyboard")
    assert everything_in(outside) == []


def test_the_assets_listing_reports_no_symlink_and_no_linked_folder(root: Path, tmp_path: Path) -> None:
    big = tmp_path / "big.bin"
    big.write_bytes(SYMLINK_PNG + b"\x00" * 5000)
    own = root / "01_Assets" / "Locations" / "sea.png"
    own.parent.mkdir(parents=True, exist_ok=True)
    own.write_bytes(SYMLINK_PNG)
    os.symlink(big, root / "01_Assets" / "Locations" / "link.png")
    linked = tmp_path / "linked"
    linked.mkdir()
    (linked / "far.png").write_bytes(SYMLINK_PNG)
    link_folder(root, "01_Assets/Objects", linked)
    listed = list_assets(root)
    assert [(asset.path, asset.size) for asset in listed] == [("01_Assets/Locations/sea.png", len(SYMLINK_PNG))]


def test_a_project_folder_that_is_a_symlink_is_not_a_project(store: ProjectStore, tmp_path: Path) -> None:
    elsewhere = tmp_path / "ElsewhereFilm"
    shutil.copytree(store.root("Film"), elsewhere)
    os.symlink(elsewhere, store.projects_dir / "Linked")
    with pytest.raises(Exception) as missing:
        store.root("Linked")
    assert getattr(missing.value, "code", None) == "project_not_found"
