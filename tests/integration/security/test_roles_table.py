"""Every endpoint × role on a real server: 403 exactly where `governance.authorize` refuses."""

from __future__ import annotations

import itertools
import uuid
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from ..server_harness import chain_prompt, wait_for_status

ALL = {"ada", "cy", "olga", "vic"}
CREATORS = {"ada", "cy", "olga"}
FILM_READERS = {"ada", "cy", "vic"}
FILM_EDITORS = {"ada", "cy"}
Setup = Callable[[dict[str, httpx.Client]], str]
_names = itertools.count()


def fixed(path: str) -> Setup:
    return lambda clients: path


def cy_run(suffix: str = "") -> Setup:
    def make(clients: dict[str, httpx.Client]) -> str:
        run_id = clients["cy"].post("/api/runs", json={"graph": chain_prompt()}).json()["run_id"]
        wait_for_status(clients["cy"], run_id, {"completed"})
        return f"/api/runs/{run_id}{suffix}"
    return make


def cy_batch(suffix: str = "") -> Setup:
    def make(clients: dict[str, httpx.Client]) -> str:
        answer = clients["cy"].post("/api/batches", json={"graph": chain_prompt(), "table": [{"2.b": 1}]}).json()
        wait_for_status(clients["cy"], answer["runs"][0], {"completed"})
        return f"/api/batches/{answer['batch_id']}{suffix}"
    return make


def cy_webhook(clients: dict[str, httpx.Client]) -> str:
    made = clients["cy"].post("/api/webhooks", json={"url": "https://hooks.example.com/cy"}).json()
    return f"/api/webhooks/{made['webhook_id']}"


def cy_project(clients: dict[str, httpx.Client]) -> str:
    name = f"Doomed{next(_names)}"
    assert clients["cy"].post("/api/projects", json={"name": name}).status_code == 201
    return f"/api/projects/{name}"


def template(name: str) -> dict[str, Any]:
    workflow = {"last_node_id": 0, "last_link_id": 0, "nodes": [], "links": [], "version": 0.4}
    return {"name": name, "description": "", "version": "1", "parameters": [], "workflow": workflow}


