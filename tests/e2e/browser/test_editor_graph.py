"""Building, running, saving and reopening a graph in the editor, as a person would."""

from __future__ import annotations

import httpx

from .conftest import EditorPage


def test_the_page_loads_without_console_errors_and_the_palette_lists_every_catalog_node(
    editor: EditorPage,
) -> None:
    editor.open()
    editor.shot("loaded")
    catalog = httpx.get(f"{editor.server.url}/api/nodes", timeout=10).json()["nodes"]
    editor.page.get_by_role("button", name="Nodes", exact=True).click()
    palette = editor.page.locator("[data-testid=palette-node]")
    palette.first.wait_for()
    listed = sorted(palette.evaluate_all("(items) => items.map((i) => i.dataset.type)"))
    editor.shot("palette")
    assert listed == sorted(node["type"] for node in catalog)


def test_build_integer_add_show_by_search_and_drag_then_queue_shows_the_result_on_the_output_node(
    editor: EditorPage, project: str
) -> None:
    editor.open(project)
    box = editor.page.locator("[data-testid=graph-canvas]").bounding_box()
    assert box is not None
    left, top = box["x"], box["y"]
    integer = editor.add_by_search("integ", "core.integer", (left + 120, top + 150))
    add = editor.add_by_search("add", "core.add", (left + 420, top + 150))
    show = editor.add_by_search("show", "core.show", (left + 420, top + 420))
    editor.shot("three nodes from search")

    editor.drag_link(integer, 0, add, editor.input_index(add, "a"))
    editor.drag_link(add, 0, show, editor.input_index(show, "value"))
    assert [link[:4] for link in editor.links()] == [
        [integer, 0, add, editor.input_index(add, "a")],
        [add, 0, show, 0],
    ]
    editor.shot("connected")

    editor.select_node(integer)
    field = editor.page.locator("[data-testid=inspector] #in-value")
    field.fill("7")
    field.press("Tab")
    editor.select_node(add)
    field_b = editor.page.locator("[data-testid=inspector] #in-b")
    field_b.fill("5")
    field_b.press("Tab")
    editor.shot("widgets set")

    editor.page.keyboard.press("Control+Enter")
    run = editor.page.locator("[data-testid=run]").first
    run.wait_for()
    editor.page.wait_for_selector("[data-testid=run][data-status=completed]", timeout=30_000)
    output = editor.page.locator(f"[data-testid=node-output][data-node-id='{show}']")
    output.wait_for()
    assert output.inner_text().strip() == "12"
    status = editor.eval("(id) => window.__auteur.editor.runState.get(id).status", show)
    assert status == "completed"
    editor.shot("completed with result")


def test_a_saved_workflow_reopens_unchanged_after_a_reload(
    editor: EditorPage, project: str
) -> None:
    editor.open(project)
    box = editor.page.locator("[data-testid=graph-canvas]").bounding_box()
    assert box is not None
    text = editor.add_by_search("text", "core.text", (box["x"] + 150, box["y"] + 150))
    show = editor.add_by_search("show", "core.show", (box["x"] + 450, box["y"] + 200))
    editor.drag_link(text, 0, show, 0)
    editor.select_node(text)
    field = editor.page.locator("[data-testid=inspector] #in-value")
    field.fill("Fade in: a lighthouse at dusk")
    field.press("Tab")
    editor.page.keyboard.press("Control+s")
    editor.page.locator("[data-testid=save-form] input").fill("lighthouse")
    editor.page.locator("[data-testid=save-form] button.primary").click()
    editor.page.locator("[data-testid=workflow-list] button", has_text="lighthouse").wait_for()
    editor.shot("saved")
    saved = editor.eval("() => window.__auteur.editor.serialize()")
    on_disk = httpx.get(
        f"{editor.server.url}/api/projects/{project}/workflows/lighthouse", timeout=10
    ).json()
    assert on_disk == saved

    editor.page.reload()
    editor.open(project)
    editor.shot("reloaded")
    editor.page.locator("[data-testid=workflow-list] button", has_text="lighthouse").click()
    editor.page.wait_for_function("() => window.__auteur.editor.graph._nodes.length === 2")
    editor.shot("reopened")
    assert editor.eval("() => window.__auteur.editor.serialize()") == on_disk
    assert editor.eval("() => window.__auteur.editor.isDirty()") is False
    assert editor.page.locator("[data-testid=workflow-name]").inner_text() == "lighthouse"
    values = editor.eval("(id) => window.__auteur.editor.nodeById(id).widgets[0].value", text)
    assert values == "Fade in: a lighthouse at dusk"
