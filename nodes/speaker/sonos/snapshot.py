"""Snapshot and restore what a group was playing, as JSON that travels between nodes.

SoCo's Snapshot holds the transport (coordinator only) and the levels of one player; we
take one per member so the whole group comes back, coordinator first.
"""

from __future__ import annotations

import json
from typing import Any

import soco
from soco.snapshot import Snapshot

from .connect import speaker_errors

_SKIP = frozenset({"device", "queue"})


def take(device: soco.SoCo) -> str:
    """A JSON snapshot of every member of the device's group."""
    group = device.group
    members = [group.coordinator, *(m for m in group.members if m is not group.coordinator)] if group else [device]
    snaps: list[dict[str, Any]] = []
    for member in members:
        with speaker_errors(str(member.ip_address)):
            snap = Snapshot(member)
            snap.snapshot()
        state = {key: value for key, value in vars(snap).items() if key not in _SKIP}
        snaps.append({"ip": str(member.ip_address), "uid": str(member.uid), "state": state})
    return json.dumps({"version": 1, "members": snaps})


def restore(text: str, timeout_s: float) -> list[str]:
    """Put every member back as snapshotted; the addresses restored, coordinator first."""
    data = json.loads(text)
    restored: list[str] = []
    for item in data.get("members", []):
        soco.config.REQUEST_TIMEOUT = timeout_s
        member = soco.SoCo(item["ip"])
        snap = Snapshot(member)
        vars(snap).update(item["state"])
        with speaker_errors(item["ip"]):
            snap.restore()
        restored.append(item["ip"])
    return restored
