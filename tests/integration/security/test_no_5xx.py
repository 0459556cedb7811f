"""Bad input is a 4xx with the error shape, never a 500."""

from __future__ import annotations

import httpx
import pytest


def _shape(answer: httpx.Response) -> None:
    assert 400 <= answer.status_code < 500, answer.text[:300]
    error = answer.json()["error"]
    assert set(error) == {"code", "message", "details"}
    assert "Traceback" not in answer.text


def test_a_huge_offset_is_a_4xx(clients: dict[str, httpx.Client]) -> None:
    _shape(clients["ada"].get("/api/runs", params={"offset": "99999999999999999999"}))


def test_committing_a_path_that_does_not_exist_is_a_4xx(clients: dict[str, httpx.Client], film: str) -> None:
    _shape(clients["cy"].post(f"/api/projects/{film}/git/commit", json={"message": "m", "paths": ["nope/never.txt"]}))


@pytest.mark.parametrize("depth", [256, 600, 900, 5000])
def test_deeply_nested_graphs_are_a_4xx(clients: dict[str, httpx.Client], depth: int) -> None:
    body = '{"graph": ' + '{"x": ' * depth + "1" + "}" * depth + "}"
    _shape(clients["ada"].post("/api/graphs/validate", content=body, headers={"content-type": "application/json"}))


@pytest.mark.parametrize("value", ["NaN", "Infinity", "-Infinity"])
def test_validate_refuses_nan_like_run(clients: dict[str, httpx.Client], value: str) -> None:
    body = '{"graph": {"1": {"class_type": "core.integer", "inputs": {"value": ' + value + "}}}}"
    headers = {"content-type": "application/json"}
    validate = clients["ada"].post("/api/graphs/validate", content=body, headers=headers)
    run = clients["ada"].post("/api/runs", content=body, headers=headers)
    _shape(validate)
    assert validate.status_code == run.status_code


@pytest.mark.parametrize("name", ["日本語.png", "🎬 clip.png"])
def test_unicode_upload_names_are_stored_safely(clients: dict[str, httpx.Client], film: str, name: str) -> None:
    png = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000"
                        "1f15c4890000000d49444154789c6360000002000100ffff03000006000557bfabd40000000049454e44ae426082")
    answer = clients["cy"].post(f"/api/projects/{film}/assets", files={"file": (name, png, "image/png")},
                                data={"category": "Styles"})
    assert answer.status_code == 201, answer.text


@pytest.mark.parametrize("name", ["a\r\nb.png", "x" * 5000 + ".png"])
def test_hostile_upload_names_are_a_4xx(clients: dict[str, httpx.Client], film: str, name: str) -> None:
    answer = clients["cy"].post(f"/api/projects/{film}/assets", files={"file": (name, b"\x89PNG\r\n\x1a\n", "image/png")},
                                data={"category": "Styles"})
    assert answer.status_code < 500, answer.text[:300]


def test_a_wrong_method_is_405_with_allow(clients: dict[str, httpx.Client]) -> None:
    answer = clients["ada"].put("/api/runs")
    assert answer.status_code == 405
    assert "GET" in answer.headers["allow"]
    assert answer.json()["error"]["code"] == "method_not_allowed"


@pytest.mark.parametrize("body", [
    {"graph": {"1": {"class_type": "../../etc/passwd", "inputs": {}}}, "to": "api"},
    {"graph": {"1": {"class_type": "x" * 5000, "inputs": {}}}, "to": "api", "allow_missing": [1]},
    {"graph": {"1": {"class_type": "core.integer", "inputs": {}}}, "allow_missing": None},
])
def test_hostile_conversions_are_a_4xx_naming_no_path(clients: dict[str, httpx.Client], body: dict[str, object]) -> None:
    answer = clients["ada"].post("/api/graphs/convert", json=body)
    _shape(answer)
    assert "/work/" not in answer.text and "site-packages" not in answer.text


@pytest.mark.parametrize("content", [
    '<?xml version="1.0"?><!DOCTYPE l [<!ENTITY a "aa"><!ENTITY b "&a;&a;&a;">]><xmeml>&b;</xmeml>',  # billion laughs
    '<?xml version="1.0"?><!DOCTYPE fcpxml [<!ENTITY x SYSTEM "file:///etc/passwd">]><fcpxml>&x;</fcpxml>',
    '{"OTIO_SCHEMA": "Timeline.1", "metadata": ' + '{"a": ' * 3000 + "1" + "}" * 3000 + "}",
    "001  AX V C 01:00:00:00 01:00:00:99 01:00:00:00 01:00:01:00\n",
])
def test_hostile_edits_to_conform_are_a_4xx(clients: dict[str, httpx.Client], film: str, content: str) -> None:
    for action, extra in (("preview", {}), ("apply", {"plan": "0" * 64})):
        _shape(clients["cy"].post(f"/api/projects/{film}/editorial/conform/{action}", json={"content": content, **extra}))


@pytest.mark.parametrize("name", ["..%2F..%2F.auteur%2Ftokens", "%2Fetc%2Fpasswd", "a%00b", "x" * 400, "sub/../../up", "a%0Ab"])
def test_hostile_user_workflow_names_are_a_4xx(clients: dict[str, httpx.Client], name: str) -> None:
    for answer in (clients["ada"].get(f"/api/workflows/{name}"),
                   clients["ada"].put(f"/api/workflows/{name}", json={"nodes": [], "links": []})):
        _shape(answer)
        assert "tokens" not in answer.text or answer.status_code in (403, 404)


@pytest.mark.parametrize(("route", "body"), [
    ("shots/order", {"chapter": 1, "scene": 1, "order": [1] * 999}),
    ("shots/order", {"chapter": 1, "scene": 1, "order": [2**63]}),
    ("shots/order", {"chapter": 1, "scene": "../1", "order": [1]}),
    ("shots", {"shot": "Chapter_01/Scene_01/Shot_01", "base": {"slot1": None}, "changes": {"slot1": "../../.auteur/tokens"}}),
    ("shots", {"shot": "Chapter_01/Scene_01/Shot_01", "base": {"slot2": None}, "changes": {"slot2": ["x"]}}),
])
def test_hostile_shot_orders_and_slots_are_a_4xx(clients: dict[str, httpx.Client], film: str, route: str,
                                                body: dict[str, object]) -> None:
    method = clients["cy"].put if route == "shots/order" else clients["cy"].patch
    answer = method(f"/api/projects/{film}/{route}", json=body)
    _shape(answer)
    assert "tokens" not in answer.text or answer.status_code == 404
