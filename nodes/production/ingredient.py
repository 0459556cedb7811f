"""`production.ingredient`: a character, location, object, style… with traits and references."""

from __future__ import annotations

from typing import Literal

from nodes.sdk import (
    EventType,
    Input,
    Node,
    NodeExecutionError,
    Output,
    Outputs,
    RunContext,
    atomic_write_text,
    layout,
    node,
)
from nodes.sdk.preproduction import (
    Ingredient,
    IngredientKind,
    asset_folder,
    ingredient_id,
    trait_template,
)

from .project_files import project_asset, project_root

KindName = Literal["Character", "Location", "Object", "Style", "Music", "Item", "Faction", "Event",
                   "Concept", "Species", "Technology"]


class IngredientOut(Outputs):
    ingredient: Ingredient = Output(socket="INGREDIENT")
    template: str = Output(ui=True, description="The suggested traits for this kind")


def parse_traits(text: str) -> dict[str, str]:
    """`key: value` per line (blank lines and lines without a colon are refused)."""
    traits: dict[str, str] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        key, colon, value = line.partition(":")
        if not colon or not key.strip():
            raise NodeExecutionError(f"traits line {number} ({line.strip()!r}) must read 'name: value'",
                                     code="traits_invalid")
        traits[key.strip().lower().replace(" ", "_")] = value.strip()
    return traits


@node("production.ingredient", title="Ingredient", category="Production/Ingredients",
      version="1.0.0", maturity="INTERN", runs_on="inline")
class IngredientNode(Node):
    """An ingredient of the film, stored in the project (01_Assets/…/*.ingredient.json) and
    mirrored into project.json so the editor and other graphs reuse it."""

    kind: KindName = Input("Character", description="What it is")
    name: str = Input(description="Its name as the script writes it, e.g. MARA")
    description: str = Input("", multiline=True)
    traits: str = Input("", multiline=True, description="One 'trait: value' per line")
    reference_1: str = Input("", widget="path", picks="image", description="Reference image in the project")
    reference_2: str = Input("", widget="path", picks="image")
    reference_3: str = Input("", widget="path", picks="image")
    store_in_project: bool = Input(True, description="Save it in the project for reuse")

    def run(self, ctx: RunContext) -> IngredientOut:
        kind = IngredientKind(self.kind)
        refs = [project_asset(ctx, path) for path in (self.reference_1, self.reference_2, self.reference_3) if path]
        ingredient = Ingredient(id=ingredient_id(kind, self.name), kind=kind, name=self.name.strip(),
                                description=self.description.strip(), traits=parse_traits(self.traits),
                                reference_images=refs)
        root = project_root(ctx)
        if self.store_in_project and root is not None:
            path = root / layout.ASSETS_DIR / asset_folder(kind) / f"{ingredient.id}{layout.INGREDIENT_SUFFIX}"
            atomic_write_text(path, ingredient.model_dump_json(indent=2) + "\n")
            ctx.emit(EventType.PROJECT_UPDATE, {"project": ctx.project, "ingredient": ingredient.id})
        return IngredientOut(ingredient=ingredient, template=", ".join(trait_template(kind)))
