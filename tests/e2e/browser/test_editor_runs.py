"""Validation errors on the right node, socket rules on the canvas, a node failing at run time,
cancelling from the UI, the queue controls of the runs panel (pause, move, retry)."""

from __future__ import annotations

import json
from typing import Any

import httpx

from .conftest import EditorPage


def _workflow(nodes: list[dict[str, Any]], links: list[list[Any]]) -> dict[str, Any]:
    return {
        "last_node_id": len(nodes),
        "last_link_id": len(links),
        "nodes": nodes,
        "links": links,
        "groups": [],
        "config": {},
        "extra": {},
        "version": 0.4,
    }


def _node(
    id_: int,
    type_: str,
    pos: list[int],
    inputs: list[dict[str, Any]],
    outputs: list[dict[str, Any]],
    values: list[Any],
) -> dict[str, Any]:
    return {
        "id": id_,
        "type": type_,
        "pos": pos,
        "size": [240, 90],
        "flags": {},
        "order": id_ - 1,
        "mode": 0,
        "inputs": inputs,
        "outputs": outputs,
        "properties": {},
        "widgets_values": values,
    }


MISMATCH = _workflow(
    [
        _node(
            1,
            "core.text",
            [0, 0],
            [],
            [{"name": "text", "type": "TEXT", "links": [1]}],
            ["not a number"],
        ),
        _node(
            2,
            "core.add",
            [320, 0],
            [
                {"name": "a", "type": "FLOAT", "link": 1, "widget": {"name": "a"}},
                {"name": "b", "type": "FLOAT", "link": None, "widget": {"name": "b"}},
            ],
            [{"name": "value", "type": "FLOAT", "links": [2]}],
            [0, 1],
        ),
        _node(3, "core.show", [640, 0], [{"name": "value", "type": "*", "link": 2}], [], []),
    ],
    [[1, 1, 0, 2, 0, "TEXT"], [2, 2, 0, 3, 0, "FLOAT"]],
)

LONG = _workflow(
    [
        _node(
            1,
            "test.ffmpeg_long",
            [0, 0],
            [],
            [{"name": "value", "type": "*", "links": [1]}],
            [120, ""],
        ),
        _node(2, "core.show", [340, 0], [{"name": "value", "type": "*", "link": 1}], [], []),
    ],
    [[1, 1, 0, 2, 0, "*"]],
)

MISSING_MEDIA = _workflow(
    [
        _node(1, "media.load", [0, 0], [], [{"name": "media", "type": "MEDIA", "links": [1]}],
              ["01_Assets/Objects/missing.mp4"]),
        _node(2, "media.thumbnail", [320, 0], [{"name": "video", "type": "VIDEO", "link": 1}],
              [{"name": "image", "type": "IMAGE", "links": [2]}], ["", ""]),
        _node(3, "core.show", [640, 0], [{"name": "value", "type": "*", "link": 2}], [], []),
    ],
    [[1, 1, 0, 2, 0, "MEDIA"], [2, 2, 0, 3, 0, "IMAGE"]],
)


def _drop_workflow(editor: EditorPage, name: str, workflow: dict[str, Any]) -> None:
    box = editor.page.locator("[data-testid=graph-canvas]").bounding_box()
    assert box is not None
    editor.drop_files(
        "[data-testid=canvas-host]",
        [(name, json.dumps(workflow).encode(), "application/json")],
        at=(box["x"] + 200, box["y"] + 200),
    )
    editor.page.wait_for_function(
        "(n) => window.__auteur.editor.graph._nodes.length === n", arg=len(workflow["nodes"])
    )


def test_a_type_mismatch_is_shown_on_the_node_and_input_concerned(
    editor: EditorPage, project: str
) -> None:
    editor.open(project)
    _drop_workflow(editor, "mismatch.json", MISMATCH)
    editor.shot("mismatched graph opened")
    editor.page.get_by_test_id("queue").click()
    problem = editor.page.locator("[data-testid=node-problem]")
    problem.wait_for()
    editor.shot("error on the add node")
    problems = editor.eval("() => Object.fromEntries(window.__auteur.editor.problems)")
    assert list(problems) == ["2"] and problems["2"]["inputs"] == ["a"]
    assert editor.eval("() => window.__auteur.selection") == {"kind": "node", "nodeId": "2"}
    assert (
        editor.page.locator("[data-testid=inspector] .field.bad").get_attribute("data-input") == "a"
    )
    assert "TEXT" in problem.inner_text() or "FLOAT" in problem.inner_text()
    assert editor.page.locator("[data-testid=run]").count() == 0


def test_the_canvas_refuses_a_link_the_server_would_refuse(editor: EditorPage) -> None:
    editor.open()
    box = editor.page.locator("[data-testid=graph-canvas]").bounding_box()
    assert box is not None
    text = editor.add_by_search("text", "core.text", (box["x"] + 120, box["y"] + 150))
    add = editor.add_by_search("add", "core.add", (box["x"] + 460, box["y"] + 150))
    integer = editor.add_by_search("integer", "core.integer", (box["x"] + 160, box["y"] + 560))
    editor.drag_link(text, 0, add, editor.input_index(add, "a"))
    assert editor.links() == []
    editor.drag_link(integer, 0, add, editor.input_index(add, "b"))
    assert [link[:3] for link in editor.links()] == [[integer, 0, add]]  # INT widens to FLOAT
    editor.shot("only the compatible link was made")
    editor.page.keyboard.press("Control+z")
    assert editor.links() == []
    editor.page.keyboard.press("Control+y")
    assert len(editor.links()) == 1
    editor.shot("undo and redo")


