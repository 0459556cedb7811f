"""Templates: list, get, save, import (with a requirements report), export."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Depends
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field, ValidationError

from ...governance import Action, Principal, TemplateResource, authorize
from ...graph.check import check_size, finite_json, node_count
from ...graph.load import LoadedGraph, load_graph
from ...graph.template import Template
from ..deps import get_principal, get_services
from ..services import AppServices
from ..template_store import (
    RequirementsReport,
    TemplateInvalidError,
    TemplateStore,
    TemplateSummary,
    requirements_report,
)

router = APIRouter(prefix="/api/templates", tags=["templates"])


class TemplateList(BaseModel):
    items: list[TemplateSummary]


class ImportedTemplate(TemplateSummary):
    requirements: RequirementsReport


class TemplateDetail(ImportedTemplate):
    template: Template = Field(description="The template document as saved")


def _store(services: AppServices) -> TemplateStore:
    return services.templates


def _check(data: dict[str, Any], services: AppServices) -> LoadedGraph:
    """A template must read as one: `template_invalid` or `graph_invalid` (422) otherwise, and
    within the node limit of the graphs it will run as (`graph_too_large`, 413)."""
    check_size(node_count(data), services.settings.max_graph_nodes)
    try:
        finite_json(data)
    except ValueError as exc:
        raise TemplateInvalidError(str(exc)) from exc
    loaded = load_graph(data, services.registry)
    if loaded.kind != "template":
        raise TemplateInvalidError(
            f"this is a{'n' if loaded.kind == 'api' else ''} {loaded.kind}, not a template: a template is "
            "{name, description, version, parameters, requires, workflow}"
        )
    return loaded


@router.get("")
def list_templates(services: AppServices = Depends(get_services)) -> TemplateList:
    """Bundled and workspace templates."""
    return TemplateList(items=_store(services).list())


# Unset fields stay absent: the template document is served as it was saved, not with defaults.
@router.get("/{template_id}", response_model_exclude_unset=True)
def get_template(template_id: str, services: AppServices = Depends(get_services)) -> TemplateDetail:
    summary, data = _store(services).get(template_id)
    try:
        template = Template.model_validate(data)
    except ValidationError as exc:  # saved templates are checked; a file edited by hand may not be
        raise TemplateInvalidError(f"template {template_id!r} cannot be read: {exc.error_count()} problem(s)",
                                   details={"errors": [error["msg"] for error in exc.errors()][:5]}) from exc
    report = requirements_report(data, services.registry)
    return TemplateDetail(**dict(summary), template=template, requirements=report)


def _writable(data: dict[str, Any], services: AppServices, principal: Principal) -> TemplateStore:
    """Built-in templates are read-only; a saved one belongs to its author."""
    store = _store(services)
    template_id = store.template_id(data)
    authorize(principal, Action.TEMPLATE_WRITE,
              TemplateResource(template_id, builtin=store.is_builtin(template_id), author=store.author(template_id)))
    return store


@router.post("", status_code=201)
def save_template(
    data: dict[str, Any],
    services: AppServices = Depends(get_services),
    principal: Principal = Depends(get_principal),
) -> TemplateSummary:
    """Save (or replace) a workspace template; its id is the slug of its name."""
    _check(data, services)
    return _writable(data, services, principal).save(data, author=principal.name)


@router.post("/import", status_code=201)
def import_template(
    data: dict[str, Any],
    services: AppServices = Depends(get_services),
    principal: Principal = Depends(get_principal),
) -> ImportedTemplate:
    """Import an exported template file; the report lists node types this server lacks."""
    report = requirements_report(data, services.registry)
    _check(data, services)
    summary = _writable(data, services, principal).save(data, author=principal.name)
    return ImportedTemplate(**dict(summary), requirements=report)


# A file download (`content-disposition: attachment`), in the template document's shape.
@router.get("/{template_id}/export", response_model=None,
            responses={200: {"model": Template, "description": "The template file"}})
def export_template(template_id: str, services: AppServices = Depends(get_services)) -> JSONResponse:
    """The template as one portable JSON file (with `requires` filled from this catalog)."""
    summary, data = _store(services).get(template_id)
    exported = {**data, "requires": data.get("requires") or _requires_of(data, services)}
    # An id may hold any letter; a header holds Latin-1 only: RFC 6266's filename* says it in UTF-8.
    disposition = f"attachment; filename*=UTF-8''{quote(summary.id)}.json"
    return JSONResponse(exported, headers={"content-disposition": disposition})


def _requires_of(data: dict[str, Any], services: AppServices) -> list[dict[str, Any]]:
    from ...graph.template import requirements_of

    loaded = _check(data, services)
    assert loaded.workflow is not None
    return [item.model_dump() for item in requirements_of(loaded.workflow, services.registry)]
