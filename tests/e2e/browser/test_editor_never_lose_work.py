"""Never lose work: Ctrl+S on a canvas opened from a template asks for a name (the template's
title "Screenplay → shot list → Veo payloads" was sent as the file name and refused), New asks
before it discards unsaved changes (it used to drop them without a word), the runs panel reads the
server's runs after a reload (it said "Nothing queued") and says when the server is away (a card
stayed "RUNNING 11%" and Queue said "TypeError: Failed to fetch")."""

from __future__ import annotations

import json
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from integration.server_harness import ServerProcess

from .conftest import ARTIFACTS, VIEWPORT, EditorPage, ensure_web_build


def test_ctrl_s_on_a_template_asks_for_a_file_name_and_saves_under_it(
    editor: EditorPage, project: str
) -> None:
    editor.open(project)
    editor.page.get_by_test_id("templates").click()
    editor.page.locator(
        "[data-testid=template-browser] .list button[data-id=screenplay_to_veo_payloads]"
    ).click()
    editor.page.get_by_test_id("open-template").click()
    editor.page.locator("[data-testid=template-browser]").wait_for(state="detached")
    editor.page.keyboard.press("Control+s")
    name = editor.page.get_by_label("Workflow name")
    name.wait_for()
    assert name.input_value() == "Screenplay - shot list - Veo payloads"
    editor.shot("save dialog offers a file name")
    editor.page.get_by_test_id("save-form").get_by_role("button", name="Save", exact=True).click()
    editor.page.locator("[data-testid=notice]", has_text="Saved Screenplay - shot list").wait_for()
    assert editor.page.locator("[data-testid=notice]", has_text="Save failed").count() == 0
    # saved once under a name, Ctrl+S now saves in place without asking
    editor.page.keyboard.press("Control+s")
    editor.page.locator("[data-testid=notice]", has_text="Saved Screenplay").nth(1).wait_for()
    assert editor.page.get_by_label("Workflow name").count() == 0


def test_new_asks_before_discarding_unsaved_changes(editor: EditorPage, project: str) -> None:
    editor.open(project)
    box = editor.page.locator("[data-testid=graph-canvas]").bounding_box()
    assert box is not None
    editor.add_by_search("integer", "core.integer", (box["x"] + 200, box["y"] + 200))
    assert editor.eval("() => window.__auteur.dirty") is True
    asked: list[str] = []

    def decline(dialog: object) -> None:
        asked.append(dialog.message)  # type: ignore[attr-defined]
        dialog.dismiss()  # type: ignore[attr-defined]

    editor.page.once("dialog", decline)
    editor.page.get_by_role("button", name="New", exact=True).click()
    editor.page.wait_for_timeout(200)
    assert asked and "unsaved changes" in asked[0]
    assert editor.eval("() => window.__auteur.editor.graph._nodes.length") == 1
    editor.page.locator("[data-testid=node-count]", has_text="1 node").wait_for()
    assert editor.page.get_by_test_id("node-count").inner_text() == "1 node"  # not "1 nodes"
    editor.shot("declined: the node is still there")
    editor.page.once("dialog", lambda dialog: dialog.accept())
    editor.page.get_by_role("button", name="New", exact=True).click()
    editor.page.wait_for_function("() => window.__auteur.editor.graph._nodes.length === 0")
    assert editor.eval("() => window.__auteur.dirty") is False


LONG_RUN = {
    "last_node_id": 2,
    "last_link_id": 1,
    "nodes": [
        {"id": 1, "type": "test.ffmpeg_long", "pos": [0, 0], "size": [240, 90], "flags": {}, "order": 0,
         "mode": 0, "inputs": [], "outputs": [{"name": "value", "type": "*", "links": [1]}],
         "properties": {}, "widgets_values": [120, ""]},
        {"id": 2, "type": "core.show", "pos": [340, 0], "size": [240, 90], "flags": {}, "order": 1,
         "mode": 0, "inputs": [{"name": "value", "type": "*", "link": 1}], "outputs": [],
         "properties": {}, "widgets_values": []},
    ],
    "links": [[1, 1, 0, 2, 0, "*"]],
    "groups": [],
    "config": {},
    "extra": {},
    "version": 0.4,
}

# What Chromium itself logs while the server is down (no page code can keep it quiet).
_BROWSER_NETWORK_NOISE = ("ERR_CONNECTION_REFUSED", "WebSocket connection to")


