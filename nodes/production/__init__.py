"""The production pack: from screenplay to shots, ingredients, world and style, Veo payloads
and takes."""

from nodes.sdk import Pack

from .animatic import Animatic
from .cut_on_beats import CutOnBeats
from .final_draft import FinalDraft
from .ingredient import IngredientNode
from .motion_graphics import MotionGraphics
from .paperwork_node import Paperwork
from .platform_variants import PlatformVariants
from .review import Review
from .save_take import SaveTake
from .scene_shots import SceneShots
from .script_breakdown import ScriptBreakdown
from .segments_to_shots import SegmentsToShots
from .settings import ProductionSettings
from .shot import ShotNode
from .veo_generate import VeoGenerate
from .veo_payload import VeoPayloadNode
from .video_strategy import ApproveVariation, VideoStrategy
from .world import StyleGuideNode, WorldNode

NODES = [IngredientNode, WorldNode, StyleGuideNode, ShotNode, ScriptBreakdown, VeoPayloadNode,
         VideoStrategy, ApproveVariation, SaveTake, Animatic, SegmentsToShots, CutOnBeats, VeoGenerate,
         PlatformVariants, SceneShots, FinalDraft, Paperwork, Review, MotionGraphics]
PACK = Pack(settings=ProductionSettings)

__all__ = ["NODES", "PACK", "Animatic", "ApproveVariation", "CutOnBeats", "FinalDraft", "IngredientNode", "MotionGraphics", "Paperwork", "PlatformVariants", "Review", "SaveTake", "SceneShots", "ScriptBreakdown", "SegmentsToShots", "ShotNode", "StyleGuideNode",
           "VeoGenerate", "VeoPayloadNode", "VideoStrategy", "WorldNode"]
