"""Node SDK: registration-time checks and the catalog entry a node produces."""

from __future__ import annotations

from typing import Literal

import pytest

from nodes.sdk import (
    Input,
    Node,
    NodeDefinitionError,
    NodeRegistry,
    Output,
    Outputs,
    RunContext,
    node,
    sockets_compatible,
)


class ValueOut(Outputs):
    value: int = Output(socket="INT")


def test_a_bad_version_is_refused_naming_the_class_and_the_version() -> None:
    with pytest.raises(NodeDefinitionError) as caught:

        @node("demo.bad_version", version="1.0")
        class BadVersion(Node):
            def run(self, ctx: RunContext) -> ValueOut:
                return ValueOut(value=1)

    assert "BadVersion" in str(caught.value) and "'1.0' is not semver" in str(caught.value)
    assert caught.value.code == "node_definition_invalid"


def test_a_node_without_run_is_refused() -> None:
    with pytest.raises(NodeDefinitionError, match="NoRun: it has no run"):

        @node("demo.no_run")
        class NoRun(Node):
            value: int = Input(1)


def test_run_must_be_annotated_to_return_an_outputs_model() -> None:
    with pytest.raises(NodeDefinitionError, match="must be annotated to return an Outputs subclass"):

        @node("demo.wrong_return")
        class WrongReturn(Node):
            def run(self, ctx: RunContext) -> dict:  # type: ignore[override]
                return {}


def test_a_type_id_must_be_dotted_lower_case() -> None:
    with pytest.raises(NodeDefinitionError, match="must be dotted lower case"):

        @node("Demo-Node")
        class Shouty(Node):
            def run(self, ctx: RunContext) -> ValueOut:
                return ValueOut(value=1)


def test_unknown_maturity_and_runs_on_are_refused() -> None:
    with pytest.raises(NodeDefinitionError, match="maturity 'ROOT'"):

        @node("demo.maturity", maturity="ROOT")
        class Mature(Node):
            def run(self, ctx: RunContext) -> ValueOut:
                return ValueOut(value=1)

    with pytest.raises(NodeDefinitionError, match="runs_on 'gpu'"):

        @node("demo.runs_on", runs_on="gpu")
        class Where(Node):
            def run(self, ctx: RunContext) -> ValueOut:
                return ValueOut(value=1)


def test_an_input_without_a_socket_type_is_refused() -> None:
    with pytest.raises(NodeDefinitionError, match="cannot infer a socket type"):

        @node("demo.no_socket")
        class NoSocket(Node):
            data: dict[str, int] | None = Input(None)

            def run(self, ctx: RunContext) -> ValueOut:
                return ValueOut(value=1)


def _make(type_id: str) -> type[Node]:
    @node(type_id)
    class Made(Node):
        def run(self, ctx: RunContext) -> ValueOut:
            return ValueOut(value=1)

    return Made


def test_a_duplicate_type_id_is_refused_naming_the_first_owner() -> None:
    registry = NodeRegistry()
    registry.add(_make("demo.twice"), pack="one")
    with pytest.raises(NodeDefinitionError, match=r"'demo\.twice' is already registered by"):
        registry.add(_make("demo.twice"), pack="two")


def test_the_catalog_describes_inputs_in_declaration_order_with_widget_metadata() -> None:
    class ClipOut(Outputs):
        label: str = Output(socket="TEXT")
        preview: str = Output(ui=True, socket="TEXT")

    @node("demo.catalog", title="Catalog Demo", category="Demo/Sub", version="2.1.0",
          maturity="SUPERVISED", runs_on="runner", tier_params=["crf"])
    class CatalogDemo(Node):
        """Shows every widget kind."""

        name: str = Input("clip", description="A name")
        notes: str = Input("", multiline=True)
        count: int = Input(3, ge=1, le=10, step=1)
        gain: float = Input(0.5, gt=0, lt=1)
        loud: bool = Input(False)
        fmt: Literal["mp4", "webm"] = Input("mp4")
        path: str = Input("clip.mp4", widget="path")
        video: object = Input(description="Source", socket="VIDEO")

        def run(self, ctx: RunContext) -> ClipOut:
            return ClipOut(label=self.name, preview=self.name)

    spec = CatalogDemo.__node_spec__
    assert [i.name for i in spec.inputs] == ["name", "notes", "count", "gain", "loud", "fmt", "path", "video"]
    by_name = {i.name: i for i in spec.inputs}
    assert (by_name["name"].type, by_name["name"].widget, by_name["name"].default) == ("TEXT", "text", "clip")
    assert by_name["notes"].widget == "textarea" and by_name["notes"].multiline
    assert (by_name["count"].min, by_name["count"].max, by_name["count"].step) == (1, 10, 1)
    assert by_name["gain"].exclusive_min and by_name["gain"].exclusive_max
    assert (by_name["fmt"].widget, by_name["fmt"].options) == ("combo", ["mp4", "webm"])
    assert by_name["path"].widget == "path"
    assert (by_name["video"].type, by_name["video"].widget, by_name["video"].required) == ("VIDEO", None, True)
    assert [(o.name, o.type, o.ui) for o in spec.outputs] == [("label", "TEXT", False), ("preview", "TEXT", True)]
    assert [o.name for o in spec.socket_outputs] == ["label"]
    assert (spec.title, spec.category, spec.version, spec.maturity, spec.runs_on) == (
        "Catalog Demo", "Demo/Sub", "2.1.0", "SUPERVISED", "runner")
    assert spec.tier_params == ["crf"] and spec.description == "Shows every widget kind."
    assert spec.input_schema["properties"]["count"]["maximum"] == 10


@pytest.mark.parametrize(
    ("output", "input_", "ok"),
    [("VIDEO", "VIDEO", True), ("MEDIA", "VIDEO", True), ("AUDIO", "MEDIA", True),
     ("INT", "FLOAT", True), ("FLOAT", "INT", False), ("TEXT", "*", True),
     ("AUDIO", "VIDEO", False), ("TRANSCRIPT", "TEXT", False)],
)
def test_socket_compatibility_rules(output: str, input_: str, ok: bool) -> None:
    assert sockets_compatible(output, input_) is ok


def test_every_path_widget_of_the_bundled_packs_says_which_project_files_it_picks() -> None:
    from nodes.sdk import discover

    found = discover(only=["core", "media", "production", "audio"])
    unsaid = [f"{spec.type}.{item.name}" for spec in found.specs() for item in spec.inputs
              if item.widget == "path" and item.picks is None]
    assert unsaid == []
    breakdown = next(spec for spec in found.specs() if spec.type == "production.script_breakdown")
    assert next(item.picks for item in breakdown.inputs if item.name == "script") == "script"
