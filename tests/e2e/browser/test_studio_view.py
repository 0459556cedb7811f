"""The studio view in Chromium: four projects in different states (draft, in progress,
completed, rendering with a run in flight) at a glance, filtered by kind and status, and a
project's name opening it in the editor."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

import httpx
from integration.server_harness import ServerProcess, sleep_prompt, wait_for_status

from .conftest import EditorPage
from .test_editor_runs import _node, _workflow


def shot(number: int, takes: int = 0, active: bool = False) -> dict[str, Any]:
    created = datetime.now(UTC).isoformat()
    return {"number": number, "description": f"shot {number}", "activeTake": 1 if active else None,
            "takes": [{"number": n, "path": f"take{n}.mp4", "created": created} for n in range(1, takes + 1)]}


def make(server: ServerProcess, name: str, kind: str, shots: list[dict[str, Any]], budget: float | None = None) -> None:
    settings = {"kind": kind, **({"budgetUsd": budget} if budget is not None else {})}
    made = httpx.post(f"{server.url}/api/projects", json={"name": name, "quality": "low", "settings": settings},
                      timeout=30)
    assert made.status_code == 201, made.text
    narrative = {"structure": "three-act", "chapters": [{"number": 1, "scenes": [{"number": 1, "shots": shots}]}]}
    patched = httpx.patch(f"{server.url}/api/projects/{name}", json={"narrative": narrative}, timeout=30)
    assert patched.status_code == 200, patched.text


def rows(editor: EditorPage) -> dict[str, str]:
    found = editor.page.locator("[data-testid=studio-row]")
    return {str(found.nth(i).get_attribute("data-project")): str(found.nth(i).inner_text())
            for i in range(found.count())}


def test_the_studio_shows_projects_in_four_states_filters_them_and_opens_one(
        editor: EditorPage, editor_server: ServerProcess) -> None:
    tag = uuid.uuid4().hex[:4]
    draft, progress, done, busy = (f"{word} {tag}" for word in ("Pilot", "Harbour", "Anthem", "Nightfall"))
    make(editor_server, draft, "series", [])
    make(editor_server, progress, "short", [shot(1, takes=2), shot(2)], budget=50)
    make(editor_server, done, "music_video", [shot(1, takes=1, active=True)])
    make(editor_server, busy, "feature", [shot(1)])
    run = httpx.post(f"{editor_server.url}/api/runs", timeout=30, json={
        "project": busy, "graph": sleep_prompt(120, tag)})
    assert run.status_code == 202, run.text
    run_id = run.json()["run_id"]
    try:
        wait_for_status(httpx.Client(base_url=editor_server.url, timeout=30), run_id, {"queued", "running"})
        editor.open(progress)
        editor.page.get_by_test_id("tab-studio").click()
        editor.page.locator(f"[data-testid=studio-row][data-project='{busy}']").wait_for()
        seen = rows(editor)
        assert "Draft" in seen[draft] and "Series" in seen[draft] and "no shots" in seen[draft]
        assert "In progress" in seen[progress] and "0 approved · 1 to review · 1 without takes" in seen[progress]
        assert "no provider spend (budget $50.00)" in seen[progress]
        assert "Completed" in seen[done] and "Music video" in seen[done] and "1 approved" in seen[done]
        assert "Rendering" in seen[busy] and "1 low" in seen[busy]
        editor.shot("studio overview")

        editor.page.get_by_test_id("studio-kind").select_option("music_video")
        editor.page.locator(f"[data-testid=studio-row][data-project='{progress}']").wait_for(state="detached")
        assert done in rows(editor) and progress not in rows(editor)
        editor.page.get_by_test_id("studio-kind").select_option("")
        editor.page.get_by_test_id("studio-status").select_option("rendering")
        editor.page.locator(f"[data-testid=studio-row][data-project='{done}']").wait_for(state="detached")
        assert busy in rows(editor) and draft not in rows(editor)
        editor.shot("studio filtered to rendering")

        editor.page.get_by_test_id("studio-status").select_option("")
        editor.page.locator(f"[data-testid=studio-row][data-project='{done}'] button.link").click()
        editor.page.wait_for_function("(name) => window.__auteur.project && window.__auteur.project.name === name",
                                      arg=done)
        editor.page.locator("[data-testid=tab-shots].active").wait_for()
        editor.page.get_by_test_id("left-panel").get_by_text(done).wait_for()
        editor.shot("project opened from the studio")
    finally:
        httpx.post(f"{editor_server.url}/api/runs/{run_id}/cancel", timeout=30)


def text_template(name: str) -> dict[str, Any]:
    """Text → Show, its text exposed: each run shows the shot it was given."""
    workflow = _workflow(
        [_node(1, "core.text", [0, 0], [], [{"name": "text", "type": "TEXT", "links": [1]}], [""]),
         _node(2, "core.show", [320, 0], [{"name": "value", "type": "*", "link": 1}], [], [])],
        [[1, 1, 0, 2, 0, "TEXT"]])
    return {"name": name, "description": "shows the shot", "version": "1", "requires": [],
            "parameters": [{"node_id": "1", "input": "value", "label": "Shot"}], "workflow": workflow}


def test_a_template_is_queued_over_the_shots_of_two_selected_projects_as_one_batch(
        editor: EditorPage, editor_server: ServerProcess) -> None:
    tag = uuid.uuid4().hex[:4]
    first, second = f"Reel {tag}", f"Promo {tag}"
    make(editor_server, first, "short", [shot(1), shot(2)])
    make(editor_server, second, "music_video", [shot(1)])
    saved = httpx.post(f"{editor_server.url}/api/templates", json=text_template(f"Show shot {tag}"), timeout=30)
    assert saved.status_code == 201, saved.text
    editor.open(first)
    editor.page.get_by_test_id("tab-studio").click()
    for name in (first, second):
        editor.page.locator(f"[data-testid=studio-row][data-project='{name}'] [data-testid=studio-pick]").check()
    batch = editor.page.get_by_test_id("studio-batch")
    batch.get_by_test_id("studio-template").select_option(saved.json()["id"])
    editor.page.wait_for_function("() => document.querySelector('[data-testid=studio-shot-input]').value === '1.value'")
    batch.get_by_test_id("studio-queue").click()
    result = batch.get_by_test_id("studio-batch-result")
    result.wait_for()
    assert result.inner_text().startswith("Queued 3 runs over 2 projects")
    editor.shot("template queued over two projects")
    client = httpx.Client(base_url=editor_server.url, timeout=30)
    runs = client.get("/api/runs", params={"limit": 3}).json()["items"]
    shown = sorted((run["project"], wait_for_status(client, run["run_id"], {"completed"})["outputs"]["2"]["value"])
                   for run in runs)
    assert shown == sorted([(first, "Chapter_01/Scene_01/Shot_01"), (first, "Chapter_01/Scene_01/Shot_02"),
                            (second, "Chapter_01/Scene_01/Shot_01")])
    assert len({run["batch_id"] for run in runs}) == 1
