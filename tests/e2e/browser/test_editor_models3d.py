"""3D assets in the editor (issue 22, item 5): a GLB made in the test with pygltflib, uploaded to
the 3D category, is shown in the Asset tab by the three.js viewer (a loading state, then the
model on a lit stage), orbits when dragged, stops auto-rotating when asked, and follows the
panel's size; its thumbnail is in the asset browser."""

from __future__ import annotations

from typing import Any

import httpx
from integration.gltf_models import cube_glb
from integration.server_harness import ServerProcess

from .conftest import EditorPage

CAMERA = "() => { const p = document.querySelector('[data-testid=model-viewer] .stage').camera.position; return [p.x, p.y, p.z]; }"


def lit_pixels(editor: EditorPage) -> int:
    """Pixels of the viewer's canvas brighter than the stage (the model and its light)."""
    count: int = editor.eval("""() => { const c = document.querySelector('[data-testid=model-viewer] canvas');
        const g = document.createElement('canvas'); g.width = c.width; g.height = c.height;
        const x = g.getContext('2d'); x.drawImage(c, 0, 0);
        const d = x.getImageData(0, 0, g.width, g.height).data; let n = 0;
        for (let i = 0; i < d.length; i += 4) if (d[i] + d[i + 1] + d[i + 2] > 300) n++; return n; }""")
    return count


def test_a_glb_is_shown_in_the_viewer_orbits_and_follows_the_panel(
    editor: EditorPage, project: str, editor_server: ServerProcess
) -> None:
    made = httpx.post(f"{editor_server.url}/api/projects/{project}/assets", data={"category": "3D"},
                      files={"file": ("crate.glb", cube_glb(), "application/octet-stream")}, timeout=30)
    assert made.status_code == 201, made.text
    editor.open(project)
    editor.page.locator("nav[aria-label='Left panel'] button", has_text="Assets").click()
    editor.page.locator("[data-testid=asset-browser] .cats button", has_text="3D").click()
    tile = editor.page.locator("[data-testid=asset-tile][data-path='01_Assets/3D/crate.glb']")
    tile.wait_for()
    tile.click()
    viewer = editor.page.get_by_test_id("model-viewer")
    viewer.wait_for()
    editor.page.wait_for_selector("[data-testid=model-viewer][data-state=ready]", timeout=30_000)
    editor.page.wait_for_timeout(300)
    assert lit_pixels(editor) > 2000
    editor.shot("the crate on the stage")

    editor.page.get_by_test_id("model-autorotate").click()  # hold still for the orbit
    before: list[Any] = editor.eval(CAMERA)
    box = editor.page.locator("[data-testid=model-viewer] canvas").bounding_box()
    assert box is not None
    mouse = editor.page.mouse
    mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    mouse.down()
    for step in range(1, 11):
        mouse.move(box["x"] + box["width"] / 2 + 18 * step, box["y"] + box["height"] / 2 + 4 * step)
    mouse.up()
    editor.page.wait_for_timeout(500)
    after: list[Any] = editor.eval(CAMERA)
    assert max(abs(a - b) for a, b in zip(before, after, strict=True)) > 0.1, (before, after)
    editor.shot("orbited")

    width = editor.eval("() => document.querySelector('[data-testid=model-viewer] canvas').width")
    editor.page.set_viewport_size({"width": 1100, "height": 800})
    editor.page.wait_for_function("(w) => document.querySelector('[data-testid=model-viewer] canvas').width !== w",
                                  arg=width)
    editor.shot("resized with the panel")
    thumb = editor.page.locator("[data-testid=asset-tile][data-path='01_Assets/3D/crate.glb'] img")
    thumb.wait_for()
