"""Property tests of the run roots (issue 19, docs/architecture.md §8): over every node input the catalog
declares as a path, or as a socket whose values carry files (MediaRefs, at any depth: shots,
ingredients, stems…), for every principal and run mode (no project, own project), nothing
outside the run's roots and nothing hidden is ever read or written.

Canary files with unique contents (PNG magic first, so only their place can refuse them) are
planted in `.auteur/`, in each project's `.git/`, in the other principal's project and scratch
folder, behind symlinks, and outside the workspace. Hypothesis spells paths and forged refs
(with the canary's true sha256) to each; no canary may appear in a node's result (outputs,
error, details, traceback: what a run record keeps), its events, or any file the run wrote,
and nothing outside the run's roots may change. The input list comes from the catalog, so a
new node or socket type is covered without editing this file."""

from __future__ import annotations

import base64
import hashlib
import itertools
import json
import os
import types
import typing
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import BaseModel
from pydantic_core import PydanticUndefined

from canvas_server.graph.prompt import ApiPrompt
from canvas_server.graph.validate import validate_prompt
from function_runners.execute import execute_task, principal_scratch
from function_runners.task import NodeResult, NodeTask
from function_runners.tiers import load_tiers
from nodes.sdk import MediaRef, ModelCache, NodeRegistry, discover

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
PRINCIPALS = ("alice", "bob")
PROJECTS = {"alice": "AliceFilm", "bob": "BobFilm"}
MODES = [("alice", None), ("alice", "AliceFilm"), ("bob", None), ("bob", "BobFilm")]
_runs = itertools.count()


@pytest.fixture(scope="module")
def registry() -> NodeRegistry:
    found = discover()
    assert not found.failures, found.failures
    return found


@dataclass
class Canary:
    path: Path
    content: bytes

    @property
    def forms(self) -> list[str]:
        """How its content could show up in JSON or a file: the tag, base64, hex."""
        tag = self.content[len(PNG_MAGIC):].decode()
        return [tag, base64.b64encode(self.content).decode(), self.content.hex()]

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.content).hexdigest()


@dataclass
class World:
    root: Path  # holds the workspace and the outside folder
    workspace: Path
    canaries: list[Canary]


def plant(path: Path, label: str) -> Canary:
    content = PNG_MAGIC + f"CANARY-{label}-{os.urandom(8).hex()}".encode()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    return Canary(path, content)


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> World:
    root = tmp_path_factory.mktemp("roots")
    workspace = root / "workspace"
    canaries = [plant(workspace / ".auteur" / "secret.key", "secret-key"),
                plant(workspace / ".auteur" / "tokens.json", "tokens"),
                plant(workspace / ".auteur" / "outputs" / "ab" / ("ab" + "0" * 62) / "other.png", "output"),
                plant(root / "outside" / "canary.png", "outside")]
    for principal, project in PROJECTS.items():
        folder = workspace / "Projects" / project
        (folder / "project.json").parent.mkdir(parents=True, exist_ok=True)
        (folder / "project.json").write_text(json.dumps({"name": project}))
        canaries.append(plant(folder / ".git" / "config", f"{project}-git"))
        canaries.append(plant(folder / "01_Assets" / ".hidden.png", f"{project}-hidden"))
        canaries.append(plant(folder / "01_Assets" / f"{principal}.png", f"{project}-asset"))
        canaries.append(plant(principal_scratch(workspace, principal) / "01_Assets" / f"{principal}.png",
                              f"{principal}-scratch"))
        # Symlinks inside the project that lead to hidden or outside files.
        os.symlink(workspace / ".auteur" / "secret.key", folder / "01_Assets" / "key.png")
        os.symlink(folder / ".git", folder / "01_Assets" / "git")
        os.symlink(root / "outside", folder / "01_Assets" / "out")
    return World(root, workspace, canaries)


def own_roots(world: World, principal: str, project: str | None) -> list[Path]:
    base = world.workspace / "Projects" / project if project else principal_scratch(world.workspace, principal)
    return [base]


def forbidden(world: World, principal: str, project: str | None) -> list[Canary]:
    """The canaries this run may not read: all but the visible files of its own roots."""
    mine = own_roots(world, principal, project)
    return [c for c in world.canaries
            if not any(c.path.is_relative_to(r) and not _hidden(c.path.relative_to(r)) for r in mine)]


def _hidden(relative: Path) -> bool:
    return any(part.startswith(".") for part in relative.parts)


# ---- the inputs under test, from the catalog --------------------------------------------


def carries_files(annotation: Any) -> bool:
    """Whether a value of `annotation` may hold a MediaRef at any depth."""
    if annotation is MediaRef:
        return True
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return any(carries_files(field.annotation) for field in annotation.model_fields.values())
    return any(carries_files(arg) for arg in typing.get_args(annotation))


