"""A Sonos double: two players on loopback addresses, port 1400 (SoCo's fixed port).

It follows the real device's protocol as far as SoCo uses it: the UPnP device description,
SOAP actions on AVTransport, RenderingControl, GroupRenderingControl, ZoneGroupTopology
and DeviceProperties, and the zone group topology of one household. It records every
action with its arguments (a contract test asserts what our side sends) and, like a real
player, fetches the media URL it is told to play, recording what the fetch returned.
"""

from __future__ import annotations

import hashlib
import re
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from xml.etree import ElementTree
from xml.sax.saxutils import escape

import httpx

HOUSEHOLD = "Sonos_AuteurTestHousehold0001"
SOAP_NS = "http://schemas.xmlsoap.org/soap/envelope/"
_ACTION = re.compile(r'"?urn:schemas-upnp-org:service:(\w+):(\d)#(\w+)"?')


@dataclass
class Call:
    ip: str
    service: str
    action: str
    args: dict[str, str]


@dataclass
class Fetch:
    url: str
    status: int
    sha256: str
    size: int


@dataclass
class Player:
    ip: str
    uid: str
    name: str
    coordinator_uid: str
    volume: int = 20
    mute: bool = False
    bass: int = 0
    treble: int = 0
    loudness: bool = True
    uri: str = ""
    uri_meta: str = ""
    state: str = "STOPPED"
    play_mode: str = "NORMAL"
    position: str = "0:00:00"


