"""Interaction polish: a link dropped on empty canvas opens the node search for nodes that fit
and places the chosen node there, linked (litegraph's own menu opened); Escape closes every
dialog, which takes the focus when it opens (Escape did nothing while the focus was outside);
a settings panel (theme, grid, link style, shortcuts) that persists; a structure shown by its
name ("Hero's Journey", not "heros-journey"); a cancelled run says who cancelled it in words."""

from __future__ import annotations

import subprocess
import uuid
from pathlib import Path

import httpx

from .conftest import EditorPage, make_media
from .test_editor_never_lose_work import LONG_RUN

ONE_INTEGER = {
    "last_node_id": 1, "last_link_id": 0, "groups": [], "config": {}, "extra": {"ds": {"scale": 1, "offset": [200, 200]}},
    "version": 0.4,
    "nodes": [{"id": 1, "type": "core.integer", "pos": [0, 0], "size": [240, 80], "flags": {}, "order": 0, "mode": 0,
               "inputs": [], "outputs": [{"name": "value", "type": "INT", "links": []}], "properties": {},
               "widgets_values": [3]}],
    "links": [],
}


def test_a_link_dropped_on_empty_canvas_opens_the_search_for_nodes_that_fit_and_places_the_node_there(
    editor: EditorPage, project: str
) -> None:
    editor.open(project)
    editor.eval("(w) => window.__auteur.openDocument(w, 'one')", ONE_INTEGER)
    start = editor.slot_point("1", 0, is_input=False)
    end = (start[0] + 320, start[1] + 60)
    mouse = editor.page.mouse
    mouse.move(*start)
    mouse.down()
    for step in range(1, 9):
        mouse.move(start[0] + (end[0] - start[0]) * step / 8, start[1] + (end[1] - start[1]) * step / 8)
    mouse.up()
    search = editor.page.locator("[data-testid=node-search] input")
    search.wait_for()
    assert search.get_attribute("placeholder") == "Nodes that take INT…"
    assert editor.page.locator(".litecontextmenu").count() == 0
    offered = editor.eval("() => [...document.querySelectorAll('[data-testid=node-search] button[data-type]')].map((b) => b.dataset.type)")
    assert "core.add" in offered and "media.thumbnail" not in offered, offered  # it takes a VIDEO
    editor.shot("search for nodes that take an INT")
    search.fill("show")
    editor.page.locator("[data-testid=node-search] button[data-type='core.show']").click()
    placed = editor.eval(
        """() => { const e = window.__auteur.editor; const n = e.graph._nodes.find((n) => n.type === 'core.show');
             return { pos: [...n.pos], linked: n.inputs[0].link != null }; }"""
    )
    drop = editor.eval("([x, y]) => window.__auteur.editor.toCanvas(x, y)", list(end))
    assert placed["linked"] and abs(placed["pos"][0] - drop[0]) < 5 and abs(placed["pos"][1] - drop[1]) < 5, (placed, drop)
    editor.shot("placed where the link was dropped, linked")


def test_escape_closes_every_dialog_and_each_takes_the_focus(editor: EditorPage, project: str) -> None:
    editor.open(project)
    openers = {
        "Templates": lambda: editor.page.get_by_test_id("templates").click(),
        "Open workflow": lambda: editor.page.get_by_role("button", name="Open", exact=True).click(),
        "Save workflow as": lambda: editor.page.get_by_test_id("save-as").click(),
        "New project": lambda: editor.page.get_by_test_id("new-project").click(),
        "Settings": lambda: editor.page.get_by_test_id("settings-button").click(),
    }
    for title, open_dialog in openers.items():
        open_dialog()
        dialog = editor.page.get_by_role("dialog", name=title)
        dialog.wait_for()
        assert editor.eval("(t) => document.querySelector(`[role=dialog][aria-label='${t}']`).contains(document.activeElement)", title), title
        editor.page.keyboard.press("Escape")
        dialog.wait_for(state="detached")
    editor.shot("every dialog closed by Escape")


