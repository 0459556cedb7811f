"""The workspace API against a real `auteur serve`: projects, files, git, documents, assets
(streamed upload, limits, thumbnails), takes from a real run, and watcher events."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from .server_harness import (
    ServerProcess,
    collect_events,
    connect,
    drain,
    running_server,
)

UPLOAD_LIMIT_MB = 1
SECRET = "the-contents-of-a-file-outside-the-project"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    env = {"AUTEUR_MAX_UPLOAD_MB": str(UPLOAD_LIMIT_MB)}
    with running_server(tmp_path_factory.mktemp("ws"), env) as server:
        yield server


@pytest.fixture(scope="module")
def client(server: ServerProcess) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.url, timeout=30) as client:
        yield client


@pytest.fixture(scope="module")
def project(client: httpx.Client) -> str:
    response = client.post("/api/projects", json={"name": "Film", "structure": "three-act", "quality": "low"})
    assert response.status_code == 201, response.text
    return "Film"


def ffmpeg(*args: str) -> None:
    subprocess.run(["ffmpeg", "-v", "error", "-y", *args], check=True)


@pytest.fixture(scope="module")
def png(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("media") / "hero.png"
    ffmpeg("-f", "lavfi", "-i", "testsrc=size=640x360", "-frames:v", "1", str(path))
    return path


@pytest.fixture(scope="module")
def mp4(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("media") / "street.mp4"
    ffmpeg("-f", "lavfi", "-i", "testsrc=size=320x240:rate=25:duration=2", "-c:v", "libx264",
           "-preset", "ultrafast", "-pix_fmt", "yuv420p", str(path))
    return path


def upload(client: httpx.Client, project: str, path: Path, category: str, name: str | None = None) -> httpx.Response:
    with path.open("rb") as handle:
        return client.post(
            f"/api/projects/{project}/assets",
            data={"category": category},
            files={"file": (name or path.name, handle, "application/octet-stream")},
        )


def leftovers(server: ServerProcess, project: str) -> list[str]:
    root = server.workspace / "Projects" / project / "01_Assets"
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file() and p.name != ".gitkeep")


def wait_for_file(path: Path, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not path.is_file():
        assert time.monotonic() < deadline, f"{path} never appeared"
        time.sleep(0.1)


def test_a_project_created_over_the_api_is_listed_fetched_and_patched(client: httpx.Client, project: str) -> None:
    listed = client.get("/api/projects").json()["items"]
    assert [item["name"] for item in listed] == ["Film"]
    manifest = client.get(f"/api/projects/{listed[0]['id']}").json()
    assert manifest["name"] == "Film" and manifest["quality"] == "low"
    assert len(manifest["narrative"]["emotionalBeats"]) == 7
    patched = client.patch(f"/api/projects/{project}", json={"settings": {"fps": 25, "resolution": "1280x720", "aspectRatio": "16:9"}})
    assert patched.status_code == 200 and patched.json()["settings"]["fps"] == 25


def test_errors_have_the_one_json_shape_and_the_right_status(client: httpx.Client, project: str) -> None:
    missing = client.get("/api/projects/Nope")
    assert missing.status_code == 404
    assert missing.json()["error"]["code"] == "project_not_found"
    duplicate = client.post("/api/projects", json={"name": project})
    assert duplicate.status_code == 409 and duplicate.json()["error"]["code"] == "project_exists"
    bad_name = client.post("/api/projects", json={"name": "../escape"})
    assert bad_name.status_code == 400 and bad_name.json()["error"]["code"] == "name_invalid"


def test_the_tree_and_files_endpoints_show_the_project(client: httpx.Client, project: str) -> None:
    tree = client.get(f"/api/projects/{project}/tree").json()
    chapters = [child["title"] for child in tree["children"] if child["kind"] == "chapter"]
    assert chapters == ["Act I — Setup", "Act II — Confrontation", "Act III — Resolution"]
    listing = client.get(f"/api/projects/{project}/files", params={"path": "01_Assets"}).json()
    assert [entry["name"] for entry in listing["entries"]] == ["Characters", "Locations", "Music", "Objects", "Styles"]
    download = client.get(f"/api/projects/{project}/files", params={"path": "project.json"})
    assert download.status_code == 200 and download.json()["name"] == "Film"


TRAVERSAL = [
    "../outside.txt", "../../outside.txt", "%2e%2e/outside.txt", "..%2Foutside.txt", "/etc/passwd",
    "..\\outside.txt", "C:/Windows/win.ini", "escape/outside.txt", "secret\x00.txt", "/dev/null",
    ".git/config",
]


@pytest.fixture(scope="module")
def outside(server: ServerProcess, project: str) -> Path:
    """A secret file beside the project and a symlink in the project pointing at its folder."""
    secret = server.workspace / "Projects" / "outside.txt"
    secret.write_text(SECRET)
    os.symlink(secret.parent, server.workspace / "Projects" / project / "escape")
    return secret


@pytest.mark.parametrize("payload", TRAVERSAL)
def test_every_path_taking_endpoint_refuses_traversal(client: httpx.Client, project: str, outside: Path, payload: str) -> None:
    attempts = [
        client.get(f"/api/projects/{project}/files", params={"path": payload}),
        client.get(f"/api/projects/{project}/documents/content", params={"path": payload}),
        client.put(f"/api/projects/{project}/documents/content", params={"path": payload}, json={"content": "pwned"}),
        client.delete(f"/api/projects/{project}/assets", params={"path": payload}),
        client.post(f"/api/projects/{project}/git/commit", json={"message": "x", "paths": [payload]}),
    ]
    for response in attempts:
        assert response.status_code in (400, 403, 404), (payload, response.request.url, response.text)
        assert SECRET not in response.text
        assert response.json()["error"]["code"] in ("path_forbidden", "document_not_found", "asset_not_found")
    assert outside.read_text() == SECRET


def test_a_project_name_in_the_url_cannot_traverse(client: httpx.Client, project: str) -> None:
    for name in ["..", "%2e%2e", "..%2F..%2Fetc"]:
        response = client.get(f"/api/projects/{name}/files", params={"path": "passwd"})
        assert response.status_code == 404, response.text


def test_git_status_commit_and_log_over_the_api(client: httpx.Client, server: ServerProcess, project: str) -> None:
    notes = server.workspace / "Projects" / project / "04_Project_Files" / "notes.txt"
    notes.write_text("call sheet")
    status = client.get(f"/api/projects/{project}/git/status").json()["files"]
    assert {"path": "04_Project_Files/notes.txt", "index": "?", "worktree": "?"} in status
    commit = client.post(f"/api/projects/{project}/git/commit", json={"message": "Add notes", "paths": ["04_Project_Files/notes.txt"]})
    assert commit.status_code == 201, commit.text
    assert commit.json()["files"] == ["04_Project_Files/notes.txt"]
    log = client.get(f"/api/projects/{project}/git/log", params={"limit": 5}).json()["commits"]
    assert log[0]["message"] == "Add notes" and log[-1]["message"].startswith("Create project Film")
    again = client.post(f"/api/projects/{project}/git/commit", json={"message": "again", "paths": ["04_Project_Files/notes.txt"]})
    assert again.status_code == 409 and again.json()["error"]["code"] == "nothing_to_commit"


def test_documents_are_created_from_templates_read_and_updated(client: httpx.Client, project: str) -> None:
    created = client.post(f"/api/projects/{project}/documents", json={"type": "screenplay", "title": "Night Train"})
    assert created.status_code == 201, created.text
    doc = created.json()
    assert doc["path"] == "02_Source_Creative/Scripts/Night_Train.fountain"
    assert doc["content"].startswith("Title: Night Train")
    updated = client.put(f"/api/projects/{project}/documents/content", params={"path": doc["path"]},
                         json={"content": "INT. TRAIN - NIGHT\n"})
    assert updated.json()["content"] == "INT. TRAIN - NIGHT\n"
    read = client.get(f"/api/projects/{project}/documents/content", params={"path": doc["path"]}).json()
    assert read["content"] == "INT. TRAIN - NIGHT\n" and read["type"] == "screenplay"
    again = client.post(f"/api/projects/{project}/documents", json={"type": "screenplay", "title": "Night Train"})
    assert again.status_code == 409
    unknown = client.post(f"/api/projects/{project}/documents", json={"type": "novel", "title": "x"})
    assert unknown.json()["error"]["code"] == "document_type_unknown"
    kinds = {item["type"] for item in client.get(f"/api/projects/{project}/documents").json()["items"]}
    assert "screenplay" in kinds


def test_a_real_png_upload_is_stored_announced_and_gets_a_thumbnail(
    client: httpx.Client, server: ServerProcess, project: str, png: Path
) -> None:
    async def scenario() -> tuple[httpx.Response, list[dict[str, Any]]]:
        async with connect(server, "uploader") as ws:
            await ws.recv()
            await ws.send('{"type": "subscribe", "projects": ["Film"]}')
            await drain(ws, 0.3)
            response = await asyncio.to_thread(upload, client, project, png, "Characters", "Hero Shot.txt")
            return response, await collect_events(ws, {"asset_added"})

    response, events = asyncio.run(scenario())
    assert response.status_code == 201, response.text
    asset = response.json()
    assert (asset["path"], asset["mime"]) == ("01_Assets/Characters/Hero_Shot.png", "image/png")
    assert events[-1]["project"] == "Film" and events[-1]["data"]["path"] == asset["path"]
    root = server.workspace / "Projects" / project
    assert (root / asset["path"]).read_bytes() == png.read_bytes()
    thumb = root / "05_Cache/thumbnails/01_Assets/Characters/Hero_Shot.png.jpg"
    wait_for_file(thumb)
    probe = subprocess.run(["ffprobe", "-v", "error", "-show_entries", "stream=width", "-of", "csv=p=0", str(thumb)],
                           capture_output=True, text=True, check=True)
    assert probe.stdout.strip() == "320"
    listed = client.get(f"/api/projects/{project}/assets", params={"category": "Characters"}).json()["items"]
    assert [item["name"] for item in listed] == ["Hero_Shot.png"]


def test_a_real_mp4_upload_gets_a_video_thumbnail(client: httpx.Client, server: ServerProcess, project: str, mp4: Path) -> None:
    response = upload(client, project, mp4, "Locations")
    assert response.status_code == 201, response.text
    assert response.json()["mime"] == "video/mp4"
    wait_for_file(server.workspace / "Projects" / project / "05_Cache/thumbnails/01_Assets/Locations/street.mp4.jpg")


def test_an_oversized_upload_is_refused_with_413_and_leaves_nothing(
    client: httpx.Client, server: ServerProcess, project: str, tmp_path: Path
) -> None:
    before = leftovers(server, project)
    big = tmp_path / "big.png"
    big.write_bytes(b"\x89PNG\r\n\x1a\n" + os.urandom(UPLOAD_LIMIT_MB * 1024 * 1024 + 100_000))
    response = upload(client, project, big, "Characters")
    assert response.status_code == 413 and response.json()["error"]["code"] == "upload_too_large"

    def chunks() -> Iterator[bytes]:  # no Content-Length: the limit is enforced while streaming
        boundary = b"--xyz\r\n"
        yield boundary + b'Content-Disposition: form-data; name="category"\r\n\r\nCharacters\r\n'
        yield boundary + b'Content-Disposition: form-data; name="file"; filename="big.png"\r\n\r\n'
        for _ in range(UPLOAD_LIMIT_MB * 4 + 4):
            yield os.urandom(256 * 1024)
        yield b"\r\n--xyz--\r\n"

    streamed = client.post(f"/api/projects/{project}/assets", content=chunks(),
                           headers={"content-type": "multipart/form-data; boundary=xyz"})
    assert streamed.status_code == 413 and streamed.json()["error"]["code"] == "upload_too_large"
    assert leftovers(server, project) == before


def test_a_file_of_the_wrong_type_is_refused_with_415_and_leaves_nothing(
    client: httpx.Client, server: ServerProcess, project: str, tmp_path: Path, png: Path
) -> None:
    before = leftovers(server, project)
    fake = tmp_path / "villain.png"
    fake.write_text("#!/bin/sh\necho not an image\n")
    response = upload(client, project, fake, "Characters")
    assert response.status_code == 415 and response.json()["error"]["code"] == "unsupported_media_type"
    music = upload(client, project, png, "Music")  # a real image is still not music
    assert music.status_code == 415
    assert music.json()["error"]["details"]["accepted_by"] == ["Characters", "Locations", "Objects", "Styles"]
    assert response.json()["error"]["details"]["accepted_by"] == []  # nothing takes unrecognised content
    assert upload(client, project, png, "Props").json()["error"]["code"] == "asset_category_unknown"
    assert leftovers(server, project) == before


def test_deleting_an_asset_moves_it_to_the_trash(client: httpx.Client, server: ServerProcess, project: str, png: Path) -> None:
    path = upload(client, project, png, "Objects", "prop.png").json()["path"]
    deleted = client.delete(f"/api/projects/{project}/assets", params={"path": path})
    assert deleted.status_code == 200
    assert (server.workspace / deleted.json()["trash"]).read_bytes() == png.read_bytes()
    assert client.get(f"/api/projects/{project}/assets", params={"category": "Objects"}).json()["items"] == []


def wait_for_manifest_take(path: Path, timeout: float = 10.0) -> dict[str, Any]:
    """The first shot of project.json that lists takes (the sync runs just after the event)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        narrative = json.loads(path.read_text(encoding="utf-8"))["narrative"]
        shots = [shot for chapter in narrative["chapters"] for scene in chapter["scenes"]
                 for shot in scene["shots"] if shot.get("takes")]
        if shots:
            return dict(shots[0])
        time.sleep(0.1)
    raise AssertionError(f"no take reached {path} within {timeout} s")


