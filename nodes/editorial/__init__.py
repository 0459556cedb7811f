"""The editorial pack: a graph hands the cut to an editing application (`editorial.export`)."""

from .export_node import EditorialExportNode

NODES = [EditorialExportNode]

__all__ = ["NODES", "EditorialExportNode"]
