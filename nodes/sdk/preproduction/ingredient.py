"""Ingredients: the characters, locations, objects and styles a shot is made of."""

from __future__ import annotations

import unicodedata
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, field_validator

from .._media import MediaRef

MAX_REFERENCE_IMAGES = 3


class IngredientKind(StrEnum):
    CHARACTER = "Character"
    LOCATION = "Location"
    OBJECT = "Object"
    STYLE = "Style"
    MUSIC = "Music"
    # story-bible kinds
    ITEM = "Item"
    FACTION = "Faction"
    EVENT = "Event"
    CONCEPT = "Concept"
    SPECIES = "Species"
    TECHNOLOGY = "Technology"


# The traits suggested for each kind, in the order a form shows them.
TRAIT_TEMPLATES: dict[IngredientKind, tuple[str, ...]] = {
    IngredientKind.CHARACTER: ("personality", "appearance", "age", "wardrobe", "voice", "mannerisms"),
    IngredientKind.LOCATION: ("geography", "architecture", "time_of_day", "weather", "atmosphere"),
    IngredientKind.OBJECT: ("material", "size", "condition", "significance"),
    IngredientKind.STYLE: ("palette", "lighting", "texture", "references"),
    IngredientKind.MUSIC: ("genre", "tempo", "instrumentation", "mood"),
    IngredientKind.ITEM: ("appearance", "origin", "powers", "owner"),
    IngredientKind.FACTION: ("ideology", "leadership", "symbols", "territory"),
    IngredientKind.EVENT: ("when", "where", "participants", "consequences"),
    IngredientKind.CONCEPT: ("definition", "rules", "examples"),
    IngredientKind.SPECIES: ("anatomy", "habitat", "culture", "abilities"),
    IngredientKind.TECHNOLOGY: ("function", "appearance", "limitations", "inventor"),
}

# The folder of 01_Assets/ an ingredient of each kind is filed under.
ASSET_FOLDERS: dict[IngredientKind, str] = {
    IngredientKind.CHARACTER: "Characters",
    IngredientKind.LOCATION: "Locations",
    IngredientKind.STYLE: "Styles",
    IngredientKind.MUSIC: "Music",
}


def trait_template(kind: IngredientKind | str) -> tuple[str, ...]:
    """The suggested trait names of a kind (empty for an unknown kind)."""
    try:
        return TRAIT_TEMPLATES[IngredientKind(kind)]
    except ValueError:
        return ()


def asset_folder(kind: IngredientKind) -> str:
    return ASSET_FOLDERS.get(kind, "Objects")


class Ingredient(BaseModel):
    """One ingredient: what it is, its traits, and up to three reference images."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(description="Stable id, e.g. 'character-ana'")
    kind: IngredientKind
    name: str = Field(min_length=1)
    description: str = ""
    traits: dict[str, str] = Field(default_factory=dict)
    reference_images: list[MediaRef] = Field(default_factory=list, max_length=MAX_REFERENCE_IMAGES)

    @field_validator("traits")
    @classmethod
    def _no_blank_keys(cls, traits: dict[str, str]) -> dict[str, str]:
        if any(not key.strip() for key in traits):
            raise ValueError("trait names must not be blank")
        return {key.strip(): value.strip() for key, value in traits.items() if value.strip()}

    def trait_text(self) -> str:
        """Traits as 'key: value' pairs in template order first, then the rest sorted."""
        order = list(trait_template(self.kind))
        keys = [k for k in order if k in self.traits] + sorted(k for k in self.traits if k not in order)
        return "; ".join(f"{key.replace('_', ' ')}: {self.traits[key]}" for key in keys)


def ingredient_id(kind: IngredientKind | str, name: str) -> str:
    """A stable id from kind and name: 'character-ana-lopez'."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    slug = "-".join("".join(c if c.isalnum() else " " for c in ascii_name.lower()).split())
    return f"{IngredientKind(kind).value.lower()}-{slug or 'unnamed'}"