def test_a_long_run_is_cancelled_from_the_ui(editor: EditorPage, project: str) -> None:
    editor.open(project)
    _drop_workflow(editor, "long.json", LONG)
    editor.page.get_by_test_id("queue").click()
    editor.page.wait_for_function(
        "() => window.__auteur.editor.runState.get('1')?.status === 'running'", timeout=30_000
    )
    editor.shot("running")
    editor.page.locator("[data-testid=cancel-run]").click()
    editor.page.wait_for_selector("[data-testid=run][data-status=cancelled]", timeout=20_000)
    editor.shot("cancelled")
    assert editor.page.locator("[data-testid=cancel-run]").count() == 0


def test_a_node_that_fails_at_run_time_is_marked_failed_with_its_error(editor: EditorPage, project: str) -> None:
    editor.open(project)
    _drop_workflow(editor, "missing.json", MISSING_MEDIA)
    editor.page.get_by_test_id("queue").click()
    editor.page.wait_for_selector("[data-testid=run][data-status=failed]", timeout=30_000)
    editor.shot("failed")
    failed = editor.eval(
        "() => ({run: window.__auteur.runs[0].error, node: window.__auteur.editor.runState.get('1')})"
    )
    assert failed["run"]["code"] == "media_not_found" and failed["run"]["node_id"] == "1", failed
    assert failed["node"]["status"] == "failed" and "media file not found" in failed["node"]["error"], failed
    assert editor.page.get_by_text("Run failed").count() >= 1


FIVE = _workflow(
    [
        _node(1, "core.integer", [0, 0], [], [{"name": "value", "type": "INT", "links": [1]}], [5]),
        _node(2, "core.show", [320, 0], [{"name": "value", "type": "*", "link": 1}], [], []),
    ],
    [[1, 1, 0, 2, 0, "INT"]],
)


def test_queue_checks_and_queues_the_graph_in_one_request(editor: EditorPage, project: str) -> None:
    editor.open(project)
    _drop_workflow(editor, "once.json", FIVE)
    posts: list[str] = []
    editor.page.on("request", lambda request: posts.append(request.url.split("/", 3)[3]) if request.method == "POST" else None)
    editor.page.get_by_test_id("queue").click()
    editor.page.wait_for_selector("[data-testid=run][data-status=completed]", timeout=30_000)
    # The graph travelled once (it went to /api/graphs/validate, then again to /api/runs).
    assert posts == ["api/graphs/validate"], posts
    run_id = editor.eval("() => window.__auteur.runs[0].runId")
    record = httpx.get(f"{editor.server.url}/api/runs/{run_id}", timeout=10).json()
    assert (record["project"], record["tier"], record["nodes"]["2"]["outputs"]) == (project, "low", {"value": 5})


def _listed(editor: EditorPage) -> list[str]:
    return editor.eval("() => [...document.querySelectorAll('[data-testid=run]')].map((e) => e.dataset.runId)")


def test_the_runs_panel_pauses_the_queue_moves_a_run_to_the_front_and_retries_a_failed_one(
    editor: EditorPage, project: str, editor_server: Any
) -> None:
    editor.open(project)
    _drop_workflow(editor, "five.json", FIVE)
    pause = editor.page.get_by_test_id("pause-queue")
    try:
        pause.click()
        editor.page.wait_for_function("() => document.querySelector('[data-testid=pause-queue]').textContent.includes('Resume')")
        for count in (1, 2, 3):
            editor.page.get_by_test_id("queue").click()
            editor.page.wait_for_function("(n) => document.querySelectorAll('[data-testid=run]').length === n", arg=count)
        newest = _listed(editor)[0]
        editor.page.locator(f"[data-run-id='{newest}'] [data-testid=run-front]").click()
        # The panel shows the queued runs in the order the server will start them: the one
        # moved first, then the other two oldest first.
        editor.page.wait_for_function("(id) => document.querySelector('[data-testid=run]').dataset.runId === id", arg=newest)
        editor.shot("moved to the front while paused")
        order = _listed(editor)
        assert order[0] == newest and len(order) == 3
        pause.click()
        editor.page.wait_for_selector("[data-testid=run][data-status=queued]", state="detached", timeout=30_000)
    finally:
        httpx.post(f"{editor_server.url}/api/queue/resume", timeout=10)
    started = sorted((httpx.get(f"{editor_server.url}/api/runs/{run_id}", timeout=10).json() for run_id in order),
                     key=lambda run: run["started_at"])
    assert started[0]["run_id"] == newest
    _drop_workflow(editor, "missing.json", MISSING_MEDIA)
    editor.page.get_by_test_id("queue").click()
    editor.page.wait_for_selector("[data-testid=run][data-status=failed]", timeout=30_000)
    failed = _listed(editor)[0]
    editor.page.locator(f"[data-run-id='{failed}'] [data-testid=retry-run]").click()
    editor.page.wait_for_function("(id) => document.querySelector('[data-testid=run]').dataset.runId !== id", arg=failed)
    editor.shot("retried")
    retried = _listed(editor)[0]
    listed = httpx.get(f"{editor_server.url}/api/runs", params={"limit": 5}, timeout=10).json()["items"]
    assert {run["run_id"]: run["retry_of"] for run in listed}[retried] == failed
