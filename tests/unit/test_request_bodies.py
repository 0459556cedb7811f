"""Every JSON body a route reads is a `RequestBody` (canvas_server/request_body.py): strict JSON
types and unknown keys refused. The walk covers both apps and the packs' routes, and every model
nested in a body; the few bodies that are documents of their own, and the project.json models a
body may carry, are listed with the reason, and even those take no lax number or flag."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Annotated, Any, get_args, get_origin

import pytest
from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute, iter_route_contexts
from pydantic import BaseModel, ConfigDict, Field, Strict, ValidationError

from canvas_server.agents.calls import ReviewArguments, RunOptions
from canvas_server.agents.upload import UploadRequest
from canvas_server.comfy.app import create_comfy_app
from canvas_server.request_body import IsoDate, RequestBody, validation_message
from canvas_server.server.app import create_app
from canvas_server.server.lifecycle import Lifecycle
from canvas_server.server.packs import mount_pack_routes
from canvas_server.server.routes.batches import BatchSubmission
from canvas_server.settings import Settings
from canvas_server.workspace import manifest
from nodes.sdk import discover

# (method, path) -> why its body is a free-form JSON object rather than a RequestBody.
DOCUMENT_BODIES: dict[tuple[str, str], str] = {
    ("POST", "/api/nodes/{node_type}/run"):
        "a node's inputs by name, checked against the node's own input model as a graph's are; the run "
        "options among them (project, tier, save_take...) are RunOptions, a RequestBody",
    ("POST", "/api/templates"): "a template document: graph/template.py reads it and keeps a newer version's keys",
    ("POST", "/api/templates/import"): "likewise a template document",
    ("PUT", "/api/projects/{project}/workflows/{name}"):
        "a litegraph workflow saved as the editor or ComfyUI's frontend wrote it, keys it does not know kept",
    ("PUT", "/api/workflows/{name}"): "likewise a litegraph workflow",
}
# Models of project.json a body may carry (a project's settings, its narrative): the file keeps
# keys a newer version or a pack wrote, so they allow extra keys; their numbers and flags are
# strict (manifest.Number, Count, Flag).
MANIFEST_MODELS = frozenset({
    manifest.ProjectSettings, manifest.Narrative, manifest.Chapter, manifest.Scene, manifest.Shot,
    manifest.TakeEntry, manifest.EmotionalBeat,
})
# RequestBody models that take keys they do not declare, and why.
OPEN_MODELS: dict[type[BaseModel], str] = {
    RunOptions: "a tool's (or a one-node run's) arguments other than the run options are the node's inputs",
}
_SCALARS = (bool, int, float)


def _bodies(dependant: Dependant) -> Iterator[Any]:
    for param in dependant.body_params:
        yield param.field_info.annotation
    for sub in dependant.dependencies:
        yield from _bodies(sub)


def body_types(app: FastAPI) -> Iterator[tuple[str, str, Any]]:
    """(method, path, annotation) of every JSON body every route of `app` reads."""
    for context in iter_route_contexts(app.routes):
        route = context.original_route
        if isinstance(route, APIRoute):
            for annotation in _bodies(route.dependant):
                for method in sorted(route.methods):
                    yield method, context.path_format, annotation


def _nested(annotation: Any) -> Iterator[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        yield annotation
        return
    for arg in get_args(annotation):
        yield from _nested(arg)


def _lax(annotation: Any, strict: bool) -> bool:
    """Whether a bool, int or float somewhere in `annotation` is validated in lax mode."""
    if get_origin(annotation) is Annotated:
        base, *metadata = get_args(annotation)
        return _lax(base, strict or any(isinstance(item, Strict) and item.strict for item in metadata))
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return False  # checked as a model of its own
    if annotation in _SCALARS:
        return not strict
    return any(_lax(arg, strict) for arg in get_args(annotation))


def model_problems(model: type[BaseModel], seen: set[type[BaseModel]]) -> list[str]:
    """What makes `model` (and each model nested in it) take more than strict JSON."""
    if model in seen:
        return []
    seen.add(model)
    problems = []
    name = f"{model.__module__}.{model.__qualname__}"
    if model in MANIFEST_MODELS:
        problems += [f"{name}.{field}: a lax number or flag" for field, info in model.model_fields.items()
                     if _lax(info.annotation, any(isinstance(item, Strict) and item.strict for item in info.metadata))]
    elif not issubclass(model, RequestBody):
        problems.append(f"{name}: not a RequestBody")
    elif model.model_config.get("strict") is not True or (
            model.model_config.get("extra") != "forbid" and model not in OPEN_MODELS):
        problems.append(f"{name}: loosens RequestBody's config")
    for info in model.model_fields.values():
        for nested in _nested(info.annotation):
            problems += model_problems(nested, seen)
    return problems


def body_problems(app: FastAPI) -> list[str]:
    problems: list[str] = []
    seen: set[type[BaseModel]] = set()
    for method, path, annotation in body_types(app):
        models = list(_nested(annotation))
        if not models:
            if (method, path) not in DOCUMENT_BODIES:
                problems.append(f"{method} {path}: a body that is no model ({annotation!r})")
            continue
        for model in models:
            problems += [f"{method} {path}: {problem}" for problem in model_problems(model, seen)]
    return problems


@pytest.fixture(scope="module")
def apps(tmp_path_factory: pytest.TempPathFactory) -> tuple[FastAPI, FastAPI]:
    """The API app with its packs' routes, and the ComfyUI app."""
    settings = Settings(workspace=Path(tmp_path_factory.mktemp("bodies-ws")))
    app = create_app(settings)
    mount_pack_routes(app, discover(), settings)
    return app, create_comfy_app(Lifecycle(settings))


