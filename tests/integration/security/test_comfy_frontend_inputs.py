"""Hostile input on the routes ComfyUI's frontend uses: a clear 4xx in the one error shape,
never a 500, never a file outside the caller's folder, and no page of another origin may store
a file through the untyped userdata/settings bodies."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from ..server_harness import ServerProcess, free_port


@pytest.fixture(scope="module")
def comfy(tmp_path_factory: pytest.TempPathFactory) -> Iterator[httpx.Client]:
    server = ServerProcess(tmp_path_factory.mktemp("comfy-hostile"), comfyui_port=free_port()).start()
    try:
        with httpx.Client(base_url=server.comfy_url, timeout=30) as client:
            yield client
    finally:
        server.stop()


@pytest.mark.parametrize(("method", "path", "body"), [
    ("GET", "/api/userdata/..%2F..%2F..%2Fauth.json", None),
    ("GET", "/api/userdata/%2Fetc%2Fpasswd", None),
    ("POST", "/api/userdata/workflows%2F..%2F..%2F..%2Fescape.json", b"{}"),
    ("POST", "/api/userdata/a.json/move/..%2F..%2Fb.json", None),
    ("DELETE", "/api/userdata/..%2Fcomfy.settings.json", None),
    ("GET", "/api/userdata?dir=..%2F..", None),
    ("GET", "/api/v2/userdata?path=..%2F..", None),
    ("POST", "/api/settings/x", b"\xff\xfe not json"),
    ("POST", "/api/settings", b"[1, 2]"),
    ("GET", "/api/jobs?status=nope", None),
    ("GET", "/api/jobs?limit=-1", None),
    ("GET", "/api/jobs/no-such-job", None),
    ("POST", "/api/jobs/cancel", b'{"job_ids": "all"}'),
    ("GET", "/templates/..%2F..%2Fsecrets.json", None),
    ("GET", "/templates/nope-1.webp", None),
    ("POST", "/api/userdata/workflows%2Fa%00b.json", b"{}"),
    ("POST", "/api/userdata/workflows%2FProjects%2F..%2F..%2Fx.json", b"{}"),
    ("POST", "/api/userdata/workflows%2FProjects%2FNoSuchFilm%2Fx.json", b'{"nodes": [], "links": []}'),
    ("GET", "/api/userdata/workflows%2FProjects%2F..%2F..%2F.auteur%2Ftokens.json", None),
    ("POST", "/api/userdata/workflows%2Fa.json/move/workflows%2FProjects%2FFilm%2Fa.json", None),
])
def test_hostile_frontend_input_is_a_clear_4xx(comfy: httpx.Client, method: str, path: str, body: bytes | None) -> None:
    answer = comfy.request(method, path, content=body, headers={"Content-Type": "application/json"} if body else {})
    assert 400 <= answer.status_code < 500, answer.text
    error = answer.json()["error"]
    assert {"code", "message"} <= error.keys() and "/tmp" not in answer.text and "Traceback" not in answer.text


def test_another_origin_cannot_store_user_files_with_an_untyped_body(comfy: httpx.Client) -> None:
    for path in ("/api/userdata/workflows%2Fevil.json", "/api/settings/Comfy.Evil"):
        answer = comfy.post(path, content=b'"x"', headers={"Origin": "https://evil.example", "Content-Type": "text/plain"})
        assert answer.status_code == 403 and answer.json()["error"]["code"] == "origin_not_allowed"
    assert comfy.get("/api/userdata", params={"dir": "workflows"}).json() == []


@pytest.mark.parametrize(("auteur", "field"), [
    ({"tier": "low", "projekt": "Film"}, "extra_data.auteur.projekt"),
    ({"project": 5}, "extra_data.auteur.project"),
])
def test_our_extra_data_is_strict_and_named_in_comfyui_s_refusal(comfy: httpx.Client, auteur: dict[str, object],
                                                                   field: str) -> None:
    prompt = {"1": {"class_type": "core.integer", "inputs": {"value": 1}}}
    answer = comfy.post("/api/prompt", json={"prompt": prompt, "extra_data": {"auteur": auteur}})
    assert answer.status_code == 400, answer.text
    error = answer.json()["error"]
    assert error["type"] == "invalid_prompt" and error["details"].startswith(f"{field}: "), error