def test_a_run_with_save_take_creates_a_take_listed_in_the_gallery(
    client: httpx.Client, server: ServerProcess, project: str, png: Path
) -> None:
    path = upload(client, project, png, "Styles", "look.png").json()["path"]
    graph = {
        "1": {"class_type": "media.load", "inputs": {"path": path}},
        "2": {"class_type": "production.save_take", "inputs": {"media": ["1", 0], "shot_path": "Chapter_01/Scene_01/Shot_01"}},
    }

    async def scenario() -> list[dict[str, Any]]:
        async with connect(server, "director") as ws:
            await ws.recv()
            response = client.post("/api/runs", json={"graph": graph, "project": project, "client_id": "director"})
            assert response.status_code == 202, response.text
            return await collect_events(ws, {"run_completed", "run_failed"}, timeout=60)

    events = asyncio.run(scenario())
    assert events[-1]["type"] == "run_completed", events[-1]
    created = [e for e in events if e["type"] == "take_created"]
    assert created and created[0]["data"]["take_number"] == 1
    assert created[0]["data"]["path"] == "03_Renders/Chapter_01/Scene_01/Shot_01/S01_S01_take01.png"
    shots = client.get(f"/api/projects/{project}/takes").json()["shots"]
    [shot] = [s for s in shots if s["takes"]]
    assert shot["active_take"] == 1 and shot["takes"][0]["provenance"]["node_id"] == "2"
    run_id = events[-1]["run_id"]
    assert shot["takes"][0]["provenance"]["graph_hash"] is not None
    assert shot["takes"][0]["provenance"]["run_id"] == run_id
    # No route wrote project.json: the workspace's manifest sync reacted to take_created.
    manifest = wait_for_manifest_take(server.workspace / "Projects" / project / "project.json")
    assert manifest["takes"][0] == {"number": 1, "path": created[0]["data"]["path"], "runId": run_id,
                                    "created": manifest["takes"][0]["created"]}
    chosen = client.put(f"/api/projects/{project}/takes/active", json={"shot": shot["shot"], "take": 1})
    assert chosen.status_code == 200
    assert client.put(f"/api/projects/{project}/takes/active", json={"shot": shot["shot"], "take": 9}).status_code == 404


