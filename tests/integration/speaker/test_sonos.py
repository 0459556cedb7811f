"""Contract tests of our side of the Sonos protocol: real SoCo against the Sonos double.

Two players, Studio (127.0.0.2) and Control Room (127.0.0.3), grouped with Control Room
as the coordinator. The tests assert the exact SOAP actions and arguments we send, and
that the player fetches our signed URL and receives the take's bytes.
"""

from __future__ import annotations

import hashlib
import json
import time
from pathlib import Path
from urllib.parse import unquote, urlparse

import httpx
import pytest

from canvas_server.agents.grouped import resolve
from nodes.sdk import NodeExecutionError, signed_path, url_signing_key
from nodes.speaker import (
    SonosDiscover,
    SonosGroup,
    SonosPlay,
    SonosPlayTakes,
    SonosStop,
    SonosTransport,
    SonosVolume,
)
from nodes.speaker.errors import NoSpeakerFoundError, SpeakerUnreachableError, UnsupportedMediaError
from nodes.speaker.sonos.model import Speaker

from ..server_harness import ServerProcess
from .conftest import SECRET, make_ctx, media_ref, save_take, write_wav
from .sonos_double import SonosSystem

STUDIO, CONTROL = "127.0.0.2", "127.0.0.3"


def _discover(workspace: Path, project: Path, **inputs: object) -> list[Speaker]:
    out = SonosDiscover(**inputs).run(make_ctx(workspace, project, "speaker.sonos_discover"))
    return out.speakers


def _speaker(workspace: Path, project: Path, name: str) -> Speaker:
    return SonosDiscover(name=name).run(make_ctx(workspace, project, "speaker.sonos_discover")).speaker


