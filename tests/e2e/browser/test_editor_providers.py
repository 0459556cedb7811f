"""Providers in the editor: the run's estimated cost beside Queue, against the project's budget
(it follows the canvas, a clip's length changed in the inspector, and Queue refuses a run over
budget with the budget's message, queueing nothing); the caller's provider keys in Settings
(stored, shown masked, replaced, deleted; the key never stays on the page)."""

from __future__ import annotations

from typing import Any

import httpx

from .conftest import EditorPage

SHOT = "Chapter_01/Scene_01/Shot_01"


def _node(id_: int, type_: str, pos: list[int], inputs: list[dict[str, Any]], values: list[Any]) -> dict[str, Any]:
    return {"id": id_, "type": type_, "pos": pos, "size": [300, 200], "flags": {}, "order": id_ - 1, "mode": 0,
            "inputs": inputs, "outputs": [], "properties": {}, "widgets_values": values}


CLIP_AND_SONG = {
    "last_node_id": 2, "last_link_id": 0, "groups": [], "config": {}, "extra": {}, "version": 0.4, "links": [],
    "nodes": [
        _node(1, "providers.higgsfield_video", [0, 0], [{"name": "shot", "type": "SHOT", "link": None}],
              ["a lighthouse at dusk", "higgsfield-ai/dop/standard", 5, "", "{}", SHOT]),
        _node(2, "providers.suno_generate", [400, 0], [], ["sea shanty", "", "Untitled", False, "V4_5", SHOT]),
    ],
}


def test_the_estimate_follows_the_canvas_and_queue_refuses_a_run_over_budget(
        editor: EditorPage, project: str) -> None:
    answer = httpx.patch(f"{editor.server.url}/api/projects/{project}", json={"settings": {"budgetUsd": 1.0}},
                         timeout=30)
    assert answer.status_code == 200, answer.text
    editor.open(project)
    editor.eval("(doc) => window.__auteur.openDocument(doc, 'clip and song')", CLIP_AND_SONG)
    line = editor.page.get_by_test_id("cost-estimate")
    line.filter(has_text="Estimated cost: $0.62 — budget left $1.00").wait_for()  # 5 s × $0.10 + one song $0.12
    editor.shot("estimate under budget")

    editor.select_node("1")
    duration = editor.page.locator("[data-testid=inspector] #in-duration")
    duration.fill("9")
    duration.press("Enter")
    line.filter(has_text="Estimated cost: $1.02 — budget left $1.00").wait_for()
    assert "over" in (line.get_attribute("class") or "")
    editor.page.get_by_test_id("queue").click()
    refusal = editor.page.get_by_test_id("cost-refusal")
    refusal.wait_for()
    editor.shot("queue refused over budget")
    assert refusal.inner_text().startswith(
        "This run would cost about $1.02, more than is left of the project's budget ($1.00 of $1.00; $0.00 spent)")
    runs = httpx.get(f"{editor.server.url}/api/runs", params={"project": project}, timeout=30).json()["items"]
    assert runs == [] and editor.eval("() => window.__auteur.runs.length") == 0

    duration.fill("4")
    duration.press("Enter")
    line.filter(has_text="Estimated cost: $0.52 — budget left $1.00").wait_for()
    refusal.wait_for(state="detached")  # fits again: the refusal is gone


def test_a_graph_that_charges_nothing_is_never_sent_for_an_estimate_until_a_provider_node_is_added(
        editor: EditorPage, project: str) -> None:
    """The estimate was asked 400 ms after every edit of any graph: a 1,000-node one sent whole
    (330 kB, ~80 ms of the server's CPU) each time, for nothing to price."""
    editor.open(project)
    # The estimates asked, by whether the graph sent holds anything that charges (a canvas the
    # project's autosave restores may, and be priced meanwhile).
    asked: list[bool] = []
    editor.page.on("request", lambda request: asked.append("providers." in (request.post_data or ""))
                   if "/api/runs/estimate" in request.url else None)
    free = {**CLIP_AND_SONG, "nodes": [_node(1, "core.integer", [0, 0], [], [3]), _node(2, "core.integer", [400, 0], [], [4])]}
    editor.eval("(doc) => window.__auteur.openDocument(doc, 'free')", free)
    editor.page.wait_for_function("() => window.__auteur.editor.graph._nodes.length === 2")
    editor.select_node("1")
    value = editor.page.locator("[data-testid=inspector] #in-value")
    value.fill("7")
    value.press("Enter")
    editor.page.wait_for_timeout(1000)  # well past the estimate's 400 ms settling time
    assert False not in asked and editor.page.get_by_test_id("cost-estimate").count() == 0

    editor.add_by_search("Suno Music", "providers.suno_generate", editor.canvas_point([0, 400]))
    editor.page.get_by_test_id("cost-estimate").filter(has_text="Estimated cost: $0.12").wait_for()
    assert True in asked and False not in asked
    editor.shot("a provider node added: its estimate shown")


def test_provider_keys_are_stored_shown_masked_replaced_and_deleted_in_settings(editor: EditorPage) -> None:
    editor.open()
    editor.page.get_by_test_id("settings-button").click()
    keys = editor.page.get_by_test_id("provider-keys")
    keys.get_by_label("Provider", exact=True).fill("suno")
    keys.get_by_label("Key", exact=True).fill("sk-suno-secret-1234")
    keys.get_by_test_id("store-key").click()
    keys.locator("[data-provider=suno]").filter(has_text="…1234").wait_for()
    assert keys.get_by_label("Key", exact=True).input_value() == ""  # the key does not stay on the page
    assert "sk-suno-secret" not in editor.page.content()
    editor.shot("a suno key stored, masked")

    keys.get_by_label("Key", exact=True).fill("sk-suno-secret-9876")
    keys.get_by_test_id("store-key").click()
    editor.page.get_by_test_id("provider-keys-message").filter(has_text="Replaced the suno key …9876").wait_for()
    keys.locator("[data-provider=suno]").filter(has_text="…9876").wait_for()
    assert keys.locator("[data-provider=suno]").inner_text().split() == ["suno", "…9876", "Delete"]
    listed = httpx.get(f"{editor.server.url}/api/credentials", timeout=30).json()
    assert listed["credentials"] == [{"provider": "suno", "masked": "…9876"}]

    keys.get_by_label("Delete the suno key").click()
    keys.locator("[data-provider=suno]").wait_for(state="detached")
    editor.shot("the key deleted")
    assert httpx.get(f"{editor.server.url}/api/credentials", timeout=30).json()["credentials"] == []
