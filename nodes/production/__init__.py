"""The production pack: nodes that turn renders into a film project's takes and shots."""

from .save_take import SaveTake

NODES = [SaveTake]

__all__ = ["NODES", "SaveTake"]
