"""The production pack: nodes that turn renders into a film project's takes and shots."""

from .animatic import Animatic
from .save_take import SaveTake
from .segments_to_shots import SegmentsToShots

NODES = [SaveTake, Animatic, SegmentsToShots]

__all__ = ["NODES", "Animatic", "SaveTake", "SegmentsToShots"]
