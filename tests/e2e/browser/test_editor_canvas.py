"""Canvas behaviours a ComfyUI user expects: groups, reroutes, bypass and mute, copy and
paste, keyboard shortcuts, node search and the category menu, each used as a person would."""

from __future__ import annotations

from typing import Any

import httpx

from .conftest import EditorPage


def _canvas_box(editor: EditorPage) -> dict[str, float]:
    box = editor.page.locator("[data-testid=graph-canvas]").bounding_box()
    assert box is not None
    return box


def _set_field(editor: EditorPage, node_id: str, name: str, value: str) -> None:
    editor.select_node(node_id)
    field = editor.page.locator(f"[data-testid=inspector] #in-{name}")
    field.fill(value)
    field.press("Tab")


def _queue_and_wait(editor: EditorPage) -> str:
    """Ctrl+Enter on the canvas; the id of the run once it has completed."""
    before = editor.eval("() => window.__auteur.runs.length")
    editor.page.locator("[data-testid=graph-canvas]").focus()
    editor.page.keyboard.press("Control+Enter")
    editor.page.wait_for_function("(n) => window.__auteur.runs.length > n", arg=before)
    run_id: str = editor.eval("() => window.__auteur.runs[0].runId")
    editor.page.wait_for_function(
        "(id) => window.__auteur.runs.find((r) => r.runId === id)?.status === 'completed'",
        arg=run_id,
        timeout=30_000,
    )
    return run_id


def _output_text(editor: EditorPage, node_id: str) -> str:
    output = editor.page.locator(f"[data-testid=node-output][data-node-id='{node_id}']")
    output.wait_for()
    text: str = output.inner_text().strip()
    return text


def test_ctrl_g_groups_the_selected_nodes_and_dragging_the_group_moves_them(
    editor: EditorPage, project: str
) -> None:
    editor.open(project)
    box = _canvas_box(editor)
    integer = editor.add_by_search("integer", "core.integer", (box["x"] + 160, box["y"] + 160))
    show = editor.add_by_search("show", "core.show", (box["x"] + 480, box["y"] + 200))
    editor.drag_link(integer, 0, show, 0)
    editor.page.mouse.click(box["x"] + 700, box["y"] + 560)  # empty canvas: focus, nothing selected
    editor.page.keyboard.press("Control+a")
    editor.page.keyboard.press("Control+g")
    editor.page.wait_for_function("() => window.__auteur.editor.graph._groups.length === 1")
    editor.shot("grouped")
    inside = editor.eval(
        """() => { const g = window.__auteur.editor.graph._groups[0]; const [x, y, w, h] = g._bounding;
             return window.__auteur.editor.graph._nodes.every((n) => n.pos[0] >= x && n.pos[1] >= y
               && n.pos[0] + n.size[0] <= x + w && n.pos[1] + n.size[1] <= y + h); }"""
    )
    assert inside

    before = editor.eval("() => window.__auteur.editor.graph._nodes.map((n) => [...n.pos])")
    title = editor.eval(
        "() => { const g = window.__auteur.editor.graph._groups[0]; return [g.pos[0] + 30, g.pos[1] + 12]; }"
    )
    start = editor.canvas_point(title)
    editor.page.mouse.move(*start)
    editor.page.mouse.down()
    for step in range(1, 6):
        editor.page.mouse.move(start[0] + 20 * step, start[1] + 16 * step)
    editor.page.mouse.up()
    after = editor.eval("() => window.__auteur.editor.graph._nodes.map((n) => [...n.pos])")
    assert all(
        round(b[0] - a[0]) == 100 and round(b[1] - a[1]) == 80
        for a, b in zip(before, after, strict=True)
    )
    editor.shot("group dragged with its nodes")

    editor.page.keyboard.press("Control+s")
    editor.page.locator("[data-testid=save-form] input").fill("grouped")
    editor.page.locator("[data-testid=save-form] button.primary").click()
    editor.page.locator("[data-testid=workflow-list] button", has_text="grouped").wait_for()
    saved = httpx.get(
        f"{editor.server.url}/api/projects/{project}/workflows/grouped", timeout=10
    ).json()
    assert len(saved["groups"]) == 1 and saved["groups"][0]["title"] == "Group"