def test_settings_change_theme_grid_and_link_style_list_the_shortcuts_and_persist(editor: EditorPage, project: str) -> None:
    editor.open(project)
    editor.page.get_by_test_id("settings-button").click()
    settings = editor.page.get_by_test_id("settings")
    assert "Ctrl+Enter" in settings.get_by_test_id("shortcuts").inner_text()
    settings.get_by_label("Theme").select_option("light")
    settings.get_by_label("Link style").select_option("straight")
    settings.get_by_label("Show a grid on the canvas").check()
    state = editor.eval(
        """() => { const c = window.__auteur.editor.canvas;
             return { theme: document.documentElement.dataset.theme, links: c.links_render_mode,
                      grid: c.background_image.startsWith('data:image/png'), bg: c.clear_background_color }; }"""
    )
    assert state == {"theme": "light", "links": 0, "grid": True, "bg": "#e6e8ec"}, state
    editor.shot("light theme, grid, right-angle links")
    editor.page.keyboard.press("Escape")
    editor.page.reload()
    editor.page.wait_for_function("() => window.__auteur && window.__auteur.ready")
    assert editor.eval("() => [document.documentElement.dataset.theme, window.__auteur.editor.canvas.links_render_mode]") == ["light", 0]


def test_the_structure_is_named_in_words_and_a_cancelled_run_says_who_cancelled_it(editor: EditorPage) -> None:
    url = editor.server.url
    name = f"Journey {uuid.uuid4().hex[:6]}"
    httpx.post(f"{url}/api/projects", json={"name": name, "quality": "low", "structure": "heros-journey"},
               timeout=30).raise_for_status()
    editor.open(name)
    assert editor.page.get_by_test_id("project-structure").inner_text() == "Hero's Journey"
    # Once a screenplay's breakdown replaced the placeholder acts the badge names what is there.
    scenes = [{"number": n, "slugline": f"INT. ROOM {n} - DAY", "shots": []} for n in (1, 2)]
    narrative = {"structure": "heros-journey", "chapters": [
        {"number": 1, "title": "Two Rooms", "breakdown": "02_Source_Creative/ShotLists/Two_Rooms.breakdown.json",
         "scenes": scenes}]}
    httpx.patch(f"{url}/api/projects/{name}", json={"narrative": narrative}, timeout=30).raise_for_status()
    editor.page.wait_for_function(
        "() => document.querySelector('[data-testid=project-structure]').textContent === 'Screenplay · 2 scenes'")
    editor.eval("(w) => window.__auteur.openDocument(w, 'long')", LONG_RUN)
    editor.page.get_by_test_id("queue").click()
    editor.page.wait_for_function("() => window.__auteur.editor.runState.get('1')?.status === 'running'", timeout=30_000)
    editor.page.get_by_test_id("cancel-run").click()
    editor.page.wait_for_selector("[data-testid=run][data-status=cancelled]", timeout=20_000)
    reason = editor.page.get_by_test_id("run-reason")
    reason.wait_for(timeout=20_000)
    assert reason.inner_text() == "Cancelled by you (on this computer)"
    assert "cancelled by local" not in editor.page.locator("body").inner_text()
    editor.shot("cancelled, in words")


def test_a_refused_upload_says_which_category_would_take_it_and_can_go_there_or_be_dismissed(
    editor: EditorPage, project: str, tmp_path: Path
) -> None:
    sound = make_media("video", tmp_path / "tone.mp4", seconds=0.5)
    audio = tmp_path / "tone.m4a"
    subprocess.run(["ffmpeg", "-hide_banner", "-loglevel", "error", "-y", "-i", str(sound), "-vn", "-c:a", "copy",
                    str(audio)], check=True)
    editor.open(project)
    editor.page.get_by_role("button", name="Assets", exact=True).click()
    editor.drop_files("[data-testid=asset-dropzone]", [("tone.m4a", audio.read_bytes(), "audio/mp4")])
    row = editor.page.get_by_test_id("upload-progress")
    row.get_by_test_id("upload-error").wait_for()
    assert row.get_by_test_id("upload-hint").inner_text() == "Music would take it."
    editor.shot("refused by Characters: Music would take it")
    row.get_by_test_id("upload-to").click()
    row.wait_for(state="detached")
    assets = httpx.get(f"{editor.server.url}/api/projects/{project}/assets", timeout=10).json()
    assert any(item["category"] == "Music" for item in assets["items"]), assets
    editor.drop_files("[data-testid=asset-dropzone]", [("again.m4a", audio.read_bytes(), "audio/mp4")])
    row.get_by_test_id("upload-error").wait_for()
    row.get_by_test_id("upload-dismiss").click()
    row.wait_for(state="detached")
    editor.shot("dismissed")
    # Chromium logs every refused request as a console error: the two refusals are the point here.
    refused = [error for error in editor.errors if "status of 415" in error]
    assert len(refused) == 2
    editor.errors[:] = [error for error in editor.errors if error not in refused]


