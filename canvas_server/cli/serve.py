"""`auteur serve`: the canvas server on uvicorn, with the embedded defaults, and the
ComfyUI-compatible API on its own port in the same process (same services, one lifespan).

Start-up order: check the workspace, the editor build and both ports (one line and exit 2
when one is wrong, before anything starts); start the services; only then listen on both
ports. On SIGTERM/SIGINT both ports answer 503 at once, stop listening, finish the requests
in flight, and the services stop last."""

from __future__ import annotations

import typer

from .main import app

STARTUP_FAILED = 2


@app.command("serve")
def serve(
    host: str | None = typer.Option(None, "--host", help="Bind address (AUTEUR_HOST, default 127.0.0.1)"),
    port: int | None = typer.Option(None, "--port", help="Port (AUTEUR_PORT, default 8000)"),
    comfyui_port: int | None = typer.Option(
        None, "--comfyui-port", help="ComfyUI-compatible API port (AUTEUR_COMFYUI_PORT, default 8188; 0 = off)"),
    comfyui_frontend: bool | None = typer.Option(
        None, "--comfyui-frontend", help="Serve ComfyUI's web frontend (pip install comfyui-frontend-package) on the ComfyUI port"),
    log_level: str = typer.Option("info", "--log-level", help="uvicorn log level"),
) -> None:
    """Run the HTTP + WebSocket server (local runners, SQLite state under <workspace>/.auteur/)."""
    import asyncio

    from function_runners.schema_version import SchemaTooNewError
    from nodes.sdk import AuteurError

    from ..governance.auth import check_bind
    from ..governance.tokens import token_store
    from ..runs.workspace_lock import WorkspaceBusyError, acquire
    from ..server.serving import serve_both
    from ..settings import Settings
    from .preflight import (
        bind_all,
        check_comfy_frontend,
        check_editor,
        check_workspace,
    )

    updates = {key: value for key, value in (("host", host), ("port", port), ("comfyui_port", comfyui_port),
                                             ("comfyui_frontend", comfyui_frontend)) if value is not None}
    settings = Settings().model_copy(update=updates)
    try:
        check_workspace(settings)
        check_editor(settings.web_dir)
        check_comfy_frontend(settings)
        check_bind(settings.host, token_store(settings), settings.loopback_hosts)
        sockets = bind_all(settings)
    except AuteurError as exc:  # StartupError, InsecureBindError, a database the tokens are in that is away
        typer.echo(f"error: {exc.message}", err=True)
        raise typer.Exit(STARTUP_FAILED) from None
    try:  # at once, before any model or runner starts; replicas sharing a database lease runs instead
        lock = None if settings.database_url else acquire(settings.state_dir, f"http://{settings.host}:{settings.port}")
    except WorkspaceBusyError as exc:
        for sock in sockets:
            sock.close()
        typer.echo(f"error: {exc.message}", err=True)
        raise typer.Exit(1) from None

    def announce() -> None:  # once the services have started
        typer.echo(f"Auteur Canvas on http://{settings.host}:{settings.port} (workspace {settings.workspace.resolve()})")
        if settings.comfyui_port:
            served = "API and ComfyUI's frontend" if settings.comfyui_frontend else "API"
            typer.echo(f"ComfyUI-compatible {served} on http://{settings.host}:{settings.comfyui_port}")

    try:
        asyncio.run(serve_both(settings, log_level, lock, sockets, on_ready=announce))
    except AuteurError as exc:  # a service refused to start
        typer.echo(f"error: {exc.message}", err=True)
        raise typer.Exit(STARTUP_FAILED) from None
    except SchemaTooNewError as exc:  # a store written by a newer Auteur
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(STARTUP_FAILED) from None
