"""`auteur convert` says what it cannot do: node types this server lacks are named and exit 1
for `--to api` unless `--allow-missing`; a workflow converted to a workflow unchanged comes
back byte-identical (key order, non-ASCII text and spacing kept). On the real files in
shared/testdata/litegraph, which other projects wrote."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from .server_harness import AUTEUR

WORKFLOWS = ["litegraph_features.json", "litegraph_midi_generation.json", "comfy_txt2img_sd15.json",
             "comfy_reroute_nodes.json", "comfy_bypass_widgets_dict.json", "comfy_primitive_note.json",
             "comfy_subgraph_definitions.json"]


def _convert(*args: str) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run([*AUTEUR, "convert", *args], capture_output=True, timeout=120,
                          env={**os.environ, "AUTEUR_LOAD_PLUGINS": "core"})


@pytest.mark.parametrize("name", WORKFLOWS)
def test_an_unchanged_workflow_round_trips_byte_identical(testdata_dir: Path, name: str) -> None:
    path = testdata_dir / "litegraph" / name
    result = _convert(str(path), "--to", "workflow")
    assert result.returncode == 0, result.stderr
    assert result.stdout == path.read_bytes()


def test_unknown_node_types_are_named_and_refuse_api_conversion_unless_allowed(testdata_dir: Path) -> None:
    workflow = testdata_dir / "litegraph" / "comfy_txt2img_sd15.json"
    refused = _convert(str(workflow), "--to", "api")
    assert refused.returncode == 1 and refused.stdout == b""
    assert b"unknown node type KSampler (1 node)" in refused.stderr
    assert b"unknown node type CLIPTextEncode (2 nodes)" in refused.stderr
    allowed = _convert(str(workflow), "--to", "api", "--allow-missing")
    assert allowed.returncode == 0 and b'"class_type": "KSampler"' in allowed.stdout
    assert b"unknown node type KSampler" in allowed.stderr
