"""The template browser: list, preview, open, save the canvas as a template with chosen exposed
parameters, and import a file with its report of missing node types."""

from __future__ import annotations

import json
from pathlib import Path

import httpx

from .conftest import EditorPage


def _open_browser(editor: EditorPage) -> None:
    editor.page.get_by_test_id("templates").click()
    editor.page.locator("[data-testid=template-browser] .list button").first.wait_for()


def test_templates_are_listed_previewed_and_opened_on_the_canvas(
    editor: EditorPage, project: str
) -> None:
    editor.open(project)
    _open_browser(editor)
    listed = editor.page.locator("[data-testid=template-browser] .list button").evaluate_all(
        "(b) => b.map((e) => e.dataset.id)"
    )
    served = [
        item["id"]
        for item in httpx.get(f"{editor.server.url}/api/templates", timeout=10).json()["items"]
    ]
    assert listed == served and "add_two_numbers" in listed
    editor.shot("template list")
    editor.page.locator(
        "[data-testid=template-browser] .list button[data-id=add_two_numbers]"
    ).click()
    detail = editor.page.locator("[data-testid=template-browser] .detail")
    detail.locator("h3", has_text="Add two numbers").wait_for()
    assert sorted(detail.locator(".chip").all_inner_texts()) == [
        "core.add",
        "core.integer",
        "core.show",
    ]
    assert (
        "start" in detail.locator(".params").inner_text()
        and "add" in detail.locator(".params").inner_text()
    )
    editor.shot("template preview")
    editor.page.get_by_test_id("open-template").click()
    editor.page.wait_for_function("() => window.__auteur.editor.graph._nodes.length === 3")
    assert editor.page.locator("[data-testid=template-browser]").count() == 0
    assert editor.page.locator("[data-testid=workflow-name]").inner_text() == "Add two numbers"
    types = sorted(editor.eval("() => window.__auteur.editor.graph._nodes.map((n) => n.type)"))
    assert types == ["core.add", "core.integer", "core.show"]
    editor.shot("template opened")


def test_the_canvas_is_saved_as_a_template_with_the_parameters_chosen(editor: EditorPage) -> None:
    editor.open()
    box = editor.page.locator("[data-testid=graph-canvas]").bounding_box()
    assert box is not None
    integer = editor.add_by_search("integer", "core.integer", (box["x"] + 140, box["y"] + 160))
    add = editor.add_by_search("add", "core.add", (box["x"] + 460, box["y"] + 160))
    editor.drag_link(integer, 0, add, editor.input_index(add, "a"))
    _open_browser(editor)
    editor.page.get_by_role("button", name="Save current canvas as template…").click()
    dialog = editor.page.get_by_role("dialog", name="Save as template")
    dialog.get_by_label("Template name").fill("Counter")
    dialog.locator("textarea").fill("An integer plus a constant")
    checks = dialog.locator("label.check")
    assert checks.count() == 3  # integer.value, add.a, add.b
    dialog.locator("label.check", has_text="Integer › value").locator("input").check()
    dialog.locator("label.check", has_text="Add › b").locator("input").check()
    editor.shot("choosing exposed parameters")
    dialog.get_by_role("button", name="Save template").click()
    editor.page.locator("[data-testid=notice]", has_text="Template Counter saved").wait_for()
    items = httpx.get(f"{editor.server.url}/api/templates", timeout=10).json()["items"]
    saved = next(item for item in items if item["name"] == "Counter")
    assert sorted((p["node_id"], p["input"]) for p in saved["parameters"]) == sorted(
        [(integer, "value"), (add, "b")]
    )
    _open_browser(editor)
    editor.page.locator(
        f"[data-testid=template-browser] .list button[data-id='{saved['id']}']"
    ).click()
    editor.page.locator("[data-testid=template-browser] .detail h3", has_text="Counter").wait_for()
    editor.shot("saved template in the list")


def test_importing_a_template_reports_the_node_types_this_server_lacks(
    editor: EditorPage, tmp_path: Path
) -> None:
    template = {
        "name": "Upscale and show",
        "description": "needs a node pack this server does not have",
        "version": "1.0.0",
        "parameters": [],
        "requires": [
            {"type": "acme.upscale", "version": "2.0.0"},
            {"type": "core.show", "version": "1.0.0"},
        ],
        "workflow": {
            "last_node_id": 2,
            "last_link_id": 1,
            "version": 0.4,
            "groups": [],
            "config": {},
            "extra": {},
            "nodes": [
                {
                    "id": 1,
                    "type": "acme.upscale",
                    "pos": [0, 0],
                    "size": [240, 80],
                    "flags": {},
                    "order": 0,
                    "mode": 0,
                    "inputs": [],
                    "outputs": [{"name": "image", "type": "IMAGE", "links": [1]}],
                    "properties": {},
                    "widgets_values": [4],
                },
                {
                    "id": 2,
                    "type": "core.show",
                    "pos": [320, 0],
                    "size": [240, 80],
                    "flags": {},
                    "order": 1,
                    "mode": 0,
                    "inputs": [{"name": "value", "type": "*", "link": 1}],
                    "outputs": [],
                    "properties": {},
                },
            ],
            "links": [[1, 1, 0, 2, 0, "IMAGE"]],
        },
    }
    path = tmp_path / "upscale.json"
    path.write_text(json.dumps(template), encoding="utf-8")
    editor.open()
    _open_browser(editor)
    editor.page.get_by_role("dialog", name="Templates").locator("input[type=file]").set_input_files(
        str(path)
    )
    report = editor.page.locator("[data-testid=import-report]")
    report.wait_for()
    assert "missing acme.upscale" in report.inner_text()
    detail = editor.page.locator("[data-testid=template-browser] .detail")
    detail.locator("h3", has_text="Upscale and show").wait_for()
    assert "acme.upscale" in detail.locator(".error").inner_text()
    editor.shot("import report")
    editor.page.get_by_test_id("open-template").click()
    editor.page.locator("[data-testid=missing-banner]", has_text="acme.upscale").wait_for()
    editor.shot("opened with the missing node in red")
