"""The seed-style grouped tools (`ffmpeg_edit`, `spotify_control`, `sonos_control`): one tool
per device or trade with an `action`, each action mapped to the node tool that does it, so the
answer, the governance and the audit line are that node's.

A Sonos action needs a speaker, which only `speaker.sonos_discover` makes (socket inputs take
links only): it becomes a two-node `run_graph` that finds the speaker by name and acts on it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

FFMPEG_ACTIONS = {"trim_video": "media_trim", "convert_format": "media_convert",
                  "extract_audio": "media_extract_audio", "generate_thumbnail": "media_thumbnail",
                  "normalize_audio": "audio_normalize"}
SPOTIFY_ACTIONS = {"get_current": "current", "play": "play", "pause": "pause", "next": "next",
                   "previous": "previous", "volume": "volume"}
# `play` with a `url` plays it; without one it resumes what the group has loaded.
SONOS_ACTIONS = {"discover": None, "play": "speaker.sonos_play", "pause": "speaker.sonos_transport",
                 "next": "speaker.sonos_transport", "volume": "speaker.sonos_volume",
                 "join_group": "speaker.sonos_group", "leave_group": "speaker.sonos_group"}
_RUN = {"project": {"type": "string"}, "wait": {"type": "boolean", "default": True}}


@dataclass(frozen=True)
class GroupedTool:
    name: str
    description: str
    input_schema: dict[str, Any]


def _schema(actions: list[str], properties: dict[str, Any]) -> dict[str, Any]:
    return {"type": "object", "properties": {"action": {"type": "string", "enum": actions}, **properties, **_RUN},
            "required": ["action"], "additionalProperties": False}


GROUPED = [
    GroupedTool("ffmpeg_edit", "Edit media files with FFmpeg: trim_video, convert_format, extract_audio, "
                "generate_thumbnail, normalize_audio (paths inside the project). Needs AUTONOMOUS maturity.",
                _schema(list(FFMPEG_ACTIONS), {
                    "input_path": {"type": "string"}, "start": {"type": "string"}, "duration": {"type": "string"},
                    "format": {"type": "string"}, "timestamp": {"type": "string"},
                    "save_take": {"type": "object"}})),
    GroupedTool("spotify_control", "Control Spotify playback: get_current, play, pause, next, previous, volume, "
                "devices. Needs SUPERVISED maturity.",
                _schema([*SPOTIFY_ACTIONS, "devices"], {
                    "uri": {"type": "string"}, "volume": {"type": "integer"}, "device_id": {"type": "string"}})),
    GroupedTool("sonos_control", "Control Sonos speakers: discover, play, pause, next, volume, join_group, "
                "leave_group. Needs SUPERVISED maturity.",
                _schema(list(SONOS_ACTIONS), {
                    "speaker": {"type": "string", "description": "Speaker (room) name"},
                    "url": {"type": "string", "description": "For play: a stream to play (none: resume)"},
                    "volume": {"type": "integer"},
                    "target": {"type": "string", "description": "Room to join"}})),
]


def _given(arguments: dict[str, Any], *names: str) -> dict[str, Any]:
    return {name: arguments[name] for name in names if arguments.get(name) is not None}


def resolve(tool: str, arguments: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    """The node tool (or `run_graph`) and its arguments for one grouped call."""
    action = str(arguments.get("action", ""))
    run = _given(arguments, "project", "wait")
    if tool == "ffmpeg_edit" and action in FFMPEG_ACTIONS:
        name = FFMPEG_ACTIONS[action]
        media = "audio" if name == "audio_normalize" else "video"
        edits = _given(arguments, "start", "duration", "format", "timestamp", "save_take")
        return name, {media: arguments.get("input_path"), **edits, **run}
    if tool == "spotify_control" and action == "devices":
        return "speaker_spotify_devices", run
    if tool == "spotify_control" and action in SPOTIFY_ACTIONS:
        return "speaker_spotify_playback", {"action": SPOTIFY_ACTIONS[action],
                                            **_given(arguments, "uri", "volume", "device_id"), **run}
    if tool == "sonos_control" and action in SONOS_ACTIONS:
        by_name = {"name": arguments["speaker"]} if arguments.get("speaker") else {}
        node_type = SONOS_ACTIONS[action]
        if node_type is None:
            return "speaker_sonos_discover", {**by_name, **run}
        find = {"class_type": "speaker.sonos_discover", "inputs": by_name}
        inputs: dict[str, Any] = {"speaker": ["find", 0]}
        if action == "volume":
            inputs.update(action="set", value=arguments.get("volume", 30))
        elif action in ("join_group", "leave_group"):
            inputs["action"] = "join" if action == "join_group" else "leave"
        elif action == "play" and arguments.get("url"):
            inputs["url"] = arguments["url"]
        elif action in ("play", "pause", "next"):
            node_type = "speaker.sonos_transport"
            inputs["action"] = "resume" if action == "play" else action
        graph = {"find": find, "act": {"class_type": node_type, "inputs": inputs}}
        if action == "join_group":
            graph["to"] = {"class_type": "speaker.sonos_discover", "inputs": {"name": arguments.get("target", "")}}
            inputs["target"] = ["to", 0]
        return "run_graph", {"graph": graph, "targets": ["act"], **run}
    return tool, arguments  # unknown action: the call fails as an unknown tool, in words
