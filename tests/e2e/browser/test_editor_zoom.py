"""Readable at every zoom: zoomed out below litegraph's detail level a node still shows its title
(it was an unlabelled grey box at 50%), Fit reaches below 10% for a big graph, a minimap moves
the view, a list of media outputs is a list of players (not a JSON array of paths) and a payload
output is one folded line (not hundreds of pixels of JSON)."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import httpx

from .conftest import EditorPage, make_media

BRIGHT_TITLE_PIXELS = """(id) => {
  const e = window.__auteur.editor; e.drawNow();
  const n = e.nodeById(id); const [x, y] = e.toScreen([n.pos[0], n.pos[1] - 30]);
  const [x2, y2] = e.toScreen([n.pos[0] + n.size[0], n.pos[1]]);
  const r = window.devicePixelRatio || 1;
  const data = e.element.getContext('2d').getImageData(x * r, y * r, Math.max(1, (x2 - x) * r), Math.max(1, (y2 - y) * r)).data;
  let bright = 0;
  for (let i = 0; i < data.length; i += 4) if (data[i] + data[i + 1] + data[i + 2] > 480) bright++;
  return bright;
}"""


# The contrast of the minimap's view frame against the minimap's own background: after Fit the
# frame encloses every node, so the topmost opaque row of the drawing is the frame's top edge.
FRAME_CONTRAST = """() => {
  const map = document.querySelector('[data-testid=minimap]');
  const data = map.getContext('2d').getImageData(0, 0, map.width, map.height).data;
  const luminance = ([r, g, b]) => { const lin = (c) => { c /= 255; return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4; };
                                      return 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b); };
  let frame = null;
  for (let i = 3; i < data.length && !frame; i += 4) if (data[i] > 200) frame = [data[i - 3], data[i - 2], data[i - 1]];
  const background = getComputedStyle(map).backgroundColor.match(/[0-9.]+/g).slice(0, 3).map(Number);
  const [a, b] = [luminance(frame), luminance(background)].sort((x, y) => y - x);
  return (a + 0.05) / (b + 0.05);
}"""


def _grid(count: int) -> dict[str, Any]:
    nodes = [
        {"id": i + 1, "type": "core.integer", "pos": [(i % 40) * 320, (i // 40) * 160], "size": [240, 80],
         "flags": {}, "order": i, "mode": 0, "inputs": [], "outputs": [{"name": "value", "type": "INT", "links": []}],
         "properties": {}, "widgets_values": [i]}
        for i in range(count)
    ]
    return {"last_node_id": count, "last_link_id": 0, "nodes": nodes, "links": [], "groups": [], "config": {},
            "extra": {}, "version": 0.4}


def test_titles_stay_readable_zoomed_out_fit_reaches_below_ten_percent_and_the_minimap_moves_the_view(
    editor: EditorPage, project: str
) -> None:
    editor.open(project)
    editor.page.get_by_test_id("templates").click()
    editor.page.locator("[data-testid=template-browser] .list button[data-id=screenplay_to_veo_payloads]").click()
    editor.page.get_by_test_id("open-template").click()
    editor.page.locator("[data-testid=template-browser]").wait_for(state="detached")
    first = editor.node_ids()[0]
    editor.eval("""(id) => { const e = window.__auteur.editor; const n = e.nodeById(id); e.canvas.ds.scale = 0.5;
                     e.centreOn([n.pos[0] + n.size[0] / 2, n.pos[1]]); }""", first)
    assert editor.eval("() => window.__auteur.editor.canvas.low_quality") is True
    assert editor.eval(BRIGHT_TITLE_PIXELS, first) > 30  # the title's letters, drawn at a readable size
    editor.shot("template at 50 percent: titles and first values readable")

    editor.eval("(w) => window.__auteur.openDocument(w, 'grid')", _grid(1000))
    editor.page.wait_for_function("() => window.__auteur.editor.graph._nodes.length === 1000")
    editor.page.get_by_role("button", name="Fit", exact=True).click()
    view = editor.eval(
        """() => { const o = window.__auteur.editor.overview(); const [vx, vy, vw, vh] = o.view;
             const inside = o.nodes.every(([x, y, w, h]) => x >= vx && y >= vy && x + w <= vx + vw && y + h <= vy + vh);
             return { scale: window.__auteur.editor.canvas.ds.scale, inside }; }"""
    )
    assert view["scale"] < 0.1 and view["inside"], view
    editor.shot("1,000 nodes fit")

    minimap = editor.page.get_by_test_id("minimap")
    box = minimap.bounding_box()
    assert box is not None
    editor.page.get_by_role("button", name="Fit", exact=True).click()
    editor.eval("() => { const e = window.__auteur.editor; e.canvas.ds.scale = 0.5; e.centreOn([0, 0]); }")
    before = editor.eval("() => [...window.__auteur.editor.canvas.ds.offset]")
    minimap.click(position={"x": box["width"] - 10, "y": box["height"] - 10})
    after = editor.eval("() => [...window.__auteur.editor.canvas.ds.offset]")
    assert after[0] < before[0] - 1000 and after[1] < before[1] - 500, (before, after)  # moved to the far corner
    editor.shot("minimap moved the view to the far corner")

    # The view's frame stands out on either theme's minimap (it was amber on near-white in the light one).
    editor.page.get_by_role("button", name="Fit", exact=True).click()
    editor.page.get_by_test_id("settings-button").click()
    for theme in ("light", "dark"):
        editor.page.get_by_test_id("settings").get_by_label("Theme").select_option(theme)
        editor.page.wait_for_function(f"() => document.documentElement.dataset.theme === '{theme}'")
        editor.eval("() => window.__auteur.editor.drawNow()")
        contrast = editor.eval(FRAME_CONTRAST)
        assert contrast >= 3, (theme, contrast)
        editor.shot(f"minimap frame on the {theme} theme")
    editor.page.keyboard.press("Escape")


TILE_PIXEL = """(id) => {
  const e = window.__auteur.editor; e.drawNow();
  const n = e.nodeById(id); const [x, y] = e.toScreen([n.pos[0] + n.size[0] / 2, n.pos[1] + n.size[1] / 2]);
  const r = window.devicePixelRatio || 1;
  return [...e.element.getContext('2d').getImageData(Math.round(x * r), Math.round(y * r), 1, 1).data.slice(0, 3)];
}"""


def test_far_out_a_big_graph_is_tiles_and_a_run_colours_the_tiles_of_the_nodes_it_ran(
    editor: EditorPage, project: str
) -> None:
    """Below 40 screen pixels a node is a tile (its widgets and slots were drawn in full, unreadable,
    at ~60 ms a frame for 1,000 nodes): the run still shows, as the tiles of the nodes it ran."""
    editor.open(project)
    workflow = _grid(1000)
    workflow["nodes"].append({"id": 1001, "type": "core.show", "pos": [0, -300], "size": [240, 80], "flags": {},
                              "order": 1000, "mode": 0, "inputs": [{"name": "value", "type": "*", "link": 1}],
                              "outputs": [], "properties": {}})
    workflow["nodes"][0]["outputs"][0]["links"] = [1]
    workflow["nodes"][0]["widgets_values"] = [int(time.time() * 1000) % 1_000_000]  # not a cache hit
    workflow["links"] = [[1, 1, 0, 1001, 0, "INT"]]
    workflow.update(last_node_id=1001, last_link_id=1)
    editor.eval("(w) => window.__auteur.openDocument(w, 'tiles')", workflow)
    editor.page.wait_for_function("() => window.__auteur.editor.graph._nodes.length === 1001")
    editor.page.get_by_role("button", name="Fit", exact=True).click()
    assert editor.eval("() => 240 * window.__auteur.editor.canvas.ds.scale") < 40
    idle = editor.eval(TILE_PIXEL, "500")
    editor.page.get_by_test_id("queue").click()
    editor.page.wait_for_function("() => window.__auteur.runs[0]?.status === 'completed'", timeout=30_000)
    # its card counts the nodes it ran, all done (999 never-run nodes left it at 0.2%), once the
    # run's record is read
    editor.page.wait_for_function(
        "() => document.querySelector('[data-testid=run] .bar > div')?.style.width === '100%'", timeout=10_000)
    ran, untouched = editor.eval(TILE_PIXEL, "1"), editor.eval(TILE_PIXEL, "500")
    editor.shot("far out: the run's two nodes are green tiles")
    assert ran == [0x43, 0xC8, 0x72], ran  # the completed colour fills the tile of a node the run ran
    assert untouched == idle and untouched != ran, (idle, untouched)  # a node it did not run is unchanged


def test_a_list_of_media_outputs_is_players_and_a_payload_is_one_folded_line(
    editor: EditorPage, project: str, tmp_path: Path
) -> None:
    paths = []
    for name in ("a.png", "b.png"):
        image = make_media("image", tmp_path / name)
        response = httpx.post(f"{editor.server.url}/api/projects/{project}/assets", data={"category": "Objects"},
                              files={"file": (name, image.read_bytes(), "image/png")}, timeout=30)
        response.raise_for_status()
        paths.append(response.json()["path"])
    workflow = {
        "last_node_id": 2, "last_link_id": 1, "groups": [], "config": {}, "extra": {}, "version": 0.4,
        "nodes": [
            {"id": 1, "type": "test.items", "pos": [0, 0], "size": [260, 80], "flags": {}, "order": 0, "mode": 0,
             "inputs": [], "outputs": [{"name": "items", "type": "*", "links": [1]}], "properties": {},
             "widgets_values": [",".join(paths)]},
            {"id": 2, "type": "test.collect", "pos": [340, 0], "size": [260, 80], "flags": {}, "order": 1, "mode": 0,
             "inputs": [{"name": "values", "type": "*", "link": 1}],
             "outputs": [{"name": "count", "type": "INT", "links": []}, {"name": "items", "type": "*", "links": []}],
             "properties": {}, "widgets_values": []},
        ],
        "links": [[1, 1, 0, 2, 0, "*"]],
    }
    editor.open(project)
    editor.eval("(w) => window.__auteur.openDocument(w, 'stills')", workflow)
    editor.page.get_by_test_id("queue").click()
    editor.page.wait_for_selector("[data-testid=run][data-status=completed]", timeout=30_000)
    output = editor.page.locator("[data-testid=node-output][data-node-id='2']")
    output.locator("img").nth(1).wait_for()
    assert output.locator("img").count() == 2
    assert "[" not in (output.locator("pre").all_inner_texts() or [""])[0]
    editor.shot("two stills as two players")

    editor.eval("() => window.__auteur.editor.addNode('production.veo_payload', [700, 0])")
    node = editor.eval("() => String(window.__auteur.editor.graph._nodes.find((n) => n.type === 'production.veo_payload').id)")
    payload = {"model": "veo-3.1-generate-001", "shot_id": "s1", "request": {"instances": [{"prompt": "x " * 400}],
               "parameters": {"durationSeconds": 8, "aspectRatio": "16:9", "resolution": "720p"}}}
    editor.eval("([id, payload]) => window.__auteur.editor.setRunState(id, { status: 'completed', outputs: { payload, take: '' } })",
                [node, payload])
    folded = editor.page.locator(f"[data-testid=node-output][data-node-id='{node}'] [data-testid=payload-preview]")
    folded.wait_for()
    box = folded.bounding_box()
    assert box is not None and box["height"] < 40, box
    assert folded.get_attribute("open") is None
    editor.shot("payload folded to one line")
    folded.locator("summary").click()
    assert json.loads(folded.locator("pre").inner_text())["shot_id"] == "s1"
