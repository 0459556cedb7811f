"""The Veo prompt, assembled from named sections using only what the shot, its ingredients,
the world and the style guide say — nothing invented — so identical inputs give a
byte-identical prompt."""

from __future__ import annotations

from nodes.sdk.preproduction import Ingredient, IngredientKind, Shot, slot_ingredients, title_case

from .domain import StyleGuide, World

SECTION_ORDER = ("subject", "action", "environment", "lighting", "camera", "style", "audio")
_SUBJECT_KINDS = {IngredientKind.CHARACTER, IngredientKind.SPECIES, IngredientKind.OBJECT,
                  IngredientKind.ITEM, IngredientKind.TECHNOLOGY, IngredientKind.FACTION}


def _describe(ingredient: Ingredient) -> str:
    details = "; ".join(part for part in (ingredient.description, ingredient.trait_text()) if part)
    return f"{ingredient.name} ({details})" if details else ingredient.name


def _join(*parts: str) -> str:
    return ". ".join(part.strip().rstrip(".") for part in parts if part and part.strip())


def _environment(shot: Shot, ingredients: list[Ingredient], world: World | None) -> str:
    places = [_describe(i) for i in ingredients if i.kind == IngredientKind.LOCATION]
    setting = ", ".join(places) or ", ".join(p for p in (title_case(shot.location), shot.time_of_day.lower()) if p)
    world_text = ""
    if world is not None:
        world_text = ", ".join(f"{label}: {value}" for label, value in (
            ("genre", world.genre), ("world", world.name), ("physics", world.physics),
            ("magic", world.magic_system), ("technology", world.tech_level)) if value)
    return _join(setting, world_text)


def _style(ingredients: list[Ingredient], style: StyleGuide | None, world: World | None) -> str:
    looks = [_describe(i) for i in ingredients if i.kind == IngredientKind.STYLE]
    guide = ""
    if style is not None:
        guide = ", ".join(part for part in (
            style.mood and f"mood: {style.mood}",
            style.palette and f"palette {' '.join(style.palette)}") if part)
    return _join(", ".join(looks), guide, world.tone if world and world.tone else "")


def _camera(shot: Shot, style: StyleGuide | None) -> str:
    framing = f"{shot.size.value}, {shot.angle.value}, {shot.movement.value} camera, {shot.lens} lens"
    extra = [style.lens, style.camera_language] if style is not None else []
    return _join(framing, *extra)


def _audio(shot: Shot, ingredients: list[Ingredient]) -> str:
    music = [_describe(i) for i in ingredients if i.kind == IngredientKind.MUSIC]
    return _join(shot.dialogue and f"Dialogue: {shot.dialogue}", ", ".join(music) and f"Music: {', '.join(music)}")


def prompt_sections(shot: Shot, world: World | None = None, style: StyleGuide | None = None) -> dict[str, str]:
    """The non-empty sections, in SECTION_ORDER."""
    ingredients = slot_ingredients(shot)
    sections = {
        "subject": "; ".join(_describe(i) for i in ingredients if i.kind in _SUBJECT_KINDS),
        "action": shot.description,
        "environment": _environment(shot, ingredients, world),
        "lighting": _join(shot.lighting, style.lighting if style else ""),
        "camera": _camera(shot, style),
        "style": _style(ingredients, style, world),
        "audio": _audio(shot, ingredients),
    }
    return {name: sections[name] for name in SECTION_ORDER if sections[name]}


def prompt_text(sections: dict[str, str]) -> str:
    """`Subject: …` lines in section order, ending with a newline-free last line."""
    return "\n".join(f"{name.capitalize()}: {sections[name]}" for name in SECTION_ORDER if name in sections)
