"""ComfyUI's own web frontend (the installed `comfyui-frontend-package`) served by
`auteur serve --comfyui-frontend`, used in Debian's Chromium as a ComfyUI user would: it
boots with no failed request and no console error, the README's core graph is linked by
mouse (INT into FLOAT), runs and shows 5, is saved with Ctrl+S and found after a reload, and
the run is listed by the jobs API its Job Queue panel reads; a bundled media template runs on a
real clip and shows its thumbnail once. Screenshots per step under `artifacts/comfy-frontend/`."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from integration.server_harness import ServerProcess, free_port

from canvas_server.governance import LOCAL_PRINCIPAL
from function_runners.execute import principal_scratch

from .conftest import ARTIFACTS, CHROMIUM_ARGS, VIEWPORT  # noqa: F401 - CHROMIUM_ARGS documents the launch

SHOTS = ARTIFACTS / "comfy-frontend"

# Nodes are placed through litegraph's own API (ComfyUI's search box is a typing race under
# load); every link is drawn with the mouse, so the frontend's own link rule decides.
PLACE_CORE_GRAPH = """() => { const g = window.app.graph, L = window.LiteGraph;
    const made = [['core.integer', [150, 200]], ['core.add', [500, 200]], ['core.show', [850, 200]]].map(([t, pos]) => {
        const n = L.createNode(t); n.pos = pos; g.add(n); return n; });
    made[0].widgets.find(w => w.name === 'value').value = 2;
    made[1].widgets.find(w => w.name === 'b').value = 3;
    const ds = window.app.canvas.ds; ds.scale = 1; ds.offset = [0, 0]; window.app.canvas.setDirty(true, true); }"""
SLOT_POINT = """([type, isInput, name]) => { const n = window.app.graph._nodes.find(n => n.type === type);
    const slots = isInput ? n.inputs : n.outputs; const i = isInput ? slots.findIndex(s => s.name === name) : 0;
    const o = window.app.canvas.ds.convertCanvasToOffset(n.getConnectionPos(isInput, i));
    const r = window.app.canvas.canvas.getBoundingClientRect(); return [r.left + o[0], r.top + o[1]]; }"""
SHOWN = "() => (window.app.graph._nodes.find(n => n.type === 'core.show')?.widgets ?? []).map(w => w.value)"
# The images the canvas shows on its nodes (each node's loaded previews), as /view URLs.
SHOWN_IMAGES = """() => window.app.graph._nodes.flatMap(n => (n.imgs ?? []).map(img => {
    const u = new URL(img.src); return u.pathname.replace(/^\\/api/, '') + u.search; }))"""


@pytest.fixture(scope="module")
def frontend_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    server = ServerProcess(tmp_path_factory.mktemp("comfy-frontend"), comfyui_port=free_port(),
                           args=("--comfyui-frontend",)).start()
    try:
        yield server
    finally:
        server.stop()


class ComfyPage:
    """The frontend in one page: failed requests and console errors collected, shots per step."""

    def __init__(self, page: Any, server: ServerProcess) -> None:
        self.page, self.server, self.steps = page, server, 0
        self.problems: list[str] = []
        page.on("console", lambda m: m.type == "error" and self.problems.append(f"console: {m.text}"))
        page.on("pageerror", lambda e: self.problems.append(f"pageerror: {e}"))
        page.on("response", lambda r: r.status >= 400 and self.problems.append(f"{r.status} {r.request.method} {r.url}"))
        page.on("requestfailed", self._failed)
        shutil.rmtree(SHOTS, ignore_errors=True)
        SHOTS.mkdir(parents=True)

    def _failed(self, request: Any) -> None:
        if request.failure != "net::ERR_ABORTED":  # a reload cancels what is still loading
            self.problems.append(f"failed {request.url} {request.failure}")

    def shot(self, name: str) -> None:
        self.steps += 1
        self.page.screenshot(path=str(SHOTS / f"{self.steps:02d}-{name}.png"))

    def open(self) -> None:
        self.page.goto(self.server.comfy_url + "/")
        self.page.wait_for_function("() => window.app && window.app.graph && window.app.canvas", timeout=60_000)
        self.page.wait_for_timeout(3_000)  # the start's own requests (settings, jobs, templates)
        self.page.keyboard.press("Escape")  # the template browser a new user is shown

    def point(self, node_type: str, is_input: bool, name: str | None = None) -> tuple[float, float]:
        x, y = self.page.evaluate(SLOT_POINT, [node_type, is_input, name])
        return float(x), float(y)

    def drag(self, start: tuple[float, float], end: tuple[float, float]) -> None:
        mouse = self.page.mouse
        mouse.move(*start)
        mouse.down()
        mouse.move((start[0] + end[0]) / 2, (start[1] + end[1]) / 2, steps=5)
        mouse.move(*end, steps=5)
        mouse.up()


def test_comfyui_frontend_draws_runs_saves_and_lists_the_core_graph(browser: Any, frontend_server: ServerProcess) -> None:
    context = browser.new_context(viewport=VIEWPORT)
    ui = ComfyPage(context.new_page(), frontend_server)
    page = ui.page
    ui.open()
    ui.shot("booted")
    assert ui.problems == []

    page.evaluate(PLACE_CORE_GRAPH)
    ui.drag(ui.point("core.integer", False), ui.point("core.add", True, "a"))  # INT into FLOAT
    ui.drag(ui.point("core.add", False), ui.point("core.show", True, "value"))
    ui.shot("linked")
    links = page.evaluate("() => window.app.graph._nodes.map(n => [n.type, n.inputs.map(i => i.link !== null)])")
    assert links == [["core.integer", [False]], ["core.add", [True, False]], ["core.show", [True]]]

    page.keyboard.press("Control+Enter")
    page.wait_for_function(f"() => ({SHOWN})().includes('5')", timeout=60_000)
    ui.shot("shows-5")

    page.keyboard.press("Control+s")
    name_box = page.get_by_role("dialog").locator("input")
    name_box.fill("auteur core graph")
    name_box.press("Enter")
    page.wait_for_timeout(1_000)
    ui.shot("saved")
    saved = httpx.get(f"{frontend_server.comfy_url}/api/userdata", params={"dir": "workflows"}).json()
    assert saved == ["auteur core graph.json"]

    page.reload()
    ui.open()
    page.keyboard.press("w")  # the Workflows panel
    page.get_by_text("auteur core graph").first.wait_for(timeout=20_000)
    ui.shot("found-after-reload")

    jobs = httpx.get(f"{frontend_server.comfy_url}/api/jobs", params={"status": "completed"}).json()
    assert [job["status"] for job in jobs["jobs"]] == ["completed"]
    page.get_by_text("active").first.click()  # the Job Queue panel
    page.get_by_text(f"Job #{jobs['jobs'][0]['priority']}").wait_for(timeout=20_000)
    ui.shot("job-queue")
    assert ui.problems == [], "\n".join(ui.problems)
    context.close()


def test_comfyui_frontend_runs_a_media_template_and_shows_its_thumbnail_once(
        browser: Any, frontend_server: ServerProcess) -> None:
    """The bundled screencast template, opened as ComfyUI's template browser opens it, runs on a
    real clip in the local user's own folder (where a project-less run reads) and the thumbnail
    is displayed once: on its Show node (and as the thumbnail node's own preview), never twice.
    Then a workflow our editor saved in a project is in the frontend's Workflows panel."""
    clip = principal_scratch(frontend_server.workspace, LOCAL_PRINCIPAL.name) / "media" / "screencast.mp4"
    clip.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run(["ffmpeg", "-v", "error", "-f", "lavfi", "-i", "testsrc=size=320x240:rate=25:duration=8",
                    "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", str(clip)], check=True, timeout=120)
    context = browser.new_context(viewport=VIEWPORT)
    ui = ComfyPage(context.new_page(), frontend_server)
    page = ui.page
    ui.open()
    workflow = httpx.get(f"{frontend_server.comfy_url}/templates/screencast_trim_thumbnail.json", timeout=10).json()
    page.evaluate("(w) => window.app.loadGraphData(w)", workflow)
    page.mouse.click(VIEWPORT["width"] // 2, VIEWPORT["height"] - 120)  # focus the canvas
    page.keyboard.press("Control+Enter")
    page.wait_for_function(f"() => ({SHOWN_IMAGES})().length > 0", timeout=120_000)
    page.wait_for_timeout(1_000)  # a second copy, were one sent, would have arrived
    ui.shot("media-template-thumbnail")
    # One thumbnail file, shown once by each node that has it: the thumbnail node's own preview
    # and the Show node it feeds (a node listing the file twice would show two).
    shown = page.evaluate(SHOWN_IMAGES)
    per_node = page.evaluate("() => window.app.graph._nodes.map(n => [n.id, n.type, (n.imgs ?? []).length])")
    assert {url.split("&rand=")[0] for url in shown} == {shown[0].split("&rand=")[0]}, shown
    assert [count for _, _, count in per_node] == [0, 0, 1, 0, 1], per_node
    assert per_node[4][:2] == ["5", "core.show"]
    image = httpx.get(f"{frontend_server.comfy_url}{shown[0]}", timeout=10)
    assert image.status_code == 200 and image.content[:3] == b"\xff\xd8\xff"  # the JPEG thumbnail
    # Our editor's project workflows are in its Workflows panel, under Projects/<project>/.
    assert httpx.post(f"{frontend_server.url}/api/projects", json={"name": "Reel"}, timeout=30).status_code == 201
    put = httpx.put(f"{frontend_server.url}/api/projects/Reel/workflows/rough cut", json=workflow["workflow"] if
                    "workflow" in workflow else workflow, timeout=10)
    assert put.status_code == 200, put.text
    page.reload()
    ui.open()
    page.keyboard.press("w")  # the Workflows panel
    page.get_by_text("Projects").first.wait_for(timeout=20_000)
    page.get_by_text("Projects").first.click()
    page.get_by_text("Reel").first.click()
    page.get_by_text("rough cut").first.wait_for(timeout=20_000)
    ui.shot("project-workflow-listed")
    assert ui.problems == [], "\n".join(ui.problems)
    context.close()