@dataclass
class SonosSystem:
    """Players A (Studio, 127.0.0.2) and B (Control Room, 127.0.0.3), grouped under B."""

    play_seconds: float = 0.6
    players: dict[str, Player] = field(default_factory=dict)
    calls: list[Call] = field(default_factory=list)
    fetches: list[Fetch] = field(default_factory=list)
    _servers: list[ThreadingHTTPServer] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    # Bumped by reset(): a fetch still running for an earlier test must not record into this one.
    generation: int = 0

    def reset(self) -> None:
        with self.lock:
            self.generation += 1
            b = "RINCON_00000000000B01400"
            self.players = {
                "127.0.0.2": Player("127.0.0.2", "RINCON_00000000000A01400", "Studio", b),
                "127.0.0.3": Player("127.0.0.3", b, "Control Room", b, volume=35),
            }
            self.calls.clear()
            self.fetches.clear()

    def start(self) -> SonosSystem:
        self.reset()
        for ip in self.players:
            server = ThreadingHTTPServer((ip, 1400), _handler(self, ip))
            server.daemon_threads = True
            threading.Thread(target=server.serve_forever, daemon=True).start()
            self._servers.append(server)
        return self

    def stop(self) -> None:
        for server in self._servers:
            server.shutdown()
            server.server_close()

    # ---- what tests look at --------------------------------------------------------

    def actions(self, ip: str | None = None, service: str | None = None) -> list[Call]:
        return [c for c in self.calls if (ip is None or c.ip == ip) and (service is None or c.service == service)]

    def changes(self) -> list[tuple[str, str, str, dict[str, str]]]:
        """Every action that is not a Get*: what our side told the players to do."""
        return [(c.ip, c.service, c.action, c.args) for c in self.calls if not c.action.startswith("Get")]

    def by_uid(self, uid: str) -> Player:
        return next(p for p in self.players.values() if p.uid == uid)

    # ---- the protocol --------------------------------------------------------------

    def topology(self) -> str:
        groups: dict[str, list[Player]] = {}
        for item in self.players.values():
            groups.setdefault(item.coordinator_uid, []).append(item)
        xml = ["<ZoneGroupState><ZoneGroups>"]
        for coordinator, members in sorted(groups.items()):
            xml.append(f'<ZoneGroup Coordinator="{coordinator}" ID="{coordinator}:1">')
            for m in members:
                xml.append(
                    f'<ZoneGroupMember UUID="{m.uid}" Location="http://{m.ip}:1400/xml/device_description.xml" '
                    f'ZoneName="{m.name}" Icon="x-rincon-roomicon:living" Configuration="1" '
                    'SoftwareVersion="79.1-56030" MinCompatibleVersion="78.0-00000" BootSeq="12"/>'
                )
            xml.append("</ZoneGroup>")
        xml.append("</ZoneGroups><VanishedDevices/></ZoneGroupState>")
        return "".join(xml)

    def description(self, ip: str) -> str:
        p = self.players[ip]
        return (
            '<?xml version="1.0"?><root xmlns="urn:schemas-upnp-org:device-1-0"><specVersion><major>1</major>'
            "<minor>0</minor></specVersion><device><deviceType>urn:schemas-upnp-org:device:ZonePlayer:1"
            f"</deviceType><friendlyName>{ip} - Sonos One</friendlyName><manufacturer>Sonos, Inc."
            "</manufacturer><modelNumber>S18</modelNumber><modelName>Sonos One</modelName>"
            f"<softwareVersion>79.1-56030</softwareVersion><hardwareVersion>1.20.1.6-2</hardwareVersion>"
            f"<serialNum>00-0E-58-00-00-0{ip[-1]}:A</serialNum><UDN>uuid:{p.uid}</UDN>"
            f"<roomName>{p.name}</roomName><displayName>One</displayName></device></root>"
        )

    def handle(self, ip: str, service: str, action: str, args: dict[str, str]) -> dict[str, Any]:
        with self.lock:
            self.calls.append(Call(ip, service, action, args))
            p = self.players[ip]
            handler = getattr(self, f"_{service}_{action}", None)
            if handler is None:
                raise UPnPError(401, f"{service}#{action} is not implemented by the double")
            result: dict[str, Any] = handler(p, args)
            return result

    # DeviceProperties, ZoneGroupTopology
    def _DeviceProperties_GetHouseholdID(self, p: Player, a: dict[str, str]) -> dict[str, Any]:
        return {"CurrentHouseholdID": HOUSEHOLD}

    def _ZoneGroupTopology_GetZoneGroupState(self, p: Player, a: dict[str, str]) -> dict[str, Any]:
        return {"ZoneGroupState": self.topology()}

    # AVTransport: a member refuses transport, as a real one does (UPnP error 800-ish)
    def _transport(self, p: Player) -> None:
        if p.coordinator_uid != p.uid:
            raise UPnPError(701, "transition not available: not the group coordinator")

    def _AVTransport_SetAVTransportURI(self, p: Player, a: dict[str, str]) -> dict[str, Any]:
        uri = a["CurrentURI"]
        if uri.startswith("x-rincon:"):
            p.coordinator_uid, p.state = uri.removeprefix("x-rincon:"), "STOPPED"
            return {}
        self._transport(p)
        p.uri, p.uri_meta, p.state = uri, a.get("CurrentURIMetaData", ""), "STOPPED"
        return {}

    def _AVTransport_BecomeCoordinatorOfStandaloneGroup(self, p: Player, a: dict[str, str]) -> dict[str, Any]:
        p.coordinator_uid = p.uid
        return {}

    def _AVTransport_Play(self, p: Player, a: dict[str, str]) -> dict[str, Any]:
        self._transport(p)
        p.state = "PLAYING"
        if p.uri.startswith(("http://127.", "https://127.")):
            # Media on this machine is fetched and played to its end; any other URL stands for a
            # radio stream (unreachable here), which plays until it is stopped.
            threading.Thread(target=self._fetch_and_play, args=(p, p.uri, self.generation), daemon=True).start()
        return {}

    def _fetch_and_play(self, p: Player, uri: str, generation: int) -> None:
        try:
            response = httpx.get(uri, timeout=10)
            fetch = Fetch(uri, response.status_code, hashlib.sha256(response.content).hexdigest(), len(response.content))
        except httpx.HTTPError:
            fetch = Fetch(uri, 0, "", 0)
        with self.lock:
            if generation != self.generation:
                return
            self.fetches.append(fetch)
        if fetch.status == 200:
            time.sleep(self.play_seconds)
        with self.lock:
            if p.uri == uri and p.state == "PLAYING":
                p.state = "STOPPED"

    def _AVTransport_Pause(self, p: Player, a: dict[str, str]) -> dict[str, Any]:
        self._transport(p)
        p.state = "PAUSED_PLAYBACK"
        return {}

    def _AVTransport_Next(self, p: Player, a: dict[str, str]) -> dict[str, Any]:
        self._transport(p)
        return {}

    def _AVTransport_Previous(self, p: Player, a: dict[str, str]) -> dict[str, Any]:
        self._transport(p)
        return {}

    def _AVTransport_Stop(self, p: Player, a: dict[str, str]) -> dict[str, Any]:
        self._transport(p)
        p.state = "STOPPED"
        return {}

    def _AVTransport_Seek(self, p: Player, a: dict[str, str]) -> dict[str, Any]:
        self._transport(p)
        p.position = a["Target"]
        return {}

    def _AVTransport_GetMediaInfo(self, p: Player, a: dict[str, str]) -> dict[str, Any]:
        return {"NrTracks": "1", "MediaDuration": "0:00:01", "CurrentURI": p.uri, "CurrentURIMetaData": p.uri_meta,
                "NextURI": "", "NextURIMetaData": "", "PlayMedium": "NETWORK", "RecordMedium": "NOT_IMPLEMENTED",
                "WriteStatus": "NOT_IMPLEMENTED"}

    def _AVTransport_GetTransportInfo(self, p: Player, a: dict[str, str]) -> dict[str, Any]:
        state = p.state if p.coordinator_uid == p.uid else self.by_uid(p.coordinator_uid).state
        return {"CurrentTransportState": state, "CurrentTransportStatus": "OK", "CurrentSpeed": "1"}

    def _AVTransport_GetPositionInfo(self, p: Player, a: dict[str, str]) -> dict[str, Any]:
        return {"Track": "1", "TrackDuration": "0:00:01", "TrackMetaData": "NOT_IMPLEMENTED", "TrackURI": p.uri,
                "RelTime": p.position, "AbsTime": "NOT_IMPLEMENTED", "RelCount": "2147483647",
                "AbsCount": "2147483647"}

    def _AVTransport_GetTransportSettings(self, p: Player, a: dict[str, str]) -> dict[str, Any]:
        return {"PlayMode": p.play_mode, "RecQualityMode": "NOT_IMPLEMENTED"}

    # RenderingControl (one player) and GroupRenderingControl (the coordinator, for the group)
    def _RenderingControl_GetVolume(self, p: Player, a: dict[str, str]) -> dict[str, Any]:
        return {"CurrentVolume": str(p.volume)}

    def _RenderingControl_SetVolume(self, p: Player, a: dict[str, str]) -> dict[str, Any]:
        p.volume = int(a["DesiredVolume"])
        return {}

    def _RenderingControl_SetRelativeVolume(self, p: Player, a: dict[str, str]) -> dict[str, Any]:
        p.volume = max(0, min(100, p.volume + int(a["Adjustment"])))
        return {"NewVolume": str(p.volume)}

    def _RenderingControl_GetMute(self, p: Player, a: dict[str, str]) -> dict[str, Any]:
        return {"CurrentMute": "1" if p.mute else "0"}

    def _RenderingControl_SetMute(self, p: Player, a: dict[str, str]) -> dict[str, Any]:
        p.mute = a["DesiredMute"] == "1"
        return {}

    def _RenderingControl_GetBass(self, p: Player, a: dict[str, str]) -> dict[str, Any]:
        return {"CurrentBass": str(p.bass)}

    def _RenderingControl_SetBass(self, p: Player, a: dict[str, str]) -> dict[str, Any]:
        p.bass = int(a["DesiredBass"])
        return {}

    def _RenderingControl_GetTreble(self, p: Player, a: dict[str, str]) -> dict[str, Any]:
        return {"CurrentTreble": str(p.treble)}

    def _RenderingControl_SetTreble(self, p: Player, a: dict[str, str]) -> dict[str, Any]:
        p.treble = int(a["DesiredTreble"])
        return {}

    def _RenderingControl_GetLoudness(self, p: Player, a: dict[str, str]) -> dict[str, Any]:
        return {"CurrentLoudness": "1" if p.loudness else "0"}

    def _RenderingControl_SetLoudness(self, p: Player, a: dict[str, str]) -> dict[str, Any]:
        p.loudness = a["DesiredLoudness"] == "1"
        return {}

    def _RenderingControl_GetOutputFixed(self, p: Player, a: dict[str, str]) -> dict[str, Any]:
        return {"CurrentFixed": "0"}

    def _members(self, p: Player) -> list[Player]:
        return [m for m in self.players.values() if m.coordinator_uid == p.uid]

    def _GroupRenderingControl_GetGroupVolume(self, p: Player, a: dict[str, str]) -> dict[str, Any]:
        self._transport(p)
        members = self._members(p)
        return {"CurrentVolume": str(round(sum(m.volume for m in members) / len(members)))}

    def _GroupRenderingControl_SetGroupVolume(self, p: Player, a: dict[str, str]) -> dict[str, Any]:
        self._transport(p)
        for m in self._members(p):
            m.volume = int(a["DesiredVolume"])
        return {}

    def _GroupRenderingControl_SetRelativeGroupVolume(self, p: Player, a: dict[str, str]) -> dict[str, Any]:
        self._transport(p)
        for m in self._members(p):
            m.volume = max(0, min(100, m.volume + int(a["Adjustment"])))
        return self._GroupRenderingControl_GetGroupVolume(p, a) | {"NewVolume": self._GroupRenderingControl_GetGroupVolume(p, a)["CurrentVolume"]}

    def _GroupRenderingControl_GetGroupMute(self, p: Player, a: dict[str, str]) -> dict[str, Any]:
        self._transport(p)
        return {"CurrentMute": "1" if all(m.mute for m in self._members(p)) else "0"}

    def _GroupRenderingControl_SetGroupMute(self, p: Player, a: dict[str, str]) -> dict[str, Any]:
        self._transport(p)
        for m in self._members(p):
            m.mute = a["DesiredMute"] == "1"
        return {}

    def _GroupRenderingControl_SnapshotGroupVolume(self, p: Player, a: dict[str, str]) -> dict[str, Any]:
        return {}


