"""`speaker.sonos_play`, `speaker.sonos_stop` and `speaker.sonos_transport`: transport on a
speaker's group coordinator."""

from __future__ import annotations

import mimetypes
from typing import Literal

from nodes.sdk import Input, MediaRef, Node, NodeExecutionError, Output, Outputs, RunContext, node

from .config import SpeakerConfig
from .sonos.media import media_url, playable_path
from .sonos.model import Speaker


class PlayOut(Outputs):
    speaker: Speaker = Output(socket="SPEAKER", description="The speaker, for the next command")
    played: str = Output(ui=True, description="What was played (workspace path or URL)")
    finished: bool = Output(ui=True, description="Played to the end (when waiting)")


def _what(media: MediaRef | None, url: str) -> str:
    if media is not None:
        return media.path
    if url.startswith(("http://", "https://")):
        return url
    raise NodeExecutionError(
        "connect a take or audio to `media`, or give an http(s) `url`", code="value_invalid"
    )


@node(
    "speaker.sonos_play",
    title="Play on Sonos",
    category="Speaker/Sonos",
    version="1.0.0",
    maturity="SUPERVISED",
    runs_on="runner",
    output_node=True,
    cache=False,
)
class SonosPlay(Node):
    """Play a take, an audio file or a URL on a speaker's group (sent to its coordinator).
    Workspace media is served by this server at a signed, expiring URL (AUTEUR_PUBLIC_URL)."""

    speaker: Speaker = Input(description="Where to play", socket="SPEAKER")
    media: MediaRef | None = Input(None, description="A take or audio file", socket="MEDIA")
    url: str = Input("", description="Or an http(s) stream URL")
    title: str = Input("", description="Title shown on the speaker and in the Sonos app")
    start_s: float = Input(0.0, ge=0, description="Start this many seconds in")
    wait: bool = Input(False, description="Wait until it has played to the end")
    timeout_s: float = Input(3600.0, gt=0, description="Longest wait before stopping")

    def run(self, ctx: RunContext) -> PlayOut:
        from .sonos.connect import coordinator_of  # soco loads with a run, not with the catalog
        from .sonos.playback import play, wait_until_finished

        what = _what(self.media, self.url)
        config = SpeakerConfig()
        device = coordinator_of(self.speaker, config.sonos_timeout_s)
        if self.media is not None:
            path = playable_path(ctx, self.media)
            uri, mime = media_url(ctx, config, path), mimetypes.guess_type(path)[0] or self.media.mime
        else:
            uri, mime = self.url, "audio/mpeg"
        play(device, uri, title=self.title or what.rsplit("/", 1)[-1], mime=mime, start_s=self.start_s)
        ctx.audit("play", media=what, speaker=self.speaker.name, speaker_ip=self.speaker.ip,
                  coordinator=str(device.ip_address))
        finished = wait_until_finished(device, ctx, self.timeout_s, "playing") if self.wait else False
        return PlayOut(speaker=self.speaker, played=what, finished=finished)


class StopOut(Outputs):
    speaker: Speaker = Output(socket="SPEAKER", description="The speaker, for the next command")


@node(
    "speaker.sonos_stop",
    title="Stop Sonos",
    category="Speaker/Sonos",
    version="1.0.0",
    maturity="SUPERVISED",
    runs_on="runner",
    output_node=True,
    cache=False,
)
class SonosStop(Node):
    """Stop what a speaker's group is playing."""

    speaker: Speaker = Input(description="Which speaker's group", socket="SPEAKER")

    def run(self, ctx: RunContext) -> StopOut:
        from .sonos.connect import coordinator_of  # soco loads with a run, not with the catalog
        from .sonos.playback import stop

        device = coordinator_of(self.speaker, SpeakerConfig().sonos_timeout_s)
        stop(device)
        ctx.audit("stop", speaker=self.speaker.name, speaker_ip=self.speaker.ip)
        return StopOut(speaker=self.speaker)


Transport = Literal["pause", "resume", "next", "previous"]


@node(
    "speaker.sonos_transport",
    title="Sonos Transport",
    category="Speaker/Sonos",
    version="1.0.0",
    maturity="SUPERVISED",
    runs_on="runner",
    output_node=True,
    cache=False,
)
class SonosTransport(Node):
    """Pause, resume, skip to the next or back to the previous track on a speaker's group."""

    speaker: Speaker = Input(description="Which speaker's group", socket="SPEAKER")
    action: Transport = Input("pause", description="pause, resume, next or previous")

    def run(self, ctx: RunContext) -> StopOut:
        from .sonos.connect import coordinator_of  # soco loads with a run, not with the catalog
        from .sonos.playback import transport

        device = coordinator_of(self.speaker, SpeakerConfig().sonos_timeout_s)
        transport(device, self.action)
        ctx.audit(self.action, speaker=self.speaker.name, speaker_ip=self.speaker.ip)
        return StopOut(speaker=self.speaker)
