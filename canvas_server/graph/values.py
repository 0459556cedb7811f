"""Checks of constant inputs: the node's pydantic model, option lists and path widgets."""

from __future__ import annotations

from pathlib import PurePosixPath
from typing import Any

from pydantic import ValidationError

from nodes.sdk import AuteurError, InputSpec, Node, PathSandbox

from .errors import GraphError

RANGE_ERRORS = frozenset({"greater_than", "greater_than_equal", "less_than", "less_than_equal"})
OPTION_ERRORS = frozenset({"literal_error", "enum"})


def check_constants(
    node_id: str, constants: dict[str, Any], inputs: dict[str, InputSpec], cls: type[Node] | None
) -> list[GraphError]:
    """Constants against their options and the node's pydantic model, one error per input."""
    errors: list[GraphError] = []
    reported: set[str] = set()
    for name, value in constants.items():
        item = inputs[name]
        if item.options is not None and not _in_options(value, item.options):
            reported.add(name)
            errors.append(
                graph_error(
                    "value_not_in_options",
                    f"input {name!r} of node {node_id} is {value!r}; "
                    f"choose one of {', '.join(map(repr, item.options))}",
                    node_id,
                    name,
                    {"value": _jsonable(value), "options": item.options},
                )
            )
    if cls is None:
        return errors
    try:
        cls.model_validate(constants)
    except ValidationError as exc:
        errors += _pydantic_errors(node_id, exc, constants, reported)
    return errors


def _in_options(value: Any, options: list[Any]) -> bool:
    try:
        return value in options
    except TypeError:
        return False


def _pydantic_errors(
    node_id: str, exc: ValidationError, constants: dict[str, Any], reported: set[str]
) -> list[GraphError]:
    errors: list[GraphError] = []
    for detail in exc.errors(include_url=False, include_context=True):
        loc = detail["loc"]
        name = str(loc[0]) if loc else None
        if detail["type"] == "missing" or (name is not None and name in reported):
            continue  # missing inputs are reported from the catalog (they may be linked)
        if name is not None and name not in constants:
            continue
        if name is not None:
            reported.add(name)
        code = _code_for(detail["type"])
        where = f"input {name!r} of node {node_id}" if name else f"node {node_id}"
        errors.append(
            graph_error(
                code,
                f"{where}: {detail['msg']} (got {_short(detail.get('input'))})",
                node_id,
                name,
                {"type": detail["type"], "value": _jsonable(detail.get("input"))},
            )
        )
    return errors


def _code_for(pydantic_type: str) -> Any:
    if pydantic_type in RANGE_ERRORS:
        return "value_out_of_range"
    if pydantic_type in OPTION_ERRORS:
        return "value_not_in_options"
    return "value_invalid"


def check_paths(
    node_id: str, constants: dict[str, Any], paths: list[str], sandbox: PathSandbox | None
) -> list[GraphError]:
    """Path widgets: refused by text alone, or fully resolved when a sandbox is given."""
    errors: list[GraphError] = []
    for name in paths:
        value = constants.get(name)
        if not isinstance(value, str):
            continue
        try:
            if sandbox is not None:
                sandbox.resolve(value)
            else:
                PathSandbox.check_text(value)
                if PurePosixPath(value).is_absolute():
                    raise AuteurError(
                        f"path {value!r} is absolute; use a path relative to the project"
                    )
        except AuteurError as exc:
            errors.append(
                graph_error(
                    "path_forbidden",
                    f"input {name!r} of node {node_id}: {exc.message}",
                    node_id,
                    name,
                    {"path": repr(value)},
                )
            )
    return errors


def graph_error(
    code: Any,
    message: str,
    node_id: str | None = None,
    input_name: str | None = None,
    details: dict[str, Any] | None = None,
) -> GraphError:
    return GraphError(
        code=code, message=message, node_id=node_id, input=input_name, details=details
    )


def _short(value: Any, limit: int = 60) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _jsonable(value: Any) -> Any:
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    return _short(value, 200)
