"""Query strings say one thing once. FastAPI keeps the last of a repeated name and reads
`offset=0.0` as the integer 0; here a repeated name, or an integer parameter that is not
written as an integer, is a 400 `query_invalid` (both apps, every route, one dependency)."""

from __future__ import annotations

import re
import types
from typing import Any, Union, get_args, get_origin

from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute
from starlette.requests import HTTPConnection

from nodes.sdk import AuteurError

_INTEGER = re.compile(r"[+-]?[0-9]+")


class QueryInvalidError(AuteurError):
    code = "query_invalid"


def _is_int(annotation: Any) -> bool:
    if get_origin(annotation) in (Union, types.UnionType):
        return any(_is_int(arg) for arg in get_args(annotation))
    return annotation is int


def _integer_queries(dependant: Dependant) -> set[str]:
    """Integer query parameters of a route's handler and of every dependency it has."""
    names = {field.alias for field in dependant.query_params if _is_int(field.field_info.annotation)}
    for sub in dependant.dependencies:
        names |= _integer_queries(sub)
    return names


def _integer_names(route: APIRoute) -> frozenset[str]:
    names: frozenset[str] | None = getattr(route, "_auteur_integer_queries", None)
    if names is None:
        names = frozenset(_integer_queries(route.dependant))
        route._auteur_integer_queries = names  # type: ignore[attr-defined]  # computed once per route
    return names


def strict_query(connection: HTTPConnection) -> None:
    """A dependency of every route: refuse repeated query names and non-integer integers."""
    seen: set[str] = set()
    for name, _ in connection.query_params.multi_items():
        if name in seen:
            raise QueryInvalidError(f"query parameter {name!r} is given more than once",
                                    details={"parameter": name})
        seen.add(name)
    route = connection.scope.get("route")
    if not isinstance(route, APIRoute):
        return
    for name in _integer_names(route) & seen:
        value = connection.query_params[name]
        if not _INTEGER.fullmatch(value):
            raise QueryInvalidError(f"query parameter {name!r} must be an integer, not {value!r}",
                                    details={"parameter": name, "value": value})
