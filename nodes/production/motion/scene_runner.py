"""The sandbox's inside: run one model-written scene and write its frames.

Run as `python -I scene_runner.py REQUEST.json` under `unshare -r -n` with rlimits (see
sandbox.py). Before the scene's code runs, an audit hook ends the process at once, with an
exit code the parent reads as the reason, on any attempt to open a socket, resolve a name,
start a process or write outside the frame folder; `os._exit` so the scene cannot catch it.
Self-contained: this interpreter imports nothing of ours but frames.py beside it.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

EXIT_NETWORK = 41
EXIT_FORBIDDEN = 42
EXIT_SCENE_ERROR = 43
NETWORK_EVENTS = ("socket.", "urllib.Request", "http.client.")
FORBIDDEN_EVENTS = ("subprocess.Popen", "os.system", "os.exec", "os.posix_spawn", "os.spawn", "os.fork",
                    "os.forkpty", "pty.spawn", "ctypes.dlopen", "os.kill", "shutil.rmtree", "os.remove",
                    "os.unlink", "os.rename", "os.chmod")


def _refuse(code: int, why: str) -> None:
    sys.stderr.write(json.dumps({"refused": why}) + "\n")
    sys.stderr.flush()
    os._exit(code)


def _writes(args: tuple[Any, ...]) -> bool:
    """An `open` audit event that may write: builtin open's mode, or os.open's flags."""
    mode, flags = (args[1], args[2]) if len(args) > 2 else (None, 0)
    if isinstance(mode, str):
        return any(letter in mode for letter in "wax+")
    return isinstance(flags, int) and bool(flags & (os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_TRUNC))


def _inside(path: object, allowed: str) -> bool:
    return isinstance(path, str | bytes) and os.path.abspath(os.fsdecode(path)).startswith(allowed)


def _guard(frames: Path) -> None:
    allowed = str(frames.resolve()) + os.sep

    def hook(event: str, args: tuple[Any, ...]) -> None:
        if event.startswith(NETWORK_EVENTS):
            _refuse(EXIT_NETWORK, f"the scene tried the network ({event})")
        if event.startswith(FORBIDDEN_EVENTS):
            _refuse(EXIT_FORBIDDEN, f"the scene tried {event}")
        if event == "open" and _writes(args) and not _inside(args[0], allowed):
            _refuse(EXIT_FORBIDDEN, "the scene tried to write outside its frame folder")

    sys.addaudithook(hook)


def main(request_path: str) -> None:
    request = json.loads(Path(request_path).read_text(encoding="utf-8"))
    sys.path.insert(0, str(Path(__file__).parent))
    from frames import Look, render_frames  # beside this file; nothing else of ours is importable

    look = Look(**request["look"])
    folder = Path(request["frames"])
    source = Path(request["scene"]).read_text(encoding="utf-8")
    lines: list[str] = request["lines"]
    _guard(folder)
    space: dict[str, Any] = {"__name__": "scene"}
    try:
        exec(compile(source, "scene.py", "exec"), space)
        draw = space["draw"]
        render_frames(lambda image, t: draw(image, t, lines, look), look, int(request["count"]), folder)
    except MemoryError:
        raise
    except Exception as exc:
        sys.stderr.write(json.dumps({"error": f"{type(exc).__name__}: {exc}"[:500]}) + "\n")
        sys.stderr.flush()
        os._exit(EXIT_SCENE_ERROR)


if __name__ == "__main__":
    main(sys.argv[1])
