"""Agents over MCP (issue 21): the SDK's ClientSession over streamable HTTP against a real
`auteur serve` lists the tools its token may use, trims a real clip into a take with progress
notifications, reads the take resource and downloads it; cancelling a long convert kills
ffmpeg; a SUPERVISED token neither sees nor may call the media edit tools; every call is audited."""

from __future__ import annotations

import asyncio
import base64
import json
import time
from pathlib import Path
from typing import Any

import httpx

from canvas_server.governance import AuditLog

from ..server_harness import ServerProcess
from .conftest import PROJECT, call
from .mcp_client import ffmpeg_reading, http_session, stdio_session


def test_an_autonomous_agent_trims_a_clip_into_a_take_with_progress_and_downloads_it(
        server: ServerProcess, tokens: dict[str, str], workspace: Path) -> None:
    token = tokens["AUTONOMOUS"]

    async def scenario() -> tuple[list[str], Any, list[float], Any]:
        progress: list[float] = []
        async with http_session(server.url, token) as session:
            names = [tool.name for tool in (await session.list_tools()).tools]

            async def on_progress(value: float, total: float | None, message: str | None) -> None:
                progress.append(value)
            result = await session.call_tool(
                "media_trim", {"video": "screencast.mp4", "start": "1", "duration": "3", "accurate": True,
                               "project": PROJECT, "save_take": {"chapter": 1, "scene": 1, "shot": 2}},
                progress_callback=on_progress)
            links = [item for item in result.content if item.type == "resource_link"]
            assert links, result.content
            take = await session.read_resource(links[0].uri)
            return names, result, progress, json.loads(take.contents[0].text)

    names, result, progress, take = asyncio.run(scenario())
    assert {"media_trim", "media_convert", "run_graph", "get_run", "cancel_run", "list_projects",
            "list_takes"} <= set(names)
    assert not result.is_error, result.content
    assert result.structured_content["status"] == "completed"
    assert progress and progress == sorted(progress)
    assert take["provenance"]["run_id"] == result.structured_content["run_id"]
    assert take["shot"] == "Chapter_01/Scene_01/Shot_02"
    download = httpx.get(take["download_url"], headers={"Authorization": f"Bearer {token}"}, timeout=30)
    assert download.status_code == 200 and download.content[4:8] == b"ftyp"
    assert httpx.get(take["download_url"], timeout=30).status_code == 401
    audited = [entry for entry in AuditLog.in_state_dir(workspace / ".auteur").entries() if entry.tool == "media_trim"]
    assert audited[-1].principal == "agent-autonomous"
    assert audited[-1].run_id == result.structured_content["run_id"]
    assert audited[-1].inputs is not None and audited[-1].inputs["video"] == "screencast.mp4"


def test_cancelling_a_long_convert_call_cancels_the_run_and_ffmpeg_is_gone_within_two_seconds(
        server: ServerProcess, tokens: dict[str, str], workspace: Path) -> None:
    async def scenario() -> float:
        async with http_session(server.url, tokens["AUTONOMOUS"]) as session:
            call = asyncio.create_task(session.call_tool(
                "media_convert", {"video": "long.mp4", "format": "webm", "project": PROJECT, "tier": "high"}))
            deadline = time.monotonic() + 60
            while not ffmpeg_reading(workspace):
                assert not call.done(), call.result().content
                assert time.monotonic() < deadline, "ffmpeg never started"
                await asyncio.sleep(0.05)
            call.cancel()  # the SDK sends notifications/cancelled for the request
            cancelled_at = time.monotonic()
            while ffmpeg_reading(workspace):
                assert time.monotonic() - cancelled_at < 2.0, "ffmpeg still running 2 s after the cancel"
                await asyncio.sleep(0.02)
            return time.monotonic() - cancelled_at

    assert asyncio.run(scenario()) < 2.0
    with httpx.Client(base_url=server.url, headers={"Authorization": f"Bearer {tokens['AUTONOMOUS']}"}) as client:
        runs = client.get("/api/runs", params={"project": PROJECT, "limit": 1}).json()["items"]
    assert runs[0]["status"] == "cancelled"


