"""The pre-production domain: ingredients, world and style, shots, breakdowns, Veo requests.

These pydantic models are the values that travel on the production sockets (INGREDIENT,
WORLD, STYLE_GUIDE, SHOT, BREAKDOWN, VEO_PAYLOAD); other packs build on them.
"""

from .breakdown import Breakdown, Scene
from .ingredient import (
    MAX_REFERENCE_IMAGES,
    TRAIT_TEMPLATES,
    Ingredient,
    IngredientKind,
    trait_template,
)
from .shot import (
    CameraAngle,
    CameraMovement,
    Shot,
    ShotSize,
    slot_ingredients,
)
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
    "MAX_REFERENCE_IMAGES",
    "TRAIT_TEMPLATES",
    "VEO_MODELS",
    "Breakdown",
    "CameraAngle",
    "CameraMovement",
    "Ingredient",
    "IngredientKind",
    "Scene",
    "Shot",
    "ShotSize",
    "StyleGuide",
    "VeoImage",
    "VeoInstance",
    "VeoModel",
    "VeoParameters",
    "VeoPayload",
    "VeoReferenceImage",
    "VeoRequest",
    "World",
    "slot_ingredients",
    "snap_duration",
    "trait_template",
]
