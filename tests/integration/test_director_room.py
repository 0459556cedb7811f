"""The director's room against a real `auteur serve`: screenplays brought into the Scripts folder
and saved with Git history, and the review of takes (status, notes at a timecode beside the take,
approval making the take active)."""

from __future__ import annotations

import json
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from .server_harness import ServerProcess, running_server, save_take, wait_for_status

SHOT = "Chapter_01/Scene_01/Shot_01"
SCREENPLAY = """Title: Two Rooms

INT. KITCHEN - NIGHT

MARA sets down a cup.

MARA
(quietly)
You came back.

CUT TO:
"""


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    with running_server(tmp_path_factory.mktemp("ws")) as server:
        yield server


@pytest.fixture(scope="module")
def client(server: ServerProcess) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.url, timeout=30) as client:
        assert client.post("/api/projects", json={"name": "Film"}).status_code == 201
        yield client


def git_log(server: ServerProcess, path: str) -> list[str]:
    done = subprocess.run(["git", "log", "--format=%s", "--", path], cwd=server.workspace / "Projects" / "Film",
                          capture_output=True, text=True, check=True)
    return done.stdout.splitlines()


@pytest.fixture(scope="module")
def two_takes(client: httpx.Client, server: ServerProcess) -> list[dict[str, object]]:
    """Two real takes of Shot 1, each made by a run of media.load → production.save_take."""
    for colour in ("red", "blue"):
        source = server.workspace / "Projects" / "Film" / "05_Cache" / f"{colour}.png"
        source.parent.mkdir(parents=True, exist_ok=True)
        subprocess.run(["ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i", f"color=c={colour}:s=64x48",
                        "-frames:v", "1", str(source)], check=True)
        save_take(client, "Film", f"05_Cache/{colour}.png", SHOT)
    [shot] = [s for s in client.get("/api/projects/Film/takes").json()["shots"] if s["shot"] == SHOT]
    assert [take["number"] for take in shot["takes"]] == [1, 2]
    return list(shot["takes"])


def test_a_fountain_screenplay_is_uploaded_into_scripts_and_every_save_is_a_commit(
    client: httpx.Client, server: ServerProcess,
) -> None:
    added = client.post("/api/projects/Film/documents/scripts", json={"filename": "Two Rooms.fountain", "content": SCREENPLAY})
    assert added.status_code == 201, added.text
    path = added.json()["path"]
    assert path == "02_Source_Creative/Scripts/Two_Rooms.fountain"
    assert added.json()["commit"]["files"] == [path]
    edited = SCREENPLAY.replace("You came back.", "You came back. Again.")
    saved = client.put("/api/projects/Film/documents/content", params={"path": path}, json={"content": edited})
    assert saved.status_code == 200 and saved.json()["content"] == edited
    assert git_log(server, path) == [f"Save {path}", f"Add script {path}"]
    unchanged = client.put("/api/projects/Film/documents/content", params={"path": path}, json={"content": edited})
    assert unchanged.status_code == 200 and unchanged.json()["commit"] is None
    assert client.get("/api/projects/Film/documents/content", params={"path": path}).json()["content"] == edited


@pytest.mark.parametrize("filename", ["poster.png", "notes.docx", "script", "../../x.fountain.sh"])
def test_a_file_that_is_not_a_screenplay_is_refused_with_415(client: httpx.Client, filename: str) -> None:
    response = client.post("/api/projects/Film/documents/scripts", json={"filename": filename, "content": "x"})
    assert response.status_code == 415, response.text
    assert response.json()["error"]["code"] == "unsupported_media_type"
    assert ".fountain" in response.json()["error"]["message"]


