"""Cancelling a long convert stops ffmpeg within 2 s and leaves no output behind."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from function_runners.task import NodeResult
from nodes.sdk import NodeRegistry

from .media_fixtures import (
    WORKER,
    children_named,
    load,
    make_video,
    processes_in_group,
    run_node,
    task_json,
)

KILL_DEADLINE_S = 2.0


@pytest.fixture
def long_clip(workspace: Path, registry: NodeRegistry) -> dict[str, object]:
    # Long enough that a slow-preset VP9 encode runs for minutes on these machines.
    make_video(workspace / "media" / "long.mp4", seconds=60, size="640x360")
    return load(workspace, registry, "media/long.mp4")


def _wait_for(condition: Callable[[], bool], timeout: float) -> float:
    """Seconds until `condition()` held; fails the test after `timeout`."""
    start = time.monotonic()
    while not condition():
        assert time.monotonic() - start < timeout, "condition not reached in time"
        time.sleep(0.02)
    return time.monotonic() - start


def _outputs_in(workspace: Path) -> list[Path]:
    return [path for path in (workspace / ".auteur" / "scratch").rglob("*") if path.is_file()]


@pytest.mark.slow
def test_cooperative_cancel_kills_ffmpeg_within_two_seconds_and_deletes_partial_output(
    workspace: Path, registry: NodeRegistry, long_clip: dict[str, object]
) -> None:
    cancelled = threading.Event()
    progress: list[float] = []
    results: list[NodeResult] = []
    worker = threading.Thread(target=lambda: results.append(run_node(
        workspace, registry, "media.convert", {"video": long_clip, "format": "webm"}, tier="high",
        is_cancelled=cancelled.is_set, progress=lambda fraction, step: progress.append(fraction),
    )))
    worker.start()
    _wait_for(lambda: bool(children_named(os.getpid())) and bool(_outputs_in(workspace)), 30)
    cancelled.set()
    elapsed = _wait_for(lambda: not children_named(os.getpid()), timeout=KILL_DEADLINE_S)
    worker.join(timeout=KILL_DEADLINE_S)
    assert elapsed < KILL_DEADLINE_S
    assert results and results[0].error is not None
    assert results[0].error.code == "cancelled"
    assert _outputs_in(workspace) == []


@pytest.mark.slow
def test_killing_the_worker_process_group_leaves_no_ffmpeg_and_no_output_under_its_name(
    workspace: Path, registry: NodeRegistry, long_clip: dict[str, object]
) -> None:
    # The local runner cancels by killing the task's whole process group; ffmpeg must be in it.
    task = task_json(workspace, "media.convert", {"video": long_clip, "format": "webm"}, tier="high")
    worker = subprocess.Popen([sys.executable, "-c", WORKER], stdin=subprocess.PIPE,
                              stdout=subprocess.DEVNULL, text=True, start_new_session=True)
    assert worker.stdin is not None
    worker.stdin.write(task)
    worker.stdin.close()
    try:
        _wait_for(lambda: bool(processes_in_group(worker.pid)), timeout=60)
    finally:
        os.killpg(worker.pid, signal.SIGKILL)
        worker.wait()
    elapsed = _wait_for(lambda: not processes_in_group(worker.pid), timeout=KILL_DEADLINE_S)
    assert elapsed < KILL_DEADLINE_S
    # A hard kill gives nobody the chance to clean up; what ffmpeg wrote is only ever a
    # hidden `.partial` staging file, never the output name a later node would trust.
    assert not [path for path in _outputs_in(workspace) if ".partial" not in path.name]
