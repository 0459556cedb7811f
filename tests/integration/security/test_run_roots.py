"""Run roots through a real `auteur serve` (issue 19: C1, C2, L4, M3): a run reads only its
project, or its principal's scratch folder when it has none, and the outputs of its own
ancestors; the server's `.auteur/`, a project's `.git/` and other principals' files are never
read; MediaRefs are never typed in; an engine output is served only to who may read its run."""

from __future__ import annotations

import base64
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from function_runners.execute import principal_scratch

from ..server_harness import ServerProcess, free_port, make_token, wait_for_status

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 24  # enough of a PNG for the magic-byte sniff


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("roots")


@pytest.fixture(scope="module")
def tokens(workspace: Path) -> dict[str, str]:
    return {"ivy": make_token(workspace, "ivy", "creator", "INTERN"),
            "bob": make_token(workspace, "bob", "creator"),
            "eve": make_token(workspace, "eve", "creator")}


@pytest.fixture(scope="module")
def server(workspace: Path, tokens: dict[str, str]) -> Iterator[ServerProcess]:
    process = ServerProcess(workspace, comfyui_port=free_port()).start()
    try:
        yield process
    finally:
        process.stop()


@pytest.fixture(scope="module")
def http(server: ServerProcess, tokens: dict[str, str]) -> Iterator[dict[str, httpx.Client]]:
    made = {name: httpx.Client(base_url=server.url, timeout=30, headers={"Authorization": f"Bearer {token}"})
            for name, token in tokens.items()}
    yield made
    for client in made.values():
        client.close()


@pytest.fixture(scope="module")
def secret_key(workspace: Path, server: ServerProcess) -> bytes:
    """The server's own key file (made here if the server has not needed one yet)."""
    path = workspace / ".auteur" / "secret.key"
    if not path.exists():
        path.write_bytes(base64.urlsafe_b64encode(b"k" * 32))
    return path.read_bytes()


@pytest.fixture(scope="module")
def bob_film(http: dict[str, httpx.Client], workspace: Path) -> Path:
    assert http["bob"].post("/api/projects", json={"name": "BobFilm"}).status_code == 201
    return workspace / "Projects" / "BobFilm"


def finished(client: httpx.Client, graph: dict[str, Any], **extra: Any) -> dict[str, Any]:
    answer = client.post("/api/runs", json={"graph": graph, **extra})
    assert answer.status_code in (200, 201, 202), answer.text
    return wait_for_status(client, answer.json()["run_id"], {"completed", "failed", "cancelled"}, timeout=120)


def leaks(text: str, secret: bytes) -> bool:
    """Whether `text` holds `secret` as bytes, base64 or hex."""
    stripped = secret.strip()
    return any(form in text for form in (stripped.decode("latin-1"), base64.b64encode(secret).decode(),
                                         base64.b64encode(stripped).decode(), secret.hex()))


def test_c1_a_project_less_first_frame_of_the_secret_key_is_refused_and_never_inlined(
    http: dict[str, httpx.Client], secret_key: bytes
) -> None:
    graph = {"1": {"class_type": "production.shot", "inputs": {"description": "x", "duration": 4}},
             "2": {"class_type": "production.veo_payload",
                   "inputs": {"shot": ["1", 0], "first_frame": ".auteur/secret.key", "save_take": False}}}
    run = finished(http["ivy"], graph)
    answer = http["ivy"].get(f"/api/runs/{run['run_id']}").text
    assert run["status"] == "failed"
    assert run["nodes"]["2"]["error"]["code"] == "path_forbidden"
    assert not leaks(answer, secret_key)


def test_c1_a_project_less_run_reads_its_principals_scratch_folder(
    http: dict[str, httpx.Client], workspace: Path
) -> None:
    frame = principal_scratch(workspace, "ivy") / "01_Assets" / "frame.png"
    frame.parent.mkdir(parents=True, exist_ok=True)
    frame.write_bytes(PNG)
    graph = {"1": {"class_type": "production.shot", "inputs": {"description": "x", "duration": 4}},
             "2": {"class_type": "production.veo_payload",
                   "inputs": {"shot": ["1", 0], "first_frame": "01_Assets/frame.png", "save_take": False}}}
    run = finished(http["ivy"], graph)
    assert run["status"] == "completed", run["errors"]
    image = run["nodes"]["2"]["outputs"]["payload"]["request"]["instances"][0]["image"]
    assert base64.b64decode(image["bytes_base64_encoded"]) == PNG


def test_c1_a_project_less_run_never_reads_another_principals_project(
    http: dict[str, httpx.Client], bob_film: Path
) -> None:
    secret = PNG + b"bob's unreleased storyboard"
    (bob_film / "01_Assets" / "board.png").write_bytes(secret)
    for path in ("Projects/BobFilm/01_Assets/board.png", "../../Projects/BobFilm/01_Assets/board.png",
                 str(bob_film / "01_Assets" / "board.png")):
        graph = {"1": {"class_type": "production.ingredient", "inputs": {"name": "MARA", "reference_1": path}},
                 "2": {"class_type": "core.show", "inputs": {"value": ["1", 0]}}}
        answer = http["ivy"].post("/api/runs", json={"graph": graph})
        if answer.status_code == 422:  # refused by its text alone at submit
            assert answer.json()["error"]["details"][0]["code"] == "path_forbidden"
            continue
        run = finished(http["ivy"], graph)
        assert run["status"] == "failed", path
        assert not leaks(http["ivy"].get(f"/api/runs/{run['run_id']}").text, secret)


