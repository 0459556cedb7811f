"""The pre-production file formats, defined once for their writer and their reader: ingredients
(`01_Assets/<Category>/<id>.ingredient.json`) and script breakdowns with their scenes and shots
(`02_Source_Creative/ShotLists/<script>.breakdown.json`).

The production pack writes them (and passes them on its INGREDIENT, SHOT and BREAKDOWN sockets);
the workspace reads them to mirror them into project.json.
"""

from .breakdown import Breakdown, Scene, ScriptNote, keep_numbers, title_case
from .finaldraft import FdxError, ScriptDocument, ScriptElement, read_fdx, write_fdx
from .ingredient import (
    ASSET_FOLDERS,
    MAX_REFERENCE_IMAGES,
    TRAIT_TEMPLATES,
    Ingredient,
    IngredientKind,
    asset_folder,
    ingredient_id,
    trait_template,
)
from .shot import (
    MAX_SHOT_SECONDS,
    CameraAngle,
    CameraMovement,
    Shot,
    ShotSeconds,
    ShotSize,
    shot_id_at,
    slot_ingredients,
)

__all__ = [
    "ASSET_FOLDERS",
    "MAX_REFERENCE_IMAGES",
    "MAX_SHOT_SECONDS",
    "TRAIT_TEMPLATES",
    "Breakdown",
    "CameraAngle",
    "CameraMovement",
    "FdxError",
    "Ingredient",
    "IngredientKind",
    "Scene",
    "ScriptDocument",
    "ScriptElement",
    "ScriptNote",
    "Shot",
    "ShotSeconds",
    "ShotSize",
    "asset_folder",
    "ingredient_id",
    "keep_numbers",
    "read_fdx",
    "shot_id_at",
    "slot_ingredients",
    "title_case",
    "trait_template",
    "write_fdx",
]
