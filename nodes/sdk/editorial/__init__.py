"""Editorial formats for node packs and the server: a project's cut read from its folder
(`read_project_cut`), built as an OpenTimelineIO timeline (`build_timeline`) and written for an
editing application (`export_cut`: .otio, CMX 3600 .edl, FCPXML, FCP7 XML, optionally zipped with
its media); and an edited cut read back from any of those formats (`read_cut`) for a conform."""

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
from .export import EditorialExport, ExportedClip, export_cut, render
from .project_cut import CutScene, CutShot, CutTake, ProjectCut, Scope, read_project_cut
from .timeline import build_timeline

__all__ = ["ADAPTERS", "MAX_CLIPS", "METADATA_KEY", "SUFFIXES", "CutError", "CutFormat", "CutScene", "CutShot",
           "CutTake", "EditedClip", "EditorialExport", "ExportedClip", "ProjectCut", "Scope", "build_timeline",
           "clean_text", "export_cut", "read_cut", "read_edl", "read_project_cut", "render", "sniff_format",
           "write_edl"]