def test_wait_false_returns_the_run_id_at_once_for_get_run_polling(
        server: ServerProcess, tokens: dict[str, str]) -> None:
    token = tokens["AUTONOMOUS"]
    queued = call(server, token, "media_thumbnail", {"video": "screencast.mp4", "project": PROJECT, "wait": False})
    assert queued.structured_content["status"] in ("queued", "running")
    deadline = time.monotonic() + 60
    while True:
        polled = call(server, token, "get_run", {"run_id": queued.structured_content["run_id"]})
        if polled.structured_content["status"] == "completed":
            break
        assert time.monotonic() < deadline
        time.sleep(0.2)


def test_a_supervised_agent_does_not_see_the_media_edit_tools_and_is_refused_in_words(
        server: ServerProcess, tokens: dict[str, str], workspace: Path) -> None:
    async def listed() -> list[str]:
        async with http_session(server.url, tokens["SUPERVISED"]) as session:
            return [tool.name for tool in (await session.list_tools()).tools]

    names = asyncio.run(listed())
    assert "media_trim" not in names and "media_convert" not in names and "media_load" in names
    refused = call(server, tokens["SUPERVISED"], "media_trim", {"video": "screencast.mp4", "project": PROJECT})
    assert refused.is_error
    assert refused.content[0].text == ("FFmpeg editing requires AUTONOMOUS maturity level. "
                                       "Your agent is at SUPERVISED maturity.")
    audited = AuditLog.in_state_dir(workspace / ".auteur").entries()
    assert any(entry.tool == "media_trim" and entry.principal == "agent-supervised" and entry.run_id is None
               for entry in audited)


def test_a_student_agent_is_refused_speaker_and_spotify_control(server: ServerProcess, tokens: dict[str, str]) -> None:
    sonos = call(server, tokens["STUDENT"], "speaker_sonos_discover", {})
    spotify = call(server, tokens["STUDENT"], "speaker_spotify_devices", {})
    assert sonos.content[0].text == "Speaker control requires SUPERVISED maturity level. Your agent is at STUDENT maturity."
    assert spotify.content[0].text == "Spotify control requires SUPERVISED maturity level. Your agent is at STUDENT maturity."
    # The same nodes asked through run_graph get the same sentence, not the graph check's wording.
    by_graph = call(server, tokens["STUDENT"], "run_graph", {"graph": {
        "find": {"class_type": "speaker.sonos_discover", "inputs": {}},
        "act": {"class_type": "speaker.sonos_transport", "inputs": {"speaker": ["find", 0], "action": "next"}}}})
    assert by_graph.is_error and by_graph.structured_content["error"]["code"] == "maturity_insufficient"
    assert by_graph.content[0].text == sonos.content[0].text


def test_an_agent_without_a_token_gets_a_401_in_the_one_error_shape(server: ServerProcess) -> None:
    answer = httpx.post(f"{server.url}/mcp", json={"jsonrpc": "2.0", "id": 1, "method": "tools/list"},
                        headers={"Accept": "application/json, text/event-stream"}, timeout=10)
    assert answer.status_code == 401
    assert answer.json()["error"]["code"] == "unauthorized"


def test_a_one_node_run_over_rest_answers_202_and_get_run_reports_its_outputs(
        server: ServerProcess, tokens: dict[str, str]) -> None:
    with httpx.Client(base_url=server.url, headers={"Authorization": f"Bearer {tokens['AUTONOMOUS']}"},
                      timeout=30) as client:
        accepted = client.post("/api/nodes/media.trim/run",
                               json={"video": "screencast.mp4", "duration": "2", "project": PROJECT})
        assert accepted.status_code == 202, accepted.text
        run_id = accepted.json()["run_id"]
        deadline = time.monotonic() + 60
        while (run := client.get(f"/api/runs/{run_id}").json())["status"] not in ("completed", "failed"):
            assert time.monotonic() < deadline
            time.sleep(0.2)
        assert run["status"] == "completed", run
        assert run["nodes"]["node"]["outputs"]["video"]["kind"] == "video"
        refused = client.post("/api/nodes/media.trim/run", json={"video": "screencast.mp4"},
                              headers={"Authorization": f"Bearer {tokens['SUPERVISED']}"})
        assert refused.status_code == 403 and refused.json()["error"]["message"].startswith("FFmpeg editing requires")
        assert client.post("/api/nodes/run_graph/run", json={}).status_code == 404


