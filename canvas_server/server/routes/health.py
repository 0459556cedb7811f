"""`GET /api/health`."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Depends
from pydantic import BaseModel, Field

from ...runs.storage import off_loop
from ..deps import get_services
from ..services import AppServices

router = APIRouter(tags=["health"])


class Health(BaseModel):
    status: Literal["ok"] = "ok"
    version: str
    nodes: int = Field(description="Node types in the catalog")
    failed_packs: int = Field(description="Node packs that failed to load")
    runner: str | None = Field(description="The Function Runner's name")
    auth: Literal["token", "local"] = Field(description="token: tokens are required; local: no tokens exist")
    queue: dict[str, int] = Field(description="Runs by status")


@router.get("/api/health")
async def health(services: AppServices = Depends(get_services)) -> Health:
    """Liveness and a summary of what this server runs (the database asked off the event loop:
    a slow query elsewhere never delays this answer)."""
    shared = services.runs.store.shared
    return Health(
        version="0.1.0",
        nodes=len(services.registry),
        failed_packs=len(services.registry.failures),
        runner=getattr(services.runner, "name", None),
        auth="token" if await off_loop(shared, services.tokens.has_tokens) else "local",
        queue=await off_loop(shared, services.runs.counts),
    )
