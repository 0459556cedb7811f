"""Socket types: the names litegraph shows on node slots and validation compares."""

from __future__ import annotations

from typing import Final

ANY: Final = "*"
MEDIA_KINDS: Final = frozenset({"VIDEO", "AUDIO", "IMAGE"})
DOMAIN_TYPES: Final = frozenset(
    {
        "VIDEO",
        "AUDIO",
        "IMAGE",
        "MEDIA",
        "FILE",
        "TRANSCRIPT",
        "STEMS",
        "INGREDIENT",
        "SHOT",
        "VEO_PAYLOAD",
        "BREAKDOWN",
        "WORLD",
        "STYLE_GUIDE",
        "SPEAKER",
        "AGENT_RESULT",
    }
)
PRIMITIVE_TYPES: Final = frozenset({"TEXT", "INT", "FLOAT", "BOOLEAN"})


def sockets_compatible(output_type: str, input_type: str) -> bool:
    """Whether a link from an output of `output_type` may feed an input of `input_type`.

    MEDIA is the union of VIDEO/AUDIO/IMAGE, so it connects both ways (the node checks the
    concrete kind at run time); INT widens to FLOAT; `*` matches anything.
    """
    if output_type == input_type or ANY in (output_type, input_type):
        return True
    if "MEDIA" in (output_type, input_type):
        other = input_type if output_type == "MEDIA" else output_type
        return other in MEDIA_KINDS or other == "FILE"
    if input_type == "FILE" and output_type in MEDIA_KINDS:
        return True
    return output_type == "INT" and input_type == "FLOAT"
