"""Request bodies are strict JSON (canvas_server/request_body.py): a value of the wrong JSON type is
never coerced (`0` is no `false`, `"5"` no 5, `5.0` no count, a number no date) and a key the body
does not know is refused, on a real server, each a 422 `request_invalid` whose message names the
field and the constraint it breaks. One line per input class made strict."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from ..server_harness import chain_prompt

SHOT = "Chapter_01/Scene_01/Shot_01"
# (what kind of coercion, method, path under /api with {film}, body, the field the message names)
COERCIONS: list[tuple[str, str, str, Any, str]] = [
    ("a count given as text", "POST", "/runs", {"graph": chain_prompt(), "priority": "5"}, "priority"),
    ("a count given as a fraction", "POST", "/runs", {"graph": chain_prompt(), "priority": 5.0}, "priority"),
    ("a count given as a flag", "PUT", "/projects/{film}/takes/active", {"shot": SHOT, "take": True}, "take"),
    ("counts in a list given as text", "PUT", "/projects/{film}/shots/order",
     {"chapter": 1, "scene": 1, "order": [2, "1"]}, "order.1"),
    ("a number given as text", "POST", "/projects/{film}/takes/notes",
     {"shot": SHOT, "take": 1, "seconds": "1.5", "text": "late"}, "seconds"),
    ("a number given as a flag", "PATCH", "/projects/{film}/shots",
     {"shot": SHOT, "base": {}, "changes": {"duration": True}}, "changes.duration"),
    ("a flag given as a number", "POST", "/projects/{film}/editorial/exports", {"format": "otio", "zip": 0}, "zip"),
    ("a flag given as text", "POST", "/graphs/convert", {"graph": chain_prompt(), "allow_missing": "yes"},
     "allow_missing"),
    ("a date given as a number", "POST", "/projects/{film}/timeline", {"title": "Dawn", "date": 20261205}, "date"),
    ("a date in another notation", "POST", "/projects/{film}/timeline", {"title": "Dawn", "date": "5/12/2026"},
     "date"),
    ("an unknown key in a new project", "POST", "/projects", {"name": "Strict", "colour": "red"}, "colour"),
    ("an unknown key in a run", "POST", "/runs", {"graph": chain_prompt(), "tiers": "low"}, "tiers"),
    ("an unknown key in a webhook", "POST", "/webhooks",
     {"url": "http://127.0.0.1:9/hook", "events": ["run.completed"], "secret": "x"}, "secret"),
    ("an unknown key in a nested pick", "POST", "/studio/batch",
     {"graph": chain_prompt(), "shot_input": "1.value", "shots": [{"project": "Film", "shot": SHOT, "take": 1}]},
     "shots.0.take"),
    ("a project.json flag given as a number", "PATCH", "/projects/{film}",
     {"narrative": {"chapters": [{"number": 1, "title": "One", "scenes": [
         {"number": 1, "shots": [{"number": 1, "omitted": 0}]}]}]}}, "narrative.chapters.0.scenes.0.shots.0.omitted"),
]


@pytest.mark.parametrize(("kind", "method", "path", "body", "field"), COERCIONS, ids=[case[0] for case in COERCIONS])
def test_a_value_of_the_wrong_json_type_or_an_unknown_key_is_a_422_naming_the_field(
        clients: dict[str, httpx.Client], film: str, kind: str, method: str, path: str, body: Any,
        field: str) -> None:
    answer = clients["cy"].request(method, "/api" + path.format(film=film), json=body)
    assert answer.status_code == 422, answer.text
    error = answer.json()["error"]
    assert error["code"] == "request_invalid"
    assert error["message"].startswith(f"{field}: "), error["message"]
    assert [problem["field"] for problem in error["details"]] == [field]
    assert "Traceback" not in answer.text and "/tmp" not in answer.text


def test_a_bound_names_its_limit_in_the_message_and_the_details(clients: dict[str, httpx.Client], film: str) -> None:
    answer = clients["cy"].patch(f"/api/projects/{film}/shots",
                                 json={"shot": SHOT, "base": {}, "changes": {"duration": 4000}})
    assert answer.status_code == 422, answer.text
    error = answer.json()["error"]
    assert error["message"] == "changes.duration: Input should be less than or equal to 600"
    assert error["details"][0]["type"] == "less_than_equal" and error["details"][0]["ctx"] == {"le": 600}


def test_a_refused_workflow_document_names_the_field_too(clients: dict[str, httpx.Client], film: str) -> None:
    answer = clients["cy"].put(f"/api/projects/{film}/workflows/Broken", json={"nodes": "none", "links": []})
    assert answer.status_code == 422, answer.text
    error = answer.json()["error"]
    assert error["code"] == "graph_invalid"
    assert error["message"].startswith("workflow 'Broken' is not a litegraph workflow: nodes: "), error["message"]


def test_a_one_node_run_s_options_are_strict_and_named(clients: dict[str, httpx.Client], film: str) -> None:
    answer = clients["cy"].post("/api/nodes/core.integer/run",
                                json={"value": 1, "project": film, "save_take": {"chapter": "1", "scene": 1, "shot": 1}})
    assert 400 <= answer.status_code < 500, answer.text
    error = answer.json()["error"]
    assert "save_take.chapter: Input should be a valid integer" in error["message"], error


@pytest.mark.parametrize("written", ["1", "yes", "on", "True"])
def test_a_boolean_query_parameter_is_true_or_false_only(clients: dict[str, httpx.Client], written: str) -> None:
    """The query string's side: FastAPI alone reads 1, yes and on as true."""
    answer = clients["cy"].get("/api/packs/speaker/spotify/authorize", params={"redirect": written})
    assert answer.status_code == 400, answer.text
    assert answer.json()["error"] == {"code": "query_invalid", "message": f"query parameter 'redirect' must be true or "
                                      f"false, not {written!r}", "details": {"parameter": "redirect", "value": written}}
    spelled = clients["cy"].get("/api/packs/speaker/spotify/authorize", params={"redirect": "false"})
    assert spelled.json().get("error", {}).get("code") != "query_invalid", spelled.text
