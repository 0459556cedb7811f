"""`production.video_strategy`: deterministic camera variations of a shot, as a list of shots."""

from __future__ import annotations

from typing import Literal

from nodes.sdk import Input, Node, NodeExecutionError, Output, Outputs, RunContext, node
from nodes.sdk.preproduction import CameraAngle, CameraMovement, Shot, ShotSize

from .strategy_memory import framing, load_approvals, record_approval

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


# Not cached: its ranking reads the project's approvals, which change between runs.
@node("production.video_strategy", title="Video Strategy", category="Production/Shots", version="1.0.0",
      maturity="INTERN", runs_on="inline", cache=False)
class VideoStrategy(Node):
    """Camera variations of a shot for a mood, genre and platform (vertical platforms favour
    tighter framing), the framings approved in this project first; a list of shots ready to fan
    out into payloads."""

    shot: Shot = Input(socket="SHOT")
    mood: Literal["tense", "calm", "epic"] = Input("calm")
    genre: str = Input("")
    platform: Platform = Input("cinema")
    variations: int = Input(3, ge=1, le=3)

    def run(self, ctx: RunContext) -> StrategyOut:
        counts = load_approvals(ctx).counts
        # Framings a person approved in this project come first (a stable sort: ties keep the
        # mood's own order), then the first `variations` are suggested.
        ranked = sorted(_MOODS[self.mood], key=lambda v: -counts.get(f"{v[0]}|{v[1]}|{v[2]}", 0))
        shots: list[Shot] = []
        for index, (size, angle, movement, lens, light) in enumerate(ranked[: self.variations], start=1):
            if self.platform in _VERTICAL and size in (ShotSize.EXTREME_WIDE, ShotSize.WIDE):
                size = ShotSize.FULL  # a 9:16 frame loses a wide shot's subject
            notes = ", ".join(p for p in (light, self.genre and f"{self.genre} genre conventions") if p)
            shots.append(self.shot.model_copy(update={
                "id": f"{self.shot.id}-v{index}", "size": size, "angle": angle, "movement": movement,
                "lens": lens, "lighting": notes}))
        return StrategyOut(shots=shots)


class ApprovedOut(Outputs):
    shot: Shot = Output(socket="SHOT")
    approvals: int = Output(socket="INT", description="How often this framing was approved in the project")


@node("production.approve_variation", title="Approve Variation", category="Production/Shots", version="1.0.0",
      maturity="INTERN", runs_on="inline", cache=False)
class ApproveVariation(Node):
    """Remember that a person chose this camera variation (after a Review, say): the project's
    next video strategies rank its framing first. Passes the shot on."""

    shot: Shot = Input(socket="SHOT")

    def run(self, ctx: RunContext) -> ApprovedOut:
        try:
            approvals = record_approval(ctx, self.shot)
        except ValueError as exc:
            raise NodeExecutionError(str(exc), code="project_required") from exc
        return ApprovedOut(shot=self.shot, approvals=approvals.counts[framing(self.shot)])
