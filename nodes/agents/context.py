"""What an agent knows of the project: the world's rules, the style guide and the chosen
ingredients, rendered as prompt text. WORLD and STYLE_GUIDE values travel as JSON objects
(made by production.world / production.style_guide); an agent reads the fields it knows."""

from __future__ import annotations

from typing import Any

from nodes.sdk.preproduction import Ingredient

WorldFacts = dict[str, Any]
WORLD_FIELDS = ("name", "genre", "tone", "tech_level", "physics", "magic_system")
STYLE_FIELDS = ("name", "mood", "lighting", "lens", "camera_language")


def world_text(world: WorldFacts | None) -> str:
    facts = [f"{key.replace('_', ' ')}: {world[key]}" for key in WORLD_FIELDS if world and world.get(key)]
    return "World rules: " + "; ".join(facts) + "." if facts else ""


def style_text(style: WorldFacts | None) -> str:
    facts = [f"{key.replace('_', ' ')}: {style[key]}" for key in STYLE_FIELDS if style and style.get(key)]
    return "Style guide: " + "; ".join(facts) + "." if facts else ""


def ingredients_text(ingredients: list[Ingredient]) -> str:
    lines = [f"- {item.name} ({item.kind.value.lower()}): {item.description} {item.trait_text()}".strip()
             for item in ingredients]
    return "Characters and elements:\n" + "\n".join(lines) if lines else ""


def brief(*sections: str) -> str:
    """The non-empty sections, a blank line apart."""
    return "\n\n".join(section for section in sections if section.strip())


def chosen(*slots: Ingredient | None) -> list[Ingredient]:
    return [slot for slot in slots if slot is not None]
