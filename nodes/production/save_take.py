"""`production.save_take`: promote a run's media output into the next take of a shot."""

from __future__ import annotations

from typing import Any

from nodes.sdk import (
    EventType,
    Input,
    MediaRef,
    Node,
    NodeExecutionError,
    Output,
    Outputs,
    PathSandbox,
    RunContext,
    node,
)
from nodes.sdk.takes import Provenance, ShotCoords, promote

MANIFEST_NAME = "project.json"


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
    # another. Redelivery stays idempotent through `promote`, keyed by (run_id, node_id).
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

    def coords(self) -> ShotCoords:
        if self.shot_path.strip():
            return ShotCoords.parse(self.shot_path)
        return ShotCoords(self.chapter, self.scene, self.shot)

    @classmethod
    def migrate(cls, from_version: str, inputs: dict[str, Any]) -> dict[str, Any]:
        """1.0 asked for the graph hash; the run's provenance carries it since 1.1."""
        return {name: value for name, value in inputs.items() if name != "graph_hash"}

    def run(self, ctx: RunContext) -> SaveTakeOut:
        project_root = ctx.project_root
        if project_root is None or not (project_root / MANIFEST_NAME).is_file():
            raise NodeExecutionError(
                "Save Take needs a run inside a project: submit the run with a project "
                "(API `project`, CLI `--project NAME`)",
                code="project_required",
            )
        coords = self.coords()
        source = ctx.media_path(self.media)
        shot_dir = PathSandbox([project_root]).resolve(coords.folder)
        record = Provenance(
            take_number=0,
            shot=coords.key,
            run_id=ctx.provenance.run_id,
            node_id=ctx.node_id,
            graph_hash=ctx.provenance.graph_hash,
            tier=ctx.tier,
            project=ctx.project,
            inputs=self.model_dump(mode="json"),
            source={"path": self.media.path, "sha256": self.media.sha256},
        )
        saved = promote(source, shot_dir, coords, record, self.media.sha256)
        take_file = shot_dir / str(saved.file)
        relative = f"{coords.folder}/{saved.file}"
        ctx.emit(
            EventType.TAKE_CREATED,
            {"project": ctx.project, "shot": coords.key, "take_number": saved.take_number, "path": relative},
        )
        ref = ctx.media_ref(take_file, kind=self.media.kind, mime=self.media.mime)
        probed = self.media.model_dump(include={"duration", "width", "height", "sample_rate", "channels"})
        return SaveTakeOut(take=ref.model_copy(update=probed), take_number=saved.take_number, path=relative)