def test_every_request_body_of_both_apps_is_a_strict_request_body(apps: tuple[FastAPI, FastAPI]) -> None:
    api, comfy = apps
    assert len(list(body_types(api))) > 25
    assert body_problems(api) + body_problems(comfy) == []


def _all_models(model: type[BaseModel], found: set[type[BaseModel]]) -> set[type[BaseModel]]:
    if model not in found:
        found.add(model)
        for info in model.model_fields.values():
            for nested in _nested(info.annotation):
                _all_models(nested, found)
    return found


def _scalar(annotation: Any) -> type | None:
    """bool, int or float when that is what the field holds (optional or annotated alike)."""
    if get_origin(annotation) is Annotated:
        return _scalar(get_args(annotation)[0])
    if annotation in _SCALARS:
        return annotation  # type: ignore[no-any-return]
    members = [arg for arg in get_args(annotation) if arg is not type(None)]
    return _scalar(members[0]) if len(members) == 1 and get_origin(annotation) is not list else None


# What pydantic's lax mode turns into each scalar (FastAPI validates a body as Python values).
COERCED: dict[type, list[Any]] = {bool: [0, 1, "true", "yes"], int: ["5", 5.0, True], float: ["1.5", True]}


def test_every_field_of_every_route_body_refuses_each_coerced_value_and_an_unknown_key(
        apps: tuple[FastAPI, FastAPI]) -> None:
    """The walk above reads the config; this feeds each scalar field of every body model (and of
    every model nested in one) the values lax mode would coerce, the way FastAPI validates."""
    models: set[type[BaseModel]] = set()
    for app in apps:
        for _, _, annotation in body_types(app):
            for model in _nested(annotation):
                _all_models(model, models)
    accepted, fields = [], 0
    for model in models:
        for name, info in model.model_fields.items():
            kind = _scalar(info.annotation)
            key = info.alias or name
            for value in COERCED.get(kind, []) if kind else []:
                fields += 1
                try:
                    model.model_validate({key: value})
                except ValidationError as refused:
                    if any(error["loc"][:1] == (key,) for error in refused.errors()):
                        continue
                accepted.append(f"{model.__qualname__}.{key} = {value!r}")
        if model not in MANIFEST_MODELS and model not in OPEN_MODELS:
            with pytest.raises(ValidationError) as refused:
                model.model_validate({"an_unknown_key": 1})
            assert ("an_unknown_key",) in [error["loc"] for error in refused.value.errors()], model
    assert fields > 40 and accepted == []