def test_a_reroute_added_on_a_link_keeps_the_link_and_the_graph_still_runs(
    editor: EditorPage, project: str
) -> None:
    editor.open(project)
    box = _canvas_box(editor)
    number = editor.add_by_search("float", "core.float", (box["x"] + 120, box["y"] + 160))
    show = editor.add_by_search("show", "core.show", (box["x"] + 560, box["y"] + 360))
    editor.drag_link(number, 0, show, 0)
    _set_field(editor, number, "value", "2.5")
    # the link's centre is computed when the link is drawn
    editor.page.wait_for_function(
        "() => { const p = [...window.__auteur.editor.graph._links.values()][0]?._pos; return !!p && (p[0] !== 0 || p[1] !== 0); }"
    )
    centre = editor.eval(
        "() => [...window.__auteur.editor.graph._links.values()][0]._pos.slice(0, 2)"
    )
    editor.page.mouse.click(*editor.canvas_point(centre))
    menu = editor.page.locator(".litecontextmenu")
    menu.wait_for()
    editor.shot("link menu")
    menu.locator(".litemenu-entry", has_text="Add Reroute").click()
    editor.page.wait_for_function("() => window.__auteur.editor.graph.reroutes.size === 1")
    link = editor.eval(
        "() => { const l = [...window.__auteur.editor.graph._links.values()][0]; return l.parentId; }"
    )
    assert link is not None
    editor.shot("reroute on the link")
    serialized = editor.eval("() => window.__auteur.editor.serialize()")
    assert len(serialized["extra"]["reroutes"]) == 1

    _queue_and_wait(editor)
    assert _output_text(editor, show) == "2.5"
    editor.shot("ran through the reroute")


def test_a_bypassed_node_passes_its_input_through_and_a_muted_node_is_dropped(
    editor: EditorPage, project: str
) -> None:
    editor.open(project)
    box = _canvas_box(editor)
    number = editor.add_by_search("float", "core.float", (box["x"] + 100, box["y"] + 120))
    add = editor.add_by_search("add", "core.add", (box["x"] + 400, box["y"] + 120))
    total = editor.add_by_search("show", "core.show", (box["x"] + 700, box["y"] + 120))
    echo = editor.add_by_search("show", "core.show", (box["x"] + 400, box["y"] + 420))
    editor.drag_link(number, 0, add, editor.input_index(add, "a"))
    editor.drag_link(add, 0, total, 0)
    editor.drag_link(number, 0, echo, 0)
    _set_field(editor, number, "value", "2.5")
    _set_field(editor, add, "b", "10")

    editor.select_node(add)
    editor.page.keyboard.press("Control+b")
    assert editor.eval("(id) => window.__auteur.editor.nodeById(id).mode", add) == 4
    editor.page.locator("[data-testid=inspector] .chip", has_text="bypassed").wait_for()
    editor.shot("add bypassed")
    _queue_and_wait(editor)
    assert _output_text(editor, total) == "2.5"  # the input, not 12.5
    editor.shot("bypassed add passed its input through")

    editor.select_node(add)
    editor.page.keyboard.press("Control+b")
    editor.select_node(echo)
    editor.page.keyboard.press("Control+m")
    assert editor.eval("(id) => window.__auteur.editor.nodeById(id).mode", echo) == 2
    editor.page.locator("[data-testid=inspector] .chip", has_text="muted").wait_for()
    run_id = _queue_and_wait(editor)
    assert _output_text(editor, total) == "12.5"
    assert editor.page.locator(f"[data-testid=node-output][data-node-id='{echo}']").count() == 0
    record = httpx.get(f"{editor.server.url}/api/runs/{run_id}", timeout=10).json()
    assert echo not in record["nodes"] and add in record["nodes"]
    editor.shot("muted show dropped from the run")


