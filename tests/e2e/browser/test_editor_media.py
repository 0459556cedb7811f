"""Assets and media in the editor: drag-and-drop upload, asset nodes, a media graph's take."""

from __future__ import annotations

from pathlib import Path

import httpx

from .conftest import EditorPage, make_media


def test_dropped_images_appear_in_the_asset_browser_with_thumbnails_and_as_media_load_on_the_canvas(
    editor: EditorPage, project: str, tmp_path: Path
) -> None:
    still = make_media("image", tmp_path / "hero.png").read_bytes()
    other = make_media("image", tmp_path / "beach.png").read_bytes()
    editor.open(project)
    editor.page.get_by_role("button", name="Assets", exact=True).click()
    editor.page.get_by_role("tab", name="Characters").click()
    editor.shot("asset browser")
    editor.drop_files(
        "[data-testid=asset-dropzone]",
        [("hero.png", still, "image/png"), ("beach.png", other, "image/png")],
    )
    tiles = editor.page.locator("[data-testid=asset-tile]")
    tiles.nth(1).wait_for()
    editor.page.wait_for_function(
        "() => [...document.querySelectorAll('[data-testid=asset-tile] img')].every((i) => i.complete && i.naturalWidth > 0)"
    )
    assert sorted(tiles.evaluate_all("(t) => t.map((e) => e.dataset.path.split('/').pop())")) == [
        "beach.png",
        "hero.png",
    ]
    editor.shot("uploaded with thumbnails")

    canvas = editor.page.locator("[data-testid=graph-canvas]")
    tiles.first.drag_to(canvas, target_position={"x": 300, "y": 200})
    editor.page.wait_for_function("() => window.__auteur.editor.graph._nodes.length === 1")
    node = editor.eval(
        "() => { const n = window.__auteur.editor.graph._nodes[0]; return {type: n.type, path: n.widgets[0].value}; }"
    )
    first = tiles.first.get_attribute("data-path")
    assert node == {"type": "media.load", "path": first}
    editor.shot("asset dragged onto the canvas")

    box = canvas.bounding_box()
    assert box is not None
    editor.drop_files(
        "[data-testid=canvas-host]",
        [("prop.png", still, "image/png")],
        at=(box["x"] + 500, box["y"] + 400),
    )
    editor.page.wait_for_function("() => window.__auteur.editor.graph._nodes.length === 2")
    dropped = editor.eval("() => window.__auteur.editor.graph._nodes[1].widgets[0].value")
    assert dropped.startswith("01_Assets/Objects/prop")
    assets = httpx.get(f"{editor.server.url}/api/projects/{project}/assets", timeout=10).json()[
        "items"
    ]
    assert dropped in [asset["path"] for asset in assets]
    editor.shot("image dropped on the canvas")


def test_a_media_graph_makes_a_take_that_appears_in_the_tree_and_plays_in_the_asset_tab(
    editor: EditorPage, project: str, tmp_path: Path
) -> None:
    clip = make_media("video", tmp_path / "rehearsal.mp4", seconds=3).read_bytes()
    editor.open(project)
    editor.page.get_by_role("button", name="Assets", exact=True).click()
    editor.page.get_by_role("tab", name="Objects").click()
    editor.drop_files("[data-testid=asset-dropzone]", [("rehearsal.mp4", clip, "video/mp4")])
    tile = editor.page.locator("[data-testid=asset-tile]").first
    tile.wait_for()
    box = editor.page.locator("[data-testid=graph-canvas]").bounding_box()
    assert box is not None
    tile.drag_to(
        editor.page.locator("[data-testid=graph-canvas]"), target_position={"x": 120, "y": 160}
    )
    editor.page.wait_for_function("() => window.__auteur.editor.graph._nodes.length === 1")
    load = editor.node_ids()[0]
    trim = editor.add_by_search("trim", "media.trim", (box["x"] + 420, box["y"] + 140))
    take = editor.add_by_search(
        "save take", "production.save_take", (box["x"] + 420, box["y"] + 420)
    )
    editor.drag_link(load, 0, trim, editor.input_index(trim, "video"))
    editor.drag_link(trim, 0, take, editor.input_index(take, "media"))
    editor.select_node(trim)
    duration = editor.page.locator("[data-testid=inspector] #in-duration")
    duration.fill("00:00:02")
    duration.press("Tab")
    editor.shot("media graph")

    editor.page.get_by_test_id("queue").click()
    editor.page.wait_for_selector("[data-testid=run][data-status=completed]", timeout=90_000)
    editor.page.locator("[data-testid=notice][data-kind=take]").wait_for()
    editor.page.get_by_role("button", name="Project", exact=True).click()
    take_row = editor.page.locator("[data-testid=project-tree] [data-kind=take]").first
    take_row.wait_for()
    editor.shot("take in the project tree")
    take_row.locator("button.label").click()
    player = editor.page.locator("[data-testid=asset-view] [data-testid=video-player]")
    player.wait_for()
    editor.page.wait_for_function(
        "() => { const v = document.querySelector('[data-testid=video-player]'); return v && v.readyState >= 1 && v.duration > 1; }",
        timeout=20_000,
    )
    duration_s = player.evaluate("(v) => v.duration")
    assert 1.5 < duration_s < 2.6
    player.evaluate("(v) => { v.muted = true; return v.play(); }")
    editor.page.wait_for_function(
        "() => document.querySelector('[data-testid=video-player]').currentTime > 0.2"
    )
    editor.shot("take playing in the asset tab")
    assert "S01_S01_take01" in (take_row.get_attribute("data-path") or "")
