"""Editor benchmark: a 1,000-node workflow opened in the browser editor (Debian Chromium,
Playwright), timed from the open call to the end of the first full render of every node;
and the production bundle's size, gzipped. Goals: under 1.5 s, under 1 MB."""

from __future__ import annotations

import gzip
import os
import statistics
import subprocess
import tempfile
from pathlib import Path
from typing import Any

from .serving import free_port, start_auteur, stop

REPO = Path(__file__).resolve().parents[1]
DIST = REPO / "web" / "dist"
CHROMIUM = os.environ.get("AUTEUR_CHROMIUM", "/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
NODES = 1000
REPEATS = 5
GOAL_S = 1.5
GOAL_BUNDLE = 1024 * 1024


def workflow(count: int) -> dict[str, Any]:
    """`count` nodes on a grid: pairs of integer → add, each add chained into the next."""
    nodes: list[dict[str, Any]] = []
    links: list[list[Any]] = []
    for index in range(count // 2):
        constant, add = 2 * index + 1, 2 * index + 2
        x, y = (index % 25) * 560, (index // 25) * 200
        nodes.append({"id": constant, "type": "core.integer", "pos": [x, y], "size": [220, 60], "flags": {},
                      "order": constant, "mode": 0, "inputs": [], "properties": {}, "widgets_values": [index],
                      "outputs": [{"name": "value", "type": "INT", "links": [len(links) + 1]}]})
        links.append([len(links) + 1, constant, 0, add, 0, "INT"])
        previous: list[dict[str, Any]] = [{"name": "b", "type": "FLOAT", "widget": {"name": "b"}, "link": None}]
        if index:
            previous[0]["link"] = len(links) + 1
            links.append([len(links) + 1, add - 2, 0, add, 1, "FLOAT"])
        nodes.append({"id": add, "type": "core.add", "pos": [x + 260, y], "size": [240, 90], "flags": {},
                      "order": add, "mode": 0, "properties": {}, "widgets_values": [0, 0],
                      "inputs": [{"name": "a", "type": "FLOAT", "widget": {"name": "a"}, "link": 2 * index + 1 if not index else None}, *previous],
                      "outputs": [{"name": "value", "type": "FLOAT", "links": []}]})
    by_id = {node["id"]: node for node in nodes}
    for link in links:
        link_id, origin, _, target, slot, _ = link
        by_id[target]["inputs"][slot]["link"] = link_id
        if link_id not in by_id[origin]["outputs"][0]["links"]:
            by_id[origin]["outputs"][0]["links"].append(link_id)
    return {"last_node_id": count, "last_link_id": len(links), "nodes": nodes, "links": links,
            "groups": [], "config": {}, "extra": {}, "version": 0.4}


def bundle_size() -> tuple[int, int]:
    """(raw, gzipped) bytes of every JS and CSS file the editor loads."""
    files = [*DIST.glob("assets/*.js"), *DIST.glob("assets/*.css"), DIST / "index.html"]
    raw = sum(path.stat().st_size for path in files)
    zipped = sum(len(gzip.compress(path.read_bytes(), compresslevel=9)) for path in files)
    return raw, zipped


OPEN_AND_RENDER = """async (workflow) => {
  const app = window.__auteur;
  const start = performance.now();
  await app.openDocument(workflow, "bench-1000");
  const editor = app.editor;
  editor.canvas.ds.scale = 0.055; editor.canvas.ds.offset = [100, 200];  // every node in view
  editor.drawNow();
  await new Promise((resolve) => requestAnimationFrame(() => resolve(null)));
  return { ms: performance.now() - start, nodes: editor.graph._nodes.length,
           drawn: editor.canvas.visible_nodes.length };
}"""


def measure() -> dict[str, Any]:
    from playwright.sync_api import sync_playwright

    if not (DIST / "index.html").is_file():
        subprocess.run(["bash", str(REPO / "scripts" / "build_web.sh")], check=True, cwd=REPO)
    data = workflow(NODES)
    with tempfile.TemporaryDirectory() as workspace:
        port = free_port()
        server = start_auteur(Path(workspace), port, {"AUTEUR_WEB_DIR": str(DIST), "AUTEUR_RUNNER_WORKERS": "1"})
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
                times: list[float] = []
                for _ in range(REPEATS):
                    page = browser.new_page(viewport={"width": 1440, "height": 900})
                    page.goto(f"http://127.0.0.1:{port}/")
                    page.wait_for_function("() => window.__auteur && window.__auteur.ready", timeout=30_000)
                    result = page.evaluate(OPEN_AND_RENDER, data)
                    assert result["nodes"] == NODES and result["drawn"] == NODES, result
                    times.append(result["ms"] / 1000)
                    page.close()
                browser.close()
        finally:
            stop(server)
    raw, zipped = bundle_size()
    return {"nodes": NODES, "open_to_render_s": times, "median_s": statistics.median(times),
            "bundle_bytes": raw, "bundle_gzip_bytes": zipped}


def main() -> None:
    result = measure()
    median = result["median_s"]
    print(f"1,000-node workflow, open → first full render: median {median:.3f} s over {REPEATS} "
          f"(runs: {', '.join(f'{t:.3f}' for t in result['open_to_render_s'])}); goal < {GOAL_S} s "
          f"({'met' if median < GOAL_S else 'NOT met'})")
    zipped = result["bundle_gzip_bytes"]
    print(f"production bundle: {result['bundle_bytes'] / 1024:.0f} KiB, {zipped / 1024:.0f} KiB gzipped; "
          f"goal < 1 MB ({'met' if zipped < GOAL_BUNDLE else 'NOT met'})")


if __name__ == "__main__":
    main()
