"""Provider costs before a run and provider keys, on a real server (issue 26): POST
/api/runs/estimate prices each provider node and says what is left of the project's budget;
/api/credentials stores, lists (masked), replaces and deletes the caller's own keys, sealed
where the provider nodes read them; another principal never sees or replaces them; hostile
graphs, projects, provider names and keys are a clear 4xx."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest

from nodes.sdk.providers import CredentialStore

from .test_story_inputs import assert_clear_4xx


def clip_and_song(duration: int) -> dict[str, Any]:
    return {
        "1": {"class_type": "providers.higgsfield_video",
              "inputs": {"prompt": "a lighthouse", "duration": duration, "shot_path": "Chapter_01/Scene_01/Shot_01"}},
        "2": {"class_type": "providers.suno_generate",
              "inputs": {"prompt": "sea shanty", "shot_path": "Chapter_01/Scene_01/Shot_01"}},
    }


@pytest.fixture(scope="module")
def budgeted(clients: dict[str, httpx.Client]) -> str:
    answer = clients["cy"].post("/api/projects", json={"name": "Lighthouse", "settings": {"budgetUsd": 1.0}})
    assert answer.status_code == 201, answer.text
    return "Lighthouse"


def test_the_estimate_prices_each_provider_node_and_shows_the_budget_left(
        clients: dict[str, httpx.Client], budgeted: str) -> None:
    answer = clients["cy"].post("/api/runs/estimate", json={"graph": clip_and_song(8), "project": budgeted})
    assert answer.status_code == 200, answer.text
    estimate = answer.json()
    by_node = {node["node_id"]: node for node in estimate["nodes"]}
    assert (by_node["1"]["usd"], by_node["1"]["units"], by_node["1"]["unit"]) == (0.8, 8, "seconds")
    assert (by_node["2"]["usd"], by_node["2"]["unit"]) == (0.12, "call")
    assert (estimate["total_usd"], estimate["budget_usd"], estimate["left_usd"]) == (0.92, 1.0, 1.0)
    assert estimate["over_budget"] is False and estimate["message"] == ""
    over = clients["cy"].post("/api/runs/estimate", json={"graph": clip_and_song(10), "project": budgeted}).json()
    assert over["over_budget"] is True and over["total_usd"] == 1.12
    assert over["message"].startswith("This run would cost about $1.12, more than is left of the project's budget")


def test_an_estimate_outside_a_project_has_no_budget_and_a_project_the_caller_cannot_read_is_refused(
        clients: dict[str, httpx.Client], budgeted: str) -> None:
    free = clients["olga"].post("/api/runs/estimate", json={"graph": clip_and_song(30)}).json()
    assert (free["total_usd"], free["left_usd"], free["over_budget"]) == (3.12, None, False)
    refused = clients["olga"].post("/api/runs/estimate", json={"graph": clip_and_song(5), "project": budgeted})
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "forbidden"


@pytest.mark.parametrize("body", [
    {"graph": {}}, {"graph": "text"}, {"graph": clip_and_song(5), "tier": "ultra"},
    {"graph": clip_and_song(5), "project": "../../etc"}, {"graph": clip_and_song(5), "project": "Nowhere"},
    '{"graph": {"1": {"class_type": "providers.higgsfield_video", "inputs": {"duration": 1e400}}}}',
    {"graph": {"1": {"class_type": "providers.higgsfield_video", "inputs": {"duration": ["1", 0]}}}},
    {"graph": {"1": ["not", "a", "node"]}},
])
def test_a_hostile_estimate_request_is_a_clear_4xx(clients: dict[str, httpx.Client], body: Any) -> None:
    answer = clients["cy"].post("/api/runs/estimate", json=body) if not isinstance(body, str) else \
        clients["cy"].post("/api/runs/estimate", content=body, headers={"Content-Type": "application/json"})
    if answer.status_code == 200:  # a self-link is no count: priced at the default, approximate
        assert all(node["approximate"] for node in answer.json()["nodes"])
        return
    assert_clear_4xx(answer)


def test_a_principal_stores_lists_masked_replaces_and_deletes_its_own_provider_keys(
        clients: dict[str, httpx.Client], team_workspace: Path) -> None:
    cy = clients["cy"]
    stored = cy.put("/api/credentials/higgsfield", json={"key": "key-id:secret-AAAA1234"})
    assert stored.status_code == 200, stored.text
    assert stored.json() == {"provider": "higgsfield", "masked": "…1234", "replaced": False}
    replaced = cy.put("/api/credentials/higgsfield", json={"key": "key-id:secret-BBBB5678"}).json()
    assert replaced == {"provider": "higgsfield", "masked": "…5678", "replaced": True}
    listed = cy.get("/api/credentials")
    assert listed.json() == {"principal": "cy", "credentials": [{"provider": "higgsfield", "masked": "…5678"}]}
    assert "secret-BBBB" not in listed.text and "secret-BBBB" not in replaced.__repr__()
    # Sealed where the provider nodes read it (a runner of this workspace), never in clear on disk.
    assert CredentialStore.for_workspace(team_workspace).get("cy", "higgsfield").get_secret_value() \
        == "key-id:secret-BBBB5678"  # type: ignore[union-attr]
    assert not [path for path in team_workspace.rglob("*") if path.is_file() and b"secret-BBBB" in path.read_bytes()]
    assert cy.delete("/api/credentials/higgsfield").json() == {"provider": "higgsfield", "deleted": True}
    assert cy.get("/api/credentials").json()["credentials"] == []
    gone = cy.delete("/api/credentials/higgsfield")
    assert gone.status_code == 404 and gone.json()["error"]["code"] == "credential_not_found"


def test_another_principal_can_neither_read_nor_replace_a_principals_keys(clients: dict[str, httpx.Client],
                                                                         team_workspace: Path) -> None:
    assert clients["cy"].put("/api/credentials/suno", json={"key": "cy-suno-key-0001"}).status_code == 200
    assert clients["olga"].get("/api/credentials").json() == {"principal": "olga", "credentials": []}
    assert clients["olga"].put("/api/credentials/suno", json={"key": "olga-suno-key-0002"}).status_code == 200
    assert clients["olga"].delete("/api/credentials/suno").status_code == 200  # olga's own, not cy's
    store = CredentialStore.for_workspace(team_workspace)
    assert store.get("cy", "suno").get_secret_value() == "cy-suno-key-0001"  # type: ignore[union-attr]
    assert clients["ada"].get("/api/credentials").json()["credentials"] == []  # an admin's list is its own
    viewer = clients["vic"].get("/api/credentials")
    assert viewer.status_code == 403 and viewer.json()["error"]["code"] == "forbidden"
    clients["cy"].delete("/api/credentials/suno")


@pytest.mark.parametrize("provider", ["../cy", "Suno", "a b", "x" * 41, "-dash", "%2e%2e", "suno%00"])
def test_a_hostile_provider_name_is_refused(clients: dict[str, httpx.Client], provider: str) -> None:
    answer = clients["cy"].put(f"/api/credentials/{provider}", json={"key": "a-long-enough-key"})
    assert answer.status_code in (404, 405, 422), answer.text
    if answer.status_code != 405:
        assert_clear_4xx(answer)
    assert clients["cy"].get("/api/credentials").json()["credentials"] == []


@pytest.mark.parametrize("key", ["short", "has space inside", "line\nbreak-injected", "x" * 4097, 12345678, None, ""])
def test_a_hostile_key_is_refused_and_never_echoed(clients: dict[str, httpx.Client], key: Any) -> None:
    answer = clients["cy"].put("/api/credentials/suno", json={"key": key})
    assert_clear_4xx(answer)
    if isinstance(key, str) and len(key) > 4:
        assert key not in answer.text
    assert clients["cy"].get("/api/credentials").json()["credentials"] == []
