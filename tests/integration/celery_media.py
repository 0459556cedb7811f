"""A project with a real clip, for Celery tests that save takes."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from canvas_server.engine.executor import Executor
from function_runners.base import Runner

from .executor_helpers import make_executor

MEDIA_PACKS = ["core", "testpack", "media", "production"]


def make_project(workspace: Path, name: str = "Film") -> Path:
    """`Projects/<name>` with a manifest and a one-second testsrc clip `clip.mp4`."""
    project = workspace / "Projects" / name
    project.mkdir(parents=True)
    (project / "project.json").write_text(json.dumps({"name": name}))
    subprocess.run(
        ["ffmpeg", "-hide_banner", "-loglevel", "error", "-y", "-f", "lavfi", "-i",
         "testsrc=size=160x120:rate=10:duration=1", "-c:v", "libx264", "-preset", "ultrafast",
         "-pix_fmt", "yuv420p", str(project / "clip.mp4")],
        check=True,
    )
    return project


def takes_of(project: Path) -> list[Path]:
    return sorted(p for p in (project / "03_Renders").rglob("*take*.mp4"))


def media_executor(workspace: Path, runner: Runner) -> Executor:
    return make_executor(workspace, runner, MEDIA_PACKS)
