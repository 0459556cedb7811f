"""`Input(...)` and `Output(...)`: pydantic fields that also carry socket/widget metadata."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field
from pydantic_core import PydanticUndefined

WidgetKind = Literal["text", "textarea", "int", "float", "boolean", "combo", "path"]
META_KEY = "auteur"


def Input(
    default: Any = PydanticUndefined,
    *,
    description: str = "",
    socket: str | None = None,
    widget: WidgetKind | None = None,
    multiline: bool = False,
    step: float | None = None,
    options: list[Any] | None = None,
    ge: float | None = None,
    le: float | None = None,
    gt: float | None = None,
    lt: float | None = None,
    pattern: str | None = None,
    label: str | None = None,
) -> Any:
    """Declare a node input.

    `socket` overrides the socket type inferred from the annotation (e.g. "VIDEO" for a
    MediaRef); `widget` overrides the widget kind; `options` gives a combo's choices when the
    annotation is a plain `str`. Constraints (ge/le/gt/lt/pattern) are enforced at validation
    and shown as the widget's min/max.
    """
    meta: dict[str, Any] = {
        "socket": socket,
        "widget": widget,
        "multiline": multiline,
        "step": step,
        "options": options,
        "label": label,
    }
    return Field(
        default,
        description=description,
        ge=ge,
        le=le,
        gt=gt,
        lt=lt,
        pattern=pattern,
        json_schema_extra={META_KEY: meta},
    )


def Output(
    default: Any = PydanticUndefined,
    *,
    description: str = "",
    socket: str | None = None,
    ui: bool = False,
) -> Any:
    """Declare a node output.

    `ui=True` marks a value that is recorded in the run record (previews, shown values) but
    is not a connectable socket.
    """
    return Field(
        default,
        description=description,
        json_schema_extra={META_KEY: {"socket": socket, "ui": ui}},
    )


def field_meta(field_info: Any) -> dict[str, Any]:
    """The Auteur metadata of a pydantic FieldInfo (empty when declared without Input/Output)."""
    extra = field_info.json_schema_extra
    if isinstance(extra, dict):
        meta = extra.get(META_KEY)
        if isinstance(meta, dict):
            return meta
    return {}
