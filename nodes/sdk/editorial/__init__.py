"""Editorial formats for node packs and the server: an edited cut read back from `.otio`, CMX 3600
`.edl`, FCPXML or FCP7 XML (`read_cut`), and the CMX 3600 writer (OTIO's adapters write the rest)."""

from .cut import (
    ADAPTERS,
    MAX_CLIPS,
    METADATA_KEY,
    SUFFIXES,
    CutError,
    CutFormat,
    EditedClip,
    clean_text,
    read_cut,
    sniff_format,
)
from .edl import read_edl, write_edl

__all__ = ["ADAPTERS", "MAX_CLIPS", "METADATA_KEY", "SUFFIXES", "CutError", "CutFormat", "EditedClip", "clean_text",
           "read_cut", "read_edl", "sniff_format", "write_edl"]
