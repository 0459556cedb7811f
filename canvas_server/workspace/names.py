"""The one rule for names that become a file or folder: projects and workflows (documents and
assets are named by a slug of their title or file name, templates by a slug of their name).

A name starts with a letter or digit, ends with one or `_` / `-`, uses spaces and `.` between,
and is at most 100 characters: no separators, no hidden or trailing-dot names (Windows drops a
trailing dot or space, so `Film.` and `Film` would be one folder there), no line breaks, no `..`.
Names that would stand for a project file (`project.json`) or a Windows device are reserved.
"""

from __future__ import annotations

import re

from nodes.sdk import layout

from .errors import NameInvalidError

NAME_PATTERN = r"^[A-Za-z0-9](?:[A-Za-z0-9 _.-]{0,98}[A-Za-z0-9_-])?$"
_NAME = re.compile(NAME_PATTERN.removeprefix("^").removesuffix("$"))
_RESERVED = frozenset({layout.MANIFEST, "con", "prn", "aux", "nul",
                       *(f"{device}{digit}" for device in ("com", "lpt") for digit in range(1, 10))})


def is_valid_name(name: str) -> bool:
    """Whether `name` may name a project or workflow (`fullmatch`: `$` would let a newline end it)."""
    return bool(_NAME.fullmatch(name)) and ".." not in name and name.lower() not in _RESERVED


def check_name(name: str, kind: str = "project") -> str:
    """`name` unchanged, or NameInvalidError saying what a `kind` name may be."""
    if not is_valid_name(name):
        raise NameInvalidError(
            f"{kind} name {name!r} must start with a letter or digit, end with one or '_' or '-', "
            "and use only letters, digits, spaces, '_', '-' and '.' (at most 100 characters, no '..', "
            "not a reserved name such as project.json)",
            details={"name": name},
        )
    return name
