"""Object storage is new ground for hostile callers (issue 25): a presigned URL is a bearer
credential for one object, so it is handed out only after the same access decision as the
bytes themselves — a creator outside the project, or anyone without a token, gets the one
error shape and no `Location`; the project's viewer gets its 307; a path never becomes a key
before the sandbox has resolved it. (The server is the storage tests' one, shared per session.)"""

from __future__ import annotations

import time
from pathlib import Path

import httpx
import pytest
from botocore.exceptions import ClientError

from ..conftest_storage import BUCKET, PREFIX, raw_client
from ..server_harness import ServerProcess
from .test_no_5xx import _shape

_PNG = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000"
                     "1f15c4890000000d4944415478da63f8cfc0f01f0005000201b0d1e4e40000000049454e44ae426082")


def _stored_asset(clients: dict[str, httpx.Client], url: str) -> str:
    answer = clients["cy"].post("/api/projects/Film/assets", data={"category": "Objects"},
                                files={"file": ("key.png", _PNG, "application/octet-stream")})
    assert answer.status_code == 201, answer.text
    path = str(answer.json()["path"])
    deadline = time.monotonic() + 20
    while True:
        try:
            raw_client(url).head_object(Bucket=BUCKET, Key=f"{PREFIX}/Projects/Film/{path}")
            return path
        except ClientError:
            assert time.monotonic() < deadline, "the asset never reached the bucket"
            time.sleep(0.1)


def test_a_presigned_url_is_handed_only_to_whoever_may_read_the_media(
    stored_server: ServerProcess, stored_clients: dict[str, httpx.Client], s3_url: str,
) -> None:
    path = _stored_asset(stored_clients, s3_url)
    for name in ("cy", "vic"):
        answer = stored_clients[name].get("/api/projects/Film/files", params={"path": path})
        assert answer.status_code == 307 and "X-Amz-Signature=" in answer.headers["location"], name
    for name in ("olga", "nobody"):
        answer = stored_clients[name].get("/api/projects/Film/files", params={"path": path})
        _shape(answer)
        assert answer.status_code in (401, 403, 404) and "location" not in answer.headers, name
    view = {"filename": Path(path).name, "subfolder": f"Projects/Film/{Path(path).parent}", "type": "output"}
    for name, expected in (("olga", None), ("vic", 307)):
        answer = httpx.get(f"{stored_server.comfy_url}/view", params=view,
                           headers={"Authorization": stored_clients[name].headers["Authorization"]})
        if expected is None:
            assert answer.status_code in (403, 404) and "location" not in answer.headers, name
        else:
            assert answer.status_code == expected, name


@pytest.mark.parametrize("path", ["../Other/01_Assets/x.png", "01_Assets/../../../.auteur/tokens.json",
                                  "/etc/hostname", "01_Assets/\x00.png", ".git/HEAD"])
def test_a_hostile_media_path_is_a_4xx_and_never_a_redirect(
    stored_clients: dict[str, httpx.Client], path: str,
) -> None:
    answer = stored_clients["cy"].get("/api/projects/Film/files", params={"path": path})
    _shape(answer)
    assert 400 <= answer.status_code < 500 and "location" not in answer.headers


@pytest.mark.parametrize("body", [
    {"filename": "x.png", "category": "Characters", "size": 10**12},
    {"filename": "x.png", "category": "../../.auteur", "size": 10},
    {"filename": "../../../../etc/x.png", "category": "Nope", "size": 10},
    {"filename": "", "category": "Characters", "size": 10},
    {"filename": "x.png", "category": "Characters", "size": 0},
    {"filename": "x.png", "category": "Characters"},
    {"filename": 5, "category": [], "size": "big"},
])
def test_a_hostile_direct_upload_request_is_a_4xx(stored_clients: dict[str, httpx.Client], body: dict[str, object]) -> None:
    answer = stored_clients["cy"].post("/api/projects/Film/assets/direct", json=body)
    _shape(answer)
    assert 400 <= answer.status_code < 500


def test_a_direct_upload_ticket_is_only_good_for_its_project_and_caller(stored_clients: dict[str, httpx.Client]) -> None:
    cy = stored_clients["cy"]
    for name in ("vic", "olga", "nobody"):  # a viewer, an outsider, no token: no URL at all
        answer = stored_clients[name].post("/api/projects/Film/assets/direct",
                                           json={"filename": "x.png", "category": "Characters", "size": 10})
        _shape(answer)
        assert answer.status_code in (401, 403, 404), name
    ticket = cy.post("/api/projects/Film/assets/direct",
                     json={"filename": "x.png", "category": "Characters", "size": 10}).json()["ticket"]
    assert cy.post("/api/projects", json={"name": "Other"}).status_code == 201
    payload, signature = ticket.split(".")
    for forged, where in ((ticket, "Other"), (f"{payload}.{'0' * len(signature)}", "Film"), ("garbage", "Film"),
                          (f"{payload[:-4]}AAAA.{signature}", "Film")):
        answer = cy.post(f"/api/projects/{where}/assets/direct/complete", json={"ticket": forged})
        _shape(answer)
        assert answer.status_code == 403 and answer.json()["error"]["code"] == "upload_ticket_invalid"