def test_the_agents_tool_arguments_are_strict_request_bodies_too() -> None:
    """MCP tools take the same inputs as the routes, from the same hostile world."""
    assert [problem for model in (RunOptions, ReviewArguments, UploadRequest)
            for problem in model_problems(model, set())] == []


def test_the_listed_document_bodies_are_still_routes_that_read_a_free_form_body(apps: tuple[FastAPI, FastAPI]) -> None:
    free = {(method, path) for method, path, annotation in body_types(apps[0]) if not list(_nested(annotation))}
    assert set(DOCUMENT_BODIES) == free


class Loose(BaseModel):
    flag: bool = False


class Loosened(RequestBody):
    model_config = ConfigDict(strict=False, extra="forbid")


class Holder(RequestBody):
    inner: list[Loose] = Field(default_factory=list)


def test_a_lax_model_a_loosened_one_and_a_lax_nested_one_are_reported() -> None:
    probe = FastAPI()

    @probe.post("/loose")
    def loose(body: Loose) -> None: ...

    @probe.post("/loosened")
    def loosened(body: Loosened) -> None: ...

    @probe.post("/holder")
    def holder(body: Holder) -> None: ...

    @probe.post("/free")
    def free(body: dict[str, Any]) -> None: ...

    here = __name__
    assert body_problems(probe) == [
        f"POST /loose: {here}.Loose: not a RequestBody",
        f"POST /loosened: {here}.Loosened: loosens RequestBody's config",
        "POST /free: a body that is no model (dict[str, typing.Any])",
    ]
    # Loose was reported once, at its first route; alone, the holder names it too.
    assert body_problems(FastAPI(routes=[route for route in probe.routes if getattr(route, "path", "") == "/holder"])) == [
        f"POST /holder: {here}.Loose: not a RequestBody"]


def test_a_manifest_model_with_a_lax_flag_is_reported() -> None:
    assert model_problems(manifest.Shot, set()) == []
    lax = Annotated[bool, "not strict"]
    assert _lax(lax, False) and not _lax(manifest.Flag, False) and not _lax(manifest.Number | None, False)


class _Probe(RequestBody):
    flag: bool = False
    count: int = 0
    amount: float = 0
    day: IsoDate | None = None


@pytest.mark.parametrize(("body", "field"), [
    ({"flag": 0}, "flag"), ({"flag": "yes"}, "flag"), ({"count": "5"}, "count"), ({"count": 5.0}, "count"),
    ({"count": True}, "count"), ({"amount": "1.5"}, "amount"), ({"amount": False}, "amount"),
    ({"day": 20261205}, "day"), ({"day": "5 Dec 2026"}, "day"), ({"day": "2026-02-30"}, "day"),
    ({"colour": "red"}, "colour"),
])
def test_a_request_body_takes_no_coerced_value_and_no_unknown_key(body: dict[str, Any], field: str) -> None:
    with pytest.raises(ValidationError) as refused:
        _Probe.model_validate(body)
    assert [error["loc"] for error in refused.value.errors()] == [(field,)]


def test_a_request_body_takes_json_s_own_types_and_an_integer_as_a_number() -> None:
    probe = _Probe.model_validate({"flag": True, "count": 5, "amount": 2, "day": "2026-12-05"})
    assert (probe.flag, probe.count, probe.amount, probe.day.isoformat() if probe.day else None) == (
        True, 5, 2.0, "2026-12-05")


def test_the_refusal_names_each_field_and_its_constraint() -> None:
    errors = [
        {"loc": ("body", "changes", "duration"), "msg": "Input should be less than or equal to 3600"},
        {"loc": ("query", "limit"), "msg": "Input should be a valid integer"},
        {"loc": ("body",), "msg": "Field required"},
        {"loc": ("body", "x"), "msg": "Extra inputs are not permitted"},
    ]
    assert validation_message(errors) == (
        "changes.duration: Input should be less than or equal to 3600; query limit: Input should be a valid "
        "integer; the body: Field required (and 1 more in details)")


def test_a_union_s_members_are_one_field_in_the_refusal() -> None:
    with pytest.raises(ValidationError) as refused:
        BatchSubmission.model_validate({"graph": {"1": {}}, "table": 5})
    assert validation_message(refused.value.errors()) == (
        "table: Input should be a valid string or Input should be a valid list")
