"""The routes ComfyUI's web frontend calls besides the queue: users, settings, userdata,
templates, i18n, model folders, subgraphs, logs, `/free` — in ComfyUI's shapes, each
principal with its own settings and files (`userdata.py`)."""

from __future__ import annotations

import asyncio
import io
import json
import logging
import textwrap
from functools import cache
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse, Response
from PIL import Image, ImageDraw

from nodes.sdk import AuteurError
from nodes.sdk.layout import COMFY_SETTINGS_FILE

from ..governance import Action, Principal, authorize
from ..governance.redact import redact
from ..server.deps import get_principal, get_services
from ..server.errors import error_body
from ..server.services import AppServices
from ..server.template_store import TemplateStore
from . import project_workflows, userdata
from .errors import auteur_refusal
from .logs import log_entries, log_size

router = APIRouter()


class BodyInvalidError(AuteurError):
    code = "json_invalid"


def _root(services: AppServices, principal: Principal) -> Path:
    return userdata.user_dir(services.settings.state_dir, principal)


async def _json_body(request: Request) -> Any:
    """ComfyUI's frontend posts settings as JSON text without a JSON content type."""
    try:
        return json.loads(await request.body())
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise BodyInvalidError("the body is not JSON") from None


def _flag(value: str | None, default: bool) -> bool:
    return default if value is None else value.lower() == "true"


def _written(path: Path | None, name: str, root: Path | None, full_info: str | None) -> Any:
    """ComfyUI's answer to a store or a move: 409 when `name` exists and overwrite is off, else
    the file's `{path, size, modified}` with `full_info`, or its name."""
    if path is None:
        return JSONResponse(error_body("file_exists", f"{name!r} exists; send overwrite=true to replace it"),
                            status_code=409)
    if not _flag(full_info, False):
        return name
    return userdata.entry(path, root) if root is not None else userdata.entry(path, None, name)


@router.get("/users")
async def users(principal: Principal = Depends(get_principal)) -> dict[str, Any]:
    """Single-user shape: the principal comes from the token, so there is no user to pick."""
    authorize(principal, Action.USERDATA_READ)
    return {"storage": "server", "migrated": True}


@router.get("/settings")
async def all_settings(services: AppServices = Depends(get_services),
                       principal: Principal = Depends(get_principal)) -> dict[str, Any]:
    authorize(principal, Action.USERDATA_READ)
    return await asyncio.to_thread(services.user_settings.read, principal)


@router.get("/settings/{setting_id}")
async def one_setting(setting_id: str, services: AppServices = Depends(get_services),
                      principal: Principal = Depends(get_principal)) -> Any:
    authorize(principal, Action.USERDATA_READ)
    return (await asyncio.to_thread(services.user_settings.read, principal)).get(setting_id)


@router.post("/settings")
async def store_settings(request: Request, services: AppServices = Depends(get_services),
                         principal: Principal = Depends(get_principal)) -> dict[str, Any]:
    authorize(principal, Action.USERDATA_WRITE)
    changes = await _json_body(request)
    if not isinstance(changes, dict):
        raise BodyInvalidError("send the settings as a JSON object")
    await asyncio.to_thread(services.user_settings.update, principal, changes)
    return {}


@router.post("/settings/{setting_id}")
async def store_setting(setting_id: str, request: Request, services: AppServices = Depends(get_services),
                        principal: Principal = Depends(get_principal)) -> dict[str, Any]:
    authorize(principal, Action.USERDATA_WRITE)
    value = await _json_body(request)
    await asyncio.to_thread(services.user_settings.update, principal, {setting_id: value})
    return {}


@router.get("/userdata")
async def list_userdata(dir: str, recurse: str | None = None, full_info: str | None = None,
                        split: str | None = None, services: AppServices = Depends(get_services),
                        principal: Principal = Depends(get_principal)) -> list[Any]:
    """The files under `dir`: relative paths, `{path, size, modified}` with `full_info`, path
    parts with `split`."""
    authorize(principal, Action.USERDATA_READ)
    base = userdata.user_path(_root(services, principal), dir)
    deep = _flag(recurse, False)
    files = [(path.relative_to(base).as_posix(), path)
             for path in userdata.list_files(_root(services, principal), dir, recurse=deep)]
    folder = base.relative_to(_root(services, principal)).as_posix() + "/"
    for shown, path in await asyncio.to_thread(lambda: list(project_workflows.listed(services, principal))):
        inside = shown.removeprefix(folder)
        if shown.startswith(folder) and (deep or "/" not in inside):
            files.append((inside, path))
    if _flag(full_info, False):
        return [userdata.entry(path, None, name) for name, path in files]
    if _flag(split, False):
        return [[name, *name.split("/")] for name, _ in files]
    return [name for name, _ in files]