@pytest.fixture
def own_server(tmp_path: Path) -> Iterator[ServerProcess]:
    """A server of this test alone: it is killed and started again."""
    server = ServerProcess(tmp_path / "ws", env={"AUTEUR_WEB_DIR": str(ensure_web_build())})
    server.start()
    try:
        yield server
    finally:
        server.stop()


def test_the_runs_panel_shows_the_servers_runs_after_a_reload_and_says_when_the_server_is_away(
    browser: Any, own_server: ServerProcess, request: pytest.FixtureRequest
) -> None:
    name = "Away"
    httpx.post(f"{own_server.url}/api/projects", json={"name": name, "quality": "low"}, timeout=30).raise_for_status()
    folder = ARTIFACTS / request.node.name
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    context = browser.new_context(viewport=VIEWPORT)
    editor = EditorPage(context.new_page(), own_server, folder)
    try:
        editor.open(name)
        box = editor.page.locator("[data-testid=graph-canvas]").bounding_box()
        assert box is not None
        editor.drop_files("[data-testid=canvas-host]", [("long.json", json.dumps(LONG_RUN).encode(), "application/json")],
                          at=(box["x"] + 200, box["y"] + 200))
        editor.page.wait_for_function("() => window.__auteur.editor.graph._nodes.length === 2")
        editor.page.get_by_test_id("queue").click()
        editor.page.wait_for_function(
            "() => window.__auteur.editor.runState.get('1')?.status === 'running'", timeout=30_000
        )
        run = editor.page.locator("[data-testid=run]").first
        run_id = run.get_attribute("data-run-id")
        editor.shot("running")

        own_server.kill9()
        editor.page.get_by_test_id("runs-offline").wait_for(timeout=15_000)
        assert "Server unreachable, retrying" in editor.page.get_by_test_id("runs-offline").inner_text()
        assert run.get_by_test_id("run-status").inner_text().lower() == "unknown"  # not "running" forever
        editor.page.get_by_test_id("queue").click()
        notice = editor.page.locator("[data-testid=notice][data-kind=error]").first
        notice.wait_for()
        assert "Server unreachable" in notice.inner_text()
        assert "Failed to fetch" not in editor.page.locator("body").inner_text()
        editor.shot("server away")

        own_server.start()
        editor.page.wait_for_selector("[data-testid=connection][data-state=open]", timeout=30_000)
        editor.page.get_by_test_id("runs-offline").wait_for(state="detached")
        editor.page.wait_for_function(
            "(id) => ['queued', 'running'].includes(document.querySelector(`[data-run-id='${id}']`)?.dataset.status)",
            arg=run_id,
        )
        editor.shot("server back: the run is followed again")

        editor.page.reload()
        editor.page.wait_for_function("() => window.__auteur && window.__auteur.ready")
        reloaded = editor.page.locator(f"[data-testid=run][data-run-id='{run_id}']")
        reloaded.wait_for()
        assert "long" in reloaded.inner_text()  # the workflow's name, kept across the reload
        assert editor.page.get_by_text("Nothing queued").count() == 0
        editor.shot("after a reload the run is listed")
        reloaded.get_by_test_id("cancel-run").click()
        editor.page.wait_for_selector(f"[data-run-id='{run_id}'][data-status=cancelled]", timeout=30_000)
        editor.shot("cancelled after the reload")
    finally:
        editor.shot("end")
        context.close()
    errors = [e for e in editor.errors if not any(noise in e for noise in _BROWSER_NETWORK_NOISE)]
    assert not errors, "console errors:\n" + "\n".join(errors)


FIVE = {
    "last_node_id": 2,
    "last_link_id": 1,
    "nodes": [
        {"id": 1, "type": "core.integer", "pos": [0, 0], "size": [240, 90], "flags": {}, "order": 0,
         "mode": 0, "inputs": [], "outputs": [{"name": "value", "type": "INT", "links": [1]}],
         "properties": {}, "widgets_values": [5]},
        {"id": 2, "type": "core.show", "pos": [320, 0], "size": [240, 90], "flags": {}, "order": 1,
         "mode": 0, "inputs": [{"name": "value", "type": "*", "link": 1}], "outputs": [],
         "properties": {}, "widgets_values": []},
    ],
    "links": [[1, 1, 0, 2, 0, "INT"]],
    "groups": [],
    "config": {},
    "extra": {},
    "version": 0.4,
}


def _tabs(editor: EditorPage) -> list[dict[str, Any]]:
    tabs: list[dict[str, Any]] = editor.eval(
        """() => [...document.querySelectorAll('[data-testid=workflow-tab]')].map((t) => ({
             name: t.querySelector('[role=tab]').textContent.replace('●', '').trim(),
             dirty: !!t.querySelector('.dot'), active: t.dataset.active === 'true' }))"""
    )
    return tabs


