"""`auteur mcp`: the MCP server over stdio (see canvas_server.agents.stdio)."""

from __future__ import annotations

import typer

from .main import app


@app.command("mcp")
def mcp(
    server: str = typer.Option("http://127.0.0.1:8000", "--server", envvar="AUTEUR_SERVER",
                               help="The running server to relay to"),
    token: str | None = typer.Option(None, "--token", envvar="AUTEUR_TOKEN",
                                     help="The agent's API token (its role and maturity decide)"),
    local: bool = typer.Option(False, "--local", help="Serve the workspace in this process as the local user"),
) -> None:
    """Serve MCP over stdio for desktop agent hosts (Claude Desktop, IDEs)."""
    import anyio

    from ..agents.stdio import relay, serve_local
    from ..settings import Settings

    if local:
        anyio.run(serve_local, Settings())
    else:
        anyio.run(relay, server, token)
