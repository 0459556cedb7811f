"""`production.save_take`: promote a run's media output into the next take of a shot."""

from __future__ import annotations

from typing import Any

from nodes.sdk import Input, MediaRef, Node, NodeExecutionError, Output, Outputs, RunContext, node
from nodes.sdk.preproduction import shot_id_at
from nodes.sdk.takes import ShotCoords


class SaveTakeOut(Outputs):
    take: MediaRef = Output(socket="MEDIA", description="The saved take")
    take_number: int = Output(socket="INT", description="Its number within the shot")
    path: str = Output(ui=True, description="The take's path inside the project")


@node(
    "production.save_take",
    title="Save Take",
    category="Production/Output",
    version="1.1.0",
    maturity="INTERN",  # writes only new files inside the run's own project, never overwrites
    runs_on="runner",
    output_node=True,
    # Saving is the side effect, not a pure result: a cached answer would hand one run's take to
    # another. Redelivery stays idempotent (`ctx.takes` keys a take by run and node), and an
    # unchanged rerun is reported as the take it already made, never copied again.
    cache=False,
)
class SaveTake(Node):
    """Save the incoming media as the next take of a shot (take01, take02, …) with provenance."""

    media: MediaRef = Input(description="The render to keep", socket="MEDIA")
    chapter: int = Input(1, ge=1, description="Chapter number")
    scene: int = Input(1, ge=1, description="Scene number")
    shot: int = Input(1, ge=1, description="Shot number")
    shot_path: str = Input(
        "", description="Instead of the numbers: Chapter_01/Scene_01/Shot_01"
    )
    shot_id: str = Input("", description="Instead of the numbers: the shot's stable id from the shot list "
                         "(the take follows the shot wherever it is numbered)")

    def coords(self) -> ShotCoords:
        if self.shot_path.strip():
            return ShotCoords.parse(self.shot_path)
        return ShotCoords(self.chapter, self.scene, self.shot)

    def left_at_default(self) -> bool:
        return not self.shot_path.strip() and not self.shot_id.strip() and (self.chapter, self.scene, self.shot) == (1, 1, 1)

    def target(self, ctx: RunContext) -> ShotCoords:
        """The shot this take is for. A Save Take left at its default shot names no shot at all:
        it may not become the next take of a screenplay's Shot 1."""
        if self.shot_id.strip():
            located = ctx.takes.locate(self.shot_id.strip())
            if located is None:
                raise NodeExecutionError(f"Save Take: the project has no shot {self.shot_id.strip()!r}",
                                         code="shot_not_found", details={"shot_id": self.shot_id.strip()})
            return located
        coords = self.coords()
        held = ctx.takes.held(coords) if self.left_at_default() else None
        if held is not None and held[0] != shot_id_at(coords.chapter, coords.scene, coords.shot):  # not a placeholder
            raise NodeExecutionError(
                f"Save Take is left at its default Chapter 1 / Scene 1 / Shot 1, which is the screenplay's shot "
                f"{held[0]}{f' ({held[1][:60]!r})' if held[1] else ''}: set the shot (shot_id, numbers or "
                "shot_path) this take is for",
                code="shot_mismatch", details={"shot": coords.key, "held": held[0]},
            )
        return coords

    @classmethod
    def migrate(cls, from_version: str, inputs: dict[str, Any]) -> dict[str, Any]:
        """1.0 asked for the graph hash; the run's provenance carries it since 1.1."""
        return {name: value for name, value in inputs.items() if name != "graph_hash"}

    def run(self, ctx: RunContext) -> SaveTakeOut:
        ctx.takes.project_root("Save Take")  # refuse before reading the media
        coords = self.target(ctx)
        saved = ctx.takes.save(
            coords, ctx.media_path(self.media), inputs=self.model_dump(mode="json"),
            shot_id=self.shot_id.strip() or None,
            source={"path": self.media.path, "sha256": self.media.sha256}, what="Save Take",
        )
        ref = ctx.media_ref(saved.file, kind=self.media.kind, mime=self.media.mime)
        probed = self.media.model_dump(include={"duration", "width", "height", "sample_rate", "channels"})
        return SaveTakeOut(take=ref.model_copy(update=probed), take_number=saved.number, path=saved.path)
