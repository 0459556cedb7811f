"""Transport on a group coordinator: play a URI with a title, seek, wait, stop."""

from __future__ import annotations

import time
from xml.sax.saxutils import escape

import soco

from nodes.sdk import RunContext

from .connect import speaker_errors

POLL_S = 0.2
BUSY_STATES = frozenset({"PLAYING", "TRANSITIONING"})


def didl(uri: str, title: str, mime: str) -> str:
    """Track metadata so the speaker and the Sonos app show the title."""
    return (
        '<DIDL-Lite xmlns:dc="http://purl.org/dc/elements/1.1/" '
        'xmlns:upnp="urn:schemas-upnp-org:metadata-1-0/upnp/" '
        'xmlns="urn:schemas-upnp-org:metadata-1-0/DIDL-Lite/">'
        '<item id="auteur" parentID="-1" restricted="true">'
        f"<dc:title>{escape(title)}</dc:title>"
        "<upnp:class>object.item.audioItem.musicTrack</upnp:class>"
        f'<res protocolInfo="http-get:*:{escape(mime)}:*">{escape(uri)}</res>'
        "</item></DIDL-Lite>"
    )


def hhmmss(seconds: float) -> str:
    whole = int(seconds)
    return f"{whole // 3600}:{whole % 3600 // 60:02d}:{whole % 60:02d}"


def play(device: soco.SoCo, uri: str, *, title: str, mime: str, start_s: float) -> None:
    with speaker_errors(str(device.ip_address)):
        device.play_uri(uri, meta=didl(uri, title, mime) if title else "")
        if start_s > 0:
            device.seek(hhmmss(start_s))


def _seconds(text: str) -> float | None:
    try:
        hours, minutes, seconds = (int(part) for part in text.split(":"))
    except ValueError:
        return None
    return hours * 3600.0 + minutes * 60.0 + seconds


def wait_until_finished(device: soco.SoCo, ctx: RunContext, timeout_s: float, step: str) -> bool:
    """Poll the transport until it stops; on cancel or timeout stop the speaker. True when
    the media played to its end."""
    deadline = time.monotonic() + timeout_s
    where = str(device.ip_address)
    while time.monotonic() < deadline:
        if ctx.cancelled():
            stop(device)
            ctx.check_cancelled()
        with speaker_errors(where):
            state = device.get_current_transport_info()["current_transport_state"]
            if state not in BUSY_STATES:
                return True
            track = device.get_current_track_info()
        position, duration = _seconds(track.get("position", "")), _seconds(track.get("duration", ""))
        if position is not None and duration:
            ctx.progress(position / duration, step)
        time.sleep(POLL_S)
    stop(device)
    return False


def stop(device: soco.SoCo) -> None:
    with speaker_errors(str(device.ip_address)):
        device.stop()


def transport(device: soco.SoCo, action: str) -> None:
    """`pause`, `resume` (play what is loaded), `next` or `previous` on a coordinator."""
    command = {"pause": device.pause, "resume": device.play, "next": device.next,
               "previous": device.previous}[action]
    with speaker_errors(str(device.ip_address)):
        command()