# (method, path setup, json body or None, principals allowed)
TABLE: list[tuple[str, Setup, Any, set[str]]] = [
    ("GET", fixed("/api/nodes"), None, ALL),
    ("GET", fixed("/api/quality/mappings"), None, ALL),
    ("POST", fixed("/api/graphs/validate"), {"graph": chain_prompt()}, ALL),
    ("POST", fixed("/api/graphs/validate"), {"graph": chain_prompt(), "queue": {}}, CREATORS),
    ("POST", fixed("/api/graphs/convert"), {"graph": chain_prompt(), "to": "workflow"}, ALL),
    ("GET", fixed("/api/runs"), None, ALL),
    ("POST", fixed("/api/runs"), {"graph": chain_prompt()}, CREATORS),
    ("POST", fixed("/api/runs"), {"graph": chain_prompt(), "project": "Film"}, FILM_EDITORS),
    ("GET", cy_run(), None, {"ada", "cy"}),
    ("POST", cy_run("/cancel"), None, {"ada", "cy"}),
    ("DELETE", cy_run(), None, {"ada", "cy"}),
    ("GET", fixed("/api/queue"), None, ALL),
    ("POST", fixed("/api/queue/resume"), None, {"ada"}),  # pausing: test_server_queue (it would stall this table)
    ("POST", cy_run("/move"), {"to": "up"}, {"ada", "cy"}),  # finished: 409 where allowed
    ("POST", cy_run("/priority"), {"priority": 1}, {"ada", "cy"}),
    ("POST", cy_run("/retry"), None, {"ada", "cy"}),
    ("GET", cy_run("/review"), None, {"ada", "cy"}),
    ("POST", cy_run("/review"), {"action": "approve"}, {"ada", "cy"}),  # nothing waits: 409 where allowed
    ("GET", fixed("/api/agents/jobs?review=awaiting"), None, ALL),
    ("POST", fixed("/api/batches"), {"graph": chain_prompt(), "table": "2.b\n1\n"}, CREATORS),
    ("GET", cy_batch(), None, {"ada", "cy"}),
    ("POST", cy_batch("/cancel"), None, {"ada", "cy"}),
    ("POST", cy_batch("/retry"), None, {"ada", "cy"}),
    ("POST", fixed("/api/webhooks"), {"url": "https://hooks.example.com/in"}, CREATORS),
    ("POST", fixed("/api/webhooks"), {"url": "https://hooks.example.com/in", "project": "Film"}, FILM_EDITORS),
    ("GET", fixed("/api/webhooks"), None, CREATORS),
    ("GET", fixed("/api/webhooks/deliveries?status=dead"), None, CREATORS),
    ("DELETE", cy_webhook, None, {"ada", "cy"}),
    ("GET", fixed("/api/templates"), None, ALL),
    ("GET", fixed("/api/templates/add_two_numbers"), None, ALL),
    ("POST", lambda c: "/api/templates", "new", CREATORS),
    ("POST", fixed("/api/templates"), template("Add two numbers"), set()),
    ("GET", fixed("/api/projects"), None, ALL),
    ("GET", fixed("/api/workflows"), None, ALL),  # each caller's own folder
    ("PUT", fixed("/api/workflows/mine"), {"nodes": [], "links": []}, ALL),
    ("GET", fixed("/api/workflows/mine"), None, ALL),
    ("POST", fixed("/api/projects"), "new-project", CREATORS),
    ("GET", fixed("/api/projects/Film"), None, FILM_READERS),
    ("PATCH", fixed("/api/projects/Film"), {"description": "edited"}, FILM_EDITORS),
    ("GET", fixed("/api/projects/Film/tree"), None, FILM_READERS),
    ("GET", fixed("/api/projects/Film/files"), None, FILM_READERS),
    ("GET", fixed("/api/projects/Film/takes"), None, FILM_READERS),
    ("GET", fixed("/api/projects/Film/assets"), None, FILM_READERS),
    # Without object storage an editor gets 409 (direct uploads off) and an empty ticket 422.
    ("POST", fixed("/api/projects/Film/assets/direct"), {"filename": "x.png", "category": "Characters", "size": 1},
     FILM_EDITORS),
    ("POST", fixed("/api/projects/Film/assets/direct/complete"), {"ticket": ""}, FILM_EDITORS),
    ("GET", fixed("/api/projects/Film/documents"), None, FILM_READERS),
    ("POST", fixed("/api/projects/Film/documents"), "new-document", FILM_EDITORS),
    ("POST", fixed("/api/projects/Film/documents/scripts"), "new-script", FILM_EDITORS),
    # No take exists: 404 where allowed, 403 first where not.
    ("PUT", fixed("/api/projects/Film/takes/status"),
     {"shot": "Chapter_01/Scene_01/Shot_01", "take": 1, "status": "approved"}, FILM_EDITORS),
    ("PATCH", fixed("/api/projects/Film/shots"),
     {"shot": "Chapter_01/Scene_01/Shot_01", "base": {"duration": None}, "changes": {"duration": 3.0}}, FILM_EDITORS),
    ("PUT", fixed("/api/projects/Film/shots/order"), {"chapter": 1, "scene": 1, "order": [1]}, FILM_EDITORS),
    ("POST", fixed("/api/projects/Film/takes/notes"),
     {"shot": "Chapter_01/Scene_01/Shot_01", "take": 1, "seconds": 1.5, "text": "warmer"}, FILM_EDITORS),
    ("POST", fixed("/api/projects/Film/editorial/exports"), {"format": "edl"}, FILM_EDITORS),
    ("GET", fixed("/api/projects/Film/timeline"), None, FILM_READERS),
    ("POST", fixed("/api/projects/Film/timeline"), {"title": "The duel", "order": 1}, FILM_EDITORS),
    ("PATCH", fixed("/api/projects/Film/timeline/no-such-event"), {"order": 2}, FILM_EDITORS),  # 404 where allowed
    ("POST", fixed("/api/projects/Film/editorial/exports"), {"format": "otio", "zip": True}, FILM_EDITORS),
    # An unreadable edit: 422 where allowed, 403 first where not.
    ("POST", fixed("/api/projects/Film/editorial/conform/preview"), {"content": "not an edit"}, FILM_EDITORS),
    ("POST", fixed("/api/projects/Film/editorial/conform/apply"), {"content": "not an edit", "plan": "x"},
     FILM_EDITORS),
    ("GET", fixed("/api/projects/Film/workflows"), None, FILM_READERS),
    ("GET", fixed("/api/projects/Film/git/status"), None, FILM_READERS),
    ("GET", fixed("/api/projects/Film/git/log"), None, FILM_READERS),
    ("POST", fixed("/api/projects/Film/git/commit"), {"message": "snapshot"}, FILM_EDITORS),
    ("PUT", fixed("/api/projects/Film/members/zed"), {"role": "viewer"}, FILM_EDITORS),
    ("POST", fixed("/api/projects/Film/repair"), None, FILM_EDITORS),  # intact: 409 where allowed
    ("DELETE", cy_project, None, {"ada", "cy"}),
    ("GET", fixed("/api/packs/speaker/spotify/status"), None, CREATORS),
    ("POST", fixed("/api/runs/estimate"), {"graph": chain_prompt()}, ALL),
    ("POST", fixed("/api/runs/estimate"), {"graph": chain_prompt(), "project": "Film"}, FILM_READERS),
    ("GET", fixed("/api/credentials"), None, CREATORS),
    ("PUT", fixed("/api/credentials/suno"), {"key": "a-key-of-their-own"}, CREATORS),
    ("DELETE", fixed("/api/credentials/suno"), None, CREATORS),  # stored just before: 200 (else 404) where allowed
]


