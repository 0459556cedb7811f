"""Graphs open as their nodes declare them: saved sockets are matched by name, never laid over the
node's declared sockets by index (a template listing only its linked inputs opened with the Script
breakdown's `script` socket renamed `ingredients` and the Shot node's slots listed twice)."""

from __future__ import annotations

import json
from typing import Any

import httpx

from .conftest import EditorPage

# The bundled "Character + location → shot → Veo" and breakdown templates as they were written
# before: each node lists only the inputs that carry a link, and the links' slots count that list.
PARTIAL = {
    "nodes": [
        {
            "id": 1,
            "type": "production.ingredient",
            "pos": [40, 40],
            "size": [260, 200],
            "mode": 0,
            "inputs": [],
            "outputs": [
                {"name": "ingredient", "type": "INGREDIENT", "links": [1], "slot_index": 0}
            ],
            "widgets_values": ["Mara", "character", "", "", ""],
        },
        {
            "id": 2,
            "type": "production.ingredient",
            "pos": [40, 300],
            "size": [260, 200],
            "mode": 0,
            "inputs": [],
            "outputs": [
                {"name": "ingredient", "type": "INGREDIENT", "links": [2], "slot_index": 0}
            ],
            "widgets_values": ["Harbour", "location", "", "", ""],
        },
        {
            "id": 3,
            "type": "production.shot",
            "pos": [360, 40],
            "size": [300, 420],
            "mode": 0,
            "inputs": [
                {"name": "slot1", "type": "INGREDIENT", "link": 1},
                {"name": "slot2", "type": "INGREDIENT", "link": 2},
                {"name": "slot3", "type": "INGREDIENT", "link": None},
            ],
            "outputs": [{"name": "shot", "type": "SHOT", "links": [], "slot_index": 0}],
        },
        {
            "id": 4,
            "type": "production.script_breakdown",
            "pos": [720, 40],
            "size": [300, 200],
            "mode": 0,
            "inputs": [{"name": "ingredients", "type": "INGREDIENT", "link": None}],
            "outputs": [],
            "widgets_values": [
                "02_Source_Creative/Scripts/script.fountain",
                1,
                False,
                "llama3.1:8b",
            ],
        },
    ],
    "links": [[1, 1, 0, 3, 0, "INGREDIENT"], [2, 2, 0, 3, 1, "INGREDIENT"]],
    "groups": [],
    "config": {},
    "extra": {},
    "version": 0.4,
    "last_node_id": 4,
    "last_link_id": 2,
}

SOCKETS = (
    """(id) => window.__auteur.editor.nodeById(id).inputs.map((i) => [i.name, i.type, i.link])"""
)


def _drop(editor: EditorPage, name: str, workflow: dict[str, Any]) -> None:
    box = editor.page.locator("[data-testid=graph-canvas]").bounding_box()
    assert box is not None
    editor.drop_files(
        "[data-testid=canvas-host]",
        [(f"{name}.json", json.dumps(workflow).encode(), "application/json")],
        at=(box["x"] + 300, box["y"] + 300),
    )
    editor.page.wait_for_function("(name) => window.__auteur.workflowName === name", arg=name)


def test_a_workflow_listing_only_linked_inputs_opens_with_the_sockets_its_nodes_declare(
    editor: EditorPage, project: str
) -> None:
    editor.open(project)
    _drop(editor, "partial", PARTIAL)
    shot = editor.eval(SOCKETS, "3")
    names = [name for name, _, _ in shot]
    assert names == [
        "description",
        "duration",
        "size",
        "angle",
        "movement",
        "lens",
        "lighting",
        "dialogue",
        "chapter",
        "scene",
        "number",
        "slot1",
        "slot2",
        "slot3",
    ]
    assert shot[11] == ["slot1", "INGREDIENT", 1] and shot[12] == ["slot2", "INGREDIENT", 2]
    into_shot = sorted(
        (origin, slot) for origin, _, target, slot, _ in editor.links() if target == "3"
    )
    assert into_shot == [("1", 11), ("2", 12)]
    breakdown = editor.eval(SOCKETS, "4")
    assert [s[:2] for s in breakdown] == [
        ["script", "TEXT"],
        ["chapter", "INT"],
        ["ingredients", "INGREDIENT"],
        ["refine_with_llm", "BOOLEAN"],
        ["llm_model", "TEXT"],
    ]
    values = editor.eval("() => window.__auteur.editor.nodeById('4').widgets.map((w) => w.value)")
    assert values[0] == "02_Source_Creative/Scripts/script.fountain"
    editor.shot("partial sockets aligned by name")
    assert editor.eval("() => window.__auteur.editor.isDirty()") is False


def test_every_bundled_template_opens_unchanged_with_its_declared_sockets_and_no_console_warning(
    editor: EditorPage, project: str
) -> None:
    warnings: list[str] = []
    editor.page.on("console", lambda m: m.type == "warning" and warnings.append(m.text))
    editor.open(project)
    items = httpx.get(f"{editor.server.url}/api/templates", timeout=10).json()["items"]
    ids = [item["id"] for item in items]
    assert len(ids) >= 9
    for template_id in ids:
        editor.page.get_by_test_id("templates").click()
        editor.page.locator(
            f"[data-testid=template-browser] .list button[data-id={template_id}]"
        ).click()
        editor.page.get_by_test_id("open-template").click()
        editor.page.locator("[data-testid=template-browser]").wait_for(state="detached")
        editor.page.wait_for_timeout(150)  # a few frames drawn
        declared = editor.eval(
            """() => window.__auteur.editor.graph._nodes.map((n) => {
                 const spec = window.__auteur.editor.catalog.get(n.type);
                 return [n.inputs.map((i) => i.name).join(','), spec.inputs.map((i) => i.name).join(',')];
               })"""
        )
        assert all(shown == spec for shown, spec in declared), template_id
        assert editor.eval("() => window.__auteur.editor.isDirty()") is False, (
            f"{template_id} opens changed"
        )
        editor.shot(f"template {template_id}")
    # litegraph warned once per widget built without a callback or property (598 on one session)
    assert warnings == []
