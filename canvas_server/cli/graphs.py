"""Graph commands: `auteur nodes`, `auteur validate`, `auteur convert`, `auteur run`."""

from __future__ import annotations

import json
import logging
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from .main import app

# Each command imports what it runs: `auteur --help` loads none of it (nor the node packs).
if TYPE_CHECKING:
    from rich.table import Table

    from nodes.sdk import NodeRegistry

    from ..governance import Principal
    from ..graph.check import GraphCheck
    from ..graph.load import LoadedGraph
    from ..settings import Settings


class Target(StrEnum):
    api = "api"
    workflow = "workflow"


def _registry(settings: Settings) -> NodeRegistry:
    from nodes.sdk import discover

    return discover(only=settings.load_plugins)


def _node_types(data: Any) -> set[str]:
    """Every node type id (`pack.name`) a graph document names: `class_type` in a prompt,
    `type` in a workflow or a template's `requires` (socket types have no dot)."""
    found: set[str] = set()
    stack = [data]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            for key, value in item.items():
                if key in ("class_type", "type") and isinstance(value, str) and "." in value:
                    found.add(value)
                else:
                    stack.append(value)
        elif isinstance(item, list):
            stack.extend(item)
    return found


def _registry_for(settings: Settings, graph: Path) -> NodeRegistry:
    """Only the packs the graph's node types are named after (a type id starts with its
    pack's name), so `auteur run` of a core graph loads no media or production pack; every
    pack when one type is not found that way, so errors read exactly as with the full catalog."""
    from nodes.sdk import discover

    try:
        types = _node_types(json.loads(graph.read_text(encoding="utf-8")))
    except (OSError, ValueError, RecursionError):  # reading the graph again reports it (too deep too)
        return _registry(settings)
    packs = {type_id.partition(".")[0] for type_id in types}
    if settings.load_plugins is not None:
        packs &= set(settings.load_plugins)
    if packs:
        registry = discover(only=packs)
        if not registry.failures and all(registry.spec(type_id) is not None for type_id in types):
            return registry
    return _registry(settings)


@app.command("nodes")
def list_nodes(as_json: bool = typer.Option(False, "--json", help="Print the catalog as JSON")) -> None:
    """List installed node types and any pack that failed to load."""
    from rich.console import Console

    from ..settings import Settings
    from .output import console

    registry = _registry(Settings())
    if as_json:
        payload = {
            "nodes": [spec.model_dump(mode="json") for spec in registry.specs()],
            "failed_packs": [failure.model_dump(exclude={"traceback"}) for failure in registry.failures],
        }
        typer.echo(json.dumps(payload, indent=2))
        return
    Console().print(_node_table(registry))
    for failure in registry.failures:
        console.print(f"[red]pack {failure.pack!r} failed to load:[/] {failure.error_type}: {failure.message}")


def _node_table(registry: NodeRegistry) -> Table:
    """One section per pack. The type id is what a user types into a graph: it is never
    cut, the other columns wrap (a whole table fits 80 columns)."""
    from rich import box
    from rich.table import Table

    specs = registry.specs()
    table = Table(box=box.SIMPLE_HEAD, pad_edge=False)
    table.add_column("type", no_wrap=True, min_width=max((len(spec.type) for spec in specs), default=4))
    for header in ("title", "category", "maturity", "runs on"):
        table.add_column(header, overflow="fold")
    for pack in sorted({spec.pack for spec in specs}):
        table.add_row(f"[bold]{pack} pack[/]", end_section=False)
        for spec in (spec for spec in specs if spec.pack == pack):
            table.add_row(spec.type, spec.title, spec.category, spec.maturity, spec.runs_on)
        table.add_section()
    return table


def _load(path: Path, registry: NodeRegistry) -> LoadedGraph:
    from nodes.sdk import AuteurError

    from ..graph.load import load_graph_file
    from .output import fail

    try:
        return load_graph_file(path, registry)
    except AuteurError as exc:
        fail(exc)


def _caller(settings: Settings, token: str | None) -> Principal:
    """The local user, or with `--token` / AUTEUR_TOKEN the workspace token's principal, whose
    maturity the check then applies exactly as the server would."""
    from nodes.sdk import AuteurError

    from ..governance import LOCAL_PRINCIPAL
    from ..governance.auth import Authenticator
    from ..governance.tokens import token_store
    from .output import fail

    if not token:
        return LOCAL_PRINCIPAL
    try:
        return Authenticator(token_store(settings)).principal(f"Bearer {token}")
    except AuteurError as exc:
        fail(exc)


def _inspect(path: Path, registry: NodeRegistry, principal: Principal, *,
             targets: list[str] | None, assignments: list[str] | None = None) -> GraphCheck:
    """The submission check (`graph.check`), as the server runs it for the same graph."""
    from nodes.sdk import AuteurError

    from ..graph.check import inspect_graph
    from ..graph.load import read_graph_json
    from ..graph.params import parse_assignments
    from .output import fail

    try:
        params = parse_assignments(assignments or [])
        return inspect_graph(read_graph_json(path), registry, principal.caller,
                             params=params, targets=targets)
    except AuteurError as exc:
        fail(exc)


def _report(checked: GraphCheck, as_json: bool, *, key: str, ok_value: Any) -> None:
    from .output import print_errors

    errors = [error.model_dump(mode="json") for error in checked.errors]
    if as_json:
        typer.echo(json.dumps({key: ok_value, "errors": errors}, indent=2))
    else:
        print_errors(checked.errors)


