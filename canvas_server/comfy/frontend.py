"""Serving ComfyUI's own web frontend (the optional `comfyui-frontend-package`, never
vendored) on the ComfyUI port, and the one extension it loads from us: text outputs shown on
the node that made them, as ComfyUI's `PreviewAny` shows its own."""

from __future__ import annotations

import importlib.util
from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

EXTENSIONS_DIR = Path(__file__).parent / "web"
EXTENSION_URLS = [f"/extensions/auteur/{path.name}" for path in sorted(EXTENSIONS_DIR.glob("*.js"))]


def frontend_dir() -> Path | None:
    """The installed package's `static/` folder, or None when it is not installed."""
    found = importlib.util.find_spec("comfyui_frontend_package")
    if found is None or found.origin is None:
        return None
    static = Path(found.origin).parent / "static"
    return static if (static / "index.html").is_file() else None


def mount_extensions(app: FastAPI) -> None:
    app.mount("/extensions/auteur", StaticFiles(directory=EXTENSIONS_DIR), name="auteur-extensions")


def mount_frontend(app: FastAPI) -> None:
    """The frontend at `/` (mounted last: every API route is matched first)."""
    static = frontend_dir()
    if static is None:  # `auteur serve` checked it; an app built in code without it serves the API
        return
    app.mount("/", StaticFiles(directory=static, html=True), name="comfyui-frontend")
