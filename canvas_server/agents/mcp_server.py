"""The MCP server (official `mcp` SDK, low-level `Server`): the agent's tools and resources.

Served at `/mcp` on the main app (streamable HTTP, same process, services and `authorize()`),
and over stdio by `auteur mcp`. Each request names its caller: over HTTP the
`Authorization: Bearer` token, resolved per request exactly as for every /api route (a token
revoked mid-session stops working at once); `principal_for` supplies it.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import quote, unquote

import mcp_types as types
from mcp.server.context import ServerRequestContext
from mcp.server.lowlevel.server import Server
from mcp.server.streamable_http_manager import StreamableHTTPSessionManager
from mcp.server.transport_security import TransportSecuritySettings
from starlette.requests import Request

from nodes.sdk import AuteurError

from ..governance import Action, Principal
from ..server.access import authorize_project
from ..server.deps import principal_of, services_of
from ..server.services import AppServices
from ..workspace import takes as take_service
from ..workspace.store import ProjectStore
from .calls import call_tool
from .templates import template_tools
from .toolbox import visible_tools, with_templates

SCHEME = "auteur://"
Context = ServerRequestContext[Any, Any]
Resolver = Callable[[Context], Awaitable[tuple[AppServices, Principal, str]]]  # services, caller, base URL


async def http_caller(ctx: Context) -> tuple[AppServices, Principal, str]:
    """The services, caller and base URL of a streamable-HTTP request."""
    request = ctx.request
    if not isinstance(request, Request):
        raise AuteurError("this MCP request came without its HTTP request")
    return services_of(request), await principal_of(request), str(request.base_url).rstrip("/")


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, default=str)


def _error_result(exc: AuteurError) -> types.CallToolResult:
    error = {"code": exc.code, "message": exc.message, "details": exc.details}
    return types.CallToolResult(content=[types.TextContent(type="text", text=exc.message)],
                                structured_content={"error": error}, is_error=True)


def take_uri(project: str, path: str) -> str:
    return f"{SCHEME}projects/{quote(project, safe='')}/takes/{quote(path, safe='/')}"


def download_url(base: str, project: str, path: str) -> str:
    """The take's bytes over HTTP, fetched with the same token (`GET …/files?path=`)."""
    return f"{base}/api/projects/{quote(project, safe='')}/files?path={quote(path, safe='')}"


def _take_links(services: AppServices, summary: dict[str, Any]) -> list[types.ResourceLink]:
    """Links to the takes a run saved (its `production.save_take` outputs)."""
    project = summary.get("project")
    if not project:
        return []
    root = ProjectStore(services.settings.workspace).root(project)
    prefix = root.relative_to(services.settings.workspace).as_posix() + "/"
    links = []
    for node in summary["nodes"].values():
        take = (node.get("outputs") or {}).get("take") if node["type"] == "production.save_take" else None
        if isinstance(take, dict) and str(take.get("path", "")).startswith(prefix):
            path = str(take["path"])[len(prefix):]
            links.append(types.ResourceLink(type="resource_link", name=path.rsplit("/", 1)[-1],
                                            uri=take_uri(project, path), mime_type=take.get("mime")))
    return links