@router.get("/v2/userdata")
async def list_userdata_v2(path: str = "", services: AppServices = Depends(get_services),
                           principal: Principal = Depends(get_principal)) -> list[dict[str, Any]]:
    """One folder level: `{name, path, type, size?, modified?}` for files and folders."""
    authorize(principal, Action.USERDATA_READ)
    root = _root(services, principal)
    folder = userdata.user_path(root, path) if path.strip("/") else root
    if not folder.is_dir():
        raise userdata.UserFileNotFoundError(f"no folder {path!r}")
    items = []
    for child in sorted(folder.iterdir()):
        if child.name.startswith(".") or child.name == COMFY_SETTINGS_FILE:
            continue
        item: dict[str, Any] = {"name": child.name, "path": child.relative_to(root).as_posix(),
                                "type": "directory" if child.is_dir() else "file"}
        if child.is_file():
            stat = child.stat()
            item |= {"size": stat.st_size, "modified": stat.st_mtime}
        items.append(item)
    return items


@router.get("/userdata/{file:path}")
async def get_userdata(file: str, services: AppServices = Depends(get_services),
                       principal: Principal = Depends(get_principal)) -> Response:
    authorize(principal, Action.USERDATA_READ)
    in_projects = project_workflows.in_projects(file)
    path = project_workflows.read(services, principal, file) if in_projects else userdata.user_path(
        _root(services, principal), file)
    if not path.is_file():
        raise userdata.UserFileNotFoundError(f"no file {file!r}")
    media = "application/json" if path.suffix == ".json" else "application/octet-stream"
    return Response(path.read_bytes(), media_type=media)


@router.post("/userdata/{source:path}/move/{target:path}")
async def move_userdata(source: str, target: str, overwrite: str | None = None, full_info: str | None = None,
                        services: AppServices = Depends(get_services),
                        principal: Principal = Depends(get_principal)) -> Any:
    authorize(principal, Action.USERDATA_WRITE)
    project_workflows.refuse_change(source)
    project_workflows.refuse_change(target)
    root = _root(services, principal)
    return _written(userdata.move(root, source, target, overwrite=_flag(overwrite, True)), target, root, full_info)


@router.post("/userdata/{file:path}")
async def store_userdata(file: str, request: Request, overwrite: str | None = None, full_info: str | None = None,
                         services: AppServices = Depends(get_services),
                         principal: Principal = Depends(get_principal)) -> Any:
    """Store the raw body as `file` (a workflow saved with Ctrl+S lands in `workflows/`)."""
    authorize(principal, Action.USERDATA_WRITE)
    root = _root(services, principal)
    if project_workflows.in_projects(file):  # a project's workflow: saved into the project
        saved = await asyncio.to_thread(project_workflows.save, services, principal, file, await _json_body(request),
                                        overwrite=_flag(overwrite, True))
        path = project_workflows.read(services, principal, file) if saved else None
        return _written(path, file, None, full_info)
    return _written(userdata.save(root, file, await request.body(), overwrite=_flag(overwrite, True)), file, root,
                    full_info)


@router.delete("/userdata/{file:path}", status_code=204)
async def delete_userdata(file: str, services: AppServices = Depends(get_services),
                          principal: Principal = Depends(get_principal)) -> Response:
    authorize(principal, Action.USERDATA_WRITE)
    project_workflows.refuse_change(file)
    userdata.remove(_root(services, principal), file)
    return Response(status_code=204)


@router.get("/workflow_templates")
async def workflow_templates(principal: Principal = Depends(get_principal)) -> dict[str, list[str]]:
    """Custom node packs' templates by pack: ours are core templates (`/templates/index.json`)."""
    authorize(principal, Action.TEMPLATE_READ)
    return {}


@router.get("/i18n")
async def i18n() -> dict[str, Any]:
    return {}


