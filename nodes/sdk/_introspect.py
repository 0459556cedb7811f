"""Turn pydantic field annotations into socket types and widget metadata."""

from __future__ import annotations

import enum
import types
import typing
from typing import Any

from annotated_types import Ge, Gt, Le, Lt
from pydantic import BaseModel
from pydantic.fields import FieldInfo
from pydantic_core import PydanticUndefined

from ._fields import field_meta
from ._media import MediaRef
from ._sockets import ANY, PRIMITIVE_TYPES
from ._spec import InputSpec, OutputSpec

_PRIMITIVE_SOCKETS: dict[type, tuple[str, str]] = {
    bool: ("BOOLEAN", "boolean"),
    int: ("INT", "int"),
    float: ("FLOAT", "float"),
    str: ("TEXT", "text"),
}


class SocketInferenceError(ValueError):
    """The annotation does not map to a socket type and no `socket=` was given."""


def _strip_optional(annotation: Any) -> tuple[Any, bool]:
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType):
        args = [arg for arg in typing.get_args(annotation) if arg is not type(None)]
        optional = len(args) < len(typing.get_args(annotation))
        if len(args) == 1:
            return args[0], optional
        return typing.Union[tuple(args)], optional  # noqa: UP007 - rebuilding a runtime union
    return annotation, False


def _union_members(annotation: Any) -> tuple[Any, ...]:
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        return typing.get_args(annotation)
    return (annotation,)


def infer_socket(annotation: Any) -> tuple[str, str | None, list[Any] | None]:
    """(socket type, widget kind or None, combo options) for a field annotation."""
    base, _ = _strip_optional(annotation)
    if typing.get_origin(base) is typing.Literal:
        options = list(typing.get_args(base))
        socket, _kind = _PRIMITIVE_SOCKETS.get(type(options[0]), ("TEXT", "text"))
        return socket, "combo", options
    if isinstance(base, type) and issubclass(base, enum.Enum):
        return "TEXT", "combo", [member.value for member in base]
    members = set(_union_members(base))
    if members == {int, float}:
        return "FLOAT", "float", None
    if base in _PRIMITIVE_SOCKETS:
        socket, kind = _PRIMITIVE_SOCKETS[base]
        return socket, kind, None
    if base is MediaRef:
        return "MEDIA", None, None
    if base is Any or base is object:
        return ANY, None, None
    raise SocketInferenceError(f"cannot infer a socket type from {base!r}; pass socket=")


def list_item(annotation: Any) -> Any:
    """The item type of a `list[T]` annotation (optionally `| None`); error if not a list."""
    base, _ = _strip_optional(annotation)
    if typing.get_origin(base) is not list:
        raise SocketInferenceError(f"a list socket must be annotated list[T], not {base!r}")
    args = typing.get_args(base)
    return args[0] if args else Any


def _constraints(info: FieldInfo) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for item in info.metadata:
        if isinstance(item, Ge):
            found["min"] = item.ge
        elif isinstance(item, Gt):
            found["min"], found["exclusive_min"] = item.gt, True
        elif isinstance(item, Le):
            found["max"] = item.le
        elif isinstance(item, Lt):
            found["max"], found["exclusive_max"] = item.lt, True
        elif getattr(item, "pattern", None) is not None:
            found["pattern"] = item.pattern
    return found


def input_spec(name: str, info: FieldInfo) -> InputSpec:
    """Build the catalog entry of one input field."""
    meta = field_meta(info)
    is_list = bool(meta.get("is_list"))
    annotation = list_item(info.annotation) if is_list else info.annotation
    if meta.get("socket") and meta["socket"] not in PRIMITIVE_TYPES:
        # A declared domain socket needs no inference (e.g. a pack's model on a SPEAKER socket).
        socket, widget, options = meta["socket"], None, None
    else:
        socket, widget, options = infer_socket(annotation)
    if is_list:
        widget, options = None, None  # a list is always linked, never edited in place
    if meta.get("socket"):
        socket = meta["socket"]
        if socket not in PRIMITIVE_TYPES:
            widget = None
    if meta.get("options") is not None:
        options, widget = list(meta["options"]), "combo"
    if meta.get("widget"):
        widget = meta["widget"]
    if widget == "text" and meta.get("multiline"):
        widget = "textarea"
    has_default = info.default is not PydanticUndefined or info.default_factory is not None
    default = info.get_default(call_default_factory=True) if has_default else None
    if isinstance(default, BaseModel):
        default = default.model_dump(mode="json")
    if isinstance(default, enum.Enum):
        default = default.value
    return InputSpec(
        name=name,
        type=socket,
        widget=widget,
        default=default,
        has_default=has_default,
        step=meta.get("step"),
        options=options,
        multiline=bool(meta.get("multiline")),
        required=not has_default,
        description=info.description or "",
        label=meta.get("label"),
        is_list=is_list,
        tracks_file=bool(meta.get("tracks_file")),
        picks=meta.get("picks"),
        **_constraints(info),
    )


def output_spec(name: str, info: FieldInfo) -> OutputSpec:
    """Build the catalog entry of one output field."""
    meta = field_meta(info)
    is_list = bool(meta.get("is_list"))
    annotation = list_item(info.annotation) if is_list else info.annotation
    socket = meta.get("socket")
    if not socket:
        socket, _, _ = infer_socket(annotation)
    return OutputSpec(
        name=name,
        type=socket,
        description=info.description or "",
        ui=bool(meta.get("ui")),
        is_list=is_list,
    )
