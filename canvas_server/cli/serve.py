"""`auteur serve`: the canvas server on uvicorn, with the embedded defaults, and the
ComfyUI-compatible API on its own port in the same process (same run manager and bus)."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Iterator

import typer
import uvicorn

from ..governance import TokenStore
from ..governance.auth import InsecureBindError, check_bind
from ..runs.workspace_lock import WorkspaceBusyError, WorkspaceLock, acquire
from ..settings import Settings
from .main import app


@app.command("serve")
def serve(
    host: str | None = typer.Option(None, "--host", help="Bind address (AUTEUR_HOST, default 127.0.0.1)"),
    port: int | None = typer.Option(None, "--port", help="Port (AUTEUR_PORT, default 8000)"),
    comfyui_port: int | None = typer.Option(
        None, "--comfyui-port", help="ComfyUI-compatible API port (AUTEUR_COMFYUI_PORT, default 8188; 0 = off)"),
    log_level: str = typer.Option("info", "--log-level", help="uvicorn log level"),
) -> None:
    """Run the HTTP + WebSocket server (local runners, SQLite state under <workspace>/.auteur/)."""
    updates = {key: value for key, value in (("host", host), ("port", port), ("comfyui_port", comfyui_port))
               if value is not None}
    settings = Settings().model_copy(update=updates)
    try:
        check_bind(settings.host, TokenStore(settings.state_dir / "tokens.json"), settings.loopback_hosts)
    except InsecureBindError as exc:
        typer.echo(f"error: {exc.message}", err=True)
        raise typer.Exit(2) from exc
    settings.workspace.mkdir(parents=True, exist_ok=True)
    try:  # at once, before any model or runner starts
        lock = acquire(settings.state_dir, f"http://{settings.host}:{settings.port}")
    except WorkspaceBusyError as exc:
        typer.echo(f"error: {exc.message}", err=True)
        raise typer.Exit(1) from exc
    typer.echo(f"Auteur Canvas on http://{settings.host}:{settings.port} (workspace {settings.workspace.resolve()})")
    if settings.comfyui_port:
        typer.echo(f"ComfyUI-compatible API on http://{settings.host}:{settings.comfyui_port}")
    asyncio.run(_serve(settings, log_level, lock))


async def _serve(settings: Settings, log_level: str, lock: WorkspaceLock) -> None:
    """Both apps on one event loop: the main app's lifespan starts the shared services."""
    from ..comfy import create_comfy_app
    from ..server.app import create_app

    main_app = create_app(settings)
    main_app.state.services.workspace_lock = lock
    main = uvicorn.Server(uvicorn.Config(main_app, host=settings.host, port=settings.port, log_level=log_level))
    if not settings.comfyui_port:
        await main.serve()
        return
    comfy = _Companion(uvicorn.Config(create_comfy_app(main_app.state.services), host=settings.host,
                                      port=settings.comfyui_port, log_level=log_level, lifespan="off"))
    companion = asyncio.create_task(comfy.serve())
    try:
        await main.serve()
    finally:
        comfy.should_exit = True
        await companion


class _Companion(uvicorn.Server):
    """A uvicorn server that leaves signals to the main server (it stops when that one does)."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield
