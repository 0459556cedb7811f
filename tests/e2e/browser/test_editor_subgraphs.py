"""Subgraphs end to end in the editor: the node menu's Convert to Subgraph makes one instance
(it deleted the node and threw "Failed to create subgraph node"), the subgraph can be entered,
edited and left, and the workflow runs with it expanded by the server; a ComfyUI workflow with
`definitions.subgraphs` opens with its instances (they were red "missing: <uuid>" nodes) and keeps
their contents after an edit and a Download."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx

from .conftest import EditorPage


def _chain() -> dict[str, Any]:
    """integer 4 → add (+3) → show."""
    def node(id_: int, type_: str, x: int, inputs: list[Any], outputs: list[Any], values: list[Any]) -> dict[str, Any]:
        return {"id": id_, "type": type_, "pos": [x, 0], "size": [240, 90], "flags": {}, "order": id_ - 1,
                "mode": 0, "inputs": inputs, "outputs": outputs, "properties": {}, "widgets_values": values}

    return {
        "last_node_id": 3, "last_link_id": 2, "groups": [], "config": {}, "extra": {}, "version": 0.4,
        "nodes": [
            node(1, "core.integer", 0, [], [{"name": "value", "type": "INT", "links": [1]}], [4]),
            node(2, "core.add", 340, [{"name": "a", "type": "FLOAT", "link": 1, "widget": {"name": "a"}},
                                      {"name": "b", "type": "FLOAT", "link": None, "widget": {"name": "b"}}],
                 [{"name": "value", "type": "FLOAT", "links": [2]}], [0, 3]),
            node(3, "core.show", 680, [{"name": "value", "type": "*", "link": 2}], [], []),
        ],
        "links": [[1, 1, 0, 2, 0, "INT"], [2, 2, 0, 3, 0, "FLOAT"]],
    }


def _open(editor: EditorPage, name: str, workflow: dict[str, Any]) -> None:
    box = editor.page.locator("[data-testid=graph-canvas]").bounding_box()
    assert box is not None
    editor.drop_files("[data-testid=canvas-host]", [(name, json.dumps(workflow).encode(), "application/json")],
                      at=(box["x"] + 200, box["y"] + 200))
    editor.page.wait_for_function("(n) => window.__auteur.workflowName === n", arg=name.removesuffix(".json"))


def _shown_value(editor: EditorPage, run_id: str) -> Any:
    record = httpx.get(f"{editor.server.url}/api/runs/{run_id}", timeout=10).json()
    return record["nodes"]["3"]["outputs"]


def _queue_and_wait(editor: EditorPage) -> str:
    before = editor.eval("() => window.__auteur.runs.length")
    editor.page.get_by_test_id("queue").click()
    editor.page.wait_for_function("(n) => window.__auteur.runs.length > n", arg=before)
    run_id: str = editor.eval("() => window.__auteur.runs[0].runId")
    editor.page.wait_for_selector(f"[data-run-id='{run_id}'][data-status=completed]", timeout=30_000)
    return run_id


def test_convert_to_subgraph_from_the_node_menu_then_enter_edit_leave_and_run(editor: EditorPage, project: str) -> None:
    editor.open(project)
    _open(editor, "chain.json", _chain())
    editor.select_node("2")
    x, y = editor.eval("() => { const n = window.__auteur.editor.nodeById('2'); return [n.pos[0] + 40, n.pos[1] - 15]; }")
    editor.page.mouse.click(*editor.canvas_point([x, y]), button="right")
    entry = editor.page.locator(".litecontextmenu .litemenu-entry", has_text="Convert to Subgraph")
    entry.wait_for()
    assert "🆕" not in entry.inner_text()  # no glyph the page may lack a font for
    editor.shot("node menu")
    entry.click()
    editor.page.wait_for_function("() => window.__auteur.editor.graph._nodes.length === 3")
    instance = editor.eval(
        """() => { const n = window.__auteur.editor.graph._nodes.find((n) => n.isSubgraphNode());
             return n && { id: String(n.id), missing: !!n.has_errors, title: n.title,
                           links: n.inputs.filter((i) => i.link != null).length + n.outputs.filter((o) => o.links?.length).length }; }"""
    )
    assert instance and not instance["missing"] and instance["links"] == 2, instance
    assert editor.eval("() => window.__auteur.dirty") is True
    editor.shot("converted: one subgraph instance, still linked")
    assert _shown_value(editor, _queue_and_wait(editor)) == {"value": 7.0}

    # Enter by the instance's title button, change the constant inside, leave by the breadcrumb.
    editor.page.mouse.click(*editor.canvas_point(editor.eval(
        "(id) => { const n = window.__auteur.editor.nodeById(id); return [n.pos[0] + n.size[0] - 30, n.pos[1] - 15]; }",
        instance["id"])))
    editor.page.get_by_test_id("subgraph-crumbs").wait_for()
    inner = editor.eval("() => window.__auteur.editor.shown._nodes.map((n) => n.type)")
    assert inner == ["core.add"], inner
    editor.shot("inside the subgraph")
    editor.eval("""() => { const e = window.__auteur.editor; e.setWidget(e.shown._nodes[0], 'b', 10); }""")
    editor.page.get_by_test_id("leave-subgraph").click()
    editor.page.get_by_test_id("subgraph-crumbs").wait_for(state="detached")
    assert editor.eval("() => window.__auteur.editor.shown === window.__auteur.editor.graph") is True
    editor.shot("back on the workflow")
    assert _shown_value(editor, _queue_and_wait(editor)) == {"value": 14.0}

    # A notice or run error naming a workflow node (here node 1) leads back out of a subgraph.
    editor.page.mouse.click(*editor.canvas_point(editor.eval(
        "(id) => { const n = window.__auteur.editor.nodeById(id); return [n.pos[0] + n.size[0] - 30, n.pos[1] - 15]; }",
        instance["id"])))
    editor.page.get_by_test_id("subgraph-crumbs").wait_for()
    editor.eval("() => window.__auteur.editor.selectNode('1')")
    editor.page.get_by_test_id("subgraph-crumbs").wait_for(state="detached")
    assert editor.eval("() => window.__auteur.editor.nodeById('1').type") == "core.integer"


def test_a_comfyui_workflow_with_subgraph_definitions_opens_its_instances_and_keeps_them_after_edit_and_download(
    editor: EditorPage, project: str, testdata_dir: Path
) -> None:
    source = json.loads((testdata_dir / "litegraph" / "comfy_subgraph_definitions.json").read_text())
    definitions = {sub["id"]: sub for sub in source["definitions"]["subgraphs"]}
    editor.open(project)
    _open(editor, "comfy_subgraph_definitions.json", source)
    editor.shot("opened")
    state = editor.eval(
        """() => { const e = window.__auteur.editor;
             const instances = e.graph._nodes.filter((n) => n.isSubgraphNode());
             return { instances: instances.map((n) => ({ type: n.type, missing: !!n.has_errors, title: n.title })),
                      missing: e.missingTypes() }; }"""
    )
    assert state["instances"], state
    for item in state["instances"]:
        assert item["type"] in definitions and not item["missing"] and "missing" not in item["title"], item
    assert not set(state["missing"]) & set(definitions), state["missing"]
    # One edit on the workflow, then Download: every subgraph is still there with all its nodes.
    editor.eval("() => { const e = window.__auteur.editor; const n = e.graph._nodes[0]; n.pos = [n.pos[0] + 40, n.pos[1]]; e.checkpoint(); }")
    with editor.page.expect_download() as info:
        editor.page.get_by_role("button", name="Download").click()
    saved = json.loads(Path(info.value.path()).read_text())
    kept = {sub["id"]: len(sub["nodes"]) for sub in saved["definitions"]["subgraphs"]}
    assert kept == {sub_id: len(sub["nodes"]) for sub_id, sub in definitions.items()}


def _convert_by_menu(editor: EditorPage, node_id: str) -> str:
    """Select a node by its title, choose Convert to Subgraph in its menu: the instance's id."""
    editor.select_node(node_id)
    x, y = editor.eval("(id) => { const n = window.__auteur.editor.nodeById(id); return [n.pos[0] + 40, n.pos[1] - 15]; }", node_id)
    editor.page.mouse.click(*editor.canvas_point([x, y]), button="right")
    editor.page.locator(".litecontextmenu .litemenu-entry", has_text="Convert to Subgraph").click()
    editor.page.wait_for_function("() => window.__auteur.editor.shown._nodes.some((n) => n.isSubgraphNode())")
    instance: str = editor.eval("() => String(window.__auteur.editor.shown._nodes.find((n) => n.isSubgraphNode()).id)")
    return instance


