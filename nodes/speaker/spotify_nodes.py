"""`speaker.spotify_playback` and `speaker.spotify_devices`: the caller's Spotify, from a graph."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal

from nodes.sdk import Input, Node, NodeExecutionError, Output, Outputs, RunContext, node

from .config import SpeakerConfig

if TYPE_CHECKING:  # spotipy is loaded by a run that calls Spotify, not by the catalog
    import spotipy

LOCAL_PRINCIPAL = "local"  # whose Spotify tokens a run without a principal (a local CLI run) uses

Action = Literal["current", "play", "pause", "next", "previous", "volume", "shuffle"]


def _client(ctx: RunContext) -> spotipy.Spotify:
    from .spotify.client import spotify_for  # spotipy loads with a run, not with the catalog
    from .spotify.errors import spotify_errors

    with spotify_errors():
        return spotify_for(SpeakerConfig(), ctx.workspace_root, ctx.principal or LOCAL_PRINCIPAL)


def _play(client: spotipy.Spotify, uri: str, device: str | None) -> None:
    if not uri:
        client.start_playback(device_id=device)
    elif uri.startswith("spotify:track:"):
        client.start_playback(device_id=device, uris=[uri])
    elif uri.startswith(("spotify:album:", "spotify:playlist:", "spotify:artist:")):
        client.start_playback(device_id=device, context_uri=uri)
    else:
        raise NodeExecutionError(
            f"{uri!r} is not a Spotify track, album or playlist URI (spotify:track:…)",
            code="value_invalid",
        )


def _current(client: spotipy.Spotify) -> dict[str, Any]:
    playing = client.current_playback() or {}
    item = playing.get("item") or {}
    return {
        "is_playing": bool(playing.get("is_playing")), "track": item.get("name", ""),
        "uri": item.get("uri", ""), "artists": [a.get("name", "") for a in item.get("artists", [])],
        "device": (playing.get("device") or {}).get("name", ""),
    }


class PlaybackOut(Outputs):
    track: str = Output(socket="TEXT", description="The current track's name")
    state: dict[str, Any] = Output(socket="*", ui=True, description="Current playback after the action")


@node(
    "speaker.spotify_playback",
    title="Spotify Playback",
    category="Speaker/Spotify",
    version="1.0.0",
    maturity="SUPERVISED",
    runs_on="runner",
    output_node=True,
    cache=False,
)
class SpotifyPlayback(Node):
    """Control the caller's Spotify: current track, play a track/album/playlist URI, pause,
    next, previous, volume, shuffle — on the active or a chosen device."""

    action: Action = Input("current", description="What to do")
    uri: str = Input("", description="For play: spotify:track:…, spotify:album:… or spotify:playlist:…")
    device_id: str = Input("", description="Device to act on (empty: the active one)")
    volume: int = Input(50, ge=0, le=100, description="For volume: 0-100")
    shuffle: bool = Input(True, description="For shuffle: on or off")

    def run(self, ctx: RunContext) -> PlaybackOut:
        from .spotify.errors import spotify_errors  # spotipy loads with a run, not with the catalog

        client, device = _client(ctx), self.device_id or None
        with spotify_errors():
            if self.action == "play":
                _play(client, self.uri, device)
            elif self.action == "pause":
                client.pause_playback(device_id=device)
            elif self.action == "next":
                client.next_track(device_id=device)
            elif self.action == "previous":
                client.previous_track(device_id=device)
            elif self.action == "volume":
                client.volume(self.volume, device_id=device)
            elif self.action == "shuffle":
                client.shuffle(self.shuffle, device_id=device)
            state = _current(client)
        if self.action != "current":
            ctx.audit(f"spotify_{self.action}", media=self.uri or state["uri"],
                      speaker=state["device"] or self.device_id)
        return PlaybackOut(track=state["track"], state=state)


class DevicesOut(Outputs):
    device_id: str = Output(socket="TEXT", description="The chosen (or active) device's id")
    devices: list[dict[str, Any]] = Output(socket="*", ui=True, description="Every device Spotify knows")


@node(
    "speaker.spotify_devices",
    title="Spotify Devices",
    category="Speaker/Spotify",
    version="1.0.0",
    maturity="SUPERVISED",
    runs_on="runner",
    output_node=True,
    cache=False,
)
class SpotifyDevices(Node):
    """List the caller's Spotify devices, or transfer playback to one of them."""

    action: Literal["list", "transfer"] = Input("list", description="list, or transfer playback")
    device: str = Input("", description="Device name or id to choose / transfer to")
    play: bool = Input(True, description="For transfer: start playing there")

    def run(self, ctx: RunContext) -> DevicesOut:
        from .spotify.errors import spotify_errors  # spotipy loads with a run, not with the catalog

        client = _client(ctx)
        with spotify_errors():
            devices: list[dict[str, Any]] = (client.devices() or {}).get("devices", [])
        chosen = _choose(devices, self.device)
        if self.action == "transfer":
            if chosen is None:
                raise NodeExecutionError(
                    f"no Spotify device {self.device!r}; found: {', '.join(d.get('name', '') for d in devices)}",
                    code="spotify_device_not_found",
                )
            with spotify_errors():
                client.transfer_playback(chosen["id"], force_play=self.play)
            ctx.audit("spotify_transfer", speaker=chosen.get("name", ""), device_id=chosen["id"])
        return DevicesOut(device_id=(chosen or {}).get("id", ""), devices=devices)


def _choose(devices: list[dict[str, Any]], wanted: str) -> dict[str, Any] | None:
    if not wanted.strip():
        return next((d for d in devices if d.get("is_active")), None)
    key = wanted.strip().casefold()
    return next((d for d in devices if key in (str(d.get("id", "")).casefold(), str(d.get("name", "")).casefold())), None)
