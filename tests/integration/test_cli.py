"""The `auteur` command line, run as a real subprocess."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

AUTEUR = str(Path(sys.executable).with_name("auteur"))


def auteur(*args: str, workspace: Path, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "AUTEUR_WORKSPACE": str(workspace), "AUTEUR_LOAD_PLUGINS": "core,testpack"}
    return subprocess.run([AUTEUR, *args], capture_output=True, text=True, env=env, timeout=timeout)


def write(path: Path, data: Any) -> Path:
    path.write_text(json.dumps(data))
    return path


ADD_PROMPT = {
    "1": {"class_type": "core.integer", "inputs": {"value": 2}},
    "2": {"class_type": "core.add", "inputs": {"a": ["1", 0], "b": 3}},
    "3": {"class_type": "core.show", "inputs": {"value": ["2", 0]}},
}


def add_workflow() -> dict[str, Any]:
    return {
        "last_node_id": 3, "last_link_id": 2, "version": 0.4, "groups": [], "config": {}, "extra": {},
        "nodes": [
            {"id": 1, "type": "core.integer", "pos": [0, 0], "size": [200, 60], "flags": {}, "order": 0,
             "mode": 0, "outputs": [{"name": "value", "type": "INT", "links": [1]}], "widgets_values": [4]},
            {"id": 2, "type": "core.add", "pos": [250, 0], "size": [200, 80], "flags": {}, "order": 1,
             "mode": 0, "inputs": [{"name": "a", "type": "FLOAT", "link": 1}],
             "outputs": [{"name": "value", "type": "FLOAT", "links": [2]}], "widgets_values": [0, 10]},
            {"id": 3, "type": "core.show", "pos": [500, 0], "size": [200, 60], "flags": {}, "order": 2,
             "mode": 0, "inputs": [{"name": "value", "type": "*", "link": 2}], "widgets_values": []},
        ],
        "links": [[1, 1, 0, 2, 0, "INT"], [2, 2, 0, 3, 0, "FLOAT"]],
    }


def test_run_json_prints_the_run_record_and_exits_zero(tmp_path: Path) -> None:
    result = auteur("run", str(write(tmp_path / "p.json", ADD_PROMPT)), "--json", workspace=tmp_path)
    assert result.returncode == 0, result.stderr
    record = json.loads(result.stdout)
    assert record["status"] == "completed"
    assert record["outputs"] == {"3": {"value": 5}}
    assert {n["status"] for n in record["nodes"].values()} == {"completed"}


def test_run_set_overrides_a_constant_and_a_workflow_runs_like_a_prompt(tmp_path: Path) -> None:
    graph = write(tmp_path / "wf.json", add_workflow())
    result = auteur("run", str(graph), "--set", "2.b=100", "--json", workspace=tmp_path)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["outputs"] == {"3": {"value": 104}}


def test_a_template_run_accepts_only_its_exposed_parameters(tmp_path: Path) -> None:
    template = {"name": "Adder", "description": "adds", "version": "1.0.0",
                "parameters": [{"node_id": "1", "input": "value", "label": "Start"}],
                "requires": [{"type": "core.add", "version": "1.0.0"}], "workflow": add_workflow()}
    path = write(tmp_path / "t.json", template)
    ok = auteur("run", str(path), "--set", "1.value=1", "--json", workspace=tmp_path)
    assert ok.returncode == 0, ok.stderr
    assert json.loads(ok.stdout)["outputs"] == {"3": {"value": 11}}
    refused = auteur("run", str(path), "--set", "2.b=5", workspace=tmp_path)
    assert refused.returncode == 2
    assert "not an exposed parameter" in refused.stderr and "Traceback" not in refused.stderr


def test_a_failing_run_exits_non_zero_with_the_node_error_in_the_record(tmp_path: Path) -> None:
    graph = {"f": {"class_type": "test.fail", "inputs": {"message": "no disk"}},
             "s": {"class_type": "core.show", "inputs": {"value": ["f", 0]}}}
    result = auteur("run", str(write(tmp_path / "f.json", graph)), "--json", workspace=tmp_path)
    assert result.returncode == 1
    record = json.loads(result.stdout)
    assert record["status"] == "failed"
    assert record["nodes"]["f"]["error"]["message"] == "no disk"
    assert record["nodes"]["s"]["status"] == "skipped"


def test_run_shows_a_progress_summary_without_json(tmp_path: Path) -> None:
    result = auteur("run", str(write(tmp_path / "p.json", ADD_PROMPT)), workspace=tmp_path)
    assert result.returncode == 0
    assert "run completed" in result.stderr and "3: {'value': 5}" in result.stderr


def test_validate_reports_every_problem_as_json_and_exits_one(tmp_path: Path) -> None:
    graph = {"1": {"class_type": "core.integer", "inputs": {"value": "seven"}},
             "2": {"class_type": "no.such_node", "inputs": {}},
             "3": {"class_type": "core.show", "inputs": {"value": ["1", 0]}}}
    result = auteur("validate", str(write(tmp_path / "bad.json", graph)), "--json", workspace=tmp_path)
    assert result.returncode == 1
    payload = json.loads(result.stdout)
    assert payload["ok"] is False
    assert {(e["code"], e["node_id"]) for e in payload["errors"]} >= {("value_invalid", "1"), ("unknown_node_type", "2")}
    good = auteur("validate", str(write(tmp_path / "good.json", ADD_PROMPT)), "--json", workspace=tmp_path)
    assert good.returncode == 0 and json.loads(good.stdout) == {"ok": True, "errors": []}


@pytest.mark.parametrize("name", ["comfy_txt2img_sd15.json", "litegraph_features.json"])
def test_validate_a_comfyui_file_reports_unknown_node_types_without_a_traceback(
    testdata_dir: Path, tmp_path: Path, name: str
) -> None:
    result = auteur("validate", str(testdata_dir / "litegraph" / name), "--json", workspace=tmp_path)
    assert result.returncode == 1, result.stderr
    codes = {e["code"] for e in json.loads(result.stdout)["errors"]}
    assert "unknown_node_type" in codes
    assert "Traceback" not in result.stderr


def test_convert_to_workflow_is_the_lossless_round_trip(testdata_dir: Path, tmp_path: Path) -> None:
    source = testdata_dir / "litegraph" / "comfy_reroute_nodes.json"
    result = auteur("convert", str(source), "--to", "workflow", workspace=tmp_path)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == json.loads(source.read_text())


def test_convert_to_api_and_back_runs_the_same(tmp_path: Path) -> None:
    api = auteur("convert", str(write(tmp_path / "wf.json", add_workflow())), "--to", "api", workspace=tmp_path)
    assert api.returncode == 0, api.stderr
    prompt = json.loads(api.stdout)
    assert prompt["2"]["class_type"] == "core.add" and prompt["2"]["inputs"]["a"] == ["1", 0]
    workflow = auteur("convert", str(write(tmp_path / "api.json", prompt)), "--to", "workflow", workspace=tmp_path)
    assert workflow.returncode == 0, workflow.stderr
    rerun = auteur("run", str(write(tmp_path / "wf2.json", json.loads(workflow.stdout))), "--json", workspace=tmp_path)
    assert json.loads(rerun.stdout)["outputs"] == {"3": {"value": 14}}


def test_nodes_json_lists_the_catalog(tmp_path: Path) -> None:
    result = auteur("nodes", "--json", workspace=tmp_path)
    assert result.returncode == 0
    catalog = json.loads(result.stdout)
    types = {node["type"] for node in catalog["nodes"]}
    assert {"core.add", "core.show", "test.sleep"} <= types
    add = next(node for node in catalog["nodes"] if node["type"] == "core.add")
    assert [i["name"] for i in add["inputs"]] == ["a", "b"] and add["pack"] == "core"
    assert catalog["failed_packs"] == []


@pytest.mark.parametrize(
    ("content", "message"),
    [("{not json", "is not valid JSON"), ("[1, 2]", "must be a JSON object"), (None, "does not exist")],
)
def test_bad_graph_files_get_one_clear_line_not_a_traceback(
    tmp_path: Path, content: str | None, message: str
) -> None:
    path = tmp_path / "g.json"
    if content is not None:
        path.write_text(content)
    result = auteur("run", str(path), workspace=tmp_path)
    assert result.returncode == 2
    assert message in result.stderr and "Traceback" not in result.stderr
