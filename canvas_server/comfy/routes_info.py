"""`/object_info`, `/system_stats`, `/embeddings`, `/extensions`, `/features`."""

from __future__ import annotations

import os
import platform
import sys
from typing import Any

from fastapi import APIRouter, Depends

from ..server.deps import get_services
from ..server.services import AppServices
from .catalog import link_types, node_info, object_info
from .frontend import EXTENSION_URLS

router = APIRouter()
VERSION = "auteur-canvas-0.1.0"


@router.get("/object_info")
async def all_nodes(services: AppServices = Depends(get_services)) -> dict[str, Any]:
    return object_info(services.registry)


@router.get("/object_info/{node_class}")
async def one_node(node_class: str, services: AppServices = Depends(get_services)) -> dict[str, Any]:
    spec = services.registry.spec(node_class)
    return {node_class: node_info(spec, link_types(services.registry.specs()))} if spec is not None else {}


def _memory() -> tuple[int, int]:
    try:
        pages, free, size = (os.sysconf(name) for name in ("SC_PHYS_PAGES", "SC_AVPHYS_PAGES", "SC_PAGE_SIZE"))
    except (ValueError, OSError):
        return 0, 0
    return pages * size, free * size


@router.get("/system_stats")
async def system_stats() -> dict[str, Any]:
    total, free = _memory()
    # `--disable-api-nodes`: we serve none of comfy.org's paid API nodes, and ComfyUI's frontend
    # then asks comfy.org for no release notes (a server off the internet logs no error).
    return {
        "system": {"os": sys.platform, "python_version": sys.version, "embedded_python": False,
                   "comfyui_version": VERSION, "pytorch_version": "", "argv": ["--disable-api-nodes"],
                   "ram_total": total, "ram_free": free, "machine": platform.machine()},
        "devices": [],
    }


@router.get("/embeddings")
async def embeddings() -> list[str]:
    return []


@router.get("/extensions")
async def extensions() -> list[str]:
    """The frontend extensions to load: ours (see `frontend.py`)."""
    return list(EXTENSION_URLS)


@router.get("/features")
async def features(services: AppServices = Depends(get_services)) -> dict[str, Any]:
    return {"supports_preview_metadata": False,
            "max_upload_size": services.settings.max_upload_bytes}
