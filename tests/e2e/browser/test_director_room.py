"""The director's room in real Chromium, through the UI only: a project made in the New Project
dialog, a screenplay uploaded by the file picker, edited and saved (a Git commit), broken down
into scenes, shots and Veo payload takes (twice), a shot edited and moved in the shot list, a
character made from an uploaded image and dragged into a slot, two takes compared, one approved
with a note at a timecode, the storyboard, and all of it still there after a reload."""

from __future__ import annotations

import json
import subprocess
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
from integration.server_harness import wait_for_status
from playwright.sync_api import Locator

from .conftest import EditorPage

SCREENPLAY = """Title: Two Rooms

INT. KITCHEN - NIGHT

MARA sets down a cup and looks at the door.

MARA
(quietly)
You came back.

The kettle starts to whistle.

CUT TO:

EXT. STREET - DAWN

JONAH walks away under the streetlights.
"""


def project_json(root: Path) -> dict[str, Any]:
    return dict(json.loads((root / "project.json").read_text()))


def kitchen_shots(root: Path) -> list[dict[str, Any]]:
    """Scene 1 of chapter 1 (the kitchen) as project.json holds it."""
    [chapter] = [c for c in project_json(root)["narrative"]["chapters"] if c["number"] == 1]
    return list(chapter["scenes"][0]["shots"])


def eventually(check: Callable[[], bool], what: str, timeout: float = 10) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, what
        time.sleep(0.1)


def make_character(editor: EditorPage, filename: str, name: str) -> Locator:
    """Upload a real image by the Assets panel's file picker and make a character of it with the
    Cast tab's Make ingredient action; its card, once it shows the reference image."""
    page = editor.page
    image = editor.server.workspace / filename
    subprocess.run(["ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i", "testsrc=size=320x240",
                    "-frames:v", "1", str(image)], check=True)
    page.get_by_role("button", name="Assets").first.click()
    page.get_by_test_id("asset-dropzone").locator("input[type=file]").set_input_files(str(image))
    page.get_by_test_id("asset-tile").first.wait_for()
    page.get_by_test_id("tab-cast").click()
    maker = page.get_by_test_id("ingredient-from-asset").first
    maker.get_by_test_id("ingredient-name").fill(name)
    editor.shot("an uploaded image ready to become a character")
    maker.get_by_test_id("ingredient-make").click()
    card = page.locator("[data-testid=ingredient-card]", has_text=name)
    card.locator("img").wait_for(timeout=30_000)
    return card


