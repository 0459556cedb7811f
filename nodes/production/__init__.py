"""The production pack: nodes that turn renders into a film project's takes and shots."""

from .animatic import Animatic
from .save_take import SaveTake

NODES = [SaveTake, Animatic]

__all__ = ["NODES", "Animatic", "SaveTake"]