def test_uploading_a_script_twice_under_one_name_is_a_conflict_and_keeps_the_first(client: httpx.Client) -> None:
    first = client.post("/api/projects/Film/documents/scripts", json={"filename": "Draft.fdx", "content": "<FinalDraft/>"})
    assert first.status_code == 201, first.text
    again = client.post("/api/projects/Film/documents/scripts", json={"filename": "Draft.fdx", "content": "other"})
    assert again.status_code == 409 and again.json()["error"]["code"] == "document_exists"
    kept = client.get("/api/projects/Film/documents/content", params={"path": first.json()["path"]}).json()
    assert kept["content"] == "<FinalDraft/>"


def test_approving_a_take_makes_it_active_and_stores_the_review_beside_the_take(
    client: httpx.Client, server: ServerProcess, two_takes: list[dict[str, object]],
) -> None:
    response = client.put("/api/projects/Film/takes/status", json={"shot": SHOT, "take": 1, "status": "approved"})
    assert response.status_code == 200, response.text
    shot = response.json()
    assert shot["active_take"] == 1 and shot["status"] == "approved"
    assert [take["review"]["status"] for take in shot["takes"]] == ["approved", "pending"]
    review_file = server.workspace / "Projects" / "Film" / "03_Renders" / SHOT / "S01_S01_take01.review.json"
    assert json.loads(review_file.read_text())["status"] == "approved"
    manifest = json.loads((server.workspace / "Projects" / "Film" / "project.json").read_text())
    [chapter] = [c for c in manifest["narrative"]["chapters"] if c["number"] == 1]
    [scene] = [s for s in chapter["scenes"] if s["number"] == 1]
    assert [s["activeTake"] for s in scene["shots"] if s["number"] == 1] == [1]
    # Approving the other take moves the approval (one approved take per shot).
    moved = client.put("/api/projects/Film/takes/status", json={"shot": SHOT, "take": 2, "status": "approved"}).json()
    assert moved["active_take"] == 2 and [t["review"]["status"] for t in moved["takes"]] == ["pending", "approved"]
    retake = client.put("/api/projects/Film/takes/status", json={"shot": SHOT, "take": 1, "status": "retake"}).json()
    assert retake["status"] == "approved" and retake["active_take"] == 2


def test_notes_at_a_timecode_are_kept_in_order_beside_the_take_and_committed_with_it(
    client: httpx.Client, server: ServerProcess, two_takes: list[dict[str, object]],
) -> None:
    for seconds, text in ((2.5, "hold the look longer"), (0.5, "too bright")):
        added = client.post("/api/projects/Film/takes/notes",
                            json={"shot": SHOT, "take": 2, "seconds": seconds, "frame": int(seconds * 24), "text": text})
        assert added.status_code == 201, added.text
    [take] = [t for t in added.json()["takes"] if t["number"] == 2]
    notes = take["review"]["notes"]
    assert [(n["seconds"], n["frame"], n["text"]) for n in notes] == [(0.5, 12, "too bright"), (2.5, 60, "hold the look longer")]
    assert notes[0]["author"] == "local"
    gone = client.delete("/api/projects/Film/takes/notes", params={"shot": SHOT, "take": 2, "note": notes[0]["id"]})
    assert gone.status_code == 200
    [take] = [t for t in client.get("/api/projects/Film/takes").json()["shots"][0]["takes"] if t["number"] == 2]
    assert [n["text"] for n in take["review"]["notes"]] == ["hold the look longer"]
    commit = client.post("/api/projects/Film/git/commit", json={"message": "review"})
    assert commit.status_code == 201
    assert f"03_Renders/{SHOT}/S01_S01_take02.review.json" in commit.json()["files"]


