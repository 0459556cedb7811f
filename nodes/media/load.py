"""`media.load`: bring a file the user names (inside the sandbox) into the graph."""

from __future__ import annotations

import shutil
from pathlib import Path

from nodes.sdk import (
    Input,
    MediaRef,
    Node,
    Output,
    Outputs,
    PathForbiddenError,
    PathSandbox,
    RunContext,
    node,
)
from nodes.sdk.ffmpeg.errors import MediaNotFoundError
from nodes.sdk.ffmpeg.probe import probe


class LoadOut(Outputs):
    media: MediaRef = Output(socket="MEDIA", description="The file as a MediaRef")


def _inside_workspace(ctx: RunContext, path: Path) -> Path:
    """Refs are workspace-relative: a file from an allowed folder outside the workspace is
    copied into the task's scratch folder first."""
    try:
        PathSandbox([ctx.workspace_root]).relative(path)
        return path
    except PathForbiddenError:
        copy = ctx.scratch_dir() / path.name
        shutil.copy2(path, copy)
        return copy


@node(
    "media.load",
    title="Load Media",
    category="Media/Input",
    version="1.0.0",
    maturity="SUPERVISED",
    runs_on="runner",
)
class LoadMedia(Node):
    """Load a video, audio or image file from the project (paths are sandboxed)."""

    path: str = Input("", description="Path relative to the project (outside a project: your Scratch folder)",
                      widget="path", picks="media")

    def run(self, ctx: RunContext) -> LoadOut:
        try:
            found = ctx.resolve(self.path, must_exist=True)
        except FileNotFoundError as exc:
            raise MediaNotFoundError(
                f"media file not found: {self.path!r} (paths are relative to the project)",
                details={"path": self.path},
            ) from exc
        if not found.is_file():
            raise MediaNotFoundError(f"{self.path!r} is a folder, not a media file")
        info = probe(found, name=self.path)
        local = _inside_workspace(ctx, found)
        return LoadOut(media=ctx.media_ref(local, kind=info.kind, **info.ref_fields()))