CHAIN_IN_A_GROUP = {
    "last_node_id": 2, "last_link_id": 1, "config": {}, "version": 0.4,
    "extra": {"ds": {"scale": 1, "offset": [120, 160]}},
    "groups": [{"title": "Numbers", "bounding": [-20, -80, 640, 240], "color": "#3f789e", "font_size": 24}],
    "nodes": [
        {"id": 1, "type": "core.integer", "pos": [0, 0], "size": [240, 90], "flags": {}, "order": 0, "mode": 0, "inputs": [],
         "outputs": [{"name": "value", "type": "INT", "links": [1]}], "properties": {}, "widgets_values": [4]},
        {"id": 2, "type": "core.add", "pos": [340, 0], "size": [240, 90], "flags": {}, "order": 1, "mode": 0,
         "inputs": [{"name": "a", "type": "FLOAT", "link": 1, "widget": {"name": "a"}},
                    {"name": "b", "type": "FLOAT", "link": None, "widget": {"name": "b"}}],
         "outputs": [{"name": "value", "type": "FLOAT", "links": []}], "properties": {}, "widgets_values": [0, 3]},
    ],
    "links": [[1, 1, 0, 2, 0, "INT"]],
}

# Pixels of the drawn canvas at graph points: a node's body, title bar and widget field, the
# link's middle (the darkest pixel across it), the group's title band and the background.
SAMPLE = """() => {
  const e = window.__auteur.editor; e.drawNow();
  const ctx = e.element.getContext('2d'); const r = window.devicePixelRatio || 1;
  const px = (x, y) => { const [sx, sy] = e.toScreen([x, y]); return Array.from(ctx.getImageData(Math.round(sx * r), Math.round(sy * r), 1, 1).data.slice(0, 3)); };
  const add = e.nodeById('2'); const [x, y] = add.pos; const [w, h] = add.size;
  const b = add.widgets.find((w) => w.name === 'b');
  const from = e.nodeById('1').getConnectionPos(false, 0); const to = add.getConnectionPos(true, 0);
  const mid = [(from[0] + to[0]) / 2, (from[1] + to[1]) / 2];
  const across = [-3, -2, -1, 0, 1, 2, 3].map((d) => px(mid[0], mid[1] + d)).sort((p, q) => (p[0] + p[1] + p[2]) - (q[0] + q[1] + q[2]));
  return { body: px(x + w / 2, y + h - 3), title: px(x + w - 12, y - 6), widget: px(x + w / 2, y + b.last_y + 10),
           link: across[0], group: px(-10 + 300, -80 + 5), background: px(x, y + 300),
           titleText: e.canvas.node_title_color };
}"""


def _luminance(rgb: list[int] | str) -> float:
    if isinstance(rgb, str):
        text = rgb.strip().lstrip("#")
        rgb = [int(text[i:i + 2], 16) for i in (0, 2, 4)]

    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.03928 else float(((c + 0.055) / 1.055) ** 2.4)

    red, green, blue = (channel(v) for v in rgb)
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue


def _contrast(a: list[int] | str, b: list[int] | str) -> float:
    high, low = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_the_light_theme_restyles_nodes_widgets_links_and_groups_readably_and_persists(editor: EditorPage, project: str) -> None:
    editor.open(project)
    editor.eval("(doc) => window.__auteur.openDocument(doc, 'themed.json')", CHAIN_IN_A_GROUP)
    dark = editor.eval(SAMPLE)
    assert _luminance(dark["body"]) < 0.1 and _luminance(dark["widget"]) < 0.1, dark
    editor.page.get_by_test_id("settings-button").click()
    editor.page.get_by_test_id("settings").get_by_label("Theme").select_option("light")
    editor.page.keyboard.press("Escape")
    light = editor.eval(SAMPLE)
    editor.shot("light theme: nodes, widgets, links and the group restyled")
    # Nodes and widgets are light surfaces now (only the chrome changed before) ...
    for part in ("body", "title", "widget", "background"):
        assert _luminance(light[part]) > 0.5, (part, light)
    # ... with dark text at a readable contrast, links and the group's band set off the canvas.
    assert _contrast(light["titleText"], light["title"]) >= 4.5, light
    assert _contrast(light["titleText"], light["body"]) >= 4.5, light
    assert _contrast(light["link"], light["background"]) >= 3, light
    assert light["group"] != light["background"] and _luminance(light["group"]) < _luminance(light["background"]), light
    assert editor.eval("() => window.__auteur.dirty") is False  # a theme is no change to the workflow

    editor.page.reload()
    editor.page.wait_for_function("() => window.__auteur && window.__auteur.ready")
    editor.page.wait_for_function("() => window.__auteur.editor.nodeById('2')")
    assert editor.eval(SAMPLE)["body"] == light["body"]
    editor.shot("after a reload: still light")