def _enter(editor: EditorPage, instance: str, depth: int) -> None:
    """Click the instance's Open button; the crumbs then show `depth` subgraphs."""
    editor.drawn()
    editor.page.mouse.click(*editor.canvas_point(editor.eval(
        "(id) => { const n = window.__auteur.editor.nodeById(id); return [n.pos[0] + n.size[0] - 30, n.pos[1] - 15]; }", instance)))
    editor.page.wait_for_function("(d) => document.querySelectorAll('[data-testid=subgraph-crumb]').length === d", arg=depth)


def _crumbs(editor: EditorPage) -> list[str]:
    return [text.strip() for text in editor.page.locator("[data-testid=subgraph-crumbs] button, [data-testid=subgraph-crumbs] b").all_inner_texts()]


def test_a_subgraph_inside_a_subgraph_has_a_breadcrumb_path_and_survives_save_reload_and_run(editor: EditorPage, project: str) -> None:
    editor.open(project)
    _open(editor, "nested.json", _chain())
    outer = _convert_by_menu(editor, "2")
    editor.eval("(id) => { window.__auteur.editor.nodeById(id).subgraph.name = 'Outer'; }", outer)
    _enter(editor, outer, 1)
    inner = _convert_by_menu(editor, "2")
    editor.eval("(id) => { window.__auteur.editor.nodeById(id).subgraph.name = 'Inner'; }", inner)
    _enter(editor, inner, 2)
    assert _crumbs(editor) == ["nested", "Outer", "Inner"]
    assert editor.eval("() => window.__auteur.editor.shown._nodes.map((n) => n.type)") == ["core.add"]
    editor.eval("() => { const e = window.__auteur.editor; e.setWidget(e.shown._nodes[0], 'b', 10); }")
    editor.shot("two levels deep: nested › Outer › Inner")

    # Any crumb but the last goes to that level.
    editor.page.locator("[data-testid=subgraph-crumb]", has_text="Outer").click()
    editor.page.wait_for_function("() => document.querySelectorAll('[data-testid=subgraph-crumb]').length === 1")
    assert editor.eval("() => window.__auteur.editor.shown._nodes.map((n) => n.isSubgraphNode())") == [True]
    editor.shot("back one level: Outer")
    editor.page.get_by_test_id("leave-subgraph").click()
    editor.page.get_by_test_id("subgraph-crumbs").wait_for(state="detached")
    assert editor.eval("() => window.__auteur.editor.shown === window.__auteur.editor.graph") is True

    # The run executes the node two levels down, under its path id.
    run_id = _queue_and_wait(editor)
    assert _shown_value(editor, run_id) == {"value": 14.0}
    record = httpx.get(f"{editor.server.url}/api/runs/{run_id}", timeout=10).json()
    assert record["nodes"][f"{outer}:{inner}:2"]["status"] == "completed", sorted(record["nodes"])

    # Saved in the project with both definitions; a reload restores it, the path opens again.
    editor.page.keyboard.press("Control+s")
    editor.page.wait_for_function("() => !window.__auteur.dirty")
    saved = httpx.get(f"{editor.server.url}/api/projects/{project}/workflows/nested", timeout=10).json()
    assert sorted(sub["name"] for sub in saved["definitions"]["subgraphs"]) == ["Inner", "Outer"]
    editor.page.reload()
    editor.page.wait_for_function("() => window.__auteur && window.__auteur.ready")
    editor.page.wait_for_function("() => window.__auteur.editor.graph._nodes.length === 3")
    _enter(editor, outer, 1)
    _enter(editor, inner, 2)
    assert editor.eval("() => window.__auteur.editor.shown._nodes[0].widgets.find((w) => w.name === 'b').value") == 10
    editor.shot("after reload: nested › Outer › Inner")
    editor.page.get_by_test_id("leave-subgraph").click()
    assert _shown_value(editor, _queue_and_wait(editor)) == {"value": 14.0}


