"""Catalog, tiers, graph conversion and templates on a real server."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import httpx

from .server_harness import chain_prompt, wait_for_status


def test_health_catalog_tiers_and_docs_are_served(client: httpx.Client) -> None:
    assert client.get("/api/health").json()["status"] == "ok"
    catalog = client.get("/api/nodes").json()
    specs = {spec["type"]: spec for spec in catalog["nodes"]}
    add = specs["core.add"]
    assert [item["name"] for item in add["inputs"]] == ["a", "b"]
    assert {"maturity", "runs_on", "output_node", "version", "pack", "input_schema", "category", "title"} <= set(add)
    assert "test.sleep" in specs and isinstance(catalog["failed_packs"], list)
    tiers = client.get("/api/quality/mappings").json()
    assert set(tiers) == {"low", "standard", "high"} and "pipeline_id" in tiers["high"]
    assert client.get("/docs").status_code == 200
    assert "/api/runs" in client.get("/openapi.json").json()["paths"]


def test_convert_names_the_node_types_it_lacks_and_refuses_an_api_prompt_unless_allowed(
        client: httpx.Client, testdata_dir: Path) -> None:
    workflow = json.loads((testdata_dir / "litegraph" / "comfy_txt2img_sd15.json").read_text(encoding="utf-8"))
    refused = client.post("/api/graphs/convert", json={"graph": workflow, "to": "api"})
    assert refused.status_code == 422, refused.text
    error = refused.json()["error"]
    assert error["code"] == "validation_failed" and "KSampler" in error["message"]
    missing = {item["details"]["type"]: item["details"]["nodes"] for item in error["details"]}
    assert missing["KSampler"] == 1 and missing["CLIPTextEncode"] == 2
    assert {item["code"] for item in error["details"]} == {"unknown_node_type"}
    allowed = client.post("/api/graphs/convert", json={"graph": workflow, "to": "api", "allow_missing": True}).json()
    assert {node["class_type"] for node in allowed["graph"].values()} >= {"KSampler", "CLIPTextEncode"}
    assert {item["details"]["type"]: item["details"]["nodes"] for item in allowed["errors"]
            if item["code"] == "unknown_node_type"} == missing
    as_workflow = client.post("/api/graphs/convert", json={"graph": workflow, "to": "workflow"}).json()
    assert as_workflow["graph"]["nodes"] and {item["details"]["type"] for item in as_workflow["errors"]} >= {"KSampler"}


def test_convert_takes_allow_missing_only_as_a_json_boolean(client: httpx.Client) -> None:
    """`0` or "yes" is not a boolean: refused, never read as one (schemathesis found 0 taken as false)."""
    for value in (0, 1, "yes", "true"):
        answer = client.post("/api/graphs/convert", json={"graph": chain_prompt(), "to": "api", "allow_missing": value})
        assert answer.status_code == 422 and "error" in answer.json(), (value, answer.text)


def test_convert_round_trips_an_api_prompt_through_a_workflow(client: httpx.Client) -> None:
    workflow = client.post("/api/graphs/convert", json={"graph": chain_prompt(), "to": "workflow"}).json()["graph"]
    assert len(workflow["nodes"]) == 3 and len(workflow["links"]) == 2
    back = client.post("/api/graphs/convert", json={"graph": workflow, "to": "api"}).json()
    assert back["kind"] == "workflow"
    assert {node_id: node["inputs"] for node_id, node in back["graph"].items()} == {
        node_id: node["inputs"] for node_id, node in chain_prompt().items()
    }


def test_bundled_template_is_listed_and_runs_with_its_parameters(client: httpx.Client) -> None:
    items = {item["id"]: item for item in client.get("/api/templates").json()["items"]}
    assert items["add_two_numbers"]["source"] == "builtin"
    template = client.get("/api/templates/add_two_numbers").json()
    assert template["requirements"]["ok"] is True
    run = client.post("/api/runs", json={"graph": template["template"], "params": {"start": 10, "add": 5}})
    assert run.status_code == 202, run.text
    assert wait_for_status(client, run.json()["run_id"], {"completed"})["outputs"] == {"3": {"value": 15}}
    refused = client.post("/api/runs", json={"graph": template["template"], "params": {"3.value": 1}})
    assert refused.status_code == 422 and "not an exposed parameter" in refused.json()["error"]["message"]


def test_save_export_and_import_report_missing_node_types(client: httpx.Client) -> None:
    bundled = client.get("/api/templates/add_two_numbers").json()["template"]
    mine = {**copy.deepcopy(bundled), "name": "My Adder", "requires": []}
    saved = client.post("/api/templates", json=mine)
    assert saved.status_code == 201 and saved.json()["id"] == "my-adder"
    exported = client.get("/api/templates/my-adder/export")
    assert "attachment" in exported.headers["content-disposition"]
    portable = exported.json()
    assert {item["type"] for item in portable["requires"]} == {"core.integer", "core.add", "core.show"}

    foreign = copy.deepcopy(portable)
    foreign["name"] = "Foreign"
    foreign["requires"].append({"type": "vendor.upscale", "version": "2.0.0"})
    foreign["requires"][0]["version"] = "9.9.9"
    report = client.post("/api/templates/import", json=foreign).json()["requirements"]
    assert report["ok"] is False
    assert report["missing"] == [{"type": "vendor.upscale", "version": "2.0.0"}]
    assert report["version_mismatch"][0]["required"] == "9.9.9"
    assert {item["id"] for item in client.get("/api/templates").json()["items"]} >= {"my-adder", "foreign"}


def test_saving_something_that_is_not_a_template_is_a_422(client: httpx.Client) -> None:
    response = client.post("/api/templates", json=chain_prompt())
    assert response.status_code == 422 and response.json()["error"]["code"] == "template_invalid"
    assert client.get("/api/templates/absent").json()["error"]["code"] == "template_not_found"
