"""ComfyUI-compatible HTTP + WebSocket API: a thin adapter over the run manager, the catalog
and the event bus (docs/architecture.md §11), served on its own port by `auteur serve`."""

from .app import create_comfy_app

__all__ = ["create_comfy_app"]
