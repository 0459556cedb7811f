"""What a browser sees at `/`: the built editor when present, else a useful landing page."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient

from canvas_server.server.app import create_app
from canvas_server.settings import Settings


def test_without_a_built_editor_the_root_explains_how_to_drive_the_canvas(tmp_path: Path) -> None:
    settings = Settings(workspace=tmp_path / "ws", runner_workers=1, web_dir=tmp_path / "no-dist",
                        load_plugins=["core"])
    with TestClient(create_app(settings), base_url="http://127.0.0.1") as client:
        page = client.get("/")
        assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
        assert "7 node types" in page.text and 'href="/docs"' in page.text
        assert client.get("/api/nope").json()["error"]["code"] == "not_found"


def test_a_built_editor_is_served_at_the_root_and_the_api_still_answers(tmp_path: Path) -> None:
    dist = tmp_path / "dist"
    dist.mkdir()
    (dist / "index.html").write_text("<html><body>litegraph editor</body></html>")
    (dist / "app.js").write_text("console.log('editor')")
    settings = Settings(workspace=tmp_path / "ws", runner_workers=1, web_dir=dist, load_plugins=["core"])
    with TestClient(create_app(settings), base_url="http://127.0.0.1") as client:
        assert "litegraph editor" in client.get("/").text
        assert client.get("/app.js").text == "console.log('editor')"
        assert client.get("/api/health").json()["status"] == "ok"
        missing = client.get("/api/nope")
        assert missing.status_code == 404 and missing.json()["error"]["code"] == "not_found"


def test_with_the_editor_mounted_a_wrong_method_on_an_api_path_is_a_405_with_allow(tmp_path: Path) -> None:
    """The editor's mount at `/` matches every path; it must not turn the API's 405 into a 404."""
    dist = tmp_path / "dist"
    dist.mkdir()
    (dist / "index.html").write_text("<html><body>litegraph editor</body></html>")
    settings = Settings(workspace=tmp_path / "ws", runner_workers=1, web_dir=dist, load_plugins=["core"])
    with TestClient(create_app(settings), base_url="http://127.0.0.1") as client:
        wrong = client.get("/api/graphs/validate")
        assert wrong.status_code == 405 and wrong.headers["allow"] == "POST"
        assert wrong.json()["error"]["code"] == "method_not_allowed"
        literal = client.options("/api/templates/import")  # not mixed with /api/templates/{id}
        assert literal.status_code == 405 and literal.headers["allow"] == "POST"