def test_copy_and_paste_duplicates_the_selected_nodes_with_their_values_and_inner_links(
    editor: EditorPage,
) -> None:
    editor.open()
    box = _canvas_box(editor)
    integer = editor.add_by_search("integer", "core.integer", (box["x"] + 120, box["y"] + 140))
    show = editor.add_by_search("show", "core.show", (box["x"] + 440, box["y"] + 140))
    editor.drag_link(integer, 0, show, 0)
    _set_field(editor, integer, "value", "42")
    editor.page.mouse.click(box["x"] + 700, box["y"] + 560)
    editor.page.keyboard.press("Control+a")
    editor.page.keyboard.press("Control+c")
    editor.page.mouse.move(box["x"] + 160, box["y"] + 420)
    editor.page.keyboard.press("Control+v")
    editor.page.wait_for_function("() => window.__auteur.editor.graph._nodes.length === 4")
    editor.shot("pasted")
    nodes: list[dict[str, Any]] = editor.eval(
        "() => window.__auteur.editor.graph._nodes.map((n) => ({id: String(n.id), type: n.type, values: n.widgets?.map((w) => w.value) ?? []}))"
    )
    pasted = [n for n in nodes if n["id"] not in (integer, show)]
    assert sorted(n["type"] for n in pasted) == ["core.integer", "core.show"]
    assert next(n for n in pasted if n["type"] == "core.integer")["values"] == [42]
    links = editor.links()
    assert len(links) == 2
    ids = {n["id"] for n in pasted}
    assert any(link[0] in ids and link[2] in ids for link in links)


def test_delete_removes_ctrl_s_saves_and_ctrl_enter_queues(
    editor: EditorPage, project: str
) -> None:
    editor.open(project)
    box = _canvas_box(editor)
    integer = editor.add_by_search("integer", "core.integer", (box["x"] + 120, box["y"] + 140))
    show = editor.add_by_search("show", "core.show", (box["x"] + 440, box["y"] + 140))
    stray = editor.add_by_search("text", "core.text", (box["x"] + 200, box["y"] + 420))
    editor.drag_link(integer, 0, show, 0)
    editor.select_node(stray)
    editor.shot("stray node selected")
    editor.page.keyboard.press("Delete")
    editor.page.wait_for_function("() => window.__auteur.editor.graph._nodes.length === 2")
    assert stray not in editor.node_ids()
    editor.shot("deleted")

    editor.page.keyboard.press("Control+s")  # an untitled workflow asks for a name
    editor.page.locator("[data-testid=save-form] input").fill("shortcuts")
    editor.shot("save dialog")
    editor.page.locator("[data-testid=save-form] input").press("Enter")
    editor.page.locator("[data-testid=workflow-list] button", has_text="shortcuts").wait_for()
    editor.page.locator("[data-testid=save-form]").wait_for(state="detached")  # closed before the next click
    _set_field(editor, integer, "value", "9")
    editor.select_node(integer)
    editor.page.keyboard.press("Control+s")  # a named one saves in place, no dialog
    url = f"{editor.server.url}/api/projects/{project}/workflows/shortcuts"
    editor.page.wait_for_function("() => !window.__auteur.dirty")
    assert editor.page.locator("[data-testid=save-form]").count() == 0
    saved = httpx.get(url, timeout=10).json()
    assert next(n for n in saved["nodes"] if str(n["id"]) == integer)["widgets_values"] == [9]

    _queue_and_wait(editor)
    assert _output_text(editor, show) == "9"
    editor.shot("queued with ctrl+enter")


