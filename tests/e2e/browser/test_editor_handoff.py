"""Handing the work on from the editor, in Debian's Chromium: the Shot list's Export cut (an EDL,
then an .otio zipped with its media) and paperwork buttons (shot list, storyboard and screenplay
PDFs), and the Scene view's scene cut and storyboard, each a real download whose file is read
back (pycmx, zipfile, pypdf); an edited EDL conformed from the Shot list (preview, apply)."""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

import httpx
import pycmx
from integration.server_harness import save_take
from pypdf import PdfReader

from .conftest import EditorPage, make_media

SCREENPLAY = """Title: Two Rooms

INT. KITCHEN - NIGHT

MARA sets down a cup and looks at the door.

MARA
You came back.

EXT. STREET - DAWN

JONAH walks away under the streetlights.
"""
NARRATIVE = {"chapters": [{"number": 1, "title": "Act One", "scenes": [
    {"number": 1, "title": "INT. KITCHEN - NIGHT", "shots": [
        {"number": 1, "id": "shot-cup", "description": "MARA sets down a cup", "duration": 2.0},
        {"number": 2, "id": "shot-door", "description": "The door", "duration": 1.5},
    ]},
    {"number": 2, "title": "EXT. STREET - DAWN", "shots": [
        {"number": 1, "id": "shot-street", "description": "JONAH walks away", "duration": 2.0}]},
]}]}


RECUT = """TITLE: recut
FCM: NON-DROP FRAME

001  BL       V     C        00:00:00:00 00:00:01:12 01:00:00:00 01:00:01:12
* FROM CLIP NAME: SC01_SH02
* AUTEUR SHOT ID: shot-door

002  AX       V     C        00:00:00:06 00:00:01:06 01:00:01:12 01:00:02:12
* FROM CLIP NAME: SC01_SH01
* AUTEUR SHOT ID: shot-cup
* SOURCE FILE: SOURCE

003  BL       V     C        00:00:00:00 00:00:02:00 01:00:02:12 01:00:04:12
* FROM CLIP NAME: SC02_SH01
* AUTEUR SHOT ID: shot-street
"""


def _source_of(edl: Path, clip: str) -> str:
    parsed = pycmx.parse_cmx3600(io.StringIO(edl.read_text(encoding="utf-8")))
    return next(str(e.source_file) for event in parsed.events for e in event.edits if e.clip_name == clip)


def _download(editor: EditorPage, test_id: str, folder: Path, scope: str = "") -> Path:
    """Click a hand-off button and save what the browser downloads."""
    root = editor.page.locator(f"{scope} [data-testid={test_id}]".strip()).first
    with editor.page.expect_download(timeout=60_000) as info:
        root.click()
    download = info.value
    target = folder / download.suggested_filename
    download.save_as(target)
    return target


def _pdf_text(path: Path) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(path).pages)


