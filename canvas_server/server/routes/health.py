"""`GET /api/health`."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends

from ..deps import get_services
from ..services import AppServices

router = APIRouter(tags=["health"])


@router.get("/api/health")
async def health(services: AppServices = Depends(get_services)) -> dict[str, Any]:
    """Liveness and a summary of what this server runs."""
    return {
        "status": "ok",
        "version": "0.1.0",
        "nodes": len(services.registry),
        "failed_packs": len(services.registry.failures),
        "runner": getattr(services.runner, "name", None),
        "auth": "token" if services.tokens.has_tokens() else "local",
        "queue": services.runs.counts(),
    }
