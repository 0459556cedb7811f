"""The run roots property (test_run_roots_property.py) through an agent's tool calls (issue 21):
an INTERN agent calls every node tool it is shown, with every file-carrying argument spelled
at a canary outside its roots (other principal's project and scratch folder, `.auteur`,
`.git`, hidden files, symlinks, outside the workspace), in its own project and without one.
The calls go the whole way (`agents.calls.call_tool`: submission check, queue, executor,
local runner) on the workspace's own services; no canary may show in the answer, the run
record or any file the run wrote, and no canary may change. The tools come from the
toolbox, so a new node an INTERN may use is covered without editing this file."""

from __future__ import annotations

import asyncio
import json
import os
import threading
from collections.abc import Iterator
from concurrent.futures import Future
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from canvas_server.agents.calls import call_tool
from canvas_server.agents.one_node import MEDIA_SOCKETS
from canvas_server.agents.toolbox import visible_tools
from canvas_server.governance import Principal
from canvas_server.server.lifecycle import Lifecycle
from canvas_server.server.services import AppServices
from canvas_server.settings import Settings
from canvas_server.workspace.store import NewProject, ProjectStore
from function_runners.execute import principal_scratch
from function_runners.task import NodeResult
from nodes.sdk import AuteurError, discover

from .test_run_roots_property import (
    PROJECTS,
    Canary,
    World,
    assert_nothing_leaked,
    base_inputs,
    forbidden,
    plant,
    snapshot,
    spellings,
    written_since,
)

AGENT = Principal(name="alice", maturity="INTERN", role="creator", token_id="t-alice")
MODES = [("alice", "AliceFilm"), ("alice", None)]


def intern_file_arguments() -> list[tuple[str, str, str]]:
    """(tool, node type, argument) of every file-carrying argument of the node tools an
    INTERN agent is shown: path widgets, and media sockets (given as paths)."""
    registry = discover()
    found = []
    for tool in visible_tools(registry, AGENT):
        spec = registry.spec(tool.node_type) if tool.node_type else None
        if spec is None:
            continue
        for item in spec.inputs:
            if item.widget == "path" or (item.widget is None and item.type in MEDIA_SOCKETS):
                found.append((tool.name, spec.type, item.name))
    return found


ARGUMENTS = intern_file_arguments()


def test_an_intern_agent_is_shown_tools_with_file_arguments_to_attack() -> None:
    assert {"production_ingredient", "production_script_breakdown"} <= {tool for tool, _, _ in ARGUMENTS}


class Loop:
    """The workspace's services on an event loop in a thread; tool calls are sent to it."""

    def __init__(self, workspace: Path) -> None:
        self.loop = asyncio.new_event_loop()
        self.ready: Future[AppServices] = Future()
        self.stop = asyncio.Event()
        self.thread = threading.Thread(target=self.loop.run_until_complete, args=(self._serve(workspace),), daemon=True)
        self.thread.start()
        self.services = self.ready.result(timeout=120)

    async def _serve(self, workspace: Path) -> None:
        self.stop = asyncio.Event()
        async with Lifecycle(Settings(workspace=workspace, runner_workers=1)).running() as services:
            self.ready.set_result(services)
            await self.stop.wait()

    def call(self, name: str, arguments: dict[str, Any]) -> Any:
        future = asyncio.run_coroutine_threadsafe(call_tool(self.services, AGENT, name, arguments), self.loop)
        return future.result(timeout=120)

    def close(self) -> None:
        self.loop.call_soon_threadsafe(self.stop.set)
        self.thread.join(timeout=60)


