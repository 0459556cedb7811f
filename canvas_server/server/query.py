"""Query strings say one thing once. FastAPI keeps the last of a repeated name, reads `offset=0.0`
as the integer 0 and `redirect=1`, `yes` or `on` as true; here a repeated name, an integer
parameter not written as an integer, or a boolean one not written `true` or `false`, is a 400
`query_invalid` (both apps, every route, one dependency) — the query string's side of the strict
request bodies (canvas_server/request_body.py)."""

from __future__ import annotations

import re
import types
from typing import Any, Literal, Union, get_args, get_origin

from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute
from starlette.requests import HTTPConnection

from nodes.sdk import AuteurError

Kind = Literal["an integer", "true or false"]
_WRITTEN: dict[Kind, re.Pattern[str]] = {"an integer": re.compile(r"[+-]?[0-9]+"),
                                        "true or false": re.compile(r"true|false")}


class QueryInvalidError(AuteurError):
    code = "query_invalid"


def _kind(annotation: Any) -> Kind | None:
    if get_origin(annotation) in (Union, types.UnionType):
        return next((kind for arg in get_args(annotation) if (kind := _kind(arg)) is not None), None)
    if annotation is bool:  # before int: a bool is an int to issubclass, not to a query
        return "true or false"
    return "an integer" if annotation is int else None


def _typed_queries(dependant: Dependant) -> dict[str, Kind]:
    """Integer and boolean query parameters of a route's handler and of every dependency it has."""
    kinds = {field.alias: kind for field in dependant.query_params
             if (kind := _kind(field.field_info.annotation)) is not None}
    for sub in dependant.dependencies:
        kinds |= _typed_queries(sub)
    return kinds


def _typed_names(route: APIRoute) -> dict[str, Kind]:
    kinds: dict[str, Kind] | None = getattr(route, "_auteur_typed_queries", None)
    if kinds is None:
        kinds = _typed_queries(route.dependant)
        route._auteur_typed_queries = kinds  # type: ignore[attr-defined]  # computed once per route
    return kinds


def strict_query(connection: HTTPConnection) -> None:
    """A dependency of every route: refuse repeated query names, and integers and booleans
    written otherwise."""
    seen: set[str] = set()
    for name, _ in connection.query_params.multi_items():
        if name in seen:
            raise QueryInvalidError(f"query parameter {name!r} is given more than once",
                                    details={"parameter": name})
        seen.add(name)
    route = connection.scope.get("route")
    if not isinstance(route, APIRoute):
        return
    for name, kind in _typed_names(route).items():
        value = connection.query_params.get(name)
        if value is not None and not _WRITTEN[kind].fullmatch(value):
            raise QueryInvalidError(f"query parameter {name!r} must be {kind}, not {value!r}",
                                    details={"parameter": name, "value": value})
