"""`/prompt` refusals in ComfyUI's shape (each mapped type, naming the offending input),
`/object_info` in ComfyUI's shape, and the queue and history operations."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from ..server_harness import chain_prompt
from .comfy_client import ComfyClient

SHOW = {"class_type": "core.show", "inputs": {"value": ["1", 0]}}


def _refusal(comfy: ComfyClient, prompt: Any) -> dict[str, Any]:
    status, body = comfy.request("/prompt", {"prompt": prompt, "client_id": comfy.client_id})
    assert status == 400, body
    assert set(body) == {"error", "node_errors"}
    assert set(body["error"]) == {"type", "message", "details", "extra_info"}
    return body


@pytest.mark.parametrize(("node", "input_name", "expected"), [
    ({"class_type": "media.thumbnail", "inputs": {}}, "video", "required_input_missing"),
    ({"class_type": "core.add", "inputs": {"a": ["9", 0], "b": 1}}, "a", "bad_linked_input"),
    ({"class_type": "test.sleep", "inputs": {"seconds": -1}}, "seconds", "value_smaller_than_min"),
    ({"class_type": "core.integer", "inputs": {"value": "many"}}, "value", "invalid_input_type"),
])
def test_node_errors_name_the_offending_input(comfy: ComfyClient, node: dict, input_name: str, expected: str) -> None:
    body = _refusal(comfy, {"1": node, "2": SHOW})
    assert body["error"]["type"] == "prompt_outputs_failed_validation"
    errors = body["node_errors"]["1"]
    assert errors["class_type"] == node["class_type"] and errors["dependent_outputs"] == ["2"]
    assert [(e["type"], e["extra_info"]["input_name"]) for e in errors["errors"]] == [(expected, input_name)]


def test_return_type_mismatch_names_the_linked_input(comfy: ComfyClient) -> None:
    prompt = {"1": {"class_type": "core.text", "inputs": {"value": "x"}},
              "2": {"class_type": "media.thumbnail", "inputs": {"video": ["1", 0]}},
              "3": {"class_type": "core.show", "inputs": {"value": ["2", 0]}}}
    (error,) = _refusal(comfy, prompt)["node_errors"]["2"]["errors"]
    assert (error["type"], error["extra_info"]["input_name"]) == ("return_type_mismatch", "video")


def test_value_bigger_than_max_and_not_in_list(comfy: ComfyClient) -> None:
    info = comfy.request("/object_info")[1]
    bounded = next((name, key, options["max"]) for name, node in sorted(info.items())
                   for key, (kind, options) in node["input"]["required"].items()
                   if kind in ("INT", "FLOAT") and "max" in options and not node["input_order"]["required"][:0])
    combo = next((name, key) for name, node in sorted(info.items())
                 for key, (kind, _) in node["input"]["required"].items() if isinstance(kind, list))
    for (name, key), value, expected in (((bounded[0], bounded[1]), bounded[2] + 1, "value_bigger_than_max"),
                                         (combo, "no-such-option", "value_not_in_list")):
        body = _refusal(comfy, {"1": {"class_type": name, "inputs": {key: value}}, "2": SHOW})
        found = [(e["type"], e["extra_info"].get("input_name")) for e in body["node_errors"]["1"]["errors"]]
        assert (expected, key) in found, found


def test_graph_wide_refusals(comfy: ComfyClient) -> None:
    no_outputs = _refusal(comfy, {"1": {"class_type": "core.integer", "inputs": {"value": 1}}})
    assert no_outputs["error"]["type"] == "prompt_no_outputs"
    missing = _refusal(comfy, {"1": {"class_type": "comfy.KSampler", "inputs": {}}, "2": SHOW})
    assert missing["error"]["type"] == "missing_node_type"
    assert missing["error"]["extra_info"]["class_type"] == "comfy.KSampler"
    assert _refusal(comfy, "not a prompt")["error"]["type"] == "invalid_prompt"
    used = comfy.queue_prompt(chain_prompt(), str(uuid.uuid4()))["prompt_id"]
    status, body = comfy.request("/prompt", {"prompt": chain_prompt(), "prompt_id": used})
    assert status == 400 and body["error"]["type"] == "invalid_prompt"


def _check_input(entry: list[Any]) -> None:
    kind, options = entry
    assert isinstance(kind, str) or (isinstance(kind, list) and kind), entry
    assert isinstance(options, dict)
    assert set(options) <= {"default", "min", "max", "step", "multiline", "tooltip", "display_name",
                            "forceInput", "auteur_widget"}


def test_object_info_has_comfyui_shape_for_every_node(comfy: ComfyClient) -> None:
    status, info = comfy.request("/object_info")
    assert status == 200 and "core.add" in info and "media.thumbnail" in info
    for name, node in info.items():
        assert node["name"] == name and isinstance(node["display_name"], str)
        assert isinstance(node["category"], str) and isinstance(node["description"], str)
        assert isinstance(node["output_node"], bool)
        assert len(node["output"]) == len(node["output_name"]) == len(node["output_is_list"])
        for group in ("required", "optional"):
            assert list(node["input"].get(group, {})) == node["input_order"].get(group, [])
            for entry in node["input"].get(group, {}).values():
                _check_input(entry)
    assert comfy.request("/object_info/core.add")[1] == {"core.add": info["core.add"]}
    assert comfy.request("/api/object_info/core.add")[1] == {"core.add": info["core.add"]}


def test_prompt_built_from_object_info_is_accepted(comfy: ComfyClient) -> None:
    """The rules ComfyUI clients use: each widget its default (or the first option)."""
    info = comfy.request("/object_info")[1]

    def widgets(name: str) -> dict[str, Any]:
        required = info[name]["input"]["required"]
        return {key: (kind[0] if isinstance(kind, list) else options.get("default"))
                for key, (kind, options) in required.items() if not options.get("forceInput")}

    prompt = {"1": {"class_type": "core.integer", "inputs": widgets("core.integer")},
              "2": {"class_type": "core.add", "inputs": {**widgets("core.add"), "a": ["1", 0]}},
              "3": {"class_type": "core.show", "inputs": {"value": ["2", 0]}}}
    prompt_id = comfy.queue_prompt(prompt)["prompt_id"]
    assert "execution_success" in [m["type"] for m in comfy.wait(prompt_id)]


def test_queue_lists_and_deletes_and_history_forgets(comfy: ComfyClient) -> None:
    def sleeper(seconds: float) -> dict[str, Any]:
        return {"1": {"class_type": "test.sleep", "inputs": {"seconds": seconds, "value": uuid.uuid4().hex}}, "2": SHOW}

    ids = [comfy.queue_prompt(sleeper(30))["prompt_id"] for _ in range(4)]
    queue = comfy.request("/queue")[1]
    listed = [item[1] for item in queue["queue_running"] + queue["queue_pending"]]
    assert set(ids) <= set(listed)
    assert comfy.request("/queue", {"delete": [ids[3]]})[0] == 200
    assert comfy.request("/queue", {"clear": True})[0] == 200
    assert comfy.request("/interrupt", {})[0] == 200
    done: set[str] = set()
    while not set(ids) <= done:
        message = comfy.receive()
        if message["type"] == "executing" and message["data"]["node"] is None:
            done.add(message["data"]["prompt_id"])
    assert comfy.request("/queue")[1] == {"queue_running": [], "queue_pending": []}
    assert set(ids) <= set(comfy.request("/history")[1])
    assert comfy.request("/history", {"delete": ids[:2]})[0] == 200
    assert comfy.request(f"/history/{ids[0]}")[1] == {}
    assert ids[2] in comfy.request("/api/history?max_items=100")[1]


def test_output_is_list_follows_the_catalog_list_sockets(comfy: ComfyClient) -> None:
    info = comfy.request("/object_info")[1]
    assert info["test.items"]["output_is_list"] == [True]
    breakdown = info["production.script_breakdown"]
    assert dict(zip(breakdown["output_name"], breakdown["output_is_list"], strict=True))["shots"] is True
    assert info["core.add"]["output_is_list"] == [False]


def test_system_routes_answer(comfy: ComfyClient) -> None:
    assert comfy.request("/system_stats")[1]["system"]["python_version"]
    assert comfy.request("/embeddings")[1] == []
    assert comfy.request("/api/extensions")[1] == ["/extensions/auteur/text_outputs.js"]
    assert comfy.request("/features")[1]["max_upload_size"] > 0