@pytest.mark.parametrize(("method", "path", "body", "status"), [
    ("PUT", "/api/projects/Film/takes/status", {"shot": SHOT, "take": 9, "status": "approved"}, 404),
    ("PUT", "/api/projects/Film/takes/status", {"shot": SHOT, "take": 1, "status": "lovely"}, 422),
    ("PUT", "/api/projects/Film/takes/status", {"shot": "../../etc", "take": 1, "status": "approved"}, 400),
    ("POST", "/api/projects/Film/takes/notes", {"shot": SHOT, "take": 1, "seconds": -1, "text": "x"}, 422),
    ("POST", "/api/projects/Film/takes/notes", {"shot": SHOT, "take": 1, "seconds": 1, "text": ""}, 422),
    ("POST", "/api/projects/Film/takes/notes", {"shot": SHOT, "take": 1, "seconds": 1, "text": "x" * 5000}, 422),
    ("DELETE", "/api/projects/Film/takes/notes?shot=Chapter_01/Scene_01/Shot_01&take=1&note=nope", None, 404),
])
def test_bad_review_input_is_a_4xx_in_the_one_error_shape(
    client: httpx.Client, two_takes: list[dict[str, object]], method: str, path: str, body: object, status: int,
) -> None:
    response = client.request(method, path, json=body)
    assert response.status_code == status, response.text
    assert set(response.json()["error"]) == {"code", "message", "details"}


def wait_for_shots(client: httpx.Client, project: str, count: int) -> None:
    """Until project.json mirrors the takes just saved as `count` shots in chapter 1, scene 1."""
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        chapter = client.get(f"/api/projects/{project}").json()["narrative"]["chapters"][0]
        if len(chapter["scenes"][0]["shots"]) >= count:
            return
        time.sleep(0.1)
    raise AssertionError(f"{project} never held {count} shots in scene 1")


def first_shot(server: ServerProcess) -> dict[str, object]:
    manifest = json.loads((server.workspace / "Projects" / "Film" / "project.json").read_text())
    [chapter] = [c for c in manifest["narrative"]["chapters"] if c["number"] == 1]
    return dict(chapter["scenes"][0]["shots"][0])


def test_a_shot_edit_lands_in_project_json_and_a_stale_one_is_refused_with_the_current_values(
    client: httpx.Client, server: ServerProcess,
) -> None:
    before = first_shot(server)
    edit = {"shot": SHOT, "base": {"description": before["description"], "duration": before.get("duration")},
            "changes": {"description": "MARA at the window, rain", "duration": 4.5}}
    response = client.patch("/api/projects/Film/shots", json=edit)
    assert response.status_code == 200, response.text
    assert response.json()["description"] == "MARA at the window, rain"
    after = first_shot(server)
    assert (after["description"], after["duration"]) == ("MARA at the window, rain", 4.5)
    # The same edit again carries a stale base: refused, nothing written, the current values told.
    stale = client.patch("/api/projects/Film/shots", json={**edit, "changes": {"description": "mine"}})
    assert stale.status_code == 409 and stale.json()["error"]["code"] == "shot_changed"
    assert stale.json()["error"]["details"]["current"] == {"description": "MARA at the window, rain"}
    assert first_shot(server)["description"] == "MARA at the window, rain"
    # A change without its base is refused too: the server never guesses what the client saw.
    blind = client.patch("/api/projects/Film/shots", json={"shot": SHOT, "base": {}, "changes": {"cast": ["MARA"]}})
    assert blind.status_code == 409


