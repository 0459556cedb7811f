"""`agents.location_designer`: a location's description, landmarks, atmosphere and layout notes,
as a location ingredient ready for a shot's slots."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, Field

from nodes.sdk import (
    AgentResult,
    Evidence,
    Input,
    Node,
    Output,
    Outputs,
    RunContext,
    agent_result,
    node,
)
from nodes.sdk.preproduction import Ingredient, IngredientKind, ingredient_id

from .asking import Example, ask
from .context import WorldFacts, brief, style_text, world_text
from .rules import check_rules


class LocationDesign(BaseModel):
    name: str = Field(min_length=1, max_length=60)
    description: str = Field(min_length=1, max_length=320)
    landmarks: list[Annotated[str, Field(max_length=48)]] = Field(min_length=1, max_length=3)
    atmosphere: str = Field(max_length=100)
    layout_notes: str = Field(max_length=160)


EXAMPLE = Example("World rules: genre: fantasy; tech level: medieval.\n\nBrief: a toll bridge over a gorge",
                  LocationDesign(name="Raven Span",
                                 description="A narrow stone bridge over a misty gorge, a toll house at its near end.",
                                 landmarks=["the toll house", "the chained gate"],
                                 atmosphere="wind, ravens, the roar of water below",
                                 layout_notes="the road runs straight across; shoot from the toll house to the far cliff"))


class LocationOut(Outputs):
    result: AgentResult = Output(socket="AGENT_RESULT")
    location: Ingredient = Output(socket="INGREDIENT")


@node("agents.location_designer", title="Location Designer", category="Agents", version="1.0.0",
      maturity="INTERN", runs_on="runner")
class LocationDesigner(Node):
    """Design a location for the world and the style guide: a location ingredient for a shot's slots."""

    brief: str = Input(description="What the place is and what happens there", multiline=True)
    name: str = Input("", description="Its name (the agent names it if empty)")
    world: WorldFacts | None = Input(None, socket="WORLD")
    style: WorldFacts | None = Input(None, socket="STYLE_GUIDE")
    feedback: str = Input("", multiline=True, description="A reviewer's request for changes")
    always_review: bool = Input(False, description="Send every result to review")

    def run(self, ctx: RunContext) -> LocationOut:
        named = f"Its name: {self.name}." if self.name.strip() else ""
        turn = ask(ctx, LocationDesign, "You are a production designer. Describe a film location: its look, "
                   "landmarks, atmosphere and layout for staging shots.",
                   brief(world_text(self.world), style_text(self.style), f"Brief: {self.brief}", named),
                   example=EXAMPLE, feedback=self.feedback, max_tokens=360)
        design = turn.value.model_copy(update={"name": self.name.strip() or turn.value.name.strip()})
        landmarks = [item.strip() for item in design.landmarks if item.strip()]
        text = f"{design.description} {design.atmosphere} {design.layout_notes} {' '.join(landmarks)}"
        clashes = check_rules(text, self.world)
        evidence = [*turn.evidence,
                    Evidence(check="landmarks", passed=len(set(landmarks)) == len(design.landmarks),
                             score=len(set(landmarks)) / len(design.landmarks),
                             detail=f"{len(set(landmarks))} distinct landmarks"),
                    Evidence(check="world_rules", passed=not clashes, score=0.0 if clashes else 1.0, blocking=True,
                             detail="; ".join(c.reason for c in clashes) or "keeps to the world's rules")]
        location = Ingredient(id=ingredient_id(IngredientKind.LOCATION, design.name or "location"),
                              kind=IngredientKind.LOCATION, name=design.name or "Location",
                              description=design.description,
                              traits={"atmosphere": design.atmosphere, "landmarks": "; ".join(landmarks),
                                      "layout": design.layout_notes})
        result = agent_result(content=f"{location.name}: {design.description}", structured=design.model_dump(),
                              model=turn.model, tokens=turn.tokens, evidence=evidence,
                              always_review=self.always_review)
        return LocationOut(result=result, location=location)