def test_ctrl_z_inside_a_nested_subgraph_undoes_the_edit_there_and_keeps_the_path_shown(editor: EditorPage, project: str) -> None:
    editor.open(project)
    _open(editor, "undo-nested.json", _chain())
    outer = _convert_by_menu(editor, "2")
    _enter(editor, outer, 1)
    inner = _convert_by_menu(editor, "2")
    _enter(editor, inner, 2)
    editor.eval("() => { const e = window.__auteur.editor; e.setWidget(e.shown._nodes[0], 'b', 10); }")
    editor.page.locator("[data-testid=graph-canvas]").focus()
    # The first frame drawn inside lays out the subgraph's slots: that is not an edit to undo.
    editor.page.wait_for_timeout(300)
    editor.page.keyboard.press("Control+z")
    state = editor.eval(
        """() => { const e = window.__auteur.editor; const add = e.shown._nodes[0];
             return { crumbs: e.subgraphPath().length, live: e.graph.subgraphs.get(e.shown.id) === e.shown,
                      b: add.widgets.find((w) => w.name === 'b').value }; }""")
    assert state == {"crumbs": 2, "live": True, "b": 3}, state


def _unpack_by_menu(editor: EditorPage, instance: str) -> None:
    editor.drawn()
    x, y = editor.eval("(id) => { const n = window.__auteur.editor.nodeById(id); return [n.pos[0] + 30, n.pos[1] - 15]; }", instance)
    editor.page.mouse.click(*editor.canvas_point([x, y]), button="right")
    editor.page.locator(".litecontextmenu .litemenu-entry", has_text="Unpack Subgraph").click()
    editor.page.wait_for_function("(id) => !window.__auteur.editor.nodeById(id)", arg=instance)


