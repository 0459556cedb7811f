"""The providers pack: remote generation services on the provider SDK (nodes.sdk.providers)."""

from nodes.sdk import Pack

from .comfyui_remote import ComfyRemoteNode
from .critic import MusicCritic
from .higgsfield import HiggsfieldVideo
from .omnigen2 import OmniGen2Image
from .settings import ProvidersSettings
from .suno import SunoGenerate

NODES = [ComfyRemoteNode, SunoGenerate, MusicCritic, HiggsfieldVideo, OmniGen2Image]
PACK = Pack(settings=ProvidersSettings)

__all__ = ["NODES", "PACK", "ComfyRemoteNode", "HiggsfieldVideo", "MusicCritic", "OmniGen2Image", "ProvidersSettings", "SunoGenerate"]
