"""`speaker.sonos_play_takes`: a scene's active takes, one after another, on a speaker."""

from __future__ import annotations

import mimetypes

from nodes.sdk import Input, Node, NodeExecutionError, Output, Outputs, RunContext, node

from .config import SpeakerConfig
from .scene_takes import active_takes
from .sonos.media import media_url, playable_path
from .sonos.model import Speaker


class PlayTakesOut(Outputs):
    speaker: Speaker = Output(socket="SPEAKER", description="The speaker, for the next command")
    played: list[str] = Output(socket="*", ui=True, description="The takes played, in order")


@node(
    "speaker.sonos_play_takes",
    title="Play Scene Takes on Sonos",
    category="Speaker/Sonos",
    version="1.0.0",
    maturity="SUPERVISED",
    runs_on="runner",
    output_node=True,
    cache=False,
)
class SonosPlayTakes(Node):
    """Play the active take of every shot of a scene, one after another, on a speaker."""

    speaker: Speaker = Input(description="Where to play", socket="SPEAKER")
    chapter: int = Input(1, ge=1, description="Chapter number")
    scene: int = Input(1, ge=1, description="Scene number")
    timeout_s: float = Input(3600.0, gt=0, description="Longest wait for one take")

    def run(self, ctx: RunContext) -> PlayTakesOut:
        from .sonos.connect import coordinator_of  # soco loads with a run, not with the catalog
        from .sonos.playback import play, wait_until_finished

        takes = active_takes(ctx, self.chapter, self.scene)
        if not takes:
            raise NodeExecutionError(
                f"Chapter {self.chapter} Scene {self.scene} has no takes yet; save takes with "
                "Save Take first", code="take_not_found",
            )
        config = SpeakerConfig()
        device = coordinator_of(self.speaker, config.sonos_timeout_s)
        played: list[str] = []
        for index, take in enumerate(takes):
            path = playable_path(ctx, take)
            title = take.path.rsplit("/", 1)[-1]
            play(device, media_url(ctx, config, path), title=title,
                 mime=mimetypes.guess_type(path)[0] or take.mime, start_s=0)
            ctx.audit("play", media=take.path, speaker=self.speaker.name,
                      speaker_ip=self.speaker.ip, coordinator=str(device.ip_address))
            wait_until_finished(device, ctx, self.timeout_s, f"take {index + 1}/{len(takes)}")
            played.append(take.path)
        return PlayTakesOut(speaker=self.speaker, played=played)