class UPnPError(Exception):
    def __init__(self, code: int, description: str) -> None:
        super().__init__(description)
        self.code = code


# Service descriptions (SCPD) for the actions SoCo calls without arguments: it reads their
# signature from the device before composing the request.
_SCPD_ACTIONS = {
    "DeviceProperties": [("GetHouseholdID", "CurrentHouseholdID")],
    "ZoneGroupTopology": [("GetZoneGroupState", "ZoneGroupState")],
}


def scpd(service: str) -> str | None:
    actions = _SCPD_ACTIONS.get(service)
    if actions is None:
        return None
    xml = ['<?xml version="1.0"?><scpd xmlns="urn:schemas-upnp-org:service-1-0"><actionList>']
    for action, out in actions:
        xml.append(f"<action><name>{action}</name><argumentList><argument><name>{out}</name>"
                   f"<direction>out</direction><relatedStateVariable>{out}</relatedStateVariable>"
                   "</argument></argumentList></action>")
    xml.append("</actionList><serviceStateTable>")
    xml.extend(f'<stateVariable sendEvents="no"><name>{out}</name><dataType>string</dataType></stateVariable>'
               for _, out in actions)
    xml.append("</serviceStateTable></scpd>")
    return "".join(xml)


def _envelope(inner: str) -> bytes:
    return (f'<?xml version="1.0"?><s:Envelope xmlns:s="{SOAP_NS}" '
            f's:encodingStyle="http://schemas.xmlsoap.org/soap/encoding/"><s:Body>{inner}</s:Body></s:Envelope>').encode()