@app.command("validate")
def validate(
    graph: Path = typer.Argument(..., help="Workflow, API prompt or template JSON"),
    targets: str = typer.Option("", "--targets", help="Comma-separated node ids to check for"),
    token: str | None = typer.Option(None, "--token", envvar="AUTEUR_TOKEN", help="Check maturity as this API token"),
    as_json: bool = typer.Option(False, "--json", help='Print {"ok", "errors"}'),
) -> None:
    """Check a graph; exit 0 when it may run, 1 when it has problems."""
    from ..settings import Settings
    from .output import console

    settings = Settings()
    wanted = [item for item in targets.split(",") if item] or None
    checked = _inspect(graph, _registry_for(settings, graph), _caller(settings, token), targets=wanted)
    if checked.ok and not as_json:
        console.print(f"[green]valid[/]: {len(checked.prompt.nodes())} nodes ({checked.kind})")
    else:
        _report(checked, as_json, key="ok", ok_value=checked.ok)
    raise typer.Exit(0 if checked.ok else 1)


@app.command("convert")
def convert(
    graph: Path = typer.Argument(..., help="Workflow, API prompt or template JSON"),
    to: Target = typer.Option(..., "--to", help="api (what runs) or workflow (what the editor opens)"),
    output: Path | None = typer.Option(None, "--output", "-o", help="Write here instead of stdout"),
    allow_missing: bool = typer.Option(False, "--allow-missing",
                                       help="--to api: write the prompt even with node types this server lacks"),
) -> None:
    """Convert between the workflow and API prompt shapes. Node types this server does not
    know are reported (their widget values cannot be named) and exit 1 unless --allow-missing;
    a workflow converted to a workflow unchanged comes back byte-identical."""
    from rich.markup import escape

    from ..graph.load import graph_to_workflow, missing_types, read_graph_json
    from ..settings import Settings
    from .output import console

    registry = _registry_for(Settings(), graph)
    loaded = _load(graph, registry)
    data: Any
    text: str | None = None
    if to is Target.workflow and loaded.kind == "workflow":
        original = read_graph_json(graph)
        data = original if loaded.workflow is None else loaded.workflow.dump()
        if data == original:  # unchanged: the file as it was, key order, text and spacing kept
            text = graph.read_text(encoding="utf-8")
    elif to is Target.workflow:
        data = graph_to_workflow(loaded, registry).dump()
    else:
        data = loaded.prompt.dump()
    for problem in loaded.errors:
        console.print(f"[yellow]warning[/] {problem.code}: {problem.message}")
    missing = missing_types(loaded.prompt, registry)
    for problem in missing:
        console.print(f"[red]{escape(problem.message)}[/]", highlight=False)
    if missing and to is Target.api and not allow_missing:
        raise typer.Exit(1)
    if text is None:
        text = json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    if output is None:
        typer.echo(text, nl=False)
    else:
        from nodes.sdk import atomic_write_text

        atomic_write_text(output, text)


@app.command("run")
def run(
    graph: Path = typer.Argument(..., help="Workflow, API prompt or template JSON"),
    tier: str = typer.Option("", "--tier", help="low | standard | high (default: project's, else standard)"),
    assignments: list[str] = typer.Option([], "--set", help="NODE_ID.INPUT=VALUE (repeatable)"),
    targets: str = typer.Option("", "--targets", help="Comma-separated node ids to run (default: outputs)"),
    project: str | None = typer.Option(None, "--project", help="Project name or id; paths resolve inside it"),
    server: str | None = typer.Option(None, "--server", help="Submit to a running server at this URL"),
    token: str | None = typer.Option(None, "--token", envvar="AUTEUR_TOKEN", help="API token (--server; locally its maturity applies)"),
    as_json: bool = typer.Option(False, "--json", help="Print the run record as JSON"),
    debug: bool = typer.Option(False, "--debug", help="Also print failed nodes' Python tracebacks (local runs)"),
) -> None:
    """Run a graph headless; exit 0 when the run completes, 1 when it fails."""
    from nodes.sdk import AuteurError

    from ..graph.params import parse_assignments
    from ..settings import Settings
    from .output import console, fail
    from .run_local import run_locally

    wanted = [item for item in targets.split(",") if item] or None
    if server:
        from .remote import run_remote

        raw = _read_json(graph)
        try:
            params = parse_assignments(assignments)
        except AuteurError as exc:
            fail(exc)
        raise typer.Exit(run_remote(server, raw, tier or None, wanted, params, token, as_json))
    settings = Settings()
    registry = _registry_for(settings, graph)
    # The engine logs node tracebacks for a server's log; here they are shown with --debug only.
    logging.getLogger("auteur.runs").addHandler(logging.NullHandler())
    logging.getLogger("auteur.runs").propagate = False
    principal = _caller(settings, token)
    checked = _inspect(graph, registry, principal, targets=wanted, assignments=assignments)
    if not checked.ok:
        _report(checked, as_json, key="status", ok_value="invalid")
        raise typer.Exit(1)
    prompt = checked.prompt
    record = run_locally(settings, registry, prompt, tier=tier or None, targets=wanted,
                         project=project, principal=principal, show_progress=not as_json)
    if as_json:
        typer.echo(record.model_dump_json(indent=2))
    if debug:
        for node_id, trace in record.tracebacks.items():
            console.print(f"[red]traceback of node {node_id}[/]")
            console.print(trace, highlight=False, markup=False)
    raise typer.Exit(0 if record.status == "completed" else 1)


def _read_json(path: Path) -> Any:
    from nodes.sdk import AuteurError

    from ..graph.load import read_graph_json
    from .output import fail

    try:
        return read_graph_json(path)
    except AuteurError as exc:
        fail(exc)