def test_an_ingredient_put_in_a_shots_slot_is_saved_and_an_unknown_one_refused(
    client: httpx.Client, server: ServerProcess,
) -> None:
    graph = {"1": {"class_type": "production.ingredient", "inputs": {"kind": "Character", "name": "MARA"}}}
    run = client.post("/api/runs", json={"graph": graph, "project": "Film", "targets": ["1"]})
    assert wait_for_status(client, run.json()["run_id"], {"completed", "failed"})["status"] == "completed"
    deadline = time.monotonic() + 10
    while not client.get("/api/projects/Film").json()["ingredients"] and time.monotonic() < deadline:
        time.sleep(0.1)  # project.json mirrors the new ingredient file after the run's event
    [mara] = client.get("/api/projects/Film").json()["ingredients"]
    base = {"slot1": first_shot(server).get("slot1")}
    placed = client.patch("/api/projects/Film/shots", json={"shot": SHOT, "base": base, "changes": {"slot1": mara["id"]}})
    assert placed.status_code == 200, placed.text
    assert first_shot(server)["slot1"] == mara["id"] and placed.json()["slot1"] == mara["id"]
    unknown = client.patch("/api/projects/Film/shots", json={"shot": SHOT, "base": {"slot2": None},
                                                            "changes": {"slot2": "character-nobody"}})
    assert unknown.status_code == 404 and unknown.json()["error"]["code"] == "ingredient_not_found"
    assert first_shot(server).get("slot2") is None
    cleared = client.patch("/api/projects/Film/shots", json={"shot": SHOT, "base": {"slot1": mara["id"]},
                                                            "changes": {"slot1": None}})
    assert cleared.status_code == 200 and first_shot(server)["slot1"] is None


def test_a_refused_shot_edit_says_which_field_and_what_limit_or_problem(client: httpx.Client) -> None:
    too_long = client.patch("/api/projects/Film/shots", json={"shot": SHOT, "base": {}, "changes": {"duration": 5000}})
    assert too_long.status_code == 422, too_long.text
    # The longest shot a graph can make (a Veo payload's Shot), not the API schema's wording.
    assert too_long.json()["error"]["message"] == "changes.duration: Input should be less than or equal to 600"
    unknown = client.patch("/api/projects/Film/shots", json={"shot": SHOT, "base": {"slot2": None},
                                                            "changes": {"slot2": "character-nobody"}})
    assert unknown.status_code == 404, unknown.text
    error = unknown.json()["error"]
    assert error["message"].startswith("changes.slot2: the project has no ingredient 'character-nobody'")
    assert error["details"] == {"field": "changes.slot2", "ingredient": "character-nobody"}


@pytest.mark.parametrize(("body", "status"), [
    ({"shot": "Chapter_09/Scene_01/Shot_01", "base": {}, "changes": {}}, 404),
    ({"shot": SHOT, "base": {"slot1": None}, "changes": {"slot1": "../../../etc/passwd"}}, 404),
    ({"shot": SHOT, "base": {"slot3": None}, "changes": {"slot3": ""}}, 422),
    ({"shot": SHOT, "base": {"slot2": None}, "changes": {"slot2": "x" * 500}}, 422),
    ({"shot": SHOT, "base": {}, "changes": {"slot4": "character-mara"}}, 422),
    ({"shot": SHOT, "base": {}, "changes": {"duration": -1}}, 422),
    ({"shot": SHOT, "base": {}, "changes": {"description": "x" * 5000}}, 422),
    ({"shot": "Shot_01", "base": {}, "changes": {}}, 400),
])
def test_bad_shot_edits_are_a_4xx_in_the_one_error_shape(client: httpx.Client, body: object, status: int) -> None:
    response = client.patch("/api/projects/Film/shots", json=body)
    assert response.status_code == status, response.text
    assert set(response.json()["error"]) == {"code", "message", "details"}