def test_auteur_mcp_over_stdio_relays_to_the_server_with_the_same_tools_answers_and_governance(
        server: ServerProcess, tokens: dict[str, str], workspace: Path) -> None:
    progress: list[tuple[float, str | None]] = []

    async def scenario(token: str) -> tuple[list[str], Any]:
        async with stdio_session(workspace, "--server", server.url, env={"AUTEUR_TOKEN": token}) as session:
            names = [tool.name for tool in (await session.list_tools()).tools]

            async def on_progress(value: float, total: float | None, message: str | None) -> None:
                progress.append((value, message))
            trimmed = await session.call_tool(
                "media_trim", {"video": "screencast.mp4", "start": "2", "duration": "1", "project": PROJECT,
                               "save_take": {"chapter": 1, "scene": 1, "shot": 3}}, progress_callback=on_progress)
            return names, trimmed

    names, trimmed = asyncio.run(scenario(tokens["AUTONOMOUS"]))
    assert "media_trim" in names and not trimmed.is_error
    assert trimmed.structured_content["status"] == "completed"
    # Progress notifications come through the relay, in order: the clip loaded, trimmed, its take saved.
    assert [value for value, _ in progress] == sorted(value for value, _ in progress)
    assert "node done" in [message for _, message in progress] and progress[-1] == (3.0, "take done"), progress
    names, refused = asyncio.run(scenario(tokens["SUPERVISED"]))
    assert "media_trim" not in names
    assert refused.content[0].text.startswith("FFmpeg editing requires AUTONOMOUS maturity level.")


def test_templates_are_tools_with_their_parameters_listed_by_maturity(
        server: ServerProcess, tokens: dict[str, str]) -> None:
    async def listed(token: str) -> dict[str, Any]:
        async with http_session(server.url, token) as session:
            return {tool.name: tool for tool in (await session.list_tools()).tools}

    student, autonomous = asyncio.run(listed(tokens["STUDENT"])), asyncio.run(listed(tokens["AUTONOMOUS"]))
    assert "template_add_two_numbers" in student and "template_screencast_trim_thumbnail" not in student
    assert "template_screencast_trim_thumbnail" in autonomous
    assert {"start", "add"} <= set(student["template_add_two_numbers"].input_schema["properties"])
    added = call(server, tokens["STUDENT"], "template_add_two_numbers", {"start": 2, "add": 3})
    assert added.structured_content["status"] == "completed", added.content
    assert 5 in [value for outputs in added.structured_content["outputs"].values() for value in outputs.values()]
    wrong = call(server, tokens["STUDENT"], "template_add_two_numbers", {"nope": 1})
    assert wrong.is_error and wrong.structured_content["error"]["code"] == "validation_failed"


