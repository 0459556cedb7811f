"""Finding Sonos players: listed hosts, a scan of given subnets, or SSDP multicast.

Listed hosts (`AUTEUR_SONOS_HOSTS`) come first because they work where multicast does not
pass (VLANs, container bridges, Wi-Fi client isolation); a subnet scan
(`AUTEUR_SONOS_SUBNETS`) finds players whose addresses are not known; SSDP is the default.
Every way returns the visible zones of the households it reached, so one listed player
finds the whole system.
"""

from __future__ import annotations

import logging
from typing import Literal

import soco
from soco import discovery

from ..errors import NoSpeakerFoundError, SpeakerUnreachableError
from .connect import describe, player, speaker_errors
from .model import Speaker

Method = Literal["auto", "hosts", "scan", "ssdp"]
log = logging.getLogger(__name__)
ADVICE = ("list the players' addresses in AUTEUR_SONOS_HOSTS, or the subnets to scan in "
          "AUTEUR_SONOS_SUBNETS (e.g. 192.168.1.0/24)")


def _zones_of(hosts: list[str], timeout_s: float) -> tuple[set[soco.SoCo], list[str]]:
    zones: set[soco.SoCo] = set()
    unreachable: list[str] = []
    for host in hosts:
        try:
            device = player(host, timeout_s)
            with speaker_errors(host):
                zones |= set(device.visible_zones)
        except SpeakerUnreachableError:
            unreachable.append(host)
    return zones, unreachable


def by_hosts(hosts: list[str], timeout_s: float) -> set[soco.SoCo]:
    zones, unreachable = _zones_of(hosts, timeout_s)
    if not zones:
        raise NoSpeakerFoundError(
            f"none of the listed Sonos hosts answered on port 1400 ({', '.join(hosts)}): check "
            "the addresses in AUTEUR_SONOS_HOSTS and that the players are on",
            details={"method": "hosts", "hosts": hosts, "unreachable": unreachable},
        )
    if unreachable:
        log.warning("Sonos hosts did not answer: %s", ", ".join(unreachable))
    return zones


def by_scan(subnets: list[str], timeout_s: float) -> set[soco.SoCo]:
    found = discovery.scan_network(
        networks_to_scan=subnets, multi_household=True, scan_timeout=min(timeout_s, 1.0)
    )
    if not found:
        raise NoSpeakerFoundError(
            f"no Sonos player answered on port 1400 in {', '.join(subnets)}: wrong subnet? "
            "Scan the subnet the players are on, or list them in AUTEUR_SONOS_HOSTS",
            details={"method": "scan", "subnets": subnets},
        )
    return set(found)


def by_ssdp(timeout_s: float) -> set[soco.SoCo]:
    found = soco.discover(timeout=max(1, int(timeout_s)), allow_network_scan=False)
    if not found:
        raise NoSpeakerFoundError(
            f"no Sonos player answered SSDP multicast within {timeout_s:g}s: multicast may not "
            f"pass on this network; {ADVICE}",
            details={"method": "ssdp"},
        )
    return set(found)


def discover(method: Method, hosts: list[str], subnets: list[str], timeout_s: float) -> list[Speaker]:
    """Every visible player found, described, sorted by name."""
    if method == "hosts" or (method == "auto" and hosts):
        if not hosts:
            raise NoSpeakerFoundError(f"no hosts given; {ADVICE}", details={"method": "hosts"})
        zones = by_hosts(hosts, timeout_s)
    elif method == "scan" or (method == "auto" and subnets):
        if not subnets:
            raise NoSpeakerFoundError(f"no subnets given; {ADVICE}", details={"method": "scan"})
        zones = by_scan(subnets, timeout_s)
    else:
        zones = by_ssdp(timeout_s)
    return sorted((describe(zone) for zone in zones), key=lambda item: (item.name, item.ip))


def choose(speakers: list[Speaker], name: str) -> Speaker:
    """The speaker named `name` (case-insensitive; IP or uid also accepted), else the first."""
    if not name.strip():
        return speakers[0]
    wanted = name.strip().casefold()
    for item in speakers:
        if wanted in (item.name.casefold(), item.ip, item.uid.casefold()):
            return item
    raise NoSpeakerFoundError(
        f"no speaker named {name!r}; found: {', '.join(s.name for s in speakers)}",
        details={"name": name, "found": [s.name for s in speakers]},
    )
