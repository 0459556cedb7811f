"""SoCo connections, the group coordinator, and SoCo failures turned into SpeakerErrors."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import requests
import soco
from soco.exceptions import SoCoSlaveException, SoCoUPnPException

from ..errors import NotCoordinatorError, SpeakerError, SpeakerUnreachableError
from .model import GroupInfo, Speaker


def player(ip: str, timeout_s: float) -> soco.SoCo:
    """A SoCo player whose group view is fresh: speakers regroup between runs."""
    soco.config.REQUEST_TIMEOUT = timeout_s
    device = soco.SoCo(ip)
    with speaker_errors(ip):
        device.zone_group_state.clear_cache()
    return device


@contextmanager
def speaker_errors(where: str) -> Iterator[None]:
    """Translate what SoCo and requests raise into errors a user can act on."""
    try:
        yield
    except SoCoSlaveException as exc:
        raise NotCoordinatorError(
            f"speaker {where} is not its group's coordinator and cannot take transport "
            "commands; the group changed while the command was sent — run the node again",
            details={"speaker": where},
        ) from exc
    except SoCoUPnPException as exc:
        raise SpeakerError(
            f"speaker {where} refused the command: UPnP error {exc.error_code} ({exc.message})",
            details={"speaker": where, "upnp_error": exc.error_code},
        ) from exc
    except (requests.ConnectionError, requests.Timeout) as exc:
        raise SpeakerUnreachableError(
            f"speaker {where} does not answer on port 1400: is it switched on and on this "
            "network (same subnet, no firewall between)?",
            details={"speaker": where},
        ) from exc


def _group_of(device: soco.SoCo) -> GroupInfo | None:
    group = device.group
    if group is None:
        return None
    coordinator = group.coordinator
    return GroupInfo(
        uid=str(group.uid), label=str(group.label), coordinator_uid=str(coordinator.uid),
        coordinator_ip=str(coordinator.ip_address), coordinator_name=str(coordinator.player_name),
        member_uids=sorted(str(member.uid) for member in group.members),
    )


def describe(device: soco.SoCo) -> Speaker:
    """Name, address, model, group and levels of a player."""
    with speaker_errors(str(device.ip_address)):
        info: dict[str, Any] = device.get_speaker_info() or {}
        return Speaker(
            name=str(device.player_name), ip=str(device.ip_address), uid=str(device.uid),
            model=str(info.get("model_name") or ""), volume=int(device.volume),
            muted=bool(device.mute), group=_group_of(device),
        )


def coordinator_of(speaker: Speaker, timeout_s: float) -> soco.SoCo:
    """The player that takes transport commands for the speaker's current group."""
    device = player(speaker.ip, timeout_s)
    with speaker_errors(speaker.ip):
        group = device.group
        return group.coordinator if group is not None else device
