"""3D assets on a real server (issue 22, item 5): a .glb and a .gltf made with pygltflib are taken
in the 3D category (sniffed, not trusted by name), thumbnailed from their meshes; a .gltf that
names files outside, a fake .glb, a model in another category and one over the upload limit are
refused in the error shape."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from PIL import Image

from .gltf_models import cube_glb, cube_gltf
from .server_harness import ServerProcess, running_server


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    with running_server(tmp_path_factory.mktemp("models"), {"AUTEUR_MAX_UPLOAD_MB": "1"}) as server:
        yield server


@pytest.fixture(scope="module")
def client(server: ServerProcess) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.url, timeout=30) as client:
        assert client.post("/api/projects", json={"name": "Props"}).status_code == 201
        yield client


def upload(client: httpx.Client, name: str, content: bytes, category: str = "3D") -> httpx.Response:
    return client.post("/api/projects/Props/assets", data={"category": category},
                       files={"file": (name, content, "application/octet-stream")})


def thumbnail_of(client: httpx.Client, path: str) -> dict[str, Any]:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        [asset] = [a for a in client.get("/api/projects/Props/assets").json()["items"] if a["path"] == path]
        if asset["thumbnail"]:
            return dict(asset)
        time.sleep(0.1)
    raise AssertionError(f"no thumbnail for {path}")


def test_a_glb_and_an_embedded_gltf_are_taken_as_3d_assets_with_a_thumbnail_of_their_mesh(
        client: httpx.Client, server: ServerProcess) -> None:
    glb = upload(client, "crate.bin", cube_glb())  # the name lies; the content decides
    assert glb.status_code == 201, glb.text
    assert glb.json()["path"] == "01_Assets/3D/crate.glb" and glb.json()["mime"] == "model/gltf-binary"
    gltf = upload(client, "crate.gltf", cube_gltf())
    assert gltf.status_code == 201 and gltf.json()["mime"] == "model/gltf+json"
    for path in ("01_Assets/3D/crate.glb", "01_Assets/3D/crate.gltf"):
        asset = thumbnail_of(client, path)
        with Image.open(server.workspace / "Projects" / "Props" / asset["thumbnail"]) as picture:
            assert picture.size == (320, 240)
            centre, corner = picture.getpixel((160, 120)), picture.getpixel((2, 2))
        assert centre[0] > 100 and centre != corner  # the lit cube, on the dark stage
    listed = {a["path"]: a["mime"] for a in client.get("/api/projects/Props/assets", params={"category": "3D"}).json()["items"]}
    assert listed == {"01_Assets/3D/crate.glb": "model/gltf-binary", "01_Assets/3D/crate.gltf": "model/gltf+json"}
    served = client.get("/api/projects/Props/files", params={"path": "01_Assets/3D/crate.glb"})
    assert served.status_code == 200 and served.content == cube_glb()


@pytest.mark.parametrize(("name", "content", "category", "status"), [
    ("escape.gltf", cube_gltf("../../../project.json"), "3D", 415),
    ("remote.gltf", cube_gltf("https://evil.example/x.bin"), "3D", 415),
    ("fake.glb", b"glTF" + (2).to_bytes(4, "little") + (999).to_bytes(4, "little") + b"\0" * 20, "3D", 415),
    ("old.glb", b"glTF" + (1).to_bytes(4, "little") + (32).to_bytes(4, "little") + b"\0" * 20, "3D", 415),
    ("notes.gltf", b'{"asset": {"version": "1.0"}}', "3D", 415),
    ("crate.glb", cube_glb(), "Characters", 415),
    ("huge.glb", b"glTF" + b"\0" * (1024 * 1024 + 8), "3D", 413),
])
def test_what_is_not_a_safe_gltf_2_model_is_refused(
        client: httpx.Client, name: str, content: bytes, category: str, status: int) -> None:
    answer = upload(client, name, content, category)
    assert answer.status_code == status, answer.text
    assert {"code", "message", "details"} <= answer.json()["error"].keys()
    assert "/tmp" not in answer.text
