"""The browser editor in real Chromium (Playwright for Python) against a real `auteur serve`.

Chromium is Debian's (`/usr/bin/chromium`, installed by scripts/install_system_deps.sh);
Playwright never downloads a browser. Every test fails on any console error or uncaught page
error, and saves a screenshot per step under `tests/e2e/browser/artifacts/<test>/`.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from integration.server_harness import ServerProcess
from playwright import sync_api as playwright_api
from playwright.sync_api import Locator

REPO = Path(__file__).resolve().parents[3]
WEB = REPO / "web"
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
CHROMIUM = os.environ.get("AUTEUR_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
VIEWPORT = {"width": 1440, "height": 900}


def ensure_web_build() -> Path:
    """`web/dist`, built by `make setup`; built here when missing (needs Node 20+)."""
    if not (WEB / "dist" / "index.html").is_file():
        subprocess.run(["bash", str(REPO / "scripts" / "build_web.sh")], check=True, cwd=REPO)
    return WEB / "dist"


# Package scope, not session: Playwright's sync API keeps an event loop running on the main
# thread while it is open, which would break every later test that calls asyncio.run().
@pytest.fixture(scope="package")
def editor_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    dist = ensure_web_build()
    server = ServerProcess(tmp_path_factory.mktemp("browser-ws"), env={"AUTEUR_WEB_DIR": str(dist)})
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="package")
def browser() -> Iterator[Any]:
    if not Path(CHROMIUM).exists():
        pytest.fail(
            f"Chromium not found at {CHROMIUM}: run `make setup` (scripts/install_system_deps.sh)"
        )
    os.environ.setdefault("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")
    with playwright_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


class EditorPage:
    """One browser page on the editor: screenshots per step, console errors collected."""

    def __init__(self, page: Any, server: ServerProcess, folder: Path) -> None:
        self.page = page
        self.server = server
        self.folder = folder
        self.errors: list[str] = []
        self.steps = 0
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.errors.append(f"pageerror: {error}"))

    def _console(self, message: Any) -> None:
        if message.type == "error":
            self.errors.append(f"console: {message.text}")

    def shot(self, name: str) -> Path:
        self.steps += 1
        path = self.folder / f"{self.steps:02d}-{re.sub(r'[^a-z0-9]+', '-', name.lower())}.png"
        self.page.screenshot(path=str(path))
        return path

    def open(self, project: str | None = None) -> None:
        if project:
            self.page.add_init_script(
                f"localStorage.setItem('auteur.project', {json.dumps(project)})"
            )
        self.page.goto(self.server.url + "/")
        self.page.wait_for_selector("[data-testid=connection][data-state=open]", timeout=20_000)
        self.page.wait_for_function(
            "() => window.__auteur && window.__auteur.ready", timeout=20_000
        )
        if project:
            self.page.wait_for_function(
                "(name) => window.__auteur.project && window.__auteur.project.name === name",
                arg=project,
            )

    def eval(self, script: str, arg: Any = None) -> Any:
        return self.page.evaluate(script, arg)

    # ---- canvas helpers (real pointer input at the places litegraph draws things) ----------

    def canvas_point(self, canvas_pos: list[float]) -> tuple[float, float]:
        """Client coordinates of a graph-space point."""
        x, y = self.eval(
            """(pos) => { const e = window.__auteur.editor; const [sx, sy] = e.toScreen(pos);
                 const r = e.element.getBoundingClientRect(); return [r.left + sx, r.top + sy]; }""",
            canvas_pos,
        )
        return float(x), float(y)

    def open_search(self, at: tuple[float, float]) -> Locator:
        """Double-click the empty canvas at `at`: the node search's input, once it is shown."""
        search = self.page.locator("[data-testid=node-search] input")
        for _ in range(4):  # litegraph times the two clicks itself; a loaded machine can miss one
            self.page.mouse.dblclick(*at)
            try:
                search.wait_for(timeout=2_000)
                return search
            except playwright_api.TimeoutError:
                continue
        search.wait_for(timeout=2_000)  # fails with Playwright's own message
        return search

    def add_by_search(self, query: str, node_type: str, at: tuple[float, float]) -> str:
        """Double-click the canvas, search, press Enter: the id of the node created."""
        before = set(self.node_ids())
        search = self.open_search(at)
        search.fill(query)
        self.page.locator(f"[data-testid=node-search] button[data-type='{node_type}']").wait_for()
        self.page.locator(f"[data-testid=node-search] button[data-type='{node_type}']").click()
        created = [node for node in self.node_ids() if node not in before]
        assert len(created) == 1, created
        return created[0]

    def node_ids(self) -> list[str]:
        ids: list[str] = self.eval(
            "() => window.__auteur.editor.graph._nodes.map((n) => String(n.id))"
        )
        return ids

    def slot_point(self, node_id: str, slot: int, *, is_input: bool) -> tuple[float, float]:
        pos = self.eval(
            """([id, slot, isInput]) => window.__auteur.editor.nodeById(id).getConnectionPos(isInput, slot)""",
            [node_id, slot, is_input],
        )
        return self.canvas_point(pos)

    def drag_link(self, from_node: str, out_slot: int, to_node: str, in_slot: int) -> None:
        start = self.slot_point(from_node, out_slot, is_input=False)
        end = self.slot_point(to_node, in_slot, is_input=True)
        mouse = self.page.mouse
        mouse.move(*start)
        mouse.down()
        for step in range(1, 9):
            mouse.move(
                start[0] + (end[0] - start[0]) * step / 8, start[1] + (end[1] - start[1]) * step / 8
            )
        mouse.up()

    def links(self) -> list[list[Any]]:
        links: list[list[Any]] = self.eval(
            """() => [...window.__auteur.editor.graph._links.values()].map(
                 (l) => [String(l.origin_id), l.origin_slot, String(l.target_id), l.target_slot, l.type])"""
        )
        return links

    def input_index(self, node_id: str, name: str) -> int:
        index: int = self.eval(
            "([id, name]) => window.__auteur.editor.nodeById(id).inputs.findIndex((i) => i.name === name)",
            [node_id, name],
        )
        assert index >= 0, f"node {node_id} has no input {name}"
        return index

    def drawn(self) -> None:
        """Draw the canvas now: litegraph hit-tests clicks against the node areas of its last
        frame, and a node just shown (a subgraph entered, a graph opened) has none until then."""
        self.eval("() => window.__auteur.editor.drawNow()")

    def select_node(self, node_id: str) -> None:
        """Click the node's title bar."""
        self.drawn()
        x, y = self.eval(
            "(id) => { const n = window.__auteur.editor.nodeById(id); return [n.pos[0] + 40, n.pos[1] - 15]; }",
            node_id,
        )
        self.page.mouse.click(*self.canvas_point([x, y]))

    def drop_files(
        self,
        selector: str,
        files: list[tuple[str, bytes, str]],
        at: tuple[float, float] | None = None,
    ) -> None:
        """Drop files on an element as a drag from the desktop would (a DataTransfer with Files)."""
        import base64

        payload = [
            {"name": name, "b64": base64.b64encode(data).decode(), "mime": mime}
            for name, data, mime in files
        ]
        transfer = self.page.evaluate_handle(
            """(files) => { const dt = new DataTransfer();
                 for (const f of files) { const bytes = Uint8Array.from(atob(f.b64), (c) => c.charCodeAt(0));
                   dt.items.add(new File([bytes], f.name, { type: f.mime })); }
                 return dt; }""",
            payload,
        )
        init: dict[str, Any] = {"dataTransfer": transfer}
        if at is not None:
            init.update(clientX=at[0], clientY=at[1])
        self.page.dispatch_event(selector, "dragover", init)
        self.page.dispatch_event(selector, "drop", init)