def _node_count(editor: EditorPage) -> int:
    count: int = editor.eval("() => window.__auteur.editor.graph._nodes.length")
    return count


def test_workflows_open_as_tabs_that_keep_their_graph_and_undo_and_all_come_back_after_a_reload(
    editor: EditorPage, project: str
) -> None:
    editor.open(project)
    box = editor.page.locator("[data-testid=graph-canvas]").bounding_box()
    assert box is not None
    editor.add_by_search("integer", "core.integer", (box["x"] + 200, box["y"] + 200))
    # A workflow dropped while the canvas has unsaved changes opens beside it, discarding nothing.
    editor.drop_files("[data-testid=canvas-host]", [("five.json", json.dumps(FIVE).encode(), "application/json")],
                      at=(box["x"] + 300, box["y"] + 300))
    editor.page.wait_for_function("() => window.__auteur.workflowName === 'five'")
    assert _tabs(editor) == [
        {"name": "Untitled", "dirty": True, "active": False},
        {"name": "five", "dirty": False, "active": True},
    ]
    assert _node_count(editor) == 2
    editor.add_by_search("text", "core.text", (box["x"] + 80, box["y"] + box["height"] - 80))
    editor.page.wait_for_function("() => window.__auteur.dirty")
    editor.shot("two tabs, both changed")

    editor.page.get_by_role("tab", name="Untitled").click()
    assert _node_count(editor) == 1 and editor.eval("() => window.__auteur.dirty") is True
    editor.page.locator("[data-testid=graph-canvas]").focus()
    editor.page.keyboard.press("Control+z")  # this tab's own undo: the integer goes
    editor.page.wait_for_function("() => window.__auteur.editor.graph._nodes.length === 0")
    editor.page.keyboard.press("Control+y")
    editor.page.wait_for_function("() => window.__auteur.editor.graph._nodes.length === 1")
    editor.shot("first tab: its own graph and undo")
    editor.page.get_by_role("tab", name="five").click()
    assert _node_count(editor) == 3 and editor.eval("() => window.__auteur.dirty") is True

    editor.page.on("dialog", lambda dialog: dialog.accept())  # the unsaved-changes prompt on reload
    editor.page.reload()
    editor.page.wait_for_function("() => window.__auteur && window.__auteur.ready")
    assert _tabs(editor) == [
        {"name": "Untitled", "dirty": True, "active": False},
        {"name": "five", "dirty": True, "active": True},
    ]
    assert _node_count(editor) == 3
    types = editor.eval("() => window.__auteur.editor.graph._nodes.map((n) => n.type).sort()")
    assert types == ["core.integer", "core.show", "core.text"]
    editor.shot("after a reload: both tabs restored, still changed")
    editor.page.get_by_role("tab", name="Untitled").click()
    assert _node_count(editor) == 1

    # Save As names the workflow; a second Save As writes a copy under another name.
    editor.page.get_by_test_id("save-as").click()
    editor.page.get_by_label("Workflow name").fill("first-cut")
    editor.page.get_by_test_id("save-form").get_by_role("button", name="Save", exact=True).click()
    editor.page.wait_for_function("() => !window.__auteur.dirty && window.__auteur.workflowName === 'first-cut'")
    editor.page.get_by_test_id("save-as").click()
    name = editor.page.get_by_label("Workflow name")
    assert name.input_value() == "first-cut"
    name.fill("second-cut")
    editor.page.get_by_test_id("save-form").get_by_role("button", name="Save", exact=True).click()
    editor.page.wait_for_function("() => window.__auteur.workflowName === 'second-cut'")
    saved = httpx.get(f"{editor.server.url}/api/projects/{project}/workflows", timeout=10).json()["items"]
    assert {"first-cut", "second-cut"} <= {item["name"] for item in saved}
    assert [tab["name"] for tab in _tabs(editor)] == ["second-cut", "five"]
    editor.shot("saved as")
    editor.page.get_by_role("button", name="Close five").click()  # unsaved: asks (accepted above)
    assert [tab["name"] for tab in _tabs(editor)] == ["second-cut"]