def _body(body: Any) -> Any:
    unique = uuid.uuid4().hex[:8]
    if body == "new":
        return template(f"Mine {unique}")
    if body == "new-project":
        return {"name": f"P{unique}"}
    if body == "new-document":
        return {"type": "treatment", "title": f"T {unique}"}
    if body == "new-script":
        return {"filename": f"S {unique}.fountain", "content": "INT. ROOM - DAY\n"}
    return body


@pytest.mark.parametrize("principal", sorted(ALL))
@pytest.mark.parametrize(("method", "setup", "body", "allowed"), TABLE,
                         ids=[f"{m} {i}" for i, (m, *_rest) in enumerate(TABLE)])
def test_every_endpoint_answers_403_exactly_where_the_role_is_refused(
    clients: dict[str, httpx.Client], film: str, principal: str,
    method: str, setup: Setup, body: Any, allowed: set[str],
) -> None:
    path = setup(clients)
    response = clients[principal].request(method, path, json=_body(body))
    assert response.status_code != 401, response.text
    if principal in allowed:
        assert response.status_code != 403, f"{principal} {method} {path}: {response.text}"
        assert response.status_code < 500, response.text
    else:
        assert response.status_code == 403, f"{principal} {method} {path}: {response.status_code} {response.text}"
        assert response.json()["error"]["code"] == "forbidden"


def test_the_run_list_shows_only_the_callers_runs_unless_admin(clients: dict[str, httpx.Client]) -> None:
    run_id = clients["olga"].post("/api/runs", json={"graph": chain_prompt()}).json()["run_id"]
    wait_for_status(clients["olga"], run_id, {"completed"})
    owners = {name: {item["principal"] for item in clients[name].get("/api/runs?limit=500").json()["items"]}
              for name in ("ada", "cy", "olga", "vic")}
    assert owners["olga"] == {"olga"}
    assert "olga" not in owners["cy"] and "olga" not in owners["vic"]
    assert {"olga", "cy"} <= owners["ada"]


def test_the_project_list_shows_only_projects_the_caller_may_read(clients: dict[str, httpx.Client], film: str) -> None:
    names = {name: {item["name"] for item in clients[name].get("/api/projects").json()["items"]} for name in clients}
    assert "Film" in names["vic"] and "Film" in names["ada"]
    assert "Film" not in names["olga"]
