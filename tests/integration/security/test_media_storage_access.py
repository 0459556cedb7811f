"""Object storage is new ground for hostile callers (issue 25): a presigned URL is a bearer
credential for one object, so it is handed out only after the same access decision as the
bytes themselves — a creator outside the project, or anyone without a token, gets the one
error shape and no `Location`; the project's viewer gets its 307; a path never becomes a key
before the sandbox has resolved it."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from ..server_harness import ServerProcess, free_port
from ..storage.conftest import raw_client, s3_env, s3_url  # noqa: F401  (the moto fixture)
from .conftest import make_token
from .test_no_5xx import _shape

PEOPLE = {"cy": "creator", "olga": "creator", "vic": "viewer"}


@pytest.fixture(scope="module")
def stored_server(s3_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[ServerProcess, dict[str, httpx.Client]]]:  # noqa: F811
    workspace = tmp_path_factory.mktemp("stored")
    tokens = {name: make_token(workspace, name, role) for name, role in PEOPLE.items()}
    server = ServerProcess(workspace, s3_env(s3_url, AUTEUR_S3_PREFIX="security"),
                           comfyui_port=free_port()).start()
    clients = {name: httpx.Client(base_url=server.url, timeout=30, headers={"Authorization": f"Bearer {token}"})
               for name, token in tokens.items()}
    clients["nobody"] = httpx.Client(base_url=server.url, timeout=30)
    try:
        yield server, clients
    finally:
        for client in clients.values():
            client.close()
        server.stop()


def _stored_take(server: ServerProcess, clients: dict[str, httpx.Client], s3_url: str) -> str:  # noqa: F811
    cy = clients["cy"]
    assert cy.post("/api/projects", json={"name": "Film"}).status_code == 201
    assert cy.put("/api/projects/Film/members/vic", json={"role": "viewer"}).status_code == 200
    answer = cy.post("/api/projects/Film/assets", data={"category": "Characters"},
                     files={"file": ("hero.png", _PNG, "application/octet-stream")})
    assert answer.status_code == 201, answer.text
    path = str(answer.json()["path"])
    deadline = time.monotonic() + 20
    while "Contents" not in raw_client(s3_url).list_objects_v2(Bucket="auteur-media", Prefix="security/"):
        assert time.monotonic() < deadline, "the asset never reached the bucket"
        time.sleep(0.1)
    return path


_PNG = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000"
                     "1f15c4890000000d4944415478da63f8cfc0f01f0005000201b0d1e4e40000000049454e44ae426082")


def test_a_presigned_url_is_handed_only_to_whoever_may_read_the_media(
    stored_server: tuple[ServerProcess, dict[str, httpx.Client]], s3_url: str,  # noqa: F811
) -> None:
    server, clients = stored_server
    path = _stored_take(server, clients, s3_url)
    for name in ("cy", "vic"):
        answer = clients[name].get("/api/projects/Film/files", params={"path": path})
        assert answer.status_code == 307 and "X-Amz-Signature=" in answer.headers["location"], name
    for name in ("olga", "nobody"):
        answer = clients[name].get("/api/projects/Film/files", params={"path": path})
        _shape(answer)
        assert answer.status_code in (401, 403, 404) and "location" not in answer.headers, name
    view = {"filename": Path(path).name, "subfolder": f"Projects/Film/{Path(path).parent}", "type": "output"}
    olga_token = clients["olga"].headers["Authorization"]
    refused = httpx.get(f"{server.comfy_url}/view", params=view, headers={"Authorization": olga_token})
    assert refused.status_code in (403, 404) and "location" not in refused.headers
    allowed = httpx.get(f"{server.comfy_url}/view", params=view, headers={"Authorization": clients["vic"].headers["Authorization"]})
    assert allowed.status_code == 307


@pytest.mark.parametrize("path", ["../Other/01_Assets/x.png", "01_Assets/../../../.auteur/tokens.json",
                                  "/etc/hostname", "01_Assets/\x00.png", ".git/HEAD"])
def test_a_hostile_media_path_is_a_4xx_and_never_a_redirect(
    stored_server: tuple[ServerProcess, dict[str, httpx.Client]], path: str,
) -> None:
    _, clients = stored_server
    answer = clients["cy"].get("/api/projects/Film/files", params={"path": path})
    _shape(answer)
    assert 400 <= answer.status_code < 500 and "location" not in answer.headers
