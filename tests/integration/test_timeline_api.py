"""The story timeline on a real server (issue 22, item 4): events in project.json, always in story
order (dates, or order keys for invented calendars), filtered by range, participant and type;
created, moved and removed over the API; refused when they name what the project does not hold."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from nodes.sdk import layout

from .server_harness import ServerProcess, running_server, wait_for_status


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    with running_server(tmp_path_factory.mktemp("timeline")) as server:
        yield server


@pytest.fixture(scope="module")
def client(server: ServerProcess) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.url, timeout=30) as client:
        assert client.post("/api/projects", json={"name": "Saga"}).status_code == 201
        yield client


@pytest.fixture(scope="module")
def mara(client: httpx.Client) -> str:
    graph = {"1": {"class_type": "production.ingredient", "inputs": {"kind": "Character", "name": "MARA"}}}
    run = client.post("/api/runs", json={"graph": graph, "project": "Saga", "targets": ["1"]})
    assert wait_for_status(client, run.json()["run_id"], {"completed", "failed"})["status"] == "completed"
    deadline = time.monotonic() + 10
    while not client.get("/api/projects/Saga").json()["ingredients"] and time.monotonic() < deadline:
        time.sleep(0.1)  # project.json mirrors the new ingredient file after the run's event
    return str(client.get("/api/projects/Saga").json()["ingredients"][0]["id"])


def add(client: httpx.Client, project: str = "Saga", **event: Any) -> dict[str, Any]:
    made = client.post(f"/api/projects/{project}/timeline", json=event)
    assert made.status_code == 201, made.text
    return dict(made.json())


def titles(client: httpx.Client, project: str = "Saga", **query: str) -> list[str]:
    answer = client.get(f"/api/projects/{project}/timeline", params=query)
    assert answer.status_code == 200, answer.text
    return [event["title"] for event in answer.json()["events"]]


def test_events_are_kept_in_story_order_filtered_moved_and_removed(
        client: httpx.Client, server: ServerProcess, mara: str) -> None:
    duel = add(client, title="The duel", type="battle", date="1200-05-02", participants=[mara],
               shots=["Chapter_01/Scene_01/Shot_01"], time_label="the spring of 1200")
    add(client, title="The meeting", type="meeting", date="1200-03-01", participants=[mara],
        scenes=["Chapter_01/Scene_01"])
    add(client, title="The map is found", type="discovery", date="1201-01-10")
    assert titles(client) == ["The meeting", "The duel", "The map is found"]
    stored = json.loads((server.workspace / layout.PROJECTS_DIR / "Saga" / layout.MANIFEST).read_text())
    assert [event["title"] for event in stored["timeline"]] == ["The meeting", "The duel", "The map is found"]
    assert stored["timeline"][1]["timeLabel"] == "the spring of 1200"

    assert titles(client, **{"from": "1200-04-01", "to": "1200-12-31"}) == ["The duel"]
    assert titles(client, participant=mara) == ["The meeting", "The duel"]
    assert titles(client, type="discovery") == ["The map is found"]

    moved = client.patch(f"/api/projects/Saga/timeline/{duel['id']}", json={"date": "1202-06-01"})
    assert moved.status_code == 200 and moved.json()["date"] == "1202-06-01"
    assert titles(client) == ["The meeting", "The map is found", "The duel"]
    assert client.delete(f"/api/projects/Saga/timeline/{duel['id']}").status_code == 204
    assert titles(client) == ["The meeting", "The map is found"]
    assert client.delete(f"/api/projects/Saga/timeline/{duel['id']}").status_code == 404


def test_an_invented_calendar_orders_events_by_their_key(client: httpx.Client) -> None:
    assert client.post("/api/projects", json={"name": "Myth"}).status_code == 201
    add(client, "Myth", title="The second sun", order=2.5, time_label="Age of Two Suns")
    add(client, "Myth", title="The first fire", order=1)
    add(client, "Myth", title="The flood", order=-3)
    assert titles(client, "Myth") == ["The flood", "The first fire", "The second sun"]
    assert titles(client, "Myth", **{"from": "0", "to": "2"}) == ["The first fire"]


@pytest.mark.parametrize(("event", "status", "code"), [
    ({"title": "No time"}, 422, "event_invalid"),
    ({"title": "Two times", "date": "1200-01-01", "order": 3}, 422, "event_invalid"),
    ({"date": "1200-01-01"}, 422, "event_invalid"),
    ({"title": "Ghost", "order": 1, "participants": ["nobody"]}, 404, "ingredient_not_found"),
    ({"title": "Far", "order": 1, "shots": ["Chapter_09/Scene_01/Shot_01"]}, 404, "shot_not_found"),
    ({"title": "Odd", "order": 1, "shots": ["../../etc"]}, 400, "shot_invalid"),
    ({"title": "Odd", "order": 1, "scenes": ["Scene 1"]}, 404, "scene_not_found"),
    ({"title": "Typo", "order": 1, "partcipants": []}, 422, "request_invalid"),
])
def test_an_event_naming_what_the_project_does_not_hold_is_refused(
        client: httpx.Client, event: dict[str, Any], status: int, code: str) -> None:
    answer = client.post("/api/projects/Saga/timeline", json=event)
    assert (answer.status_code, answer.json()["error"]["code"]) == (status, code), answer.text


def test_a_range_bound_that_is_neither_a_date_nor_a_number_is_a_400(client: httpx.Client) -> None:
    answer = client.get("/api/projects/Saga/timeline", params={"from": "yesterday"})
    assert answer.status_code == 400 and answer.json()["error"]["code"] == "query_invalid"