@pytest.fixture
def editor(
    browser: Any, editor_server: ServerProcess, request: pytest.FixtureRequest
) -> Iterator[EditorPage]:
    folder = ARTIFACTS / re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.name)
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    context = browser.new_context(viewport=VIEWPORT, accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(20_000)
    wrapped = EditorPage(page, editor_server, folder)
    try:
        yield wrapped
        wrapped.shot("end")
    finally:
        context.close()
    assert not wrapped.errors, "console errors:\n" + "\n".join(wrapped.errors)


@pytest.fixture
def project(editor_server: ServerProcess) -> str:
    """A fresh project for one test."""
    name = f"Film {uuid.uuid4().hex[:6]}"
    response = httpx.post(
        f"{editor_server.url}/api/projects", json={"name": name, "quality": "low"}, timeout=30
    )
    response.raise_for_status()
    return name


def make_media(kind: str, target: Path, seconds: float = 2.0) -> Path:
    """A small real file made by ffmpeg: a PNG still or an H.264 clip with a tone."""
    if kind == "image":
        args = ["-f", "lavfi", "-i", "testsrc=size=320x240", "-frames:v", "1", str(target)]
    else:
        args = [
            "-f",
            "lavfi",
            "-i",
            f"testsrc=size=320x240:rate=24:duration={seconds}",
            "-f",
            "lavfi",
            "-i",
            f"sine=frequency=440:duration={seconds}",
            "-c:v",
            "libx264",
            "-preset",
            "ultrafast",
            "-pix_fmt",
            "yuv420p",
            "-c:a",
            "aac",
            "-shortest",
            str(target),
        ]
    subprocess.run(["ffmpeg", "-hide_banner", "-loglevel", "error", "-y", *args], check=True)
    return target