def test_a_file_written_by_hand_becomes_a_file_changed_event(server: ServerProcess, project: str) -> None:
    async def scenario() -> list[dict[str, Any]]:
        async with connect(server, "watcher") as ws:
            await ws.recv()
            await ws.send('{"type": "subscribe", "projects": ["Film"]}')
            await drain(ws, 0.3)
            (server.workspace / "Projects" / project / "04_Project_Files" / "budget.txt").write_text("42")
            events: list[dict[str, Any]] = []
            while not any(e["data"].get("path") == "04_Project_Files/budget.txt" for e in events):
                events += await collect_events(ws, {"file_changed"}, timeout=15)
            return events

    events = asyncio.run(scenario())
    changed = [e for e in events if e["type"] == "file_changed" and e["data"].get("path") == "04_Project_Files/budget.txt"]
    assert changed[0]["project"] == "Film" and changed[0]["data"]["change"] == "added"


def test_deleting_a_project_over_the_api_moves_it_to_the_trash(client: httpx.Client, server: ServerProcess) -> None:
    assert client.post("/api/projects", json={"name": "Scratch"}).status_code == 201
    deleted = client.delete("/api/projects/Scratch").json()
    assert (server.workspace / deleted["trash"] / "project.json").is_file()
    assert client.get("/api/projects/Scratch").status_code == 404