def _wait_for_fetch(sonos: SonosSystem, count: int = 1, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while len(sonos.fetches) < count and time.monotonic() < deadline:
        time.sleep(0.05)
    assert len(sonos.fetches) >= count, "the player never fetched the media URL"


def test_discovery_through_listed_hosts_finds_both_players_and_their_group(
    sonos: SonosSystem, media_server: ServerProcess, project_root: Path
) -> None:
    found = _discover(media_server.workspace, project_root, method="hosts", hosts=STUDIO)
    assert [(s.name, s.ip, s.model) for s in found] == [("Control Room", CONTROL, "Sonos One"), ("Studio", STUDIO, "Sonos One")]
    studio = found[1]
    assert studio.group is not None and studio.group.coordinator_ip == CONTROL
    assert (studio.volume, studio.muted, studio.is_coordinator) == (20, False, False)


def test_discovery_by_subnet_scan_finds_both_players(
    sonos: SonosSystem, media_server: ServerProcess, project_root: Path
) -> None:
    found = _discover(media_server.workspace, project_root, method="scan", subnets="127.0.0.0/29")
    assert {s.ip for s in found} == {STUDIO, CONTROL}


def test_discovery_says_why_nothing_was_found(media_server: ServerProcess, project_root: Path, sonos: SonosSystem) -> None:
    with pytest.raises(NoSpeakerFoundError, match=r"127\.0\.0\.9") as unreachable:
        _discover(media_server.workspace, project_root, method="hosts", hosts="127.0.0.9", timeout_s=1)
    assert unreachable.value.code == "speaker_not_found"
    with pytest.raises(NoSpeakerFoundError, match="wrong subnet"):
        _discover(media_server.workspace, project_root, method="scan", subnets="127.0.1.0/30", timeout_s=1)
    with pytest.raises(NoSpeakerFoundError, match="no speaker named 'Kitchen'"):
        _discover(media_server.workspace, project_root, name="Kitchen")


def test_play_on_a_group_member_goes_to_the_coordinator_with_our_signed_url(
    sonos: SonosSystem, media_server: ServerProcess, project_root: Path
) -> None:
    take = write_wav(project_root / "03_Renders/Chapter_01/Scene_01/Shot_01/S01_S01_take01.wav")
    studio = _speaker(media_server.workspace, project_root, "Studio")
    out = SonosPlay(speaker=studio, media=media_ref(media_server.workspace, take), title="Shot 1 take 1", wait=True).run(
        make_ctx(media_server.workspace, project_root, "speaker.sonos_play")
    )
    assert out.finished and out.played.endswith("S01_S01_take01.wav")
    changes = sonos.changes()
    assert [(ip, service, action) for ip, service, action, _ in changes] == [
        (CONTROL, "AVTransport", "SetAVTransportURI"), (CONTROL, "AVTransport", "Play"),
    ]
    uri = changes[0][3]["CurrentURI"]
    assert uri.startswith(f"{media_server.url}/media/signed/") and uri.endswith("/Projects/Review/03_Renders/Chapter_01/Scene_01/Shot_01/S01_S01_take01.wav")
    assert "<dc:title>Shot 1 take 1</dc:title>" in changes[0][3]["CurrentURIMetaData"]
    assert changes[1][3] == {"InstanceID": "0", "Speed": "1"}
    assert not sonos.actions(STUDIO, "AVTransport"), "no transport command may reach a group member"
    _wait_for_fetch(sonos)
    fetch = sonos.fetches[0]
    assert (fetch.url, fetch.status, fetch.sha256) == (uri, 200, hashlib.sha256(take.read_bytes()).hexdigest())


def test_a_forged_or_expired_signature_gets_403_and_no_bytes(
    sonos: SonosSystem, media_server: ServerProcess, project_root: Path
) -> None:
    take = write_wav(project_root / "03_Renders/Chapter_01/Scene_01/Shot_02/S01_S02_take01.wav")
    studio = _speaker(media_server.workspace, project_root, "Studio")
    SonosPlay(speaker=studio, media=media_ref(media_server.workspace, take)).run(
        make_ctx(media_server.workspace, project_root, "speaker.sonos_play")
    )
    uri = sonos.changes()[0][3]["CurrentURI"]
    _, _, _, expires, signature, path = urlparse(uri).path.split("/", 5)
    assert httpx.get(uri).status_code == 200
    forged = uri.replace(signature, signature[:-2] + ("AA" if not signature.endswith("AA") else "BB"))
    other_file = uri.replace(path, path.replace("Shot_02/S01_S02", "Shot_01/S01_S01"))
    later = uri.replace(f"/{expires}/", f"/{int(expires) + 7200}/")
    key = url_signing_key(SECRET.encode())
    expired = media_server.url + signed_path(key, unquote(path), ttl_s=-5)
    for bad, reason in ((forged, "forged"), (other_file, "forged"), (later, "forged"), (expired, "expired")):
        response = httpx.get(bad)
        assert response.status_code == 403, bad
        assert response.json()["error"]["code"] == "signature_invalid"
        assert response.json()["error"]["details"]["reason"] == reason
        assert take.read_bytes() not in response.content


def test_media_sonos_cannot_play_is_transcoded_to_48k_flac_first(
    sonos: SonosSystem, media_server: ServerProcess, project_root: Path
) -> None:
    master = write_wav(project_root / "01_Assets/Music/master96k.wav", rate=96_000)
    studio = _speaker(media_server.workspace, project_root, "Studio")
    SonosPlay(speaker=studio, media=media_ref(media_server.workspace, master, sample_rate=96_000)).run(
        make_ctx(media_server.workspace, project_root, "speaker.sonos_play")
    )
    uri = sonos.changes()[0][3]["CurrentURI"]
    assert uri.endswith("master96k.sonos.flac")
    _wait_for_fetch(sonos)
    assert sonos.fetches[0].status == 200 and sonos.fetches[0].size > 0


def test_an_image_is_refused_as_unsupported_media(media_server: ServerProcess, project_root: Path, sonos: SonosSystem) -> None:
    still = project_root / "01_Assets/Styles/frame.png"
    still.parent.mkdir(parents=True, exist_ok=True)
    still.write_bytes(b"\x89PNG\r\n\x1a\n")
    ref = media_ref(media_server.workspace, still).model_copy(update={"kind": "image", "mime": "image/png"})
    studio = _speaker(media_server.workspace, project_root, "Studio")
    with pytest.raises(UnsupportedMediaError, match="image"):
        SonosPlay(speaker=studio, media=ref).run(make_ctx(media_server.workspace, project_root, "speaker.sonos_play"))


def test_start_offset_seeks_and_stop_goes_to_the_coordinator(
    sonos: SonosSystem, media_server: ServerProcess, project_root: Path
) -> None:
    studio = _speaker(media_server.workspace, project_root, "Studio")
    ctx = make_ctx(media_server.workspace, project_root, "speaker.sonos_play")
    SonosPlay(speaker=studio, url="http://radio.example/stream.mp3", start_s=75).run(ctx)
    SonosStop(speaker=studio).run(ctx)
    assert [(ip, action, args.get("Target")) for ip, _, action, args in sonos.changes()] == [
        (CONTROL, "SetAVTransportURI", None), (CONTROL, "Play", None),
        (CONTROL, "Seek", "0:01:15"), (CONTROL, "Stop", None),
    ]
    assert sonos.changes()[2][3] == {"InstanceID": "0", "Unit": "REL_TIME", "Target": "0:01:15"}


def test_sonos_control_next_pause_and_play_without_a_url_skip_pause_and_resume_on_the_coordinator(
    sonos: SonosSystem, media_server: ServerProcess, project_root: Path
) -> None:
    studio = _speaker(media_server.workspace, project_root, "Studio")
    ctx = make_ctx(media_server.workspace, project_root, "speaker.sonos_transport")
    for action in ("next", "pause", "play"):
        tool, arguments = resolve("sonos_control", {"action": action, "speaker": "Studio"})
        act = arguments["graph"]["act"]
        assert (tool, act["class_type"], act["inputs"]["speaker"]) == ("run_graph", "speaker.sonos_transport", ["find", 0])
        SonosTransport(speaker=studio, action=act["inputs"]["action"]).run(ctx)
    assert [(ip, action) for ip, _, action, _ in sonos.changes()] == [(CONTROL, "Next"), (CONTROL, "Pause"), (CONTROL, "Play")]
    with_url = resolve("sonos_control", {"action": "play", "speaker": "Studio", "url": "http://radio.example/a.mp3"})
    assert with_url[1]["graph"]["act"] == {"class_type": "speaker.sonos_play",
                                           "inputs": {"speaker": ["find", 0], "url": "http://radio.example/a.mp3"}}


def test_volume_set_change_and_mute_for_a_speaker_and_its_group(
    sonos: SonosSystem, media_server: ServerProcess, project_root: Path
) -> None:
    studio = _speaker(media_server.workspace, project_root, "Studio")
    ctx = make_ctx(media_server.workspace, project_root, "speaker.sonos_volume")
    assert SonosVolume(speaker=studio, action="set", value=42).run(ctx).volume == 42
    assert SonosVolume(speaker=studio, action="change", value=-5).run(ctx).volume == 37
    assert SonosVolume(speaker=studio, action="mute").run(ctx).muted is True
    group = SonosVolume(speaker=studio, action="set", value=25, scope="group").run(ctx)
    SonosVolume(speaker=studio, action="unmute", scope="group").run(ctx)
    assert group.volume == 25
    # SnapshotGroupVolume is how a player is asked to fix the group's levels before a read
    sent = [(ip, service, action, args) for ip, service, action, args in sonos.changes() if action != "SnapshotGroupVolume"]
    assert sent == [
        (STUDIO, "RenderingControl", "SetVolume", {"InstanceID": "0", "Channel": "Master", "DesiredVolume": "42"}),
        (STUDIO, "RenderingControl", "SetRelativeVolume", {"InstanceID": "0", "Channel": "Master", "Adjustment": "-5"}),
        (STUDIO, "RenderingControl", "SetMute", {"InstanceID": "0", "Channel": "Master", "DesiredMute": "1"}),
        (CONTROL, "GroupRenderingControl", "SetGroupVolume", {"InstanceID": "0", "DesiredVolume": "25"}),
        (CONTROL, "GroupRenderingControl", "SetGroupMute", {"InstanceID": "0", "DesiredMute": "0"}),
    ]
    assert {p.volume for p in sonos.players.values()} == {25}


def test_leave_and_join_send_the_grouping_actions(
    sonos: SonosSystem, media_server: ServerProcess, project_root: Path
) -> None:
    ctx = make_ctx(media_server.workspace, project_root, "speaker.sonos_group")
    studio = _speaker(media_server.workspace, project_root, "Studio")
    control = _speaker(media_server.workspace, project_root, "Control Room")
    alone = SonosGroup(speaker=studio, action="leave").run(ctx).speaker
    assert alone.is_coordinator and alone.group is not None and alone.group.member_uids == [studio.uid]
    back = SonosGroup(speaker=studio, action="join", target=control).run(ctx).speaker
    assert back.group is not None and back.group.coordinator_ip == CONTROL
    assert [(ip, action, args) for ip, _, action, args in sonos.changes()] == [
        (STUDIO, "BecomeCoordinatorOfStandaloneGroup", {"InstanceID": "0"}),
        (STUDIO, "SetAVTransportURI", {"InstanceID": "0", "CurrentURI": f"x-rincon:{control.uid}", "CurrentURIMetaData": ""}),
    ]


def test_snapshot_and_restore_bring_back_what_the_group_was_playing(
    sonos: SonosSystem, media_server: ServerProcess, project_root: Path
) -> None:
    ctx = make_ctx(media_server.workspace, project_root, "speaker.sonos_group")
    studio = _speaker(media_server.workspace, project_root, "Studio")
    before = "http://radio.example/before.mp3"
    SonosPlay(speaker=studio, url=before).run(ctx)
    state = SonosGroup(speaker=studio, action="snapshot").run(ctx).snapshot
    assert [m["ip"] for m in json.loads(state)["members"]] == [CONTROL, STUDIO]
    SonosPlay(speaker=studio, url="http://radio.example/review.mp3").run(ctx)
    SonosVolume(speaker=studio, action="set", value=80).run(ctx)
    sonos.calls.clear()
    SonosGroup(speaker=studio, action="restore", state=state).run(ctx)
    restored = [(ip, action, args.get("CurrentURI") or args.get("DesiredVolume")) for ip, _, action, args in sonos.changes()]
    assert (CONTROL, "SetAVTransportURI", before) in restored
    assert (STUDIO, "SetVolume", "20") in restored
    transport = [(ip, action) for ip, action, _ in restored if action in ("SetAVTransportURI", "Play")]
    assert transport == [(CONTROL, "SetAVTransportURI"), (CONTROL, "Play")]
    assert sonos.players[CONTROL].uri == before and sonos.players[STUDIO].volume == 20


def test_a_dead_speaker_is_reported_unreachable(media_server: ServerProcess, project_root: Path, sonos: SonosSystem) -> None:
    ghost = Speaker(name="Ghost", ip="127.0.0.9", uid="RINCON_GHOST")
    with pytest.raises(SpeakerUnreachableError, match="does not answer on port 1400"):
        SonosStop(speaker=ghost).run(make_ctx(media_server.workspace, project_root, "speaker.sonos_stop"))


def test_review_plays_the_active_take_of_each_shot_one_after_another(
    sonos: SonosSystem, media_server: ServerProcess, project_root: Path, tmp_path: Path
) -> None:
    sources = [write_wav(tmp_path / f"src{i}.wav", freq=300 + 100 * i) for i in range(3)]
    first = save_take(project_root, sources[0], shot=3)
    save_take(project_root, sources[1], shot=3)  # the latest take of shot 3 is the active one
    third = save_take(project_root, sources[2], shot=4)
    studio = _speaker(media_server.workspace, project_root, "Studio")
    out = SonosPlayTakes(speaker=studio, chapter=1, scene=1).run(
        make_ctx(media_server.workspace, project_root, "speaker.sonos_play_takes")
    )
    played = [p.rsplit("/", 1)[-1] for p in out.played]
    assert played[-2:] == ["S01_S03_take02.wav", third.name] and first.name not in played
    uris = [args["CurrentURI"] for _, _, action, args in sonos.changes() if action == "SetAVTransportURI"]
    assert [u.rsplit("/", 1)[-1] for u in uris] == played
    assert all(f.status == 200 for f in sonos.fetches) and len(sonos.fetches) == len(played), sonos.fetches


def test_play_needs_media_or_a_url(media_server: ServerProcess, project_root: Path, sonos: SonosSystem) -> None:
    studio = _speaker(media_server.workspace, project_root, "Studio")
    with pytest.raises(NodeExecutionError, match="connect a take"):
        SonosPlay(speaker=studio).run(make_ctx(media_server.workspace, project_root, "speaker.sonos_play"))
