"""`RequestBody`: the one base of every JSON request body the API reads (docs/architecture.md §6).

A body says what it means in JSON's own types. Pydantic's lax mode would read `0` as `false`,
`"yes"` as `true`, `"5"` as 5 and `5.0` as 5; a client that sends those has a bug the server
should name, not guess around (schemathesis found `0` taken for `false`). So a body is strict
(an integer where a number is asked is still a number, as in JSON), and a key the model does not
know is refused instead of silently not saved. A model that must keep unknown keys says so in its
own `model_config` and why.

FastAPI validates a body as Python values (what `json.loads` gave), where strict mode takes only
instances for types JSON has no literal for; such fields use the JSON-text types below.

A refusal names each field and the constraint it breaks, in one wording (`validation_message`),
used by the 422 `request_invalid` answer of both apps.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Strict

_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


class RequestBody(BaseModel):
    """Strict JSON types, unknown keys refused (see the module docstring)."""

    model_config = ConfigDict(strict=True, extra="forbid")


def _date_from_text(value: Any) -> Any:
    """`YYYY-MM-DD` text as a date; anything else is left for strict validation to refuse."""
    if isinstance(value, str):
        if not _ISO_DATE.fullmatch(value):
            raise ValueError("a date is written YYYY-MM-DD")
        return date.fromisoformat(value)
    return value


# A calendar date as JSON text (`"2026-12-05"`); a number is not a date here.
IsoDate = Annotated[date, BeforeValidator(_date_from_text)]


def _datetime_from_text(value: Any) -> Any:
    """ISO 8601 text as a datetime; anything else is left for strict validation to refuse."""
    if isinstance(value, str):
        try:
            return datetime.fromisoformat(value)
        except ValueError:
            raise ValueError("a date and time is written in ISO 8601 (2026-12-05T07:20:00Z)") from None
    return value


# A moment as JSON text (`"2026-12-05T07:20:00Z"`), strict even in a lax model (project.json's):
# lax pydantic would read the number 1 as a moment of 1970.
IsoDateTime = Annotated[datetime, Strict(), BeforeValidator(_datetime_from_text)]


_SHOWN_PROBLEMS = 3  # the message names these; the error's details list every one
_SOURCES = frozenset({"query", "path", "header", "cookie"})
# How pydantic labels the member of a union (`str | list[...]`) a problem is about: not a field.
_UNION_MEMBERS = frozenset({"str", "int", "float", "bool", "list", "dict", "none"})
_UNION_PREFIXES = ("list[", "dict[", "tuple[", "set[", "literal[", "function-")


def is_union_member(part: str) -> bool:
    """Whether a location part is pydantic's label of a union member (`str`, `list[...]`), not a field."""
    return part in _UNION_MEMBERS or part.startswith(_UNION_PREFIXES)


def field_name(loc: Sequence[int | str]) -> str:
    """Where a problem is, for a person: `changes.duration` (a body field), `query limit`."""
    parts = [str(part) for part in loc if not (isinstance(part, str) and is_union_member(part))]
    if parts and parts[0] in _SOURCES:
        return f"{parts[0]} {'.'.join(parts[1:])}".strip()
    if parts and parts[0] == "body":
        parts = parts[1:]
    return ".".join(parts) or "the body"


def validation_message(errors: Sequence[Mapping[str, Any]]) -> str:
    """The one wording of refused request input: each field with the constraint it breaks
    (`changes.duration: Input should be less than or equal to 3600`); a union's members' problems
    with one field are joined (`table: Input should be a valid string or ... a valid list`)."""
    by_field: dict[str, dict[str, None]] = {}
    for error in errors:
        by_field.setdefault(field_name(error.get("loc", ())), {})[str(error.get("msg", "is invalid"))] = None
    problems = [f"{field}: {' or '.join(messages)}" for field, messages in by_field.items()]
    message = "; ".join(problems[:_SHOWN_PROBLEMS])
    if len(problems) > _SHOWN_PROBLEMS:
        message += f" (and {len(problems) - _SHOWN_PROBLEMS} more in details)"
    return message or "the request does not match the API schema"