def test_a_director_goes_from_a_new_project_to_an_approved_take_through_the_ui_only(editor: EditorPage) -> None:
    """What a director does, by clicks, typing, file pickers and drags only (no API call)."""
    page = editor.page
    editor.open()

    # A new project through the New Project dialog.
    name = f"Two Rooms {uuid.uuid4().hex[:6]}"
    page.get_by_role("button", name="Project", exact=True).click()
    page.get_by_test_id("new-project").click()
    form = page.get_by_test_id("new-project-form")
    form.get_by_label("Project name").fill(name)
    form.get_by_label("Quality tier").select_option("low")
    editor.shot("the new project dialog")
    form.get_by_role("button", name="Create project").click()
    page.wait_for_function("(name) => window.__auteur.project && window.__auteur.project.name === name", arg=name)
    root = editor.server.workspace / "Projects" / name
    assert project_json(root)["quality"] == "low"
    editor.shot("the new project")

    # The screenplay by the file picker, edited and saved (a commit).
    page.get_by_test_id("tab-scripts").click()
    page.get_by_test_id("script-file").set_input_files(
        files=[{"name": "Two Rooms.fountain", "mimeType": "text/plain", "buffer": SCREENPLAY.encode()}])
    text = page.get_by_test_id("script-text")
    text.wait_for()
    assert page.get_by_test_id("scene-nav").count() == 2
    editor.shot("uploaded screenplay highlighted with scene navigator")
    text.click()
    page.keyboard.press("Control+End")
    page.keyboard.type("\nJONAH\nNot this time.\n")
    assert page.get_by_test_id("script-dirty").is_visible()
    page.keyboard.press("Control+s")
    page.get_by_test_id("script-saved").wait_for()
    page.get_by_test_id("script-preview-tab").click()
    page.get_by_test_id("script-preview").wait_for()
    editor.shot("edited, saved and previewed")
    log = subprocess.run(["git", "log", "--format=%s"], cwd=root, capture_output=True, text=True, check=True).stdout
    assert "Save 02_Source_Creative/Scripts/Two_Rooms.fountain" in log

    # Break down: the bundled template bound to this script makes the shots and payload takes.
    page.get_by_test_id("script-breakdown").click()
    page.get_by_test_id("tab-review").click()
    page.get_by_test_id("review-shot").nth(2).wait_for(timeout=90_000)
    page.get_by_test_id("take-card").first.click()
    page.get_by_test_id("payload-card").first.wait_for()
    editor.shot("breakdown made shots with payload takes")
    # The screenplay's scenes replace the new project's placeholder acts (Act II, Act III: no one worked in them).
    eventually(lambda: [(c["number"], c["title"]) for c in project_json(root)["narrative"]["chapters"]] == [(1, "Two Rooms")],
               "placeholder acts stayed beside the screenplay's scenes")
    # The project's badge names the screenplay's scenes, not the structure whose acts are gone,
    # and the gone acts left no render folder behind.
    page.wait_for_function(
        "() => document.querySelector('[data-testid=project-structure]')?.textContent === 'Screenplay · 2 scenes'")
    assert sorted(p.name for p in (root / "03_Renders").iterdir() if p.is_dir()) == ["Chapter_01"]
    # Payload takes again from the edited script: the template runs again from the Break down button.
    page.get_by_test_id("tab-scripts").click()
    before = page.get_by_test_id("script-text").input_value()
    page.get_by_test_id("script-text").fill(before.replace("looks at the door", "stares at the locked door"))
    page.get_by_test_id("script-breakdown").click()
    page.get_by_test_id("tab-review").click()
    mara = page.locator("[data-testid=review-shot][data-shot='Chapter_01/Scene_01/Shot_01']")
    mara.click()
    page.wait_for_function("() => document.querySelectorAll('[data-testid=take-card]').length >= 2", timeout=90_000)
    editor.shot("two payload takes of the first shot")

    # The shot list: an inline edit lands in project.json; one the server refuses is rolled back.
    page.get_by_test_id("tab-shots").click()
    row = page.locator("[data-testid=shot-row][data-shot='Chapter_01/Scene_01/Shot_01']")
    assert "INT. KITCHEN - NIGHT" in row.inner_text()
    description = row.get_by_test_id("shot-description")
    description.fill("MARA sets down the cup; hold on her hands")
    description.press("Enter")
    duration = row.get_by_test_id("shot-duration")
    duration.fill("4.5")
    duration.press("Tab")
    eventually(lambda: kitchen_shots(root)[0].get("duration") == 4.5
               and kitchen_shots(root)[0]["description"] == "MARA sets down the cup; hold on her hands",
               "the shot edit never reached project.json")
    editor.shot("shot list edited inline")
    duration.fill("5000")  # over an hour: shown at once, refused, rolled back with the server's message
    duration.press("Tab")
    page.wait_for_function(
        "() => document.querySelector(`[data-shot='Chapter_01/Scene_01/Shot_01'] [data-testid=shot-duration]`).value === '4.5'")
    page.get_by_text("was not changed").first.wait_for()
    # The refusal says which field and what its limit is (it said "request does not match the API schema").
    page.get_by_text("changes.duration: Input should be less than or equal to 600").first.wait_for()
    # Chromium logs every refused request as a console error: this one refusal is the point here.
    [refused] = [error for error in editor.errors if "status of 422" in error]
    editor.errors.remove(refused)

    # Reorder: the kettle moves before Mara; both are renumbered and their takes move with them.
    kettle = page.locator("[data-testid=shot-row][data-shot='Chapter_01/Scene_01/Shot_02']")
    assert "kettle" in kettle.get_by_test_id("shot-description").input_value()
    kettle.get_by_test_id("shot-handle").drag_to(page.locator(
        "[data-testid=shot-row][data-shot='Chapter_01/Scene_01/Shot_01'] td").first)  # a real drag of the row's handle
    page.wait_for_function(
        "() => document.querySelector(`[data-shot='Chapter_01/Scene_01/Shot_01'] [data-testid=shot-description]`).value.includes('kettle')")
    assert [shot["description"][:12] for shot in kitchen_shots(root)] == ["The kettle s", "MARA sets do"]
    mara_key = "Chapter_01/Scene_01/Shot_02"
    assert len(list((root / "03_Renders" / mara_key).glob("S01_S02_take*.json"))) >= 4  # 2 takes + provenance
    editor.shot("the kettle moved up, Mara is shot 2")

    # A character from an uploaded image (file picker, then the visible Make ingredient action).
    make_character(editor, "mara-reference.png", "MARA")
    editor.shot("the character made from the uploaded image")

    # Drag the character from the shot list's Cast strip onto Mara's slot 1.
    page.get_by_test_id("tab-shots").click()
    slot = page.locator(f"[data-testid=shot-row][data-shot='{mara_key}'] [data-testid=shot-slot][data-slot='1']")
    page.locator("[data-testid=cast-chip]", has_text="MARA").drag_to(slot)
    slot.locator(".name", has_text="MARA").wait_for()
    [ingredient] = project_json(root)["ingredients"]
    eventually(lambda: kitchen_shots(root)[1]["slot1"] == ingredient["id"], "the slot never reached project.json")
    editor.shot("the character dragged into slot 1")

    # Compare Mara's two takes, approve the second with a note at a timecode.
    page.get_by_test_id("tab-review").click()
    page.locator(f"[data-testid=review-shot][data-shot='{mara_key}']").click()
    page.get_by_test_id("compare-toggle").check()
    page.locator("[data-testid=take-card][data-take='1']").click()
    page.locator("[data-testid=take-card][data-take='2']").click()
    page.wait_for_selector("[data-testid=review-stage][data-count='2']")
    editor.shot("two takes side by side")
    page.get_by_test_id("take-approved").click()
    page.wait_for_selector("[data-testid=take-card][data-take='2'][data-status=approved]")
    page.get_by_test_id("note-timecode").fill("00:00:01:12")
    page.get_by_test_id("note-text").fill("Hold on her face a beat longer")
    page.get_by_test_id("note-add").click()
    page.get_by_test_id("take-note").first.wait_for()
    editor.shot("approved with a note at a timecode")

    # The storyboard shows the approved take of each shot, in the new order.
    page.get_by_test_id("tab-storyboard").click()
    panel = page.locator(f"[data-testid=storyboard-panel][data-shot='{mara_key}']")
    panel.get_by_test_id("payload-card").wait_for()
    page.wait_for_function(
        "(key) => document.querySelector(`[data-testid=storyboard-panel][data-shot='${key}']`).innerText.includes('locked door')",
        arg=mara_key)
    assert page.get_by_test_id("storyboard-scene").count() >= 2
    editor.shot("storyboard with the approved takes")

    # Another scene of the script changes and it is broken down again: the kitchen keeps the order
    # the director gave it, and each shot its takes.
    page.get_by_test_id("tab-scripts").click()
    script = page.get_by_test_id("script-text")
    script.fill(script.input_value().replace("JONAH walks away", "JONAH runs away"))
    page.get_by_test_id("script-breakdown").click()

    def street() -> str:
        [chapter] = [c for c in project_json(root)["narrative"]["chapters"] if c["number"] == 1]
        return str(chapter["scenes"][1]["shots"][0]["description"])

    eventually(lambda: "runs away" in street(), "the new breakdown never reached project.json", timeout=60)
    assert [shot["description"][:12] for shot in kitchen_shots(root)] == ["The kettle s", "MARA sets do"]

    # The new payloads are made from the shot list as the director left it: Mara's text and the
    # character in her slot 1 (a shot's edits and slots reach its payload, never a stale cached one).
    def mara_prompt() -> str:
        takes = sorted(kitchen_shots(root)[1]["takes"], key=lambda take: int(take["number"]))
        return str(json.loads((root / takes[-1]["path"]).read_text())["request"]["instances"][0]["prompt"])

    eventually(lambda: "hold on her hands" in mara_prompt(), "the shot list's edit never reached a payload", timeout=60)
    assert "Subject: MARA" in mara_prompt()
    assert [len(shot["takes"]) for shot in kitchen_shots(root)] == [2, 3]

    # Reload: everything is as it was.
    page.reload()
    page.wait_for_function("() => window.__auteur && window.__auteur.ready", timeout=20_000)
    page.wait_for_function("(name) => window.__auteur.project && window.__auteur.project.name === name", arg=name)
    page.get_by_test_id("tab-review").click()
    page.locator(f"[data-testid=review-shot][data-shot='{mara_key}']").click()
    approved = page.locator("[data-testid=take-card][data-take='2'][data-status=approved]")
    approved.wait_for()
    assert "★" in approved.inner_text()
    approved.click()
    note = page.get_by_test_id("take-note").first
    assert "00:00:01:12" in note.inner_text() and "Hold on her face" in note.inner_text()
    page.get_by_test_id("tab-shots").click()
    mara_row = page.locator(f"[data-testid=shot-row][data-shot='{mara_key}']")
    assert mara_row.get_by_test_id("shot-duration").input_value() == "4.5"
    mara_row.locator("[data-testid=shot-slot][data-slot='1'] .name", has_text="MARA").wait_for()
    first = page.locator("[data-testid=shot-row][data-shot='Chapter_01/Scene_01/Shot_01'] [data-testid=shot-description]")
    assert "kettle" in first.input_value()
    page.get_by_test_id("tab-scripts").click()
    page.get_by_test_id("script-item").first.click()
    assert "stares at the locked door" in page.get_by_test_id("script-text").input_value()
    editor.shot("after reload everything is as it was")