@router.get("/experiment/models")
async def model_folders() -> list[dict[str, Any]]:
    return []  # no model folders: nodes name their models themselves


@router.get("/global_subgraphs")
async def global_subgraphs() -> dict[str, Any]:
    return {}


@router.post("/free")
async def free(principal: Principal = Depends(get_principal)) -> dict[str, Any]:
    """Nothing to unload: models live in the runners, which free memory on their own."""
    authorize(principal, Action.RUN_SUBMIT)
    return {}


@router.get("/internal/logs/raw")
async def raw_logs(principal: Principal = Depends(get_principal)) -> dict[str, Any]:
    """The server's own log lines about this principal's work (an admin's: all), redacted."""
    authorize(principal, Action.RUN_LIST)
    return {"entries": log_entries(principal), "size": log_size()}


@router.patch("/internal/logs/subscribe")
async def subscribe_logs(principal: Principal = Depends(get_principal)) -> dict[str, Any]:
    """Accepted; log lines are not pushed over the socket (the frontend reads `/logs/raw`)."""
    authorize(principal, Action.RUN_LIST)
    return {}


def _templates(services: AppServices) -> TemplateStore:
    return services.templates


templates_router = APIRouter()


@templates_router.get("/user.css")
async def user_css(services: AppServices = Depends(get_services),
                   principal: Principal = Depends(get_principal)) -> Response:
    """The caller's own style sheet (`userdata/user.css`)."""
    authorize(principal, Action.USERDATA_READ)
    path = userdata.user_path(_root(services, principal), "user.css")
    return Response(path.read_bytes() if path.is_file() else b"", media_type="text/css")


@templates_router.get("/templates/index.json")
async def templates_index(services: AppServices = Depends(get_services),
                          principal: Principal = Depends(get_principal)) -> list[dict[str, Any]]:
    """Our templates as one category of ComfyUI's template browser."""
    authorize(principal, Action.TEMPLATE_READ)
    items = [{"name": summary.id, "title": summary.name, "description": summary.description,
              "mediaType": "image", "mediaSubtype": "webp"} for summary in _templates(services).list()]
    return [{"moduleName": "default", "title": "Auteur Canvas", "type": "image", "templates": items}]


@templates_router.get("/templates/index_logo.json")
async def templates_logos() -> dict[str, Any]:
    return {}


@cache
def _thumbnail(title: str) -> bytes:
    """A card for a template in ComfyUI's browser: its title on our canvas colour."""
    image = Image.new("RGB", (512, 512), (32, 36, 44))
    draw = ImageDraw.Draw(image)
    draw.multiline_text((32, 224), textwrap.fill(title, 24), fill=(230, 230, 230), font_size=32)
    out = io.BytesIO()
    image.save(out, "WEBP", quality=80)
    return out.getvalue()


@templates_router.get("/templates/{template_id}-{index}.webp")
async def template_thumbnail(template_id: str, index: int, services: AppServices = Depends(get_services),
                             principal: Principal = Depends(get_principal)) -> Response:
    authorize(principal, Action.TEMPLATE_READ)
    summary, _ = _templates(services).get(template_id)
    return Response(_thumbnail(summary.name), media_type="image/webp")


@templates_router.get("/templates/{template_id}.json")
async def template_workflow(template_id: str, services: AppServices = Depends(get_services),
                            principal: Principal = Depends(get_principal)) -> Any:
    """The template's workflow, as ComfyUI's template browser opens it."""
    authorize(principal, Action.TEMPLATE_READ)
    return _templates(services).get(template_id)[1].get("workflow", {})


class UnknownRouteError(AuteurError):
    code = "not_found"


_logged_unknown: set[str] = set()
_LOG = logging.getLogger(__name__)
unknown_router = APIRouter()


@unknown_router.api_route("/api/{rest:path}", methods=["GET", "POST", "PUT", "PATCH", "DELETE"])
async def unknown_api_route(rest: str) -> JSONResponse:
    """Any other `/api` route a client calls: a 404 in ComfyUI's error shape, logged once per
    path so the missing route can be added."""
    path = "/api/" + rest
    if path not in _logged_unknown and len(_logged_unknown) < 1000:
        _logged_unknown.add(path)
        _LOG.warning("ComfyUI client called an unknown route %s", redact(path))
    return JSONResponse(auteur_refusal(UnknownRouteError(f"no route {path}")), status_code=404)