def test_reordering_a_scenes_shots_renumbers_them_and_their_takes_move_with_them(
    client: httpx.Client, server: ServerProcess,
) -> None:
    assert client.post("/api/projects", json={"name": "Order"}).status_code == 201
    root = server.workspace / "Projects" / "Order"
    for number, colour in ((1, "red"), (2, "blue")):
        source = root / "05_Cache" / f"{colour}.png"
        source.parent.mkdir(parents=True, exist_ok=True)
        subprocess.run(["ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i", f"color=c={colour}:s=64x48",
                        "-frames:v", "1", str(source)], check=True)
        save_take(client, "Order", f"05_Cache/{colour}.png", f"Chapter_01/Scene_01/Shot_{number:02d}")
        wait_for_shots(client, "Order", number)
        key = f"Chapter_01/Scene_01/Shot_{number:02d}"
        described = client.patch("/api/projects/Order/shots", json={
            "shot": key, "base": {"description": client.get("/api/projects/Order").json()["narrative"]["chapters"][0]
                                  ["scenes"][0]["shots"][number - 1]["description"]},
            "changes": {"description": f"the {colour} shot"}})
        assert described.status_code == 200, described.text
    client.put("/api/projects/Order/takes/status", json={"shot": "Chapter_01/Scene_01/Shot_02", "take": 1,
                                                         "status": "approved"}).raise_for_status()
    blue = (root / "05_Cache/blue.png").read_bytes()

    moved = client.put("/api/projects/Order/shots/order", json={"chapter": 1, "scene": 1, "order": [2, 1]})
    assert moved.status_code == 200, moved.text
    assert [(s["number"], s["description"]) for s in moved.json()["shots"]] == [(1, "the blue shot"), (2, "the red shot")]
    first = root / "03_Renders/Chapter_01/Scene_01/Shot_01"
    assert (first / "S01_S01_take01.png").read_bytes() == blue
    provenance = json.loads((first / "S01_S01_take01.provenance.json").read_text())
    assert (provenance["shot"], provenance["file"]) == ("Chapter_01/Scene_01/Shot_01", "S01_S01_take01.png")
    gallery = {s["shot"]: s for s in client.get("/api/projects/Order/takes").json()["shots"]}
    assert gallery["Chapter_01/Scene_01/Shot_01"]["status"] == "approved"  # the review moved with its take
    assert gallery["Chapter_01/Scene_01/Shot_02"]["takes"][0]["path"].endswith("Shot_02/S01_S02_take01.png")
    assert not list(root.glob("03_Renders/Chapter_01/Scene_01/.moving-*"))

    stale = client.put("/api/projects/Order/shots/order", json={"chapter": 1, "scene": 1, "order": [1, 2, 3]})
    assert stale.status_code == 409 and stale.json()["error"]["code"] == "shot_changed"


@pytest.mark.parametrize(("body", "status"), [
    ({"chapter": 9, "scene": 1, "order": [1]}, 404),
    ({"chapter": 1, "scene": 1, "order": [1, 1]}, 409),
    ({"chapter": 1, "scene": 1, "order": []}, 422),
    ({"chapter": 1, "scene": 1, "order": ["../1"]}, 422),
    ({"chapter": 0, "scene": 1, "order": [1]}, 422),
    ({"chapter": 1, "scene": 1, "order": [1], "extra": True}, 422),  # an unknown key is refused
])
def test_bad_shot_orders_are_a_4xx_in_the_one_error_shape(client: httpx.Client, body: object, status: int) -> None:
    response = client.put("/api/projects/Film/shots/order", json=body)
    assert response.status_code == status, response.text
    if status >= 400:
        assert set(response.json()["error"]) == {"code", "message", "details"}


def test_a_render_folder_symlinked_outside_the_project_is_never_moved(
    client: httpx.Client, server: ServerProcess, tmp_path_factory: pytest.TempPathFactory,
) -> None:
    assert client.post("/api/projects", json={"name": "Linked"}).status_code == 201
    root = server.workspace / "Projects" / "Linked"
    source = root / "05_Cache" / "red.png"
    source.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run(["ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i", "color=c=red:s=64x48", "-frames:v", "1",
                    str(source)], check=True)
    save_take(client, "Linked", "05_Cache/red.png", "Chapter_01/Scene_01/Shot_02")
    wait_for_shots(client, "Linked", 2)
    outside = tmp_path_factory.mktemp("outside")
    (outside / "S01_S01_take01.provenance.json").write_text("{}")
    shot_one = root / "03_Renders/Chapter_01/Scene_01/Shot_01"
    for child in shot_one.iterdir():
        child.unlink()
    shot_one.rmdir()
    shot_one.symlink_to(outside)
    answer = client.put("/api/projects/Linked/shots/order", json={"chapter": 1, "scene": 1, "order": [2, 1]})
    assert answer.status_code == 403 and answer.json()["error"]["code"] == "path_forbidden", answer.text
    assert sorted(p.name for p in outside.iterdir()) == ["S01_S01_take01.provenance.json"]
    assert (root / "03_Renders/Chapter_01/Scene_01/Shot_02/S01_S02_take01.png").is_file()


