"""The node catalog and the quality tier mappings."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends

from ..deps import get_services
from ..services import AppServices

router = APIRouter(tags=["catalog"])


@router.get("/api/nodes")
def list_nodes(services: AppServices = Depends(get_services)) -> dict[str, Any]:
    """Every node type with what the editor needs, and every pack that failed to load."""
    registry = services.registry
    return {
        "nodes": [spec.model_dump(mode="json") for spec in registry.specs()],
        "failed_packs": [failure.model_dump(mode="json") for failure in registry.failures],
    }


@router.get("/api/quality/mappings")
def quality_mappings(services: AppServices = Depends(get_services)) -> dict[str, Any]:
    """The low / standard / high tiers and the node parameters each decides."""
    return services.tiers.model_dump(mode="json")