def forge(annotation: Any, ref: dict[str, Any] | None, name: str = "") -> Any:
    """A valid value of `annotation` with `ref` in every place a MediaRef may go."""
    origin, args = typing.get_origin(annotation), typing.get_args(annotation)
    if annotation is MediaRef:
        return ref
    if origin in (typing.Union, types.UnionType):
        return forge(next(arg for arg in args if arg is not type(None)), ref, name)
    if origin is typing.Literal:
        return args[0]
    if origin in (list, tuple, set, frozenset):
        return [forge(args[0], ref, name)] if args and carries_files(args[0]) else []
    if origin is dict:
        return {"a": forge(args[1], ref, name)} if carries_files(args[1]) else {}
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        value = {}
        for field_name, field in annotation.model_fields.items():
            if carries_files(field.annotation) or field.is_required():
                value[field.alias or field_name] = forge(field.annotation, ref, field_name)
        return value
    if isinstance(annotation, type) and issubclass(annotation, bool):
        return False
    if isinstance(annotation, type) and issubclass(annotation, (int, float)):
        return 1
    if hasattr(annotation, "__members__"):  # an Enum
        return next(iter(annotation.__members__.values())).value
    return "127.0.0.1" if name in ("ip", "host") else "x"


def file_inputs(registry: NodeRegistry) -> list[tuple[str, str]]:
    """(node type, input) of every path widget and every socket that carries files."""
    found = []
    for spec in registry.specs():
        cls = registry.get(spec.type)
        assert cls is not None
        for item in spec.inputs:
            field = cls.model_fields[item.name]
            if item.widget == "path" or (item.widget is None and carries_files(field.annotation)):
                found.append((spec.type, item.name))
    return found


CATALOG_INPUTS = file_inputs(discover())
CATALOG_SOCKETS = [(type_id, name) for type_id, name in CATALOG_INPUTS
                   if next(i for i in discover().spec(type_id).inputs if i.name == name).widget is None]  # type: ignore[union-attr]


def test_the_catalog_declares_file_inputs_for_the_property_to_cover() -> None:
    types_covered = {node for node, _ in CATALOG_INPUTS}
    assert {"media.load", "production.veo_payload", "production.ingredient", "media.trim",
            "production.save_take", "audio.normalize"} <= types_covered
    assert len(CATALOG_INPUTS) >= 25


def base_inputs(registry: NodeRegistry, type_id: str) -> dict[str, Any]:
    """Every required input of a node, filled with a plain valid value (no files)."""
    cls = registry.get(type_id)
    spec = registry.spec(type_id)
    assert cls is not None and spec is not None
    inputs: dict[str, Any] = {}
    for item in spec.inputs:
        field = cls.model_fields[item.name]
        if field.default is not PydanticUndefined or field.default_factory is not None:
            continue
        inputs[item.name] = item.options[0] if item.options else forge(field.annotation, None, item.name)
    return inputs


# ---- running one attack -----------------------------------------------------------------


def snapshot(world: World) -> dict[Path, tuple[int, int]]:
    """(size, mtime) of every file under the test's root (workspace and outside folder)."""
    found = {}
    for path in world.root.rglob("*"):
        if path.is_file() and not path.is_symlink():
            info = path.stat()
            found[path] = (info.st_size, info.st_mtime_ns)
    return found


def written_since(world: World, before: dict[Path, tuple[int, int]]) -> list[Path]:
    return [path for path, stamp in snapshot(world).items() if before.get(path) != stamp]


def attack(world: World, registry: NodeRegistry, type_id: str, inputs: dict[str, Any],
           principal: str, project: str | None) -> tuple[NodeResult, list[Any], Path]:
    number = next(_runs)
    scratch = world.workspace / ".auteur" / "outputs" / "zz" / f"zz{number:062d}"
    project_root = world.workspace / "Projects" / project if project else None
    task = NodeTask(
        run_id=f"attack-{number}", node_id="1", type=type_id, version="1.0.0", inputs=inputs, tier="low",
        tier_params=load_tiers().params_for("low", type_id), scratch_dir=str(scratch),
        workspace_root=str(world.workspace), project_root=str(project_root) if project_root else None,
        project=project, principal=principal,
    )
    events: list[Any] = []
    result = execute_task(task, registry, ModelCache(), runner="property",
                          emit=lambda kind, data: events.append((kind, data)))
    return result, events, scratch


