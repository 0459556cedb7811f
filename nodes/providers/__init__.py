"""The providers pack: remote generation services on the provider SDK (nodes.sdk.providers)."""

from nodes.sdk import Pack

from .comfyui_remote import ComfyRemoteNode
from .settings import ProvidersSettings

NODES = [ComfyRemoteNode]
PACK = Pack(settings=ProvidersSettings)

__all__ = ["NODES", "PACK", "ComfyRemoteNode", "ProvidersSettings"]