def test_two_picture_takes_are_compared_with_a_wipe_and_the_strip_shows_each_status(
    editor: EditorPage, project: str, tmp_path: object,
) -> None:
    # Setup through the API (the journey above makes takes through the UI): two image takes of one shot.
    client = httpx.Client(base_url=editor.server.url, timeout=30)
    root = editor.server.workspace / "Projects" / project
    for colour in ("red", "blue"):
        target = root / "05_Cache" / f"{colour}.png"
        target.parent.mkdir(parents=True, exist_ok=True)
        subprocess.run(["ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i", f"color=c={colour}:s=320x180",
                        "-frames:v", "1", str(target)], check=True)
        graph = {"1": {"class_type": "media.load", "inputs": {"path": f"05_Cache/{colour}.png"}},
                 "2": {"class_type": "production.save_take",
                       "inputs": {"media": ["1", 0], "shot_path": "Chapter_01/Scene_01/Shot_01"}}}
        run_id = client.post("/api/runs", json={"graph": graph, "project": project}).json()["run_id"]
        assert wait_for_status(client, run_id, {"completed", "failed"})["status"] == "completed"
    client.put(f"/api/projects/{project}/takes/status",
               json={"shot": "Chapter_01/Scene_01/Shot_01", "take": 2, "status": "retake"}).raise_for_status()
    page = editor.page
    editor.open(project)
    page.get_by_test_id("tab-review").click()
    page.locator("[data-testid=take-card][data-take='2'][data-status=retake]").wait_for()
    page.get_by_test_id("compare-toggle").check()
    page.locator("[data-testid=take-card][data-take='1']").click()
    page.locator("[data-testid=take-card][data-take='2']").click()
    page.wait_for_selector("[data-testid=review-stage][data-count='2']")
    page.get_by_test_id("wipe-mode").click()
    page.get_by_test_id("wipe").fill("30")
    clip = page.eval_on_selector("[data-testid=review-stage] figure:nth-of-type(2)", "(el) => el.style.clipPath")
    assert clip == "inset(0px 0px 0px 30%)"
    editor.shot("wipe between two picture takes")
    # The shot needs a retake: its latest take does.
    assert page.get_by_test_id("shot-status").first.inner_text().lower() == "retake"


