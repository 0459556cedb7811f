"""Human review in the editor (issue 22): a run stops at a Review node, the runs panel and the
inspector show what waits and why; the reviewer asks for a change with a note, the agent re-runs
with it, the reviewer approves and the run completes; then the same wait across a real server
restart, decided from the runs panel the page lists again."""

from __future__ import annotations

from typing import Any

import httpx
from integration.server_harness import ServerProcess

from .conftest import EditorPage
from .test_editor_runs import _drop_workflow, _node, _workflow


def reviewed(prompt: str) -> dict[str, Any]:
    """The test pack's agent double → Review (always asks) → Show."""
    return _workflow(
        [
            _node(1, "test.draft", [0, 0], [], [{"name": "value", "type": "*", "links": [1]}], [prompt, ""]),
            _node(2, "production.review", [320, 0],
                  [{"name": "content", "type": "*", "link": 1}],
                  [{"name": "content", "type": "TEXT", "links": [2]}, {"name": "result", "type": "*", "links": []}],
                  [True, 0.6, ""]),
            _node(3, "core.show", [640, 0], [{"name": "value", "type": "*", "link": 2}], [], []),
        ],
        [[1, 1, 0, 2, 0, "*"], [2, 2, 0, 3, 0, "TEXT"]],
    )


def card_content(editor: EditorPage) -> str:
    return str(editor.page.locator("[data-testid=runs] [data-testid=review-content]").input_value())


def test_a_review_asks_for_changes_the_agent_reruns_with_the_note_and_approval_completes_the_run(
    editor: EditorPage, project: str, editor_server: ServerProcess
) -> None:
    editor.open(project)
    _drop_workflow(editor, "reviewed.json", reviewed("the duel"))
    editor.page.get_by_test_id("queue").click()
    card = editor.page.locator("[data-testid=runs] [data-testid=review-card]")
    card.wait_for(timeout=30_000)
    assert editor.page.locator("[data-testid=run]").first.get_attribute("data-status") == "awaiting_review"
    assert card_content(editor) == "Draft of the duel"
    assert card.get_by_test_id("review-reasons").inner_text() == "first draft"
    assert card.get_by_test_id("review-confidence").inner_text() == "confidence 0.40"
    editor.select_node("2")  # the inspector shows the same wait on the Review node
    inspector = editor.page.locator("[data-testid=inspector]")
    inspector.get_by_test_id("review-card").wait_for()
    assert inspector.get_by_test_id("node-status").inner_text().lower() == "awaiting_review"
    editor.shot("waiting for review: runs panel and inspector")

    card.get_by_test_id("review-note").fill("make it rain")
    card.get_by_test_id("review-request-changes").click()
    editor.page.wait_for_function(
        """() => { const box = document.querySelector('[data-testid=runs] [data-testid=review-content]');
                   return box && box.value.includes('revised'); }""", timeout=30_000)
    assert card_content(editor) == "Draft of the duel (revised: make it rain)"
    assert card.get_by_test_id("review-reasons").inner_text() == "this Review node always asks a person"
    editor.shot("the agent re-ran with the note")

    card.get_by_test_id("review-approve").click()
    editor.page.wait_for_selector("[data-testid=run][data-status=completed]", timeout=30_000)
    editor.shot("approved and completed")
    run_id = editor.page.locator("[data-testid=run]").first.get_attribute("data-run-id")
    run = httpx.get(f"{editor_server.url}/api/runs/{run_id}", timeout=10).json()
    assert run["outputs"]["3"]["value"] == "Draft of the duel (revised: make it rain)"
    thread = httpx.get(f"{editor_server.url}/api/runs/{run_id}/review", timeout=10).json()["thread"]
    assert [(row["action"], row["note"]) for row in thread] == [("request_changes", "make it rain"), ("approve", None)]


def test_a_wait_survives_a_server_restart_and_is_approved_from_the_runs_panel(
    editor: EditorPage, project: str, editor_server: ServerProcess
) -> None:
    editor.open(project)
    _drop_workflow(editor, "restart.json", reviewed("the restart"))
    editor.page.get_by_test_id("queue").click()
    editor.page.locator("[data-testid=runs] [data-testid=review-card]").wait_for(timeout=30_000)
    run_id = editor.page.locator("[data-testid=run]").first.get_attribute("data-run-id")
    editor.shot("waiting before the restart")
    # The reviewer leaves; the server restarts; the reviewer comes back to a fresh page.
    context = editor.page.context
    editor.page.close()
    editor_server.stop()
    editor_server.start()
    page = context.new_page()
    page.set_default_timeout(20_000)
    page.on("console", editor._console)
    page.on("pageerror", lambda error: editor.errors.append(f"pageerror: {error}"))
    editor.page = page
    editor.open(project)
    card = editor.page.locator(f"[data-run-id='{run_id}'] [data-testid=review-card]")
    card.wait_for(timeout=20_000)
    assert card_content(editor) == "Draft of the restart"
    editor.shot("the wait is listed again after the restart")
    card.get_by_test_id("review-approve").click()
    editor.page.wait_for_selector(f"[data-run-id='{run_id}'][data-status=completed]", timeout=30_000)
    editor.shot("approved after the restart")
    run = httpx.get(f"{editor_server.url}/api/runs/{run_id}", timeout=10).json()
    assert run["status"] == "completed" and run["outputs"]["3"]["value"] == "Draft of the restart"
