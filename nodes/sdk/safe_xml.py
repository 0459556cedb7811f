"""The one guard for XML from outside (Final Draft files, FCPXML, FCP7 XML), checked on the text
before any parser sees it. The lock has no defusedxml, so nothing that could expand or fetch is
let through: no entity declaration (billion laughs), no external identifier (SYSTEM/PUBLIC: an
external DTD or entity) and no internal DTD subset. A bare `<!DOCTYPE name>` names the root and
nothing else; Final Cut Pro and Premiere write one, so it is accepted.
"""

from __future__ import annotations

import re

# `<!DOCTYPE` followed by anything but a name and `>`: an internal subset `[`, SYSTEM or PUBLIC.
_BARE_DOCTYPE = re.compile(r"<!DOCTYPE\s+[A-Za-z_][\w.:-]*\s*>", re.IGNORECASE)
_DECLARATION = re.compile(r"<!(DOCTYPE|ENTITY|ELEMENT|ATTLIST|NOTATION)", re.IGNORECASE)


class UnsafeXmlError(ValueError):
    """XML that declares entities or a document type beyond its root's name."""


def check_xml(text: str) -> None:
    """Raise UnsafeXmlError unless `text` is free of entity and document type declarations
    (a bare `<!DOCTYPE root>` excepted)."""
    if _DECLARATION.search(_BARE_DOCTYPE.sub("", text)):
        raise UnsafeXmlError("XML from outside may not carry a document type declaration with content, "
                             "nor entities: they are refused before parsing")
