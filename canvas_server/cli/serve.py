"""`auteur serve`: the canvas server on uvicorn, with the embedded defaults."""

from __future__ import annotations

import typer

from ..governance import TokenStore
from ..governance.auth import InsecureBindError, check_bind
from ..settings import Settings
from .main import app


@app.command("serve")
def serve(
    host: str | None = typer.Option(None, "--host", help="Bind address (AUTEUR_HOST, default 127.0.0.1)"),
    port: int | None = typer.Option(None, "--port", help="Port (AUTEUR_PORT, default 8000)"),
    log_level: str = typer.Option("info", "--log-level", help="uvicorn log level"),
) -> None:
    """Run the HTTP + WebSocket server (local runners, SQLite state under <workspace>/.auteur/)."""
    import uvicorn

    from ..server.app import create_app

    updates = {key: value for key, value in (("host", host), ("port", port)) if value is not None}
    settings = Settings().model_copy(update=updates)
    try:
        check_bind(settings.host, TokenStore(settings.state_dir / "tokens.json"))
    except InsecureBindError as exc:
        typer.echo(f"error: {exc.message}", err=True)
        raise typer.Exit(2) from exc
    settings.workspace.mkdir(parents=True, exist_ok=True)
    typer.echo(f"Auteur Canvas on http://{settings.host}:{settings.port} (workspace {settings.workspace.resolve()})")
    uvicorn.run(create_app(settings), host=settings.host, port=settings.port, log_level=log_level)
