"""One tool call, whatever the transport (MCP over HTTP or stdio, LangChain, REST).

A node tool becomes a one-node run and a `run_graph` call a run, both through the one
submission path (`server.run_submit.submit_run`: role, quota, graph check with the caller's
maturity, project role, audit, queue). Waiting listens on the event bus as a WebSocket client
would (its own client id, bound to the caller), reports node progress, and cancels the run
when the caller goes away or cancels the call. Every call is audited: token name, tool,
inputs and run id.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

from pydantic import ConfigDict, Field, ValidationError

from nodes.sdk import RUN_STOPPED, AuteurError, EventType, ReviewAction

from ..governance import Action, Principal, authorize
from ..graph.errors import GraphValidationError, MaturityError
from ..request_body import RequestBody, validation_message
from ..runs.storage import off_loop
from ..runs.store import StoredRun
from ..server import run_submit
from ..server.access import authorize_project, run_resource
from ..server.routes.projects import list_projects as readable_projects
from ..server.routes.runs import run_view
from ..server.services import AppServices
from ..workspace import takes as take_service
from ..workspace.store import ProjectStore
from .one_node import NODE_ID, TAKE_ID, NodeInputError, ShotTarget, node_prompt
from .templates import PREFIX, find_template
from .toolbox import find_node, refusal
from .upload import upload_asset

Progress = Callable[[float, str | None], Awaitable[None]]
POLL_S = 1.0  # a dropped event never leaves a waiter hanging: the store is read this often


class ToolRefusedError(AuteurError):
    """A node above the agent's maturity (the issue's sentence), as `authorize()` would refuse it."""

    code = "maturity_insufficient"


class UnknownToolError(AuteurError):
    code = "not_found"


def refused_in_words(services: AppServices, principal: Principal, exc: MaturityError) -> ToolRefusedError:
    """A graph's maturity refusal as an agent hears it: each refused node's rule in the issue's
    words (the same sentence a direct tool call gets), once per rule."""
    sentences: list[str] = []
    for node in exc.details["nodes"]:
        spec = services.registry.spec(str(node["type"]))
        reason = refusal(spec, principal) if spec is not None else None
        if reason is not None and reason not in sentences:
            sentences.append(reason)
    return ToolRefusedError(" ".join(sentences) or exc.message,
                            details={**exc.details, "maturity": principal.maturity})


class ToolPathRefusedError(AuteurError):
    code = "path_forbidden"


def path_refusal(exc: GraphValidationError) -> ToolPathRefusedError | None:
    """A graph refused for its paths, as agents are told ("File path outside allowed directory:
    …", the sandbox's own reason after it); None when no path was refused."""
    refused = [error for error in exc.errors if error.code == "path_forbidden"]
    if not refused:
        return None
    paths = ", ".join(str((error.details or {}).get("path", error.input)) for error in refused)
    return ToolPathRefusedError(f"File path outside allowed directory: {paths} ({exc.message})",
                                details=[error.model_dump(mode="json") for error in exc.errors])


def run_summary(run: StoredRun) -> dict[str, Any]:
    """What a tool answers about a run: status, progress per node, outputs and errors."""
    view = run_view(run)
    return {
        "run_id": view.run_id, "status": view.status, "project": view.project, "tier": view.tier,
        "reason": view.reason, "outputs": view.outputs,
        "nodes": {node_id: {"type": node.type, "status": node.status, "outputs": node.outputs}
                  for node_id, node in view.nodes.items()},
        "errors": [error.model_dump() for error in view.errors],
    }


async def _wait(services: AppServices, client_id: str, run_id: str, progress: Progress | None,
                queue: asyncio.Queue[Any]) -> StoredRun:
    done: set[str] = set()
    while True:
        try:
            event = await asyncio.wait_for(queue.get(), POLL_S)
        except TimeoutError:
            run = await services.runs.read(run_id)
            if run.status in ("completed", "failed", "cancelled", "interrupted", "awaiting_review"):
                return run
            continue
        if event.run_id != run_id:
            continue
        if event.type in RUN_STOPPED:  # ended, or waiting for a person (review_run decides)
            return await services.runs.read(run_id)
        if progress is None:
            continue
        data = event.data if isinstance(event.data, dict) else event.data.model_dump()
        if event.type in (EventType.NODE_COMPLETED, EventType.NODE_CACHED):
            done.add(str(data.get("node_id")))
            await progress(float(len(done)), f"{data.get('node_id')} done")
        elif event.type == EventType.NODE_PROGRESS:
            await progress(len(done) + float(data.get("progress", 0.0)), data.get("step"))


async def submit_and_wait(
    services: AppServices, principal: Principal, prompt: dict[str, Any], *, project: str | None,
    tier: str | None, params: dict[str, Any] | None = None, targets: list[str] | None = None, wait: bool = True,
    progress: Progress | None = None, on_submitted: Callable[[str], None] | None = None,
) -> StoredRun:
    """Submit through the one path; with `wait`, return once the run has ended or waits for
    review (a cancelled call cancels the run)."""
    client_id = f"agent-{uuid.uuid4().hex}"
    queue = services.events.connect(client_id) if wait else None
    try:
        try:
            run = await run_submit.submit_run(services, principal, prompt, tier=tier, project=project, params=params,
                                              targets=targets, client_id=client_id if wait else None)
        except MaturityError as exc:  # run_graph, a template or a grouped action: the node's rule in words
            raise refused_in_words(services, principal, exc) from None
        except GraphValidationError as exc:
            raise path_refusal(exc) or exc from None
        if on_submitted is not None:
            on_submitted(run.run_id)
        if queue is None:
            return run
        try:
            return await _wait(services, client_id, run.run_id, progress, queue)
        except BaseException:  # the call was cancelled (MCP cancel, client gone): so is the run
            current = await services.runs.read(run.run_id)
            if current.status in ("queued", "running"):
                await services.runs.cancel(run.run_id, f"cancelled by {principal.name}'s agent")
            raise
    finally:
        if queue is not None:
            services.events.disconnect(client_id, queue)


class RunOptions(RequestBody):
    """What every running tool takes besides the node's inputs (checked: tool input is hostile)."""

    model_config = ConfigDict(extra="ignore")  # the other arguments are the node's inputs
    project: str | None = None
    tier: str | None = None
    wait: bool = True
    save_take: ShotTarget | None = None
    params: dict[str, Any] | None = None
    graph: dict[str, Any] | None = None
    targets: list[str] | None = None


def _options(arguments: dict[str, Any]) -> RunOptions:
    """Take the run options out of `arguments` (what is left are the node's inputs)."""
    try:
        options = RunOptions.model_validate(arguments)
    except ValidationError as exc:
        raise NodeInputError(f"the tool's options are not valid: {validation_message(exc.errors())}",
                             details=[{"input": ".".join(map(str, error["loc"])), "message": error["msg"]}
                                      for error in exc.errors()]) from None
    for name in RunOptions.model_fields:
        arguments.pop(name, None)
    return options


async def call_tool(services: AppServices, principal: Principal, name: str, arguments: dict[str, Any],
                    progress: Progress | None = None) -> dict[str, Any]:
    """Run tool `name` for `principal`; the structured answer, or an AuteurError (refusals
    included) the transport reports in its own shape. Audited whether it succeeds or not."""
    inputs = dict(arguments)
    run_ids: list[str] = []
    try:
        return await _dispatch(services, principal, name, dict(arguments), progress, run_ids.append)
    finally:
        await off_loop(services.runs.store.shared, services.audit.record_tool_call, principal, name, inputs,
                       run_ids[0] if run_ids else None,
                       inputs.get("project") if isinstance(inputs.get("project"), str) else None)


class ReviewArguments(RequestBody):
    """`review_run`'s arguments (the same decision as `POST /api/runs/{id}/review`)."""

    run_id: str = Field(max_length=200)
    action: ReviewAction
    node_id: str | None = Field(None, max_length=200)
    content: str | None = Field(None, max_length=200_000)
    note: str | None = Field(None, max_length=20_000)


async def _review(services: AppServices, principal: Principal, arguments: dict[str, Any],
                  submitted: Callable[[str], None]) -> dict[str, Any]:
    try:
        decision = ReviewArguments.model_validate(arguments)
    except ValidationError as exc:
        raise NodeInputError(f"review_run: {exc.errors()[0]['msg']}",
                             details=[{"input": ".".join(map(str, exc.errors()[0]["loc"]))}]) from exc
    authorize(principal, Action.RUN_REVIEW, run_resource(await services.runs.read(decision.run_id)))
    submitted(decision.run_id)
    run = await services.runs.decide(decision.run_id, principal.name, decision.action, node_id=decision.node_id,
                               content=decision.content, note=decision.note)
    return run_summary(run)


async def _dispatch(services: AppServices, principal: Principal, name: str, arguments: dict[str, Any],
                    progress: Progress | None, submitted: Callable[[str], None]) -> dict[str, Any]:
    if name == "run_graph":
        options = _options(arguments)
        run = await submit_and_wait(services, principal, options.graph or {}, project=options.project,
                                    tier=options.tier, params=options.params, targets=options.targets,
                                    wait=options.wait, progress=progress, on_submitted=submitted)
        return run_summary(run)
    if name in ("get_run", "cancel_run"):
        run_id = arguments.get("run_id")
        if not isinstance(run_id, str):
            raise NodeInputError("run_id must be a string", details=[{"input": "run_id"}])
        run = await services.runs.read(run_id)
        action = Action.RUN_READ if name == "get_run" else Action.RUN_CANCEL
        authorize(principal, action, run_resource(run))
        submitted(run_id)
        if name == "cancel_run":
            run = await services.runs.cancel(run_id, f"cancelled by {principal.name}")
        return run_summary(run)
    if name == "review_run":
        return await _review(services, principal, arguments, submitted)
    if name == "list_projects":
        authorize(principal, Action.PROJECT_LIST)
        store = ProjectStore(services.settings.workspace)
        listed = await asyncio.to_thread(readable_projects, store, principal)
        return {"projects": [item.model_dump(mode="json") for item in listed.items]}
    if name == "list_takes":
        project = _options(arguments).project
        if project is None:
            raise NodeInputError("list_takes needs a project", details=[{"input": "project"}])
        authorize_project(services, principal, project, Action.PROJECT_READ)
        store = ProjectStore(services.settings.workspace)
        shots = await asyncio.to_thread(take_service.gallery, store, project)
        return {"shots": [shot.model_dump(mode="json") for shot in shots]}
    if name == "upload_asset":
        return await upload_asset(services, principal, arguments)
    if name.startswith(PREFIX):
        return await _run_template(services, principal, name, arguments, progress, submitted)
    spec = find_node(services.registry, name)
    if spec is None:
        raise UnknownToolError(f"no tool named {name!r}", details={"tool": name})
    reason = refusal(spec, principal)
    if reason is not None:
        raise ToolRefusedError(reason, details={"tool": name, "type": spec.type, "requires": spec.maturity,
                                                "maturity": principal.maturity})
    options = _options(arguments)
    prompt = node_prompt(spec, arguments, options.save_take)
    # The node is the target (it need not be an output node), with its save_take when asked.
    run = await submit_and_wait(services, principal, prompt, project=options.project, tier=options.tier,
                                wait=options.wait,
                                targets=sorted(set(prompt) & {NODE_ID, TAKE_ID}), progress=progress,
                                on_submitted=submitted)
    summary = run_summary(run)
    node = summary["nodes"].get(NODE_ID)
    summary["result"] = node["outputs"] if node else None
    return summary


async def _run_template(services: AppServices, principal: Principal, name: str, arguments: dict[str, Any],
                        progress: Progress | None, submitted: Callable[[str], None]) -> dict[str, Any]:
    """A template tool: its parameters become the run's overrides (`NODE_ID.INPUT`)."""
    authorize(principal, Action.TEMPLATE_READ)
    store = services.templates
    tool = await asyncio.to_thread(find_template, store, services.registry, name)
    if tool is None:
        raise UnknownToolError(f"no tool named {name!r}", details={"tool": name})
    options = _options(arguments)
    unknown = sorted(set(arguments) - set(tool.keys))
    if unknown:
        raise NodeInputError(f"{name} has no parameter {unknown[0]!r}",
                             details=[{"input": item, "code": "unknown_input"} for item in unknown])
    graph = (await asyncio.to_thread(store.get, tool.template_id))[1]
    run = await submit_and_wait(services, principal, graph, project=options.project, tier=options.tier,
                                params={tool.keys[key]: value for key, value in arguments.items()},
                                wait=options.wait, progress=progress, on_submitted=submitted)
    return run_summary(run)
