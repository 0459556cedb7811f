"""`speaker.sonos_volume`: set, change or mute one speaker or its whole group."""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

from nodes.sdk import Input, Node, Output, Outputs, RunContext, node

from .config import SpeakerConfig
from .sonos.model import Speaker

if TYPE_CHECKING:
    import soco

Action = Literal["set", "change", "mute", "unmute"]


class VolumeOut(Outputs):
    speaker: Speaker = Output(socket="SPEAKER", description="The speaker, for the next command")
    volume: int = Output(socket="INT", description="The volume afterwards (0-100)")
    muted: bool = Output(ui=True, description="Muted afterwards")


def _apply(target: soco.SoCo | soco.groups.ZoneGroup, action: Action, value: int) -> None:
    if action == "set":
        target.volume = value
    elif action == "change":
        target.set_relative_volume(value)
    else:
        target.mute = action == "mute"


@node(
    "speaker.sonos_volume",
    title="Sonos Volume",
    category="Speaker/Sonos",
    version="1.0.0",
    maturity="SUPERVISED",
    runs_on="runner",
    output_node=True,
    cache=False,
)
class SonosVolume(Node):
    """Set the volume, change it by a step, mute or unmute: one speaker or its whole group."""

    speaker: Speaker = Input(description="Which speaker", socket="SPEAKER")
    action: Action = Input("set", description="set, change (relative), mute or unmute")
    value: int = Input(30, ge=-100, le=100, description="Volume for set (0-100), step for change")
    scope: Literal["speaker", "group"] = Input("speaker", description="This speaker or its group")

    def run(self, ctx: RunContext) -> VolumeOut:
        from .sonos.connect import (  # soco loads with a run, not with the catalog
            player,
            speaker_errors,
        )

        device = player(self.speaker.ip, SpeakerConfig().sonos_timeout_s)
        with speaker_errors(self.speaker.ip):
            group = device.group if self.scope == "group" else None
            target = group if group is not None else device
            _apply(target, self.action, max(0, self.value) if self.action == "set" else self.value)
            volume, muted = int(target.volume), bool(target.mute)
        ctx.audit(f"volume_{self.action}", speaker=self.speaker.name, speaker_ip=self.speaker.ip,
                  scope=self.scope, value=self.value)
        return VolumeOut(speaker=self.speaker, volume=volume, muted=muted)
