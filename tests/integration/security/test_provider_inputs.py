"""Hostile input for the providers (issue 26): a project's provider budget is a non-negative
number or nothing, refused in the one error shape otherwise (a budget the SDK could not read
would silently lift the limit); a remote ComfyUI node reaches only the configured, allowed or
loopback servers, and sends only ComfyUI's API format."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest

from function_runners.execute import execute_task
from function_runners.task import NodeResult, NodeTask
from nodes.providers import NODES as PROVIDER_NODES
from nodes.providers.suno import SunoGenerate
from nodes.sdk import ModelCache, NodeRegistry, spec_of

from .test_story_inputs import assert_clear_4xx

HOSTILE_BUDGETS: list[Any] = [-1, "lots", "12", True, [5], {"usd": 5}]


@pytest.mark.parametrize("budget", HOSTILE_BUDGETS)
def test_a_hostile_project_budget_is_a_clear_4xx(clients: dict[str, httpx.Client], film: str, budget: Any) -> None:
    answer = clients["cy"].patch(f"/api/projects/{film}", json={"settings": {"budgetUsd": budget}})
    assert_clear_4xx(answer)


def test_a_budget_is_stored_in_the_project_settings_and_can_be_lifted(clients: dict[str, httpx.Client],
                                                                        film: str) -> None:
    answer = clients["cy"].patch(f"/api/projects/{film}", json={"settings": {"budgetUsd": 12.5}})
    assert answer.status_code == 200, answer.text
    assert clients["cy"].get(f"/api/projects/{film}").json()["settings"]["budgetUsd"] == 12.5
    lifted = clients["cy"].patch(f"/api/projects/{film}", json={"settings": {"budgetUsd": None}})
    assert lifted.status_code == 200 and lifted.json()["settings"]["budgetUsd"] is None


HOSTILE_SERVERS = ["http://169.254.169.254/latest/meta-data", "http://user:secret@127.0.0.1:8188",
                   "file:///etc/passwd", "http://render-box.example:8188", "http://127.0.0.1:8188/?x=1"]


@pytest.mark.parametrize("server", HOSTILE_SERVERS)
def test_a_remote_comfyui_node_never_reaches_a_server_the_settings_do_not_allow(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, server: str
) -> None:
    monkeypatch.setenv("AUTEUR_COMFYUI_REMOTE_URL", "http://127.0.0.1:9")
    result = run_provider(tmp_path, {"prompt": '{"1": {"class_type": "core.integer", "inputs": {}}}',
                                           "shot_path": "Chapter_01/Scene_01/Shot_01", "server": server})
    assert result.error is not None and result.error.code == "comfyui_url_refused"
    assert "secret" not in result.error.message


@pytest.mark.parametrize("prompt", ["not json", "[]", "{}", '{"1": 5}', '{"1": {"inputs": {}}}'])
def test_a_remote_comfyui_prompt_that_is_not_comfyuis_api_format_is_refused_before_any_call(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, prompt: str
) -> None:
    monkeypatch.setenv("AUTEUR_COMFYUI_REMOTE_URL", "http://127.0.0.1:9")
    result = run_provider(tmp_path, {"prompt": prompt, "shot_path": "Chapter_01/Scene_01/Shot_01"})
    assert result.error is not None and result.error.code == "comfyui_prompt_invalid"


HOSTILE_HIGGSFIELD = [{"application": "../../admin"}, {"application": "https://evil.example/x"},
                      {"image_url": "file:///etc/passwd"}, {"image_url": "http://169.254.169.254/"},
                      {"arguments": "[1]"}, {"arguments": "not json"}, {"duration": 10_000}]


@pytest.mark.parametrize("hostile", HOSTILE_HIGGSFIELD)
def test_hostile_higgsfield_inputs_are_refused_before_any_call(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, hostile: dict[str, Any]
) -> None:
    monkeypatch.setenv("AUTEUR_HIGGSFIELD_API_URL", "http://127.0.0.1:9")
    monkeypatch.setenv("AUTEUR_HIGGSFIELD_API_KEY", "kid:ksecret")
    result = run_provider(tmp_path, {"prompt": "x", "shot_path": "Chapter_01/Scene_01/Shot_01", **hostile},
                                type_id="providers.higgsfield_video")
    assert result.error is not None
    assert result.error.code in ("value_invalid", "higgsfield_arguments_invalid"), result.error
    assert "ksecret" not in result.error.message


def run_provider(workspace: Path, inputs: dict[str, Any],
                       type_id: str = "providers.comfyui_remote") -> NodeResult:
    registry = NodeRegistry()
    for cls in PROVIDER_NODES:
        registry.add(cls, "providers")
    project = workspace / "Projects" / "Film"
    project.mkdir(parents=True, exist_ok=True)
    (project / "project.json").write_text(json.dumps({"name": "Film"}))
    task = NodeTask(run_id="run-1", node_id="1", type=type_id, version="1.0.0", inputs=inputs,
                    tier="standard", scratch_dir=str(workspace / ".auteur" / "scratch"),
                    workspace_root=str(workspace), project_root=str(project), project="Film")
    return execute_task(task, registry, ModelCache(), runner="test")


def test_a_suno_node_takes_its_endpoint_from_the_settings_only() -> None:
    # No input of the node can redirect its key: the endpoint is AUTEUR_SUNO_API_URL.
    names = {item.name for item in spec_of(SunoGenerate).inputs}
    assert "lyrics" in names
    assert not {name for name in names if "url" in name or "server" in name or "endpoint" in name}


@pytest.mark.parametrize("hostile", [{"references": [{"path": "../../etc/passwd", "sha256": "0" * 64,
                                                      "mime": "image/png", "kind": "image"}], "mode": "edit"},
                                     {"width": 100_000}, {"count": 50}, {"mode": "shell"}])
def test_hostile_omnigen2_inputs_are_refused_before_the_pipeline_loads(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, hostile: dict[str, Any]
) -> None:
    (tmp_path / "weights").mkdir()
    monkeypatch.setenv("AUTEUR_OMNIGEN2_DIR", str(tmp_path / "weights"))
    result = run_provider(tmp_path, {"instruction": "x", "shot_path": "Chapter_01/Scene_01/Shot_01", **hostile},
                                type_id="providers.omnigen2_image")
    assert result.error is not None and result.error.code != "dependency_missing", result.error
    assert "/etc/passwd" not in result.error.message or result.error.code == "path_forbidden"
