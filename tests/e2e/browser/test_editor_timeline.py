"""The story timeline in the editor (issue 22, item 4): events created in the Timeline tab are
shown in story order on an axis and in the list, an event dragged along the axis moves in story
time (the server's order changes), and the filters by participant and range narrow both."""

from __future__ import annotations

import time

import httpx
from integration.server_harness import ServerProcess, wait_for_status

from .conftest import EditorPage


def make_character(server: ServerProcess, project: str, name: str) -> str:
    graph = {"1": {"class_type": "production.ingredient", "inputs": {"kind": "Character", "name": name}}}
    with httpx.Client(base_url=server.url, timeout=30) as client:
        run = client.post("/api/runs", json={"graph": graph, "project": project, "targets": ["1"]})
        assert wait_for_status(client, run.json()["run_id"], {"completed", "failed"})["status"] == "completed"
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            found = [i["id"] for i in client.get(f"/api/projects/{project}").json()["ingredients"] if i["name"] == name]
            if found:
                return str(found[0])
            time.sleep(0.1)  # project.json mirrors the new ingredient file after the run's event
    raise AssertionError(f"{name} never reached project.json")


def rows(editor: EditorPage) -> list[str]:
    titles: list[str] = editor.eval(
        "() => [...document.querySelectorAll('[data-testid=timeline-row]')].map((e) => e.dataset.title)")
    return titles


def test_events_are_created_dragged_in_story_time_and_filtered(
    editor: EditorPage, project: str, editor_server: ServerProcess
) -> None:
    mara = make_character(editor_server, project, "MARA")
    editor.open(project)
    editor.page.get_by_test_id("tab-timeline").click()
    view = editor.page.get_by_test_id("timeline-view")
    view.wait_for()
    for title, kind, date, with_mara in (("The duel", "battle", "1200-05-02", True),
                                         ("The meeting", "meeting", "1200-03-01", True),
                                         ("The map is found", "discovery", "1201-01-10", False)):
        editor.page.get_by_test_id("new-event-title").fill(title)
        editor.page.get_by_test_id("new-event-type").select_option(kind)
        editor.page.get_by_test_id("new-event-date").fill(date)
        if with_mara:
            editor.page.locator(f"[data-testid=new-event-participant][value='{mara}']").check()
        editor.page.get_by_test_id("add-event").click()
        editor.page.wait_for_function("(t) => [...document.querySelectorAll('[data-testid=timeline-row]')]"
                                      ".some((e) => e.dataset.title === t)", arg=title)
        if with_mara:
            editor.page.locator(f"[data-testid=new-event-participant][value='{mara}']").uncheck()
    assert rows(editor) == ["The meeting", "The duel", "The map is found"]
    editor.shot("three events in story order")

    # Drag the meeting past the discovery: it moves later in story time, on the server too.
    marker = editor.page.locator("[data-testid=timeline-event][data-title='The meeting']")
    box = marker.bounding_box()
    track = editor.page.get_by_test_id("timeline-track").bounding_box()
    assert box is not None and track is not None
    mouse = editor.page.mouse
    mouse.move(box["x"] + 8, box["y"] + box["height"] / 2)
    mouse.down()
    for step in range(1, 11):
        mouse.move(box["x"] + 8 + (track["x"] + track["width"] * 0.97 - box["x"] - 8) * step / 10,
                   box["y"] + box["height"] / 2)
    mouse.up()
    editor.page.wait_for_function(
        "() => document.querySelector('[data-testid=timeline-row]:last-child')?.dataset.title === 'The meeting'")
    editor.shot("the meeting dragged after the discovery")
    events = httpx.get(f"{editor_server.url}/api/projects/{project}/timeline", timeout=10).json()["events"]
    assert [event["title"] for event in events] == ["The duel", "The map is found", "The meeting"]
    assert events[2]["date"] > "1201-01-10"

    editor.page.get_by_test_id("filter-participant").select_option(mara)
    editor.page.wait_for_function("() => document.querySelectorAll('[data-testid=timeline-row]').length === 2")
    assert rows(editor) == ["The duel", "The meeting"]
    editor.shot("filtered to MARA's events")
    editor.page.get_by_test_id("filter-participant").select_option("")
    editor.page.get_by_test_id("filter-from").fill("1200-04-01")
    editor.page.get_by_test_id("filter-to").fill("1201-01-10")  # the meeting now falls after it
    editor.page.get_by_test_id("filter-apply").click()
    editor.page.wait_for_function("() => document.querySelectorAll('[data-testid=timeline-row]').length === 2")
    assert rows(editor) == ["The duel", "The map is found"]
    assert editor.page.locator("[data-testid=timeline-event]").count() == 2
    editor.shot("filtered to a range")