def build_server(resolve: Resolver) -> Server[Any]:
    """The MCP server over the catalog and the run queue, callers named by `resolve`."""

    async def list_tools(ctx: Context, params: types.PaginatedRequestParams | None) -> types.ListToolsResult:
        services, principal, _ = await resolve(ctx)
        store = services.templates
        templates = await asyncio.to_thread(template_tools, store, services.registry, principal)
        tools = with_templates(visible_tools(services.registry, principal), templates)
        return types.ListToolsResult(tools=[
            types.Tool(name=tool.name, description=tool.description, input_schema=tool.input_schema)
            for tool in tools])

    async def on_call(ctx: Context, params: types.CallToolRequestParams) -> types.CallToolResult:
        try:
            services, principal, _ = await resolve(ctx)
        except AuteurError as exc:
            return _error_result(exc)
        total: list[float] = [0.0]

        async def progress(done: float, message: str | None) -> None:
            total[0] = max(total[0], done)  # MCP progress only ever grows
            await ctx.session.report_progress(total[0], None, message)

        try:
            summary = await call_tool(services, principal, params.name, dict(params.arguments or {}), progress)
        except AuteurError as exc:
            return _error_result(exc)
        content: list[Any] = [types.TextContent(type="text", text=_json(summary))]
        content.extend(_take_links(services, summary))
        return types.CallToolResult(content=content, structured_content=summary,
                                    is_error=summary.get("status") in ("failed", "cancelled", "interrupted"))

    async def list_resources(ctx: Context, params: types.PaginatedRequestParams | None) -> types.ListResourcesResult:
        services, principal, _ = await resolve(ctx)
        listed = await call_tool(services, principal, "list_projects", {})
        resources = []
        for project in listed["projects"]:
            name = quote(project["name"], safe="")
            resources += [
                types.Resource(name=project["name"], uri=f"{SCHEME}projects/{name}", mime_type="application/json"),
                types.Resource(name=f"{project['name']} shot list", uri=f"{SCHEME}projects/{name}/shots",
                               mime_type="application/json"),
                types.Resource(name=f"{project['name']} takes", uri=f"{SCHEME}projects/{name}/takes",
                               mime_type="application/json"),
            ]
        return types.ListResourcesResult(resources=resources)

    async def list_templates(ctx: Context, params: types.PaginatedRequestParams | None
                             ) -> types.ListResourceTemplatesResult:
        templates = [("project", "projects/{project}"), ("shot list", "projects/{project}/shots"),
                     ("takes", "projects/{project}/takes"), ("take", "projects/{project}/takes/{path}"),
                     ("run record", "runs/{run_id}")]
        return types.ListResourceTemplatesResult(resource_templates=[
            types.ResourceTemplate(name=name, uri_template=SCHEME + template, mime_type="application/json")
            for name, template in templates])

    async def read_resource(ctx: Context, params: types.ReadResourceRequestParams) -> types.ReadResourceResult:
        services, principal, base = await resolve(ctx)
        uri = str(params.uri)
        value = await read(services, principal, base, uri)
        return types.ReadResourceResult(contents=[
            types.TextResourceContents(uri=uri, mime_type="application/json", text=_json(value))])

    return Server("auteur", version="0.1.0", on_list_tools=list_tools, on_call_tool=on_call,
                  on_list_resources=list_resources, on_list_resource_templates=list_templates,
                  on_read_resource=read_resource)


class ResourceNotFoundError(AuteurError):
    code = "not_found"


async def read(services: AppServices, principal: Principal, base: str, uri: str) -> Any:
    """A resource by URI, read as the caller (the same checks as the HTTP routes)."""
    if not uri.startswith(SCHEME):
        raise ResourceNotFoundError(f"no resource {uri!r}")
    parts = [unquote(part) for part in uri[len(SCHEME):].split("/")]
    if parts[0] == "runs" and len(parts) == 2:
        return await call_tool(services, principal, "get_run", {"run_id": parts[1]})
    if parts[0] != "projects" or len(parts) < 2:
        raise ResourceNotFoundError(f"no resource {uri!r}")
    project = parts[1]
    authorize_project(services, principal, project, Action.PROJECT_READ)
    store = ProjectStore(services.settings.workspace)
    if len(parts) == 2:
        return store.get(project).model_dump(mode="json", by_alias=True)
    if parts[2:] == ["shots"]:
        return store.get(project).narrative.model_dump(mode="json", by_alias=True)
    if parts[2] == "takes":
        shots = take_service.gallery(store, project)
        if len(parts) == 3:
            return {"shots": [shot.model_dump(mode="json") for shot in shots]}
        path = "/".join(parts[3:])
        for shot in shots:
            for take in shot.takes:
                if take.path == path:
                    return {**take.model_dump(mode="json"), "shot": shot.shot,
                            "download_url": download_url(base, project, path)}
    raise ResourceNotFoundError(f"no resource {uri!r}")


def session_manager() -> StreamableHTTPSessionManager:
    """The SDK's streamable-HTTP session manager over our server (one per lifespan: the SDK's
    cannot be started twice). Host and Origin are checked by the app's boundary for every
    route, /mcp included."""
    return StreamableHTTPSessionManager(
        app=build_server(http_caller), security_settings=TransportSecuritySettings(enable_dns_rebinding_protection=False))
