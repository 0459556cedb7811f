"""The pre-production domain: ingredients, world and style, shots, breakdowns, Veo requests.
(Ingredients, shots and breakdowns are stored files too; their formats live in the SDK,
`nodes.sdk.preproduction`, where the workspace reads them.)

These pydantic models are the values that travel on the production sockets (INGREDIENT,
WORLD, STYLE_GUIDE, SHOT, BREAKDOWN, VEO_PAYLOAD); other packs build on them.
"""

from .veo import (
    VEO_MODELS,
    VeoImage,
    VeoInstance,
    VeoModel,
    VeoParameters,
    VeoPayload,
    VeoReferenceImage,
    VeoRequest,
    snap_duration,
)
from .world import StyleGuide, World

__all__ = [
    "VEO_MODELS",
    "StyleGuide",
    "VeoImage",
    "VeoInstance",
    "VeoModel",
    "VeoParameters",
    "VeoPayload",
    "VeoReferenceImage",
    "VeoRequest",
    "World",
    "snap_duration",
]
