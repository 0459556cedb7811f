"""A model-written scene, accepted only after it passes: its source is type-checked with mypy
(strict) against the scene signature, then run in a fresh interpreter with no network
(`unshare -r -n`: a new user and network namespace with only a down loopback), CPU-time,
memory, file-size and wall-clock limits, and an audit hook that ends it on any socket,
process or write outside its frame folder (scene_runner.py). Refused: `scene_refused` with the
reason (type_check, network, forbidden, time_limit, memory_limit, error)."""

from __future__ import annotations

import json
import os
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
from dataclasses import asdict
from pathlib import Path

from nodes.sdk import NodeExecutionError
from nodes.sdk.atomic import atomic_write_text

from . import scene_runner
from .frames import Look

HERE = Path(__file__).parent
SIGNATURE_CHECK = (
    "from collections.abc import Callable\nfrom PIL import Image\nfrom frames import Look\n"
    "from scene import draw\n_checked: Callable[[Image.Image, float, list[str], Look], None] = draw\n"
)
MEMORY_BYTES = 1 << 30
FILE_BYTES = 256 << 20
CHECK_SECONDS = 120
# mypy's cache of Pillow's types, kept between checks (a cold check costs ~8 s, a warm one ~1 s);
# it holds only mypy's own analysis, keyed by each file's hash, so a scene cannot plant anything in it
TYPE_CACHE = Path(tempfile.gettempdir()) / f"auteur-scene-types-{os.getuid()}"
REASONS = {scene_runner.EXIT_NETWORK: "network", scene_runner.EXIT_FORBIDDEN: "forbidden",
           scene_runner.EXIT_SCENE_ERROR: "error"}


def refuse(reason: str, message: str) -> NodeExecutionError:
    return NodeExecutionError(f"the model-written scene was refused: {message}", code="scene_refused",
                              details={"reason": reason})


def type_check(source: str, folder: Path) -> None:
    """mypy --strict over the scene and a line assigning its `draw` to the scene signature."""
    check = folder / "check"
    check.mkdir()
    atomic_write_text(check / "scene.py", source)
    atomic_write_text(check / "signature.py", SIGNATURE_CHECK)
    shutil.copyfile(HERE / "frames.py", check / "frames.py")
    try:
        done = subprocess.run(
            [sys.executable, "-m", "mypy", "--strict", "--cache-dir", str(TYPE_CACHE),
             "--no-error-summary", "--hide-error-context", "scene.py", "signature.py"],
            cwd=check, capture_output=True, text=True, timeout=CHECK_SECONDS, stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired as exc:
        raise refuse("type_check", "the type check did not finish") from exc
    if done.returncode != 0:
        problems = [line for line in done.stdout.splitlines() if ": error:" in line][:10]
        raise NodeExecutionError("the model-written scene was refused: it does not type-check",
                                 code="scene_refused", details={"reason": "type_check", "errors": problems})


def _limits(cpu_seconds: int) -> None:
    """In the child before exec: the rlimits, and its own process group to kill it whole."""
    os.setsid()
    resource.setrlimit(resource.RLIMIT_CPU, (cpu_seconds, cpu_seconds + 1))
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_BYTES, MEMORY_BYTES))
    resource.setrlimit(resource.RLIMIT_FSIZE, (FILE_BYTES, FILE_BYTES))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def run_scene(source: str, lines: list[str], look: Look, count: int, folder: Path, *,
              seconds: int) -> Path:
    """Type-check and render the scene's `count` frames into `folder / "frames"`; returns it."""
    unshare = shutil.which("unshare")
    if unshare is None:
        raise NodeExecutionError("model-written scenes need unshare (util-linux) for their network sandbox",
                                 code="sandbox_unavailable")
    type_check(source, folder)
    frames = folder / "frames"
    frames.mkdir()
    request = folder / "request.json"
    atomic_write_text(folder / "scene.py", source)
    atomic_write_text(request, json.dumps({"look": asdict(look), "frames": str(frames), "lines": lines,
                                           "count": count, "scene": str(folder / "scene.py")}))
    argv = [unshare, "-r", "-n", sys.executable, "-I", "-B", str(HERE / "scene_runner.py"), str(request)]
    process = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                               preexec_fn=lambda: _limits(seconds), cwd=folder, env={"PATH": "/usr/bin:/bin"})
    try:
        _, stderr = process.communicate(timeout=seconds + 5)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.communicate()
        raise refuse("time_limit", f"it ran past its {seconds} s limit") from None
    return _verdict(process.returncode, stderr.decode(errors="replace"), frames, count, seconds)


def _verdict(code: int, stderr: str, frames: Path, count: int, seconds: int) -> Path:
    said = stderr.strip().splitlines()[-1] if stderr.strip() else ""
    try:
        message = next(iter(json.loads(said).values())) if said.startswith("{") else said
    except ValueError:
        message = said
    if code in REASONS:
        raise refuse(REASONS[code], str(message)[:300])
    if code in (-signal.SIGXCPU, -signal.SIGKILL, 128 + signal.SIGXCPU, 128 + signal.SIGKILL):
        raise refuse("time_limit", f"it used more than its {seconds} s of CPU")
    if "MemoryError" in stderr:
        raise refuse("memory_limit", f"it needed more than {MEMORY_BYTES >> 20} MiB")
    if code != 0:
        raise refuse("error", f"the sandbox exited with {code}: {str(message)[:300]}")
    if len(list(frames.glob("frame_*.png"))) != count:
        raise refuse("error", "it did not draw every frame")
    return frames
