"""`Input(...)` and `Output(...)`: pydantic fields that also carry socket/widget metadata."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field
from pydantic_core import PydanticUndefined

from ._spec import PathKind

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
    is_list: bool = False,
    tracks_file: bool = False,
    picks: PathKind | None = None,
) -> Any:
    """Declare a node input.

    `socket` overrides the socket type inferred from the annotation (e.g. "VIDEO" for a
    MediaRef); `widget` overrides the widget kind; `options` gives a combo's choices when the
    annotation is a plain `str`. Constraints (ge/le/gt/lt/pattern) are enforced at validation
    and shown as the widget's min/max.

    `is_list=True` takes a linked list output whole (annotate it `list[T]`); without it, an
    input fed by a list runs the node once per item (fan-out). `tracks_file=True` on a path
    widget puts the file's content hash into the node's cache key, so editing the file re-runs
    the node. `picks` says which of the project's files a path widget chooses from (the editor
    lists them: scripts, documents, image or media assets).
    """
    meta: dict[str, Any] = {
        "is_list": is_list,
        "tracks_file": tracks_file,
        "picks": picks,
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
    is_list: bool = False,
) -> Any:
    """Declare a node output.

    `ui=True` marks a value that is recorded in the run record (previews, shown values) but
    is not a connectable socket. `is_list=True` declares a list of items of the socket type
    (annotate it `list[T]`): a downstream input that expects one item runs once per item.
    """
    return Field(
        default,
        description=description,
        json_schema_extra={META_KEY: {"socket": socket, "ui": ui, "is_list": is_list}},
    )


def field_meta(field_info: Any) -> dict[str, Any]:
    """The Auteur metadata of a pydantic FieldInfo (empty when declared without Input/Output)."""
    extra = field_info.json_schema_extra
    if isinstance(extra, dict):
        meta = extra.get(META_KEY)
        if isinstance(meta, dict):
            return meta
    return {}
