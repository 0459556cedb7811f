"""A real `auteur serve` with object storage on (AUTEUR_S3_*, moto's S3 server): uploaded
assets, takes and engine outputs are stored in the bucket under their workspace paths; the
files route, ComfyUI's `/view` and the speakers' signed media answer 307 to a presigned URL
that serves the same bytes; project text files stay on the disk (in Git) and are served as
before; hostile paths are refused before any object is looked at."""

from __future__ import annotations

import subprocess
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
from botocore.exceptions import ClientError

from nodes.sdk import master_secret, signed_path, url_signing_key

from ..conftest_storage import BUCKET, PREFIX, raw_client
from ..server_harness import ServerProcess, save_take, wait_for_status


@pytest.fixture(scope="module")
def server(stored_server: ServerProcess) -> ServerProcess:
    return stored_server


@pytest.fixture(scope="module")
def client(stored_clients: dict[str, httpx.Client]) -> httpx.Client:
    """cy, who owns project Film."""
    return stored_clients["cy"]


def _ffmpeg(*args: str) -> None:
    subprocess.run(["ffmpeg", "-v", "error", "-y", *args], check=True)


def _object(s3_url: str, key: str, timeout: float = 20.0) -> bytes:
    """The object's bytes once it is there (assets go up in the background)."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            return bytes(raw_client(s3_url).get_object(Bucket=BUCKET, Key=f"{PREFIX}/{key}")["Body"].read())
        except ClientError:
            assert time.monotonic() < deadline, f"{key} never reached the bucket"
            time.sleep(0.1)


def _follow(response: httpx.Response, s3_url: str) -> bytes:
    """A 307 to the bucket's presigned URL; what that URL serves."""
    assert response.status_code == 307, response.text
    location = response.headers["location"]
    assert location.startswith(f"{s3_url}/{BUCKET}/{PREFIX}/") and "X-Amz-Signature=" in location
    return httpx.get(location).content


def _upload(client: httpx.Client, file: Path, category: str) -> dict[str, Any]:
    with file.open("rb") as handle:
        response = client.post("/api/projects/Film/assets", data={"category": category},
                               files={"file": (file.name, handle, "application/octet-stream")})
    assert response.status_code == 201, response.text
    return dict(response.json())


def test_an_asset_and_its_take_are_in_the_bucket_and_each_route_redirects_to_a_presigned_url(
    server: ServerProcess, client: httpx.Client, s3_url: str, tmp_path: Path,
) -> None:
    still = tmp_path / "hero.png"
    _ffmpeg("-f", "lavfi", "-i", "testsrc=size=320x180", "-frames:v", "1", str(still))
    asset = _upload(client, still, "Characters")
    assert _object(s3_url, f"Projects/Film/{asset['path']}") == still.read_bytes()
    files = client.get("/api/projects/Film/files", params={"path": asset["path"]})
    assert _follow(files, s3_url) == still.read_bytes()

    save_take(client, "Film", asset["path"], "Chapter_01/Scene_01/Shot_01")
    [take] = [take for shot in client.get("/api/projects/Film/takes").json()["shots"] for take in shot["takes"]]
    take_key = f"Projects/Film/{take['path']}"
    assert _object(s3_url, take_key, timeout=0) == still.read_bytes()  # stored before the run ended
    folder, name = take_key.rsplit("/", 1)
    view = httpx.get(f"{server.comfy_url}/view", params={"filename": name, "subfolder": folder, "type": "output"},
                     headers={"Authorization": client.headers["Authorization"]})
    assert _follow(view, s3_url) == still.read_bytes()
    key = url_signing_key(master_secret(server.workspace / ".auteur", None))
    signed = httpx.get(server.url + signed_path(key, take_key, 60))
    assert _follow(signed, s3_url) == still.read_bytes()


def test_an_engine_output_is_stored_under_its_workspace_path(
    server: ServerProcess, client: httpx.Client, s3_url: str, tmp_path: Path,
) -> None:
    clip = tmp_path / "street.mp4"
    _ffmpeg("-f", "lavfi", "-i", "testsrc=size=160x120:rate=10:duration=1", "-c:v", "libx264",
            "-preset", "ultrafast", "-pix_fmt", "yuv420p", str(clip))
    asset = _upload(client, clip, "Locations")
    graph = {"1": {"class_type": "media.load", "inputs": {"path": asset["path"]}},
             "2": {"class_type": "media.thumbnail", "inputs": {"video": ["1", 0], "timestamp": "0.5"}},
             "3": {"class_type": "core.show", "inputs": {"value": ["2", 0]}}}
    response = client.post("/api/runs", json={"graph": graph, "project": "Film"})
    run = wait_for_status(client, response.json()["run_id"], {"completed", "failed"})
    assert run["status"] == "completed", run["errors"]
    still = run["nodes"]["2"]["outputs"]["image"]
    assert still["path"].startswith(".auteur/outputs/")
    assert _object(s3_url, still["path"], timeout=0) == (server.workspace / still["path"]).read_bytes()


