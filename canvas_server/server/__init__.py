"""The FastAPI server: `create_app()` in `app.py`, dependencies in `deps.py`."""

from .app import create_app

__all__ = ["create_app"]