def test_upload_asset_takes_base64_or_a_sandboxed_path_and_refuses_the_rest(
        server: ServerProcess, tokens: dict[str, str]) -> None:
    png = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000"
                        "1f15c4890000000d49444154789c6360000002000100ffff03000006000557bfabd40000000049454e44ae426082")
    token = tokens["AUTONOMOUS"]
    by_bytes = call(server, token, "upload_asset", {"project": PROJECT, "category": "Styles", "filename": "dot.png",
                                                    "content_base64": base64.b64encode(png).decode()})
    assert not by_bytes.is_error, by_bytes.content
    by_path = call(server, token, "upload_asset", {"project": PROJECT, "category": "Objects", "filename": "clip",
                                                   "path": "screencast.mp4"})
    assert not by_path.is_error and by_path.structured_content["path"].endswith(".mp4")
    for path in ("/etc/passwd", "../../.auteur/tokens.json", ".auteur/audit.jsonl"):
        refused = call(server, token, "upload_asset", {"project": PROJECT, "category": "Objects", "filename": "x",
                                                       "path": path})
        assert refused.is_error and refused.structured_content["error"]["code"] in ("path_forbidden", "forbidden")
    wrong = call(server, token, "upload_asset", {"project": PROJECT, "category": "Styles", "filename": "x",
                                                 "content_base64": "not base64!"})
    assert wrong.is_error and wrong.structured_content["error"]["code"] == "validation_failed"
    with httpx.Client(base_url=server.url, headers={"Authorization": f"Bearer {token}"}) as client:
        assets = client.get(f"/api/projects/{PROJECT}/assets").json()
    assert {by_bytes.structured_content["path"], by_path.structured_content["path"]} <= {
        asset["path"] for asset in (assets["items"] if isinstance(assets, dict) else assets)}


def test_resources_list_the_agents_projects_and_read_shot_lists_and_run_records(
        server: ServerProcess, tokens: dict[str, str]) -> None:
    async def scenario() -> tuple[list[str], Any, Any]:
        async with http_session(server.url, tokens["AUTONOMOUS"]) as session:
            uris = [str(item.uri) for item in (await session.list_resources()).resources]
            shots = await session.read_resource(f"auteur://projects/{PROJECT}/shots")
            run = await session.call_tool("run_graph", {"graph": {
                "1": {"class_type": "core.integer", "inputs": {"value": 7}},
                "2": {"class_type": "core.show", "inputs": {"value": ["1", 0]}}}})
            record = await session.read_resource(f"auteur://runs/{run.structured_content['run_id']}")
            return uris, json.loads(shots.contents[0].text), json.loads(record.contents[0].text)

    uris, shots, record = asyncio.run(scenario())
    assert f"auteur://projects/{PROJECT}" in uris and f"auteur://projects/{PROJECT}/takes" in uris
    assert any(scene for chapter in shots["chapters"] for scene in chapter["scenes"])  # the project template has its first scene
    assert record["status"] == "completed"


def test_auteur_mcp_local_serves_the_workspace_itself_over_stdio(tmp_path: Path) -> None:
    async def scenario() -> tuple[list[str], Any]:
        async with stdio_session(tmp_path, "--local") as session:
            names = [tool.name for tool in (await session.list_tools()).tools]
            return names, await session.call_tool("template_add_two_numbers", {"start": 4, "add": 5})

    names, added = asyncio.run(scenario())
    assert "media_trim" in names  # the local user is AUTONOMOUS
    assert added.structured_content["status"] == "completed", added.content


def test_cancelling_over_stdio_reaches_the_server_and_ffmpeg_is_gone_within_two_seconds(
        server: ServerProcess, tokens: dict[str, str], workspace: Path) -> None:
    async def scenario() -> float:
        async with stdio_session(workspace, "--server", server.url,
                                 env={"AUTEUR_TOKEN": tokens["AUTONOMOUS"]}) as session:
            call_task = asyncio.create_task(session.call_tool(
                "media_convert", {"video": "long.mp4", "format": "mkv", "project": PROJECT, "tier": "high"}))
            deadline = time.monotonic() + 60
            while not ffmpeg_reading(workspace):
                assert not call_task.done(), call_task.result().content
                assert time.monotonic() < deadline, "ffmpeg never started"
                await asyncio.sleep(0.05)
            call_task.cancel()
            cancelled_at = time.monotonic()
            while ffmpeg_reading(workspace):
                assert time.monotonic() - cancelled_at < 2.0, "ffmpeg still running 2 s after the cancel"
                await asyncio.sleep(0.02)
            return time.monotonic() - cancelled_at

    assert asyncio.run(scenario()) < 2.0
