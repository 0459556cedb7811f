"""LangChain tools (issue 21) against a real `auteur serve`: invoked directly and by an agent
loop driven by a scripted chat model (a contract test of our side: no hosted model is
reachable), they make the same runs, answers and audit lines as the MCP path."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from langchain_core.language_models.fake_chat_models import GenericFakeChatModel
from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, ToolMessage
from langchain_core.tools import BaseTool

from canvas_server.agents.langchain_tools import langchain_tools
from canvas_server.governance import AuditLog

from ..server_harness import ServerProcess
from .conftest import PROJECT, call


def _agent(model: GenericFakeChatModel, tools: list[BaseTool], ask: str) -> list[BaseMessage]:
    """The smallest tool-calling agent loop: ask, run each tool call, answer, until no calls."""
    by_name = {tool.name: tool for tool in tools}
    messages: list[BaseMessage] = [HumanMessage(ask)]
    while True:
        reply = model.invoke(messages)
        messages.append(reply)
        if not isinstance(reply, AIMessage) or not reply.tool_calls:
            return messages
        for tool_call in reply.tool_calls:
            messages.append(by_name[tool_call["name"]].invoke(tool_call))


def test_langchain_tools_make_the_same_runs_answers_and_audit_lines_as_mcp(
        server: ServerProcess, tokens: dict[str, str], workspace: Path) -> None:
    token = tokens["AUTONOMOUS"]
    tools = langchain_tools(server.url, token)
    by_name = {tool.name: tool for tool in tools}
    assert {"media_trim", "run_graph", "ffmpeg_edit", "spotify_control", "sonos_control"} <= set(by_name)

    arguments: dict[str, Any] = {"video": "screencast.mp4", "duration": "1", "project": PROJECT}
    direct = json.loads(by_name["media_trim"].invoke(arguments))
    over_mcp = call(server, token, "media_trim", arguments).structured_content
    assert direct["status"] == over_mcp["status"] == "completed"
    assert set(direct) == set(over_mcp) and direct["result"] == over_mcp["result"]  # same bytes: same take

    model = GenericFakeChatModel(messages=iter([
        AIMessage("", tool_calls=[{"name": "ffmpeg_edit", "id": "call-1", "args": {
            "action": "trim_video", "input_path": "screencast.mp4", "duration": "1", "project": PROJECT}}]),
        AIMessage("The screencast is trimmed."),
    ]))
    messages = _agent(model, tools, "trim the screencast to 1 second")
    answer = json.loads(next(m for m in messages if isinstance(m, ToolMessage)).content)  # type: ignore[arg-type]
    assert answer["status"] == "completed" and messages[-1].content == "The screencast is trimmed."

    lines = [entry for entry in AuditLog.in_state_dir(workspace / ".auteur").entries() if entry.tool == "media_trim"]
    run_ids = {direct["run_id"], over_mcp["run_id"], answer["run_id"]}
    audited = [entry for entry in lines if entry.run_id in run_ids]
    assert len(audited) == 3 and {entry.principal for entry in audited} == {"agent-autonomous"}
    assert all(entry.inputs and entry.inputs["video"] == "screencast.mp4" for entry in audited)


def test_langchain_tools_carry_the_tokens_governance(server: ServerProcess, tokens: dict[str, str]) -> None:
    tools = {tool.name: tool for tool in langchain_tools(server.url, tokens["SUPERVISED"])}
    assert "media_trim" not in tools and "media_load" in tools
    refused = json.loads(tools["ffmpeg_edit"].invoke({"action": "trim_video", "input_path": "screencast.mp4"}))
    assert refused["error"]["message"] == ("FFmpeg editing requires AUTONOMOUS maturity level. "
                                           "Your agent is at SUPERVISED maturity.")
    student = {tool.name: tool for tool in langchain_tools(server.url, tokens["STUDENT"])}
    spotify = json.loads(student["spotify_control"].invoke({"action": "pause"}))
    assert spotify["error"]["message"] == ("Spotify control requires SUPERVISED maturity level. "
                                           "Your agent is at STUDENT maturity.")
    sonos = json.loads(student["sonos_control"].invoke({"action": "next", "speaker": "Kitchen"}))
    assert sonos["error"]["message"] == ("Speaker control requires SUPERVISED maturity level. "
                                         "Your agent is at STUDENT maturity.")