def test_a_character_is_made_from_an_uploaded_image_and_shown_with_its_reference(
    editor: EditorPage, project: str, tmp_path: object,
) -> None:
    page = editor.page
    editor.open(project)
    card = make_character(editor, "mara.png", "MARA")
    assert "character" in card.inner_text().lower()
    editor.shot("the character with its reference image")
    files = list((editor.server.workspace / "Projects" / project / "01_Assets").rglob("*.ingredient.json"))
    assert [json.loads(f.read_text())["name"] for f in files] == ["MARA"]

    # Drag the character from the Cast strip onto slot 1 of the first shot (a real HTML5 drag).
    page.get_by_test_id("tab-shots").click()
    first = page.get_by_test_id("shot-row").first
    chip = page.locator("[data-testid=cast-chip]", has_text="MARA")
    chip.drag_to(first.locator("[data-testid=shot-slot][data-slot='1']"))
    first.locator("[data-testid=shot-slot][data-slot='1']", has_text="MARA").wait_for()
    mara = json.loads(files[0].read_text())["id"]
    manifest = editor.server.workspace / "Projects" / project / "project.json"

    def slots() -> list[list[str | None]]:
        scenes = [scene for chapter in json.loads(manifest.read_text())["narrative"]["chapters"]
                  for scene in chapter["scenes"]]
        return [[shot.get(f"slot{i}") for i in (1, 2, 3)] for scene in scenes for shot in scene["shots"]]

    eventually(lambda: slots()[0] == [mara, None, None], "slot 1 never reached project.json")
    editor.shot("character dragged into slot 1 in the shot list")
    # And from the Cast tab's card onto slot 2 of the shot shown in the inspector.
    page.get_by_test_id("shot-row").nth(1).locator("td").first.click()
    page.get_by_test_id("shot-inspector").wait_for()
    page.get_by_test_id("tab-cast").click()
    target = page.locator("[data-testid=right-panel] [data-testid=shot-slot][data-slot='2']")
    card.drag_to(target)
    target.locator(".name", has_text="MARA").wait_for()
    eventually(lambda: slots()[1] == [None, mara, None], "slot 2 never reached project.json")
    editor.shot("character dragged from the Cast onto slot 2 in the inspector")
    page.reload()
    page.wait_for_function("() => window.__auteur && window.__auteur.ready", timeout=20_000)
    page.get_by_test_id("tab-shots").click()
    page.locator("[data-testid=shot-row]").first.locator("[data-testid=shot-slot][data-slot='1']", has_text="MARA").wait_for()


