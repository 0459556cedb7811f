"""The speaker pack: Sonos speakers through SoCo and Spotify through spotipy.

Every node is SUPERVISED (it reaches devices in the room and a user's account) and never
cached (playback is a side effect). Beside its nodes the pack brings its settings, the
Spotify login routes (under /api/packs/speaker) and `auteur spotify` (its `PACK`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from nodes.sdk import Pack, PackHost, PackRoutes, RouteHost

from .config import SpeakerConfig
from .discover_node import SonosDiscover
from .group_node import SonosGroup
from .play_node import SonosPlay, SonosStop, SonosTransport
from .review_node import SonosPlayTakes
from .spotify_nodes import SpotifyDevices, SpotifyPlayback
from .volume_node import SonosVolume

NODES = [
    SonosDiscover, SonosPlay, SonosStop, SonosTransport, SonosPlayTakes, SonosVolume, SonosGroup,
    SpotifyPlayback, SpotifyDevices,
]

if TYPE_CHECKING:
    from typer import Typer


def _routes(host: RouteHost) -> PackRoutes:
    from .routes import speaker_routes  # FastAPI only where the server mounts the routes

    return speaker_routes(host)


def _commands(host: PackHost) -> Mapping[str, Typer]:
    from .cli import spotify_commands  # httpx and Typer only where a command runs

    return spotify_commands(host)


PACK = Pack(settings=SpeakerConfig, routes=_routes, commands=_commands)

__all__ = [
    "NODES",
    "PACK", "SonosDiscover", "SonosGroup", "SonosPlay", "SonosPlayTakes", "SonosStop",
    "SonosTransport", "SonosVolume", "SpotifyDevices", "SpotifyPlayback",
]
