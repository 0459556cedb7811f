"""`production.scene_shots`: the shots of one scene, out of a breakdown's (or any) shot list."""

from __future__ import annotations

from nodes.sdk import Input, Node, NodeExecutionError, Output, Outputs, RunContext, node
from nodes.sdk.preproduction import Shot


class SceneShotsOut(Outputs):
    shots: list[Shot] = Output(socket="SHOT", is_list=True, description="The scene's shots, in shot order")
    count: int = Output(socket="INT", description="How many")


@node("production.scene_shots", title="Scene Shots", category="Production/Shots", version="1.0.0",
      maturity="INTERN", runs_on="inline")
class SceneShots(Node):
    """Keep the shots of one scene (of one chapter), in shot order; the list fans out."""

    shots: list[Shot] = Input(description="Every shot, e.g. from the script breakdown", socket="SHOT", is_list=True)
    chapter: int = Input(1, ge=1)
    scene: int = Input(1, ge=1)

    def run(self, ctx: RunContext) -> SceneShotsOut:
        kept = sorted((s for s in self.shots if (s.chapter, s.scene) == (self.chapter, self.scene)),
                      key=lambda s: s.number)
        if not kept:
            raise NodeExecutionError(f"no shot of chapter {self.chapter} scene {self.scene} in the list",
                                     code="value_out_of_range")
        return SceneShotsOut(shots=kept, count=len(kept))