def test_the_cut_and_the_paperwork_are_downloaded_from_the_shot_list_and_the_scene_view(
    editor: EditorPage, project: str, tmp_path: Path,
) -> None:
    url = editor.server.url
    with httpx.Client(base_url=url, timeout=60) as client:
        added = client.post(f"/api/projects/{project}/documents/scripts",
                            json={"filename": "two_rooms.fountain", "content": SCREENPLAY})
        assert added.status_code == 201, added.text
        assert client.patch(f"/api/projects/{project}", json={"narrative": NARRATIVE}).status_code == 200
        clip = editor.server.workspace / "Projects" / project / "05_Cache" / "cup.mp4"
        clip.parent.mkdir(parents=True, exist_ok=True)
        make_media("video", clip, seconds=2.0)
        save_take(client, project, "05_Cache/cup.mp4", "Chapter_01/Scene_01/Shot_01")
    editor.open(project)
    page = editor.page
    page.get_by_test_id("tab-shots").click()
    page.get_by_test_id("shot-row").nth(2).wait_for()
    editor.shot("shot list with the hand-off bar")

    page.get_by_test_id("cut-format").first.select_option("edl")
    edl_file = _download(editor, "export-cut", tmp_path)
    assert edl_file.name == f"{project}.edl"
    edl = pycmx.parse_cmx3600(io.StringIO(edl_file.read_text(encoding="utf-8")))
    assert [e.clip_name for event in edl.events for e in event.edits] == ["SC01_SH01", "SC01_SH02", "SC02_SH01"]

    page.get_by_test_id("cut-format").first.select_option("otio")
    page.get_by_test_id("cut-zip").first.check()
    packed = _download(editor, "export-cut", tmp_path)
    assert packed.name == f"{project}.otio.zip"
    with zipfile.ZipFile(packed) as archive:
        assert archive.namelist() == [f"{project}.otio", "media/S01_S01_take01.mp4"]
        assert archive.testzip() is None
    editor.shot("cut exported as a zip")

    shot_list = _download(editor, "paper-shot_list_pdf", tmp_path)
    assert shot_list.name == "two_rooms.shotlist.pdf" and "Shot list" in _pdf_text(shot_list)
    screenplay = _download(editor, "paper-screenplay_pdf", tmp_path)
    assert screenplay.name == "two_rooms.pdf" and "You came back." in _pdf_text(screenplay)
    board = _download(editor, "paper-storyboard_pdf", tmp_path)
    assert board.name == "two_rooms.storyboard.pdf" and len(PdfReader(board).pages) >= 1
    editor.shot("paperwork downloaded")

    # An edit comes back: the door before the cup, the cup trimmed to 1 s from frame 6.
    recut = RECUT.replace("SOURCE", _source_of(edl_file, "SC01_SH01"))
    page.get_by_test_id("conform-file").set_input_files(
        files=[{"name": "recut.edl", "mimeType": "text/plain", "buffer": recut.encode()}])
    dialog = page.get_by_test_id("conform-dialog")
    dialog.get_by_test_id("conform-shot").first.wait_for()
    assert "Sc 01 · Shot 02, Sc 01 · Shot 01" in dialog.get_by_test_id("conform-order").inner_text()
    editor.shot("conform preview")
    dialog.get_by_test_id("conform-apply").click()
    # One numbering rule with the shot list's reorder: the door, now first, is Shot 1.
    page.wait_for_function(
        "() => document.querySelector('[data-testid=shot-row] [data-testid=shot-description]')?.value === 'The door'")
    assert page.get_by_test_id("shot-row").first.get_attribute("data-shot") == "Chapter_01/Scene_01/Shot_01"
    editor.shot("shot list after the conform")
    with httpx.Client(base_url=url, timeout=30) as client:
        scene = client.get(f"/api/projects/{project}").json()["narrative"]["chapters"][0]["scenes"][0]
    assert [(s["id"], s["duration"], s["sourceIn"]) for s in scene["shots"]] == [
        ("shot-door", 1.5, 0.0), ("shot-cup", 1.0, 0.25)]

    # The Scene view hands on one scene: its cut and its storyboard.
    page.get_by_role("button", name="Project", exact=True).click()
    page.locator("[data-testid=project-tree] [data-kind=scene] button.label").first.click()
    view = "[data-testid=scene-view]"
    page.locator(f"{view} [data-testid=scene-shot]").nth(1).wait_for()
    page.locator(f"{view} [data-testid=cut-format]").select_option("edl")
    scene_cut = _download(editor, "export-cut", tmp_path, view)
    assert scene_cut.name == f"{project}_Chapter_01_Scene_01.edl"
    scene_edl = pycmx.parse_cmx3600(io.StringIO(scene_cut.read_text(encoding="utf-8")))
    # The conformed order, numbered by place: the door, then the cup.
    assert [e.clip_name for event in scene_edl.events for e in event.edits] == ["SC01_SH01", "SC01_SH02"]
    assert re.findall(r"AUTEUR SHOT ID: (\S+)", scene_cut.read_text(encoding="utf-8")) == ["shot-door", "shot-cup"]
    scene_board = _download(editor, "paper-storyboard_pdf", tmp_path, view)
    assert scene_board.name == "two_rooms.storyboard.scene01.pdf"
    assert "MARA" in _pdf_text(scene_board) and "JONAH" not in _pdf_text(scene_board)
    editor.shot("scene view hand-off")
