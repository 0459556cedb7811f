"""What `auteur serve` checks before it starts anything: a writable workspace, the editor build
it was pointed at, and both ports free. Each failure is a `StartupError` whose message is
the one line the user reads (with what to change), so nothing half-starts."""

from __future__ import annotations

import errno
import socket
import tempfile
from dataclasses import dataclass
from pathlib import Path

from nodes.sdk import AuteurError

from ..settings import Settings


class StartupError(AuteurError):
    """The server cannot start as configured; the message says what to change."""

    code = "startup_failed"


@dataclass(frozen=True)
class Port:
    """One listening port and the flag that sets it."""

    what: str
    number: int
    flag: str

    def error(self, host: str, exc: OSError) -> StartupError:
        if exc.errno == errno.EADDRINUSE:
            problem = f"{self.what} port {self.number} on {host} is already in use"
        else:
            problem = f"cannot listen on {host}:{self.number} for the {self.what} ({exc.strerror})"
        return StartupError(f"{problem}; choose another with {self.flag}")


def ports(settings: Settings) -> list[Port]:
    found = [Port("server", settings.port, "--port N")]
    if settings.comfyui_port:
        found.append(Port("ComfyUI API", settings.comfyui_port,
                          "--comfyui-port N (or --comfyui-port 0 to turn the ComfyUI API off)"))
    return found


def bind(host: str, port: Port) -> socket.socket:
    """A bound socket that does not listen yet: connections are refused, not queued, until
    the server is ready and uvicorn starts listening on it."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn: restart after TIME_WAIT
    try:
        sock.bind((host, port.number))
    except OSError as exc:
        sock.close()
        raise port.error(host, exc) from None
    return sock


def bind_all(settings: Settings) -> list[socket.socket]:
    """Both ports bound, or neither (a StartupError naming the one that failed)."""
    bound: list[socket.socket] = []
    try:
        for port in ports(settings):
            bound.append(bind(settings.host, port))
    except StartupError:
        for sock in bound:
            sock.close()
        raise
    return bound


def check_workspace(settings: Settings) -> None:
    """The workspace and its state folder exist and take a file."""
    try:
        settings.state_dir.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=settings.state_dir):
            pass
    except OSError as exc:
        where = exc.filename or settings.workspace
        raise StartupError(f"cannot write to the workspace {settings.workspace} ({exc.strerror}: {where}); "
                           "set AUTEUR_WORKSPACE to a writable folder") from None


def check_comfy_frontend(settings: Settings) -> None:
    """`--comfyui-frontend` needs the ComfyUI port and the optional frontend package."""
    from ..comfy.frontend import frontend_dir

    if not settings.comfyui_frontend:
        return
    if not settings.comfyui_port:
        raise StartupError("--comfyui-frontend needs the ComfyUI port (--comfyui-port N, not 0)")
    if frontend_dir() is None:
        raise StartupError("--comfyui-frontend: ComfyUI's frontend is not installed; "
                           "`pip install comfyui-frontend-package` into this environment")


def check_editor(web_dir: Path | None) -> None:
    """An editor build named by AUTEUR_WEB_DIR must be there; without the setting, a checkout
    with no build serves the API and a landing page that says so."""
    if web_dir is not None and not (web_dir / "index.html").is_file():
        raise StartupError(f"no editor build in {web_dir} (index.html is missing): build it with `make web`, "
                           "or unset AUTEUR_WEB_DIR to serve the API alone")
