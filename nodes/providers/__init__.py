"""The providers pack: remote generation services on the provider SDK (nodes.sdk.providers)."""

from nodes.sdk import Pack

from .comfyui_remote import ComfyRemoteNode
from .critic import MusicCritic
from .settings import ProvidersSettings
from .suno import SunoGenerate

NODES = [ComfyRemoteNode, SunoGenerate, MusicCritic]
PACK = Pack(settings=ProvidersSettings)

__all__ = ["NODES", "PACK", "ComfyRemoteNode", "MusicCritic", "ProvidersSettings", "SunoGenerate"]
