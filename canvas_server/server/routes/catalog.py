"""The node catalog and the quality tier mappings."""

from __future__ import annotations

from fastapi import APIRouter, Depends
from pydantic import BaseModel

from function_runners.tiers import TierConfig
from nodes.sdk import NodeSpec, PackFailure

from ..deps import get_services
from ..services import AppServices

router = APIRouter(tags=["catalog"])


class Catalog(BaseModel):
    nodes: list[NodeSpec]
    failed_packs: list[PackFailure]


@router.get("/api/nodes")
def list_nodes(services: AppServices = Depends(get_services)) -> Catalog:
    """Every node type with what the editor needs, and every pack that failed to load."""
    registry = services.registry
    return Catalog(nodes=registry.specs(), failed_packs=registry.failures)


@router.get("/api/quality/mappings")
def quality_mappings(services: AppServices = Depends(get_services)) -> TierConfig:
    """The low / standard / high tiers and the node parameters each decides."""
    return services.tiers