def test_shots_are_reordered_by_dragging_a_rows_handle_and_from_the_keyboard_numbered_by_their_place(
    editor: EditorPage, project: str,
) -> None:
    scene = [{"number": n, "id": f"shot-{word}", "description": f"The {word}", "duration": 2.0}
             for n, word in ((1, "door"), (2, "cup"), (3, "window"))]
    narrative = {"chapters": [{"number": 1, "title": "One", "scenes": [{"number": 1, "title": "Kitchen", "shots": scene}]}]}
    httpx.patch(f"{editor.server.url}/api/projects/{project}", json={"narrative": narrative}, timeout=30).raise_for_status()
    root = editor.server.workspace / "Projects" / project
    page = editor.page
    editor.open(project)
    page.get_by_test_id("tab-shots").click()

    def shown() -> list[tuple[str, str]]:
        rows = page.get_by_test_id("shot-row")
        return [(rows.nth(i).get_attribute("data-shot") or "", rows.nth(i).get_by_test_id("shot-description").input_value())
                for i in range(rows.count())]

    def saved() -> list[tuple[int, str]]:
        return [(shot["number"], shot["id"]) for shot in kitchen_shots(root)]

    page.get_by_test_id("shot-row").nth(2).wait_for()
    window = page.locator("[data-testid=shot-row][data-shot='Chapter_01/Scene_01/Shot_03']")
    window.get_by_test_id("shot-handle").drag_to(page.get_by_test_id("shot-row").first.locator("td").first)
    eventually(lambda: saved() == [(1, "shot-window"), (2, "shot-door"), (3, "shot-cup")],
               "the dragged shot never reached its place in project.json")
    page.wait_for_function("() => document.querySelector('[data-testid=shot-row] [data-testid=shot-description]').value === 'The window'")
    assert [key[-7:] for key, _ in shown()] == ["Shot_01", "Shot_02", "Shot_03"]
    editor.shot("the window dragged to the top, the scene numbered 1, 2, 3")
    # The keyboard still moves a shot: the down button of the first row, by Enter.
    page.get_by_test_id("shot-row").first.get_by_test_id("shot-down").focus()
    page.keyboard.press("Enter")
    eventually(lambda: saved() == [(1, "shot-door"), (2, "shot-window"), (3, "shot-cup")],
               "the keyboard move never reached project.json")
    page.wait_for_function("() => document.querySelectorAll('[data-testid=shot-row] [data-testid=shot-description]')[1].value === 'The window'")
    assert [text for _, text in shown()] == ["The door", "The window", "The cup"]
    editor.shot("the window moved down by the keyboard")