TEMPLATE = Path(__file__).resolve().parents[2] / "workspace_templates" / "graphs" / "screenplay_to_veo_payloads.json"


def run_payloads(client: httpx.Client, project: str, script: str) -> dict[str, Any]:
    """The screenplay template run in the project; its finished record."""
    submitted = client.post("/api/runs", json={"graph": json.loads(TEMPLATE.read_text()), "project": project,
                                               "params": {"3.script": script}})
    assert submitted.status_code in (200, 201, 202), submitted.text
    record = wait_for_status(client, submitted.json()["run_id"], {"completed", "failed"})
    assert record["status"] == "completed", record["errors"]
    return record


def make_location(client: httpx.Client, project: str, name: str) -> str:
    graph = {"1": {"class_type": "production.ingredient", "inputs": {"kind": "Location", "name": name}}}
    run = client.post("/api/runs", json={"graph": graph, "project": project, "targets": ["1"]})
    assert wait_for_status(client, run.json()["run_id"], {"completed", "failed"})["status"] == "completed"
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:  # project.json mirrors the ingredient file after the run's event
        found = [i["id"] for i in client.get(f"/api/projects/{project}").json()["ingredients"] if i["name"] == name]
        if found:
            return str(found[0])
        time.sleep(0.1)
    raise AssertionError(f"{name} never reached project.json")


def payload_prompt(server: ServerProcess, project: str, record: dict[str, Any], shot_id: str) -> str:
    """The Veo prompt of the payload take the run saved for the shot with this stable id."""
    root = server.workspace / "Projects" / project
    for path in record["nodes"]["4"]["outputs"]["take"]:
        payload = json.loads((root / path).read_text())
        if payload["shot_id"] == shot_id:
            return str(payload["request"]["instances"][0]["prompt"])
    raise AssertionError(f"no payload take of {shot_id} in the run")


def test_a_slot_set_in_the_shot_list_reaches_the_payload_and_a_new_slot_is_never_served_from_the_cache(
    client: httpx.Client, server: ServerProcess,
) -> None:
    assert client.post("/api/projects", json={"name": "Slots"}).status_code == 201
    script = client.post("/api/projects/Slots/documents/scripts",
                         json={"filename": "Two Rooms.fountain", "content": SCREENPLAY}).json()["path"]
    pantry, porch = make_location(client, "Slots", "Moonlit Pantry"), make_location(client, "Slots", "Rain Porch")
    first = run_payloads(client, "Slots", script)
    wait_for_shots(client, "Slots", 1)
    shot = client.get("/api/projects/Slots").json()["narrative"]["chapters"][0]["scenes"][0]["shots"][0]
    assert "Moonlit Pantry" not in payload_prompt(server, "Slots", first, shot["id"])

    for location, other in ((pantry, "Rain Porch"), (porch, "Moonlit Pantry")):
        current = client.get("/api/projects/Slots").json()["narrative"]["chapters"][0]["scenes"][0]["shots"][0]
        edited = client.patch("/api/projects/Slots/shots", json={
            "shot": SHOT, "base": {"slot2": current.get("slot2")}, "changes": {"slot2": location}})
        assert edited.status_code == 200, edited.text
        record = run_payloads(client, "Slots", script)
        prompt = payload_prompt(server, "Slots", record, shot["id"])
        name = "Moonlit Pantry" if location == pantry else "Rain Porch"
        assert name in prompt and other not in prompt, prompt
        assert record["nodes"]["3"]["status"] == "completed"  # the breakdown read the edited shot list