@pytest.fixture(scope="module")
def agent_world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[World, Loop]]:
    """Real projects (alice owns AliceFilm, bob BobFilm) with the property test's canaries."""
    root = tmp_path_factory.mktemp("agent-roots")
    workspace = root / "workspace"
    store = ProjectStore(workspace)
    canaries: list[Canary] = [plant(workspace / ".auteur" / "secret-canary.png", "state"),
                              plant(root / "outside" / "canary.png", "outside")]
    for principal, project in PROJECTS.items():
        folder = store.create(NewProject(name=project), owner=principal) and store.root(project)
        canaries.append(plant(folder / ".git" / "canary.png", f"{project}-git"))
        canaries.append(plant(folder / "01_Assets" / ".hidden.png", f"{project}-hidden"))
        canaries.append(plant(folder / "01_Assets" / f"{principal}.png", f"{project}-asset"))
        canaries.append(plant(principal_scratch(workspace, principal) / "01_Assets" / f"{principal}.png",
                              f"{principal}-scratch"))
        os.symlink(workspace / ".auteur" / "secret-canary.png", folder / "01_Assets" / "key.png")
        os.symlink(folder / ".git", folder / "01_Assets" / "git")
        os.symlink(root / "outside", folder / "01_Assets" / "out")
    loop = Loop(workspace)
    try:
        yield World(root, workspace, canaries), loop
    finally:
        loop.close()


def _answer(loop: Loop, tool: str, arguments: dict[str, Any]) -> dict[str, Any]:
    """The tool's answer, or its refusal in the shape the transports send; with the run record."""
    try:
        answer = loop.call(tool, dict(arguments))
    except AuteurError as exc:
        return {"error": {"code": exc.code, "message": exc.message, "details": exc.details}}
    record = loop.services.runs.store.get(answer["run_id"])  # the tool waited for the run to end
    assert record is not None
    return {**answer, "record": record.model_dump(mode="json")}


PROPERTY = settings(max_examples=3, deadline=None, derandomize=True,
                    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])


@pytest.mark.parametrize(("principal", "project"), MODES)
@pytest.mark.parametrize(("tool", "type_id", "name"), ARGUMENTS)
@PROPERTY
@given(data=st.data())
def test_no_tool_call_of_an_intern_agent_reads_or_writes_outside_its_roots(
    agent_world: tuple[World, Loop], tool: str, type_id: str, name: str, principal: str, project: str | None,
    data: st.DataObject,
) -> None:
    world, loop = agent_world
    registry = loop.services.registry
    spec = registry.spec(type_id)
    assert spec is not None
    canary = data.draw(st.sampled_from(forbidden(world, principal, project)))
    spelled = data.draw(spellings(world, canary, principal, project))
    widgets = {item.name for item in spec.inputs if item.widget is not None}
    arguments = {key: value for key, value in base_inputs(registry, type_id).items() if key in widgets}
    arguments[name] = spelled
    if project:
        arguments["project"] = project
    before = snapshot(world)
    answer = _answer(loop, tool, arguments)
    written = [path for path in written_since(world, before) if path.suffix != ".sqlite3-wal"]
    shown = NodeResult(runner="agent", outputs={"answer": json.loads(json.dumps(answer, default=str))})
    assert_nothing_leaked(world, principal, project, shown, [], written)
    assert all(c.path.read_bytes() == c.content for c in world.canaries), f"{tool} changed a canary"


def test_the_harness_sees_a_file_an_agent_may_read(agent_world: tuple[World, Loop]) -> None:
    """The control: a tool call that may read its project's asset does inline it, and the
    check above would see it in another principal's answer."""
    world, loop = agent_world
    own = next(c for c in world.canaries if c.path.name == "alice.png" and "Projects" in c.path.parts)
    answer = _answer(loop, "production_ingredient",
                     {"name": "MARA", "reference_1": "01_Assets/alice.png", "project": "AliceFilm"})
    assert answer["status"] == "completed", answer
    assert own.sha256 in json.dumps(answer)
    with pytest.raises(AssertionError, match="leaked"):
        assert_nothing_leaked(world, "bob", "BobFilm", NodeResult(runner="x", outputs={"x": own.forms[1]}), [], [])