def _handler(system: SonosSystem, ip: str) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            pass

        def _send(self, status: int, body: bytes, content_type: str = 'text/xml; charset="utf-8"') -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self) -> None:
            described = re.fullmatch(r"/xml/(\w+?)1\.xml", self.path)
            service_xml = scpd(described.group(1)) if described else None
            if self.path == "/xml/device_description.xml":
                self._send(200, system.description(ip).encode())
            elif service_xml is not None:
                self._send(200, service_xml.encode())
            else:
                self._send(404, b"")

        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            match = _ACTION.fullmatch(self.headers.get("SOAPACTION", "").strip())
            if match is None:
                self._send(400, b"")
                return
            service, version, action = match.groups()
            if not self.path.endswith(f"/{service}/Control"):
                self._send(404, b"")
                return
            element = ElementTree.fromstring(body).find(f"{{{SOAP_NS}}}Body")
            assert element is not None
            args = {child.tag.split("}")[-1]: child.text or "" for child in next(iter(element))}
            try:
                result = system.handle(ip, service, action, args)
            except UPnPError as exc:
                fault = (f"<s:Fault><faultcode>s:Client</faultcode><faultstring>UPnPError</faultstring><detail>"
                         f'<UPnPError xmlns="urn:schemas-upnp-org:control-1-0"><errorCode>{exc.code}</errorCode>'
                         f"<errorDescription>{escape(str(exc))}</errorDescription></UPnPError></detail></s:Fault>")
                self._send(500, _envelope(fault))
                return
            out = "".join(f"<{k}>{escape(str(v))}</{k}>" for k, v in result.items())
            urn = f"urn:schemas-upnp-org:service:{service}:{version}"
            self._send(200, _envelope(f'<u:{action}Response xmlns:u="{urn}">{out}</u:{action}Response>'))

    return Handler
