"""A web page the user visits cannot drive a no-token local canvas (issue 19, H3), in real
Chromium against a real `auteur serve` with both apps on loopback and no tokens:

- CSRF from another origin (a second local HTTP server on another port): no-cors `text/plain`
  `POST /prompt`, multipart uploads, `/interrupt`, `/queue {clear}`, `/history {clear}`, a run
  and a project on the main API, and WebSocket connections to both `/ws`;
- DNS rebinding: Chromium resolves `evil.example` to 127.0.0.1 (`--host-resolver-rules`), the
  attack page is served as `http://evil.example:<port>/` and then reads the API same-origin.

Every attempt is answered 403 by the server (seen on the wire, not only by the page), and the
server is left as it was: the blocking run still runs, the queued one still waits, no run,
project or upload was added.
"""

from __future__ import annotations

import http.server
import json
import threading
import time
import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from integration.server_harness import ServerProcess, chain_prompt, free_port

from .conftest import CHROMIUM, CHROMIUM_ARGS

PROJECT = "Secret Film"
# evil.example resolves to 127.0.0.1. Chromium's own guard against public pages calling the local
# network (Private/Local Network Access) is off: other browsers and older Chromium lack it, and
# this test is about what the server refuses by itself.
REBINDING_ARGS = ["--host-resolver-rules=MAP evil.example 127.0.0.1",
                  "--disable-features=BlockInsecurePrivateNetworkRequests,PrivateNetworkAccessSendPreflights,"
                  "PrivateNetworkAccessRespectPreflightResults,LocalNetworkAccessChecks"]
SECRET_FILE = "02_Source_Creative/Scripts/secret.fountain"

# The attacker's page: every attempt reports what the page could learn; the test also checks
# what the server answered on the wire and what it did.
ATTACK_JS = """
async function attempt(name, url, init) {
  try { const r = await fetch(url, init);
        let text = ""; try { text = await r.text(); } catch (e) {}
        return {name, type: r.type, status: r.status, text}; }
  catch (e) { return {name, error: String(e)}; }
}
function socket(url) {
  return new Promise((resolve) => {
    let ws; try { ws = new WebSocket(url); } catch (e) { resolve("throws"); return; }
    ws.onopen = () => { resolve("open"); ws.close(); };
    ws.onerror = () => resolve("refused");
    setTimeout(() => resolve("timeout"), 8000);
  });
}
function upload(field) {
  const form = new FormData();
  form.append(field, new Blob([new Uint8Array([137, 80, 78, 71, 13, 10, 26, 10])], {type: "image/png"}), "pwn.png");
  form.append("category", "Characters");
  return form;
}
"""

CSRF_JS = ATTACK_JS + """
window.attack = async (cfg) => {
  const main = cfg.main, comfy = cfg.comfy, plain = {"Content-Type": "text/plain"};
  const prompt = JSON.stringify({prompt: cfg.prompt, client_id: "evil"});
  const blind = (body, headers) => ({method: "POST", mode: "no-cors", body, headers});
  const results = [
    await attempt("comfy prompt", comfy + "/prompt", blind(prompt, plain)),
    await attempt("comfy api prompt", comfy + "/api/prompt", blind(prompt, plain)),
    await attempt("comfy prompt as form", comfy + "/prompt", blind(new URLSearchParams({prompt}), undefined)),
    await attempt("comfy upload", comfy + "/upload/image", blind(upload("image"))),
    await attempt("comfy interrupt", comfy + "/interrupt", {method: "POST", mode: "no-cors"}),
    await attempt("comfy queue clear", comfy + "/queue", blind('{"clear": true}', plain)),
    await attempt("comfy history clear", comfy + "/history", blind('{"clear": true}', plain)),
    await attempt("main run", main + "/api/runs", blind(JSON.stringify({graph: cfg.prompt}), plain)),
    await attempt("main project", main + "/api/projects", blind('{"name": "Pwned"}', plain)),
    await attempt("main upload", main + "/api/projects/" + encodeURIComponent(cfg.project) + "/assets",
                  blind(upload("file"))),
    await attempt("main cancel", main + "/api/runs/" + cfg.running + "/cancel", {method: "POST", mode: "no-cors"}),
  ];
  const sockets = {
    main: await socket(main.replace("http", "ws") + "/ws?client_id=evil"),
    comfy: await socket(comfy.replace("http", "ws") + "/ws?clientId=evil"),
  };
  return {results, sockets};
};
"""

