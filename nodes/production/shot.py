"""`production.shot`: a shot with its camera, its place in the story and three ingredient slots."""

from __future__ import annotations

from nodes.sdk import Input, Node, Output, Outputs, RunContext, node
from nodes.sdk.preproduction import (
    CameraAngle,
    CameraMovement,
    Ingredient,
    Shot,
    ShotSize,
    shot_id_at,
)


class ShotOut(Outputs):
    shot: Shot = Output(socket="SHOT")


@node("production.shot", title="Shot", category="Production/Shots", version="1.0.0",
      maturity="INTERN", runs_on="inline")
class ShotNode(Node):
    """A shot. Slot 1 is typically a character, 2 a location, 3 an object or style; any
    ingredient may fill any slot."""

    description: str = Input(description="What happens", multiline=True)
    duration: float = Input(6.0, gt=0, le=600, description="Seconds")
    size: ShotSize = Input(ShotSize.MEDIUM)
    angle: CameraAngle = Input(CameraAngle.EYE_LEVEL)
    movement: CameraMovement = Input(CameraMovement.STATIC)
    lens: str = Input("35mm")
    lighting: str = Input("")
    dialogue: str = Input("", multiline=True)
    chapter: int = Input(1, ge=1)
    scene: int = Input(1, ge=1)
    number: int = Input(1, ge=1, description="Shot number in the scene")
    slot1: Ingredient | None = Input(None, socket="INGREDIENT")
    slot2: Ingredient | None = Input(None, socket="INGREDIENT")
    slot3: Ingredient | None = Input(None, socket="INGREDIENT")

    def run(self, ctx: RunContext) -> ShotOut:
        return ShotOut(shot=Shot(
            id=shot_id_at(self.chapter, self.scene, self.number), chapter=self.chapter, scene=self.scene,
            number=self.number, description=self.description.strip(), dialogue=self.dialogue.strip(),
            duration=self.duration, size=self.size, angle=self.angle, movement=self.movement,
            lens=self.lens, lighting=self.lighting, slot1=self.slot1, slot2=self.slot2, slot3=self.slot3,
            cast=[self.slot1.name.upper()] if self.slot1 and self.slot1.kind == "Character" else [],
        ))