def test_c2_a_typed_in_shot_with_a_reference_to_tokens_json_is_refused_at_submit(
    http: dict[str, httpx.Client], bob_film: Path, workspace: Path
) -> None:
    forged = {"path": ".auteur/tokens.json", "sha256": "0" * 64, "mime": "image/png", "kind": "image"}
    shot = {"id": "s1", "description": "x", "duration": 4,
            "slot1": {"id": "character-mara", "kind": "Character", "name": "MARA", "reference_images": [forged]}}
    graph = {"2": {"class_type": "production.veo_payload", "inputs": {"shot": shot, "save_take": False}}}
    answer = http["bob"].post("/api/runs", json={"graph": graph, "project": "BobFilm"})
    assert answer.status_code == 422, answer.text
    [error] = answer.json()["error"]["details"]
    assert (error["code"], error["node_id"], error["input"]) == ("invalid_link", "2", "shot")
    assert "link" in error["message"]
    assert not leaks(answer.text, (workspace / ".auteur" / "tokens.json").read_bytes())


@pytest.mark.parametrize("reader", ["production.script_breakdown", "production.final_draft", "production.paperwork"])
def test_l4_a_project_run_never_reads_its_git_folder(http: dict[str, httpx.Client], bob_film: Path,
                                                     reader: str) -> None:
    config = (bob_film / ".git" / "config").read_bytes()
    graph = {"1": {"class_type": reader, "inputs": {"script": ".git/config"}},
             "2": {"class_type": "core.show", "inputs": {"value": ["1", 0]}}}
    run = finished(http["bob"], graph, project="BobFilm")
    assert run["status"] == "failed"
    assert run["nodes"]["1"]["error"]["code"] == "path_forbidden"
    assert not leaks(http["bob"].get(f"/api/runs/{run['run_id']}").text, config)


def test_m3_an_engine_output_is_served_only_to_who_may_read_its_run(
    server: ServerProcess, http: dict[str, httpx.Client], tokens: dict[str, str], bob_film: Path
) -> None:
    clip = bob_film / "01_Assets" / "clip.mp4"
    subprocess.run(["ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i", "testsrc=size=160x120:rate=10:duration=1",
                    "-pix_fmt", "yuv420p", str(clip)], check=True)
    graph = {"1": {"class_type": "media.load", "inputs": {"path": "01_Assets/clip.mp4"}},
             "2": {"class_type": "media.thumbnail", "inputs": {"video": ["1", 0], "timestamp": "0.5"}},
             "3": {"class_type": "core.show", "inputs": {"value": ["2", 0]}}}
    run = finished(http["bob"], graph, project="BobFilm")
    assert run["status"] == "completed", run["errors"]
    image = Path(run["nodes"]["2"]["outputs"]["image"]["path"])
    assert image.parts[:2] == (".auteur", "outputs")
    query = {"filename": image.name, "subfolder": str(image.parent), "type": "output"}

    def view(name: str) -> httpx.Response:
        return httpx.get(f"{server.comfy_url}/view", params=query, timeout=30,
                         headers={"Authorization": f"Bearer {tokens[name]}"})

    owner = view("bob")
    assert owner.status_code == 200 and owner.content[:2] == b"\xff\xd8", owner.text
    stranger = view("eve")
    assert stranger.status_code == 403, stranger.text
    assert stranger.json()["error"]["code"] == "forbidden" and not stranger.content.startswith(b"\xff\xd8")
    # Shared with eve as a viewer of the project, the run's output is hers to see.
    assert http["bob"].put("/api/projects/BobFilm/members/eve", json={"role": "viewer"}).status_code == 200
    deadline = time.monotonic() + 10
    while view("eve").status_code != 200 and time.monotonic() < deadline:
        time.sleep(0.2)
    assert view("eve").status_code == 200


def test_a_principals_uploads_and_scratch_folder_are_its_own(
    server: ServerProcess, tokens: dict[str, str], workspace: Path
) -> None:
    def comfy(name: str, method: str, path: str, **kwargs: Any) -> httpx.Response:
        return httpx.request(method, f"{server.comfy_url}{path}", timeout=30,
                             headers={"Authorization": f"Bearer {tokens[name]}"}, **kwargs)

    uploaded = comfy("bob", "POST", "/upload/image", files={"image": ("still.png", PNG, "image/png")},
                     data={"subfolder": "mine"})
    assert uploaded.status_code == 200, uploaded.text
    bobs = principal_scratch(workspace, "bob")
    assert (bobs / "Library" / "Uploads" / "mine" / "still.png").read_bytes() == PNG
    assert comfy("bob", "GET", "/view", params={"filename": "still.png", "subfolder": "mine",
                                                 "type": "input"}).content == PNG
    # eve's input folder is her own: bob's upload is not in it, nor readable by its path.
    assert comfy("eve", "GET", "/view", params={"filename": "still.png", "subfolder": "mine",
                                                 "type": "input"}).status_code == 404
    by_path = comfy("eve", "GET", "/view", params={
        "filename": "still.png", "subfolder": f"Scratch/{bobs.name}/Library/Uploads/mine", "type": "output"})
    assert by_path.status_code == 403 and by_path.content != PNG