def _root_chain(editor: EditorPage) -> dict[str, Any]:
    """The workflow's node types (subgraph instances as 'subgraph') and its links by type."""
    shape: dict[str, Any] = editor.eval(
        """() => { const g = window.__auteur.editor.graph;
             const kind = (id) => { const n = g.getNodeById(id); return n.isSubgraphNode() ? 'subgraph' : n.type; };
             return { nodes: g._nodes.map((n) => n.isSubgraphNode() ? 'subgraph' : n.type).sort(),
                      links: [...g._links.values()].map((l) => kind(l.origin_id) + '>' + kind(l.target_id)).sort() }; }""")
    return shape


def test_unpack_subgraph_puts_the_inner_nodes_back_linked_and_undo_restores_the_instance(editor: EditorPage, project: str) -> None:
    editor.open(project)
    _open(editor, "unpack.json", _chain())
    outer = _convert_by_menu(editor, "2")
    _enter(editor, outer, 1)
    inner = _convert_by_menu(editor, "2")
    editor.page.get_by_test_id("leave-subgraph").click()
    editor.page.get_by_test_id("subgraph-crumbs").wait_for(state="detached")
    wrapped = _root_chain(editor)
    assert wrapped == {"nodes": ["core.integer", "core.show", "subgraph"], "links": ["core.integer>subgraph", "subgraph>core.show"]}

    # Unpacking the outer instance leaves the inner one in its place, still linked both ways.
    _unpack_by_menu(editor, outer)
    assert _root_chain(editor) == wrapped
    assert editor.eval("(id) => window.__auteur.editor.graph._nodes.some((n) => n.isSubgraphNode() && String(n.id) !== id)", outer)
    editor.shot("outer unpacked: the inner subgraph in its place")
    assert _shown_value(editor, _queue_and_wait(editor)) == {"value": 7.0}

    # Unpacking that one too gives the add node back, its widget value kept, linked both ways.
    instance = editor.eval("() => String(window.__auteur.editor.graph._nodes.find((n) => n.isSubgraphNode()).id)")
    _unpack_by_menu(editor, instance)
    assert _root_chain(editor) == {"nodes": ["core.add", "core.integer", "core.show"], "links": ["core.add>core.show", "core.integer>core.add"]}
    assert editor.eval("() => window.__auteur.editor.graph._nodes.find((n) => n.type === 'core.add').widgets.find((w) => w.name === 'b').value") == 3
    editor.shot("all unpacked: integer → add → show")
    saved = editor.eval("() => window.__auteur.editor.current()")
    assert "definitions" not in saved or not saved["definitions"].get("subgraphs"), saved.get("definitions")
    assert _shown_value(editor, _queue_and_wait(editor)) == {"value": 7.0}

    # One undo per unpack brings each instance back.
    editor.page.locator("[data-testid=graph-canvas]").focus()
    editor.page.keyboard.press("Control+z")
    assert _root_chain(editor) == wrapped
    editor.page.wait_for_timeout(300)  # past the editor's checkpoint delay: nothing new is recorded
    editor.page.keyboard.press("Control+z")
    assert _root_chain(editor) == wrapped
    assert editor.eval("(id) => !!window.__auteur.editor.nodeById(id)?.isSubgraphNode()", outer) is True
    assert inner
    editor.shot("undone twice: the outer instance is back")
    assert _shown_value(editor, _queue_and_wait(editor)) == {"value": 7.0}