def test_project_text_files_stay_out_of_the_bucket_and_disk_only_media_is_served_by_the_server(
    server: ServerProcess, client: httpx.Client, s3_url: str,
) -> None:
    manifest = client.get("/api/projects/Film/files", params={"path": "project.json"})
    assert manifest.status_code == 200 and manifest.json()["name"] == "Film"
    keys = [item["Key"] for item in raw_client(s3_url).list_objects_v2(Bucket=BUCKET, Prefix=PREFIX).get("Contents", [])]
    assert keys and not any(key.endswith((".json", ".fountain", ".md")) for key in keys)
    loose = server.workspace / "Projects" / "Film" / "loose.png"
    loose.write_bytes(b"\x89PNG not stored")  # written behind the server's back: on the disk only
    answer = client.get("/api/projects/Film/files", params={"path": "loose.png"})
    assert answer.status_code == 200 and answer.content == b"\x89PNG not stored"


@pytest.mark.parametrize("path", ["../../.auteur/secret.key", "/etc/passwd", "a\x00.png", ".git/config",
                                  "../Other/x.png", "%2e%2e/%2e%2e/x.png"])
def test_hostile_paths_are_refused_before_storage_is_asked(client: httpx.Client, path: str) -> None:
    answer = client.get("/api/projects/Film/files", params={"path": path})
    assert 400 <= answer.status_code < 500 and set(answer.json()["error"]) == {"code", "message", "details"}
    assert "location" not in answer.headers


def test_a_redirect_never_names_the_servers_credentials(client: httpx.Client, s3_url: str) -> None:
    asset = client.get("/api/projects/Film/assets").json()["items"][0]
    location = client.get("/api/projects/Film/files", params={"path": asset["path"]}).headers["location"]
    assert "test-secret" not in location and urlsplit(location).username is None


def test_a_deleted_asset_loses_its_object_and_is_never_handed_out_again(client: httpx.Client, s3_url: str) -> None:
    still = _PNG_BYTES
    answer = client.post("/api/projects/Film/assets", data={"category": "Styles"},
                         files={"file": ("look.png", still, "application/octet-stream")})
    path = answer.json()["path"]
    key = f"{PREFIX}/Projects/Film/{path}"
    assert _object(s3_url, f"Projects/Film/{path}") == still
    assert client.delete("/api/projects/Film/assets", params={"path": path}).status_code == 200
    deadline = time.monotonic() + 20
    while "Contents" in raw_client(s3_url).list_objects_v2(Bucket=BUCKET, Prefix=key):
        assert time.monotonic() < deadline, "the deleted asset's object stayed in the bucket"
        time.sleep(0.1)
    gone = client.get("/api/projects/Film/files", params={"path": path})
    assert gone.status_code == 404 and "location" not in gone.headers


_PNG_BYTES = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000"
                           "1f15c4890000000d4944415478da63f8cfc0f01f0005000201b0d1e4e40000000049454e44ae426082")


def test_a_direct_upload_goes_to_the_bucket_and_becomes_an_asset_through_the_same_checks(
    client: httpx.Client, s3_url: str,
) -> None:
    started = client.post("/api/projects/Film/assets/direct",
                          json={"filename": "mood board.png", "category": "Styles", "size": len(_PNG_BYTES)})
    assert started.status_code == 201, started.text
    upload = started.json()
    assert upload["method"] == "PUT" and upload["url"].startswith(f"{s3_url}/{BUCKET}/{PREFIX}/.auteur/uploads/")
    assert httpx.put(upload["url"], content=_PNG_BYTES, headers=upload["headers"]).status_code == 200
    done = client.post("/api/projects/Film/assets/direct/complete", json={"ticket": upload["ticket"]})
    assert done.status_code == 201, done.text
    asset = done.json()
    assert asset["path"].startswith("01_Assets/Styles/mood") and asset["mime"] == "image/png"
    assert _object(s3_url, f"Projects/Film/{asset['path']}") == _PNG_BYTES  # stored under its own name
    uploads = raw_client(s3_url).list_objects_v2(Bucket=BUCKET, Prefix=f"{PREFIX}/.auteur/uploads/")
    assert "Contents" not in uploads  # the upload object is gone once placed
    again = client.post("/api/projects/Film/assets/direct/complete", json={"ticket": upload["ticket"]})
    assert again.status_code == 404  # a ticket places one file once


def test_a_direct_upload_of_the_wrong_content_leaves_nothing(client: httpx.Client, s3_url: str) -> None:
    upload = client.post("/api/projects/Film/assets/direct",
                         json={"filename": "notes.png", "category": "Characters", "size": 11}).json()
    httpx.put(upload["url"], content=b"plain words", headers=upload["headers"])
    refused = client.post("/api/projects/Film/assets/direct/complete", json={"ticket": upload["ticket"]})
    assert refused.status_code == 415 and set(refused.json()["error"]) == {"code", "message", "details"}
    assert "Contents" not in raw_client(s3_url).list_objects_v2(Bucket=BUCKET, Prefix=f"{PREFIX}/.auteur/uploads/")
    assert not any(item["path"].startswith("01_Assets/Characters/notes")
                   for item in client.get("/api/projects/Film/assets").json()["items"])