def test_each_project_keeps_its_own_autosaved_canvas_in_every_browser_tab(
    editor: EditorPage, project: str, editor_server: ServerProcess,
) -> None:
    other = f"Other {uuid.uuid4().hex[:6]}"
    httpx.post(f"{editor_server.url}/api/projects", json={"name": other}, timeout=30).raise_for_status()
    editor.open(project)
    box = editor.page.locator("[data-testid=graph-canvas]").bounding_box()
    assert box is not None
    editor.add_by_search("integer", "core.integer", (box["x"] + 200, box["y"] + 200))
    editor.page.wait_for_function("() => window.__auteur.dirty")

    # Another project of the same tab: its own canvas (A's graph is autosaved under A, not shown here).
    editor.page.get_by_test_id("project-select").select_option(other)
    editor.page.wait_for_function("(name) => window.__auteur.project.name === name", arg=other)
    editor.page.wait_for_function("() => window.__auteur.editor.graph._nodes.length === 0")
    assert _tabs(editor) == [{"name": "Untitled", "dirty": False, "active": True}]
    editor.shot("the other project: an empty canvas of its own")

    # A second browser tab opening the other project never restores the first project's graph...
    second = editor.page.context.new_page()
    second.add_init_script(f"localStorage.setItem('auteur.project', {json.dumps(other)})")
    second.goto(editor_server.url + "/")
    second.wait_for_function("(name) => window.__auteur && window.__auteur.ready && window.__auteur.project.name === name",
                             arg=other)
    assert second.evaluate("() => window.__auteur.editor.graph._nodes.length") == 0
    second.screenshot(path=str(editor.folder / "second-tab-other-project.png"))
    second.close()

    # ...and back in the first project (after a reload too) its graph is there, still unsaved.
    editor.page.get_by_test_id("project-select").select_option(project)
    editor.page.wait_for_function("() => window.__auteur.editor.graph._nodes.length === 1")
    editor.page.on("dialog", lambda dialog: dialog.accept())
    editor.page.reload()
    editor.page.wait_for_function("(name) => window.__auteur && window.__auteur.ready && window.__auteur.project.name === name",
                                  arg=project)
    assert _node_count(editor) == 1 and editor.eval("() => window.__auteur.dirty") is True
    editor.shot("the first project's graph restored after a reload")


KEEP_AUTOSAVES = """(project) => {
  const prefix = `auteur.canvas.autosave:${encodeURIComponent(project)}:`;
  const body = (savedAt, first) => {
    const autosave = { active: 0, workflows: [{ name: `at ${savedAt}`, savedName: null, original: null,
      graph: { nodes: [], links: [] }, view: { scale: 1, offset: [0, 0] } }] };
    return JSON.stringify(first ? { savedAt, ...autosave } : { ...autosave, savedAt });
  };
  const now = Date.now();
  // other tabs' autosaves: two written before `savedAt` came first, two after
  localStorage.setItem(prefix + "web-old-newest", body(now - 1000, false));
  localStorage.setItem(prefix + "web-new-a", body(now - 2000, true));
  localStorage.setItem(prefix + "web-new-b", body(now - 3000, true));
  localStorage.setItem(prefix + "web-old-oldest", body(now - 4000, false));
}"""


def test_an_autosave_keeps_a_projects_four_newest_whichever_way_they_were_written(
    editor: EditorPage, project: str
) -> None:
    """Autosaves are written when the page is idle and find the stale ones by the time at the
    start of their text (every autosave of the project was parsed whole on every write)."""
    editor.open(project)
    editor.eval(KEEP_AUTOSAVES, project)
    editor.eval("(w) => window.__auteur.openDocument(w, 'idle autosave')",
                {"last_node_id": 1, "last_link_id": 0, "links": [], "groups": [], "config": {}, "extra": {},
                 "version": 0.4, "nodes": [{"id": 1, "type": "core.integer", "pos": [0, 0], "size": [240, 80],
                                            "flags": {}, "order": 0, "mode": 0, "inputs": [], "outputs": [],
                                            "properties": {}, "widgets_values": [5]}]})
    own = editor.eval("(p) => `auteur.canvas.autosave:${encodeURIComponent(p)}:${sessionStorage.getItem('auteur.client_id')}`",
                      project)
    editor.page.wait_for_function("(key) => (localStorage.getItem(key) ?? '').includes('idle autosave')", arg=own,
                                  timeout=10_000)
    kept = editor.eval("""(project) => Object.keys(localStorage)
        .filter((key) => key.startsWith(`auteur.canvas.autosave:${encodeURIComponent(project)}:`))
        .map((key) => key.split(':').pop()).sort()""", project)
    own_id = own.rsplit(":", 1)[1]
    assert kept == sorted([own_id, "web-old-newest", "web-new-a", "web-new-b"]), kept
    assert editor.eval("(key) => localStorage.getItem(key).slice(0, 11)", own) == '{"savedAt":'