def _search(editor: EditorPage, query: str) -> list[dict[str, str]]:
    editor.page.locator("[data-testid=node-search] input").fill(query)
    # the dialog's data-query changes in the same update as its results
    editor.page.wait_for_function(
        "(q) => document.querySelector('[data-testid=node-search]')?.dataset.query === q", arg=query
    )
    results: list[dict[str, str]] = editor.page.locator(
        "[data-testid=node-search] button[data-type]"
    ).evaluate_all(
        "(items) => items.map((b) => ({type: b.dataset.type, category: b.querySelector('.cat').textContent}))"
    )
    return results


def test_double_click_search_is_fuzzy_over_title_type_and_category(editor: EditorPage) -> None:
    editor.open()
    box = _canvas_box(editor)
    editor.open_search((box["x"] + 300, box["y"] + 200))
    editor.shot("search open")
    assert _search(editor, "Thumbnail")[0]["type"] == "media.thumbnail"  # by title
    assert _search(editor, "media.extract")[0]["type"] == "media.extract_audio"  # by type id
    by_category = _search(editor, "Speaker/Sonos")  # by category
    assert by_category and {r["category"] for r in by_category} == {"Speaker/Sonos"}
    catalog = httpx.get(f"{editor.server.url}/api/nodes", timeout=10).json()["nodes"]
    assert len(by_category) == sum(1 for spec in catalog if spec["category"] == "Speaker/Sonos")  # all of them
    fuzzy = _search(editor, "svtake")  # letters in order, not adjacent
    assert fuzzy[0]["type"] == "production.save_take"
    editor.shot("fuzzy results")
    assert _search(editor, "zzqx") == []
    editor.page.locator("[data-testid=node-search] li.none").wait_for()

    _search(editor, "join")
    editor.page.keyboard.press("ArrowDown")
    editor.page.keyboard.press("ArrowUp")
    editor.page.keyboard.press("Enter")
    editor.page.wait_for_function("() => window.__auteur.editor.graph._nodes.length === 1")
    assert editor.eval("() => window.__auteur.editor.graph._nodes[0].type") == "core.join_text"
    assert editor.page.locator("[data-testid=node-search]").count() == 0
    editor.open_search((box["x"] + 500, box["y"] + 400))
    editor.page.keyboard.press("Escape")
    assert editor.page.locator("[data-testid=node-search]").count() == 0
    editor.shot("picked with the keyboard")


def test_right_click_opens_the_category_menu_and_adds_the_node_where_clicked(
    editor: EditorPage,
) -> None:
    editor.open()
    box = _canvas_box(editor)
    at = (box["x"] + 260, box["y"] + 220)
    editor.page.mouse.click(*at, button="right")
    menu = editor.page.locator(".litecontextmenu")
    menu.first.wait_for()
    menu.first.locator(".litemenu-entry", has_text="Add Node").click()
    editor.page.locator(".litecontextmenu .litemenu-entry", has_text="Production").wait_for()
    top = editor.page.locator(".litecontextmenu").last.locator(".litemenu-entry").all_inner_texts()
    assert {"Core", "Media", "Production", "Speaker"} <= {t.strip() for t in top}
    editor.page.locator(".litecontextmenu").last.locator(".litemenu-entry", has_text="Core").click()
    editor.page.locator(".litecontextmenu").last.locator(".litemenu-entry", has_text="Math").click()
    editor.shot("category menu")
    editor.page.locator(".litecontextmenu").last.locator(".litemenu-entry", has_text="Add").click()
    editor.page.wait_for_function("() => window.__auteur.editor.graph._nodes.length === 1")
    node = editor.eval(
        "() => { const n = window.__auteur.editor.graph._nodes[0]; return [n.type, n.pos[0], n.pos[1]]; }"
    )
    assert node[0] == "core.add"
    x, y = editor.canvas_point([node[1], node[2]])
    assert abs(x - at[0]) < 60 and abs(y - at[1]) < 60
    assert editor.page.locator(".litecontextmenu").count() == 0
    editor.shot("added from the menu")
