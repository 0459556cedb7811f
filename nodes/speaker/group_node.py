"""`speaker.sonos_group`: join, leave, party mode, and snapshot/restore of what played."""

from __future__ import annotations

from typing import Literal

from nodes.sdk import Input, Node, NodeExecutionError, Output, Outputs, RunContext, node

from .config import SpeakerConfig
from .sonos.model import Speaker

Action = Literal["join", "leave", "party", "snapshot", "restore"]


class GroupOut(Outputs):
    speaker: Speaker = Output(socket="SPEAKER", description="The speaker as it is afterwards")
    snapshot: str = Output(socket="TEXT", description="What was playing (JSON), for restore")


@node(
    "speaker.sonos_group",
    title="Sonos Group",
    category="Speaker/Sonos",
    version="1.0.0",
    maturity="SUPERVISED",
    runs_on="runner",
    output_node=True,
    cache=False,
)
class SonosGroup(Node):
    """Join a speaker to another's group, leave its group, group every speaker (party),
    or snapshot what its group plays and restore it later."""

    speaker: Speaker = Input(description="The speaker to act on", socket="SPEAKER")
    action: Action = Input("snapshot", description="join, leave, party, snapshot or restore")
    target: Speaker | None = Input(None, description="For join: a speaker of the group to join", socket="SPEAKER")
    state: str = Input("", description="For restore: the snapshot JSON", socket="TEXT")

    def run(self, ctx: RunContext) -> GroupOut:
        from .sonos import snapshot  # soco loads with a run, not with the catalog
        from .sonos.connect import coordinator_of, describe, player, speaker_errors

        timeout = SpeakerConfig().sonos_timeout_s
        device = player(self.speaker.ip, timeout)
        taken = ""
        with speaker_errors(self.speaker.ip):
            if self.action == "join":
                if self.target is None:
                    raise NodeExecutionError("join needs a `target` speaker", code="value_invalid")
                device.join(coordinator_of(self.target, timeout))
            elif self.action == "leave":
                device.unjoin()
            elif self.action == "party":
                device.partymode()
            elif self.action == "snapshot":
                taken = snapshot.take(device)
            else:
                if not self.state.strip():
                    raise NodeExecutionError("restore needs the `state` of a snapshot", code="value_invalid")
                snapshot.restore(self.state, timeout)
        ctx.audit(f"group_{self.action}", speaker=self.speaker.name, speaker_ip=self.speaker.ip,
                  target=self.target.ip if self.target else None)
        return GroupOut(speaker=describe(player(self.speaker.ip, timeout)), snapshot=taken)
