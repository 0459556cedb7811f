"""`speaker.sonos_discover`: find the Sonos players and pick one."""

from __future__ import annotations

from typing import Literal

from nodes.sdk import Input, Node, Output, Outputs, RunContext, node

from .config import SpeakerConfig
from .sonos.model import Speaker


class DiscoverOut(Outputs):
    speaker: Speaker = Output(socket="SPEAKER", description="The chosen speaker")
    speakers: list[Speaker] = Output(socket="*", ui=True, description="Every speaker found")


def _split(text: str) -> list[str]:
    return [item.strip() for item in text.replace(";", ",").split(",") if item.strip()]


@node(
    "speaker.sonos_discover",
    title="Find Sonos Speakers",
    category="Speaker/Sonos",
    version="1.0.0",
    maturity="SUPERVISED",
    runs_on="runner",
    cache=False,
)
class SonosDiscover(Node):
    """Find the Sonos players: SSDP multicast, the hosts in AUTEUR_SONOS_HOSTS, or a scan
    of the subnets in AUTEUR_SONOS_SUBNETS; choose one by name."""

    name: str = Input("", description="Room name, IP or uid of the speaker to choose (empty: the first)")
    method: Literal["auto", "hosts", "scan", "ssdp"] = Input(
        "auto", description="auto: listed hosts, else subnets, else SSDP"
    )
    hosts: str = Input("", description="Player addresses, comma-separated (default AUTEUR_SONOS_HOSTS)")
    subnets: str = Input("", description="Subnets to scan, e.g. 192.168.1.0/24 (default AUTEUR_SONOS_SUBNETS)")
    timeout_s: float = Input(5.0, gt=0, le=60, description="How long to wait for answers")

    def run(self, ctx: RunContext) -> DiscoverOut:
        from .sonos.discovery import choose, discover  # soco loads with a run, not with the catalog

        config = SpeakerConfig()
        hosts = _split(self.hosts) or config.sonos_hosts
        subnets = _split(self.subnets) or config.sonos_subnets
        found = discover(self.method, hosts, subnets, self.timeout_s)
        return DiscoverOut(speaker=choose(found, self.name), speakers=found)
