"""The `SPEAKER` value that travels between nodes: a Sonos player and its group."""

from __future__ import annotations

from pydantic import BaseModel, Field


class GroupInfo(BaseModel):
    """The group a player belongs to; transport commands go to its coordinator."""

    uid: str
    label: str
    coordinator_uid: str
    coordinator_ip: str
    coordinator_name: str
    member_uids: list[str] = Field(default_factory=list)


class Speaker(BaseModel):
    """One Sonos player as discovery saw it."""

    name: str
    ip: str
    uid: str
    model: str = ""
    volume: int | None = None
    muted: bool | None = None
    group: GroupInfo | None = None

    @property
    def is_coordinator(self) -> bool:
        return self.group is None or self.group.coordinator_uid == self.uid