def assert_nothing_leaked(world: World, principal: str, project: str | None, result: NodeResult,
                          events: list[Any], written: list[Path]) -> None:
    shown = result.model_dump_json() + json.dumps(events, default=str)
    shown += "".join(path.read_bytes().decode("latin-1") for path in written)
    for canary in forbidden(world, principal, project):
        for form in canary.forms:
            assert form not in shown, f"{canary.path.relative_to(world.root)} leaked into the run"


def spellings(world: World, canary: Canary, principal: str, project: str | None) -> st.SearchStrategy[str]:
    """Ways to name `canary` from the run's base folder: relative with `..`, workspace-relative,
    absolute, through the projects' symlinks, with `./` and doubled slashes."""
    base = own_roots(world, principal, project)[0]
    relative_to_root = canary.path.relative_to(world.root).as_posix()
    from_workspace = os.path.relpath(canary.path, world.workspace)
    from_base = os.path.relpath(canary.path, base)
    symlinked = [f"01_Assets/{name}" for name in ("key.png", "git/config", "out/canary.png")]
    climbs = st.integers(0, 6).map(lambda n: "../" * n + relative_to_root)
    plain = st.sampled_from([from_workspace, from_base, str(canary.path), *symlinked,
                             "./" + from_workspace, from_workspace.replace("/", "//")])
    return st.one_of(plain, climbs)


def canary_of(world: World, principal: str, project: str | None) -> st.SearchStrategy[Canary]:
    return st.sampled_from(forbidden(world, principal, project))


PROPERTY = settings(max_examples=8, deadline=None, derandomize=True,
                    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])


@pytest.mark.parametrize(("principal", "project"), MODES)
@pytest.mark.parametrize(("type_id", "name"), CATALOG_INPUTS)
@PROPERTY
@given(data=st.data())
def test_no_node_input_ever_reads_or_writes_outside_the_run_roots(
    world: World, registry: NodeRegistry, type_id: str, name: str, principal: str, project: str | None,
    data: st.DataObject,
) -> None:
    spec = registry.spec(type_id)
    cls = registry.get(type_id)
    assert spec is not None and cls is not None
    canary = data.draw(canary_of(world, principal, project))
    spelled = data.draw(spellings(world, canary, principal, project))
    item = next(i for i in spec.inputs if i.name == name)
    inputs = base_inputs(registry, type_id)
    if item.widget == "path":
        inputs[name] = spelled
    else:
        kind = data.draw(st.sampled_from(["image", "video", "audio", "file"]))
        ref = {"path": spelled, "sha256": canary.sha256, "mime": "image/png", "kind": kind}
        inputs[name] = forge(cls.model_fields[name].annotation, ref, name)
    before = snapshot(world)
    result, events, scratch = attack(world, registry, type_id, inputs, principal, project)
    written = written_since(world, before)
    assert_nothing_leaked(world, principal, project, result, events, written)
    roots = [*own_roots(world, principal, project), scratch]
    outside = [path for path in written if not any(path.is_relative_to(root) for root in roots)]
    assert outside == [], f"{type_id} wrote outside its roots"
    assert all(path in snapshot(world) for path in before), f"{type_id} removed a file"


@pytest.mark.parametrize(("type_id", "name"), CATALOG_SOCKETS)
def test_a_typed_in_value_in_a_file_carrying_socket_is_refused_at_validation(
    registry: NodeRegistry, type_id: str, name: str
) -> None:
    cls = registry.get(type_id)
    assert cls is not None
    ref = {"path": ".auteur/secret.key", "sha256": "0" * 64, "mime": "image/png", "kind": "image"}
    prompt = ApiPrompt.model_validate({"1": {"class_type": type_id, "inputs": {
        **base_inputs(registry, type_id), name: forge(cls.model_fields[name].annotation, ref, name)}}})
    errors = validate_prompt(prompt, registry, targets=["1"])
    assert any(e.code == "invalid_link" and e.input == name for e in errors), errors


def test_the_harness_sees_a_file_that_a_run_may_read(world: World, registry: NodeRegistry) -> None:
    """The control: a run that may read a file does inline it, and the check above sees it."""
    own = next(c for c in world.canaries if c.path.name == "alice.png" and "Projects" in c.path.parts)
    result, events, _ = attack(world, registry, "production.ingredient",
                                     {"name": "MARA", "reference_1": "01_Assets/alice.png"}, "alice", "AliceFilm")
    assert result.error is None, result.error
    ref = result.outputs["ingredient"]["reference_images"][0]  # type: ignore[index]
    assert ref["path"] == "Projects/AliceFilm/01_Assets/alice.png" and ref["sha256"] == own.sha256
    with pytest.raises(AssertionError, match="leaked"):
        assert_nothing_leaked(world, "bob", "BobFilm", NodeResult(runner="x", outputs={"x": own.forms[1]}),
                              events, [])
