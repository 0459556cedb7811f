"""Never lose work: Ctrl+S on a canvas opened from a template asks for a name (the template's
title "Screenplay → shot list → Veo payloads" was sent as the file name and refused), and New asks
before it discards unsaved changes (it used to drop them without a word)."""

from __future__ import annotations

from .conftest import EditorPage


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
