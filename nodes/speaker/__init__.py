"""The speaker pack: Sonos speakers through SoCo and Spotify through spotipy.

Every node is SUPERVISED (it reaches devices in the room and a user's account) and never
cached (playback is a side effect).
"""

from .discover_node import SonosDiscover
from .group_node import SonosGroup
from .play_node import SonosPlay, SonosStop
from .review_node import SonosPlayTakes
from .spotify_nodes import SpotifyDevices, SpotifyPlayback
from .volume_node import SonosVolume

NODES = [
    SonosDiscover, SonosPlay, SonosStop, SonosPlayTakes, SonosVolume, SonosGroup,
    SpotifyPlayback, SpotifyDevices,
]

__all__ = [
    "NODES", "SonosDiscover", "SonosGroup", "SonosPlay", "SonosPlayTakes", "SonosStop",
    "SonosVolume", "SpotifyDevices", "SpotifyPlayback",
]
