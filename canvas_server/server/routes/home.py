"""`/`: the built browser editor when `web/dist` exists, else a landing page that says what
this server offers and how to drive it.

Vite names every file under `assets/` by its content hash, so those are cached for a year and
marked immutable; everything else (`index.html` above all) is revalidated on each load, so a
new build is picked up at the next reload.
"""

from __future__ import annotations

from html import escape
from pathlib import Path

from fastapi import APIRouter, Depends, FastAPI
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles
from starlette.responses import Response
from starlette.routing import Match, Mount
from starlette.types import Scope

from ..deps import get_services
from ..services import AppServices

DEFAULT_WEB_DIR = Path(__file__).resolve().parents[3] / "web" / "dist"
HASHED_ASSETS = "assets/"
IMMUTABLE = "public, max-age=31536000, immutable"
REVALIDATE = "no-cache"
API_PREFIX = "/api/"

router = APIRouter(tags=["home"])


@router.get("/", response_class=HTMLResponse, include_in_schema=False)
async def landing(services: AppServices = Depends(get_services)) -> str:
    registry = services.registry
    categories = sorted({spec.category for spec in registry.specs()})
    failures = "".join(
        f"<li><b>{escape(f.pack)}</b>: {escape(f.error_type)}: {escape(f.message)}</li>"
        for f in registry.failures
    )
    return f"""<!doctype html><html><head><meta charset="utf-8"><title>Auteur Canvas</title>
<style>body{{font:16px system-ui;max-width:48rem;margin:3rem auto;padding:0 1rem}}
code{{background:#eee;padding:0 .25rem}}</style></head><body>
<h1>Auteur Canvas</h1>
<p>The server is running with {len(registry)} node types
({escape(", ".join(categories))}). The browser editor is not built in this checkout
(<code>web/dist</code> is missing); drive the canvas through the API, the WebSocket or the CLI.</p>
<ul><li><a href="/docs">API documentation (OpenAPI)</a></li>
<li><a href="/api/nodes">Node catalog</a> · <a href="/api/templates">Graph templates</a>
· <a href="/api/runs">Runs</a> · <a href="/api/health">Health</a></li>
<li>Events: <code>ws://HOST/ws?client_id=ID</code> (schema at
<a href="/api/events/schema">/api/events/schema</a>)</li>
<li>Headless: <code>auteur run GRAPH.json --server URL</code></li></ul>
{f"<h2>Packs that failed to load</h2><ul>{failures}</ul>" if failures else ""}
</body></html>"""


class EditorFiles(StaticFiles):
    """The built editor, with caching headers that match Vite's file naming."""

    async def get_response(self, path: str, scope: Scope) -> Response:
        response = await super().get_response(path, scope)
        if response.status_code in (200, 304):
            hashed = path.replace("\\", "/").startswith(HASHED_ASSETS)
            response.headers["cache-control"] = IMMUTABLE if hashed else REVALIDATE
        return response


class EditorMount(Mount):
    """The editor at `/`, except under `/api/`: a mount matches every path fully, which would
    beat an API route that matches only by path (a GET on a POST-only route would be the
    editor's 404 instead of a 405 with `Allow`)."""

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        if str(scope.get("path", "")).startswith(API_PREFIX):
            return Match.NONE, {}
        return super().matches(scope)


def mount_home(app: FastAPI, web_dir: Path | None) -> None:
    """Serve the built editor at `/` when present (after every API route), else the landing."""
    directory = web_dir or DEFAULT_WEB_DIR
    if (directory / "index.html").is_file():
        app.router.routes.append(EditorMount("/", app=EditorFiles(directory=directory, html=True), name="editor"))
    else:
        app.include_router(router)