REBIND_JS = ATTACK_JS + """
window.attack = async (cfg) => {
  const json = {"Content-Type": "application/json"};
  const reads = [];
  for (const path of cfg.reads) reads.push(await attempt("read " + path, path));
  const writes = [];
  for (const [path, body] of cfg.writes) {
    writes.push(await attempt("write " + path, path, {method: "POST", headers: json, body: JSON.stringify(body)}));
  }
  const ws = await socket("ws://" + location.host + cfg.ws);
  return {reads, writes, ws};
};
"""


def _page(script: str) -> bytes:
    return f"<!doctype html><html><head><script>{script}</script></head><body>attack</body></html>".encode()


class _AttackerHandler(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        body = _page(CSRF_JS)
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        return


@pytest.fixture(scope="module")
def attacker() -> Iterator[str]:
    """The other origin: a second local HTTP server on its own port."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", free_port()), _AttackerHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="module")
def local_canvas(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    """`make run`: no tokens, loopback, both apps; one run at a time so a second one waits."""
    server = ServerProcess(tmp_path_factory.mktemp("no-token"), comfyui_port=free_port(),
                           env={"AUTEUR_CONCURRENT_RUNS": "1"}).start()
    try:
        yield server
    finally:
        server.stop()


def _sleeper() -> dict[str, Any]:
    return {"1": {"class_type": "test.sleep", "inputs": {"seconds": 120, "value": uuid.uuid4().hex}},
            "2": {"class_type": "core.show", "inputs": {"value": ["1", 0]}}}


@pytest.fixture(scope="module")
def victim_state(local_canvas: ServerProcess) -> Iterator[dict[str, Any]]:
    """What the local user has: a project with a script, a running run and a queued one."""
    with httpx.Client(base_url=local_canvas.url, timeout=60) as client:
        assert client.post("/api/projects", json={"name": PROJECT}).status_code == 201
        secret = local_canvas.workspace / "Projects" / PROJECT / SECRET_FILE
        secret.write_text("INT. VAULT - NIGHT\nThe secret.", encoding="utf-8")
        assert "VAULT" in client.get(f"/api/projects/{PROJECT}/files", params={"path": SECRET_FILE}).text
        running = client.post("/api/runs", json={"graph": _sleeper()}).json()["run_id"]
        queued = client.post("/api/runs", json={"graph": _sleeper()}).json()["run_id"]
        deadline = time.monotonic() + 60
        while client.get(f"/api/runs/{running}").json()["status"] != "running":
            assert time.monotonic() < deadline, "the blocking run never started"
            time.sleep(0.1)
        yield {"running": running, "queued": queued}
        for run_id in (running, queued):
            client.post(f"/api/runs/{run_id}/cancel")


def _assert_untouched(server: ServerProcess, state: dict[str, Any]) -> None:
    with httpx.Client(base_url=server.url, timeout=30) as client:
        runs = client.get("/api/runs").json()["items"]
        assert {run["run_id"]: run["status"] for run in runs} == {state["running"]: "running",
                                                                  state["queued"]: "queued"}
        assert [project["name"] for project in client.get("/api/projects").json()["items"]] == [PROJECT]
        assert "pwn" not in client.get(f"/api/projects/{PROJECT}/assets").text
    assert list(server.workspace.rglob("pwn*")) == []


def _server_answers(page: Any, ports: set[int]) -> list[tuple[str, str, int]]:
    answers: list[tuple[str, str, int]] = []

    def record(response: Any) -> None:
        if any(f":{port}/" in response.url for port in ports) and not response.url.endswith("/attack.html"):
            answers.append((response.request.method, response.url, response.status))

    page.on("response", record)
    return answers


def test_a_page_from_another_origin_cannot_queue_upload_interrupt_clear_or_connect(
    browser: Any, local_canvas: ServerProcess, victim_state: dict[str, Any], attacker: str,
) -> None:
    context = browser.new_context()
    page = context.new_page()
    answers = _server_answers(page, {local_canvas.port, local_canvas.comfyui_port})
    try:
        page.goto(f"{attacker}/attack.html")
        outcome = page.evaluate("(cfg) => window.attack(cfg)", {
            "main": local_canvas.url, "comfy": local_canvas.comfy_url, "prompt": chain_prompt(),
            "project": PROJECT, "running": victim_state["running"]})
        page.wait_for_timeout(500)
    finally:
        context.close()
    assert len(outcome["results"]) == 11
    for result in outcome["results"]:  # opaque to the page: it learns nothing either way
        assert result.get("type") == "opaque" or "error" in result, result
    posts = [(url, status) for method, url, status in answers if method == "POST"]
    assert len(posts) == 11, answers
    assert all(status == 403 for _, status in posts), posts
    assert outcome["sockets"] == {"main": "refused", "comfy": "refused"}
    _assert_untouched(local_canvas, victim_state)


@pytest.mark.parametrize("app", ["main", "comfy"])
def test_a_dns_rebinding_page_reads_nothing_writes_nothing_and_gets_no_socket(
    browser: Any, local_canvas: ServerProcess, victim_state: dict[str, Any], app: str,
) -> None:
    port = local_canvas.port if app == "main" else local_canvas.comfyui_port
    rebinding = browser.browser_type.launch(
        executable_path=CHROMIUM, args=[*CHROMIUM_ARGS, *REBINDING_ARGS])
    origin = f"http://evil.example:{port}"
    if app == "main":
        reads = ["/api/runs", "/api/projects", f"/api/projects/{PROJECT}/files?path={SECRET_FILE}",
                 f"/api/runs/{victim_state['running']}", "/api/nodes"]
        writes = [["/api/runs", {"graph": chain_prompt()}], ["/api/projects", {"name": "Pwned"}]]
        ws = "/ws?client_id=evil"
    else:
        reads = ["/queue", "/history", "/object_info", "/system_stats",
                 f"/view?filename=secret.fountain&subfolder={PROJECT}/02_Source_Creative/Scripts&type=input"]
        writes = [["/prompt", {"prompt": chain_prompt()}], ["/queue", {"clear": True}], ["/interrupt", {}]]
        ws = "/ws?clientId=evil"
    try:
        page = rebinding.new_page()
        answers = _server_answers(page, {port})
        # The first answer for evil.example comes from the attacker; every later one, after the
        # rebinding, from 127.0.0.1 (the resolver rule) — the real server.
        page.route(f"{origin}/attack.html", lambda route: route.fulfill(
            status=200, content_type="text/html", body=_page(REBIND_JS)))
        page.goto(f"{origin}/attack.html")
        outcome = page.evaluate("(cfg) => window.attack(cfg)", {"reads": reads, "writes": writes, "ws": ws})
        page.wait_for_timeout(500)
    finally:
        rebinding.close()
    for result in [*outcome["reads"], *outcome["writes"]]:
        assert result.get("status") == 403, (result, answers)
        assert json.loads(result["text"])["error"]["code"] == "host_not_allowed", result
        assert PROJECT not in result["text"] and "VAULT" not in result["text"]
    assert outcome["ws"] == "refused"
    assert [status for _, _, status in answers] == [403] * (len(reads) + len(writes)), answers
    assert len(answers) == len(reads) + len(writes)
    _assert_untouched(local_canvas, victim_state)


def test_a_client_naming_another_host_is_refused_but_loopback_names_are_answered(
    local_canvas: ServerProcess, victim_state: dict[str, Any],
) -> None:
    """The rebinding seen from outside a browser: the same request under another Host name."""
    for base in (local_canvas.url, local_canvas.comfy_url):
        path = "/api/runs" if base == local_canvas.url else "/queue"
        assert httpx.get(f"{base}{path}", headers={"Host": "evil.example"}).status_code == 403
        assert httpx.get(f"{base}{path}", headers={"Host": "localhost"}).status_code == 200
