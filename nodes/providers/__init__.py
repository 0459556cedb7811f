"""The providers pack: remote generation services on the provider SDK (nodes.sdk.providers)."""

from nodes.sdk import Pack

from .comfyui_remote import ComfyRemoteNode
from .critic import MusicCritic
from .higgsfield import HiggsfieldVideo
from .settings import ProvidersSettings
from .suno import SunoGenerate

NODES = [ComfyRemoteNode, SunoGenerate, MusicCritic, HiggsfieldVideo]
PACK = Pack(settings=ProvidersSettings)

__all__ = ["NODES", "PACK", "ComfyRemoteNode", "HiggsfieldVideo", "MusicCritic", "ProvidersSettings", "SunoGenerate"]
