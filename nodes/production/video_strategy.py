"""`production.video_strategy`: deterministic camera variations of a shot, as a list of shots."""

from __future__ import annotations

from typing import Literal

from nodes.sdk import Input, Node, Output, Outputs, RunContext, node
from nodes.sdk.preproduction import CameraAngle, CameraMovement, Shot, ShotSize

Platform = Literal["cinema", "youtube", "tiktok", "instagram"]
# (size, angle, movement, lens, lighting note) per variation, by mood
_MOODS: dict[str, list[tuple[ShotSize, CameraAngle, CameraMovement, str, str]]] = {
    "tense": [(ShotSize.CLOSE_UP, CameraAngle.LOW, CameraMovement.DOLLY_IN, "85mm", "hard side light"),
              (ShotSize.MEDIUM, CameraAngle.DUTCH, CameraMovement.HANDHELD, "35mm", "low key"),
              (ShotSize.EXTREME_CLOSE_UP, CameraAngle.EYE_LEVEL, CameraMovement.STATIC, "100mm macro", "single source")],
    "calm": [(ShotSize.WIDE, CameraAngle.EYE_LEVEL, CameraMovement.STATIC, "24mm", "soft daylight"),
             (ShotSize.MEDIUM, CameraAngle.EYE_LEVEL, CameraMovement.PAN, "50mm", "diffused key"),
             (ShotSize.FULL, CameraAngle.HIGH, CameraMovement.CRANE, "35mm", "golden hour")],
    "epic": [(ShotSize.EXTREME_WIDE, CameraAngle.LOW, CameraMovement.CRANE, "18mm", "backlit, volumetric"),
             (ShotSize.WIDE, CameraAngle.OVERHEAD, CameraMovement.TRACKING, "24mm", "high contrast"),
             (ShotSize.MEDIUM_CLOSE_UP, CameraAngle.LOW, CameraMovement.DOLLY_IN, "50mm", "rim light")],
}
_VERTICAL = {"tiktok", "instagram"}


class StrategyOut(Outputs):
    shots: list[Shot] = Output(socket="SHOT", is_list=True)


@node("production.video_strategy", title="Video Strategy", category="Production/Shots", version="1.0.0",
      maturity="INTERN", runs_on="inline")
class VideoStrategy(Node):
    """Camera variations of a shot for a mood, genre and platform (vertical platforms favour
    tighter framing); a list of shots ready to fan out into payloads."""

    shot: Shot = Input(socket="SHOT")
    mood: Literal["tense", "calm", "epic"] = Input("calm")
    genre: str = Input("")
    platform: Platform = Input("cinema")
    variations: int = Input(3, ge=1, le=3)

    def run(self, ctx: RunContext) -> StrategyOut:
        shots: list[Shot] = []
        for index, (size, angle, movement, lens, light) in enumerate(_MOODS[self.mood][: self.variations], start=1):
            if self.platform in _VERTICAL and size in (ShotSize.EXTREME_WIDE, ShotSize.WIDE):
                size = ShotSize.FULL  # a 9:16 frame loses a wide shot's subject
            notes = ", ".join(p for p in (light, self.genre and f"{self.genre} genre conventions") if p)
            shots.append(self.shot.model_copy(update={
                "id": f"{self.shot.id}-v{index}", "size": size, "angle": angle, "movement": movement,
                "lens": lens, "lighting": notes}))
        return StrategyOut(shots=shots)
