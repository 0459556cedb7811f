"""`auteur run --server URL`: submit a graph to a running server and follow its progress
over the WebSocket until it ends. Exit codes: 0 completed, 1 failed or cancelled, 2 refused
by the server (bad graph, maturity, auth), 3 server unreachable."""

from __future__ import annotations

import asyncio
import json
import sys
import uuid
from typing import Any

import httpx
import websockets
from rich.console import Console

from nodes.sdk import RUN_ENDED, EventType

EXIT_OK, EXIT_FAILED, EXIT_REFUSED, EXIT_UNREACHABLE = 0, 1, 2, 3


def _ws_url(base: str, client_id: str, last_seq: int | None) -> str:
    scheme = "wss" if base.startswith("https") else "ws"
    host = base.split("://", 1)[-1]
    query = f"client_id={client_id}" + (f"&last_seq={last_seq}" if last_seq is not None else "")
    return f"{scheme}://{host}/ws?{query}"


def _describe(event: dict[str, Any]) -> str | None:
    data, kind = event.get("data", {}), event["type"]
    node = data.get("node_id")
    if kind == EventType.NODE_PROGRESS:
        return f"  {node}: {float(data.get('progress', 0)) * 100:5.1f}% {data.get('step') or ''}"
    if kind in (EventType.NODE_STARTED, EventType.NODE_CACHED, EventType.NODE_COMPLETED):
        return f"  {node}: {kind.removeprefix('node_')}"
    if kind == EventType.NODE_FAILED:
        return f"  {node}: failed: {data.get('error', {}).get('message', '')}"
    if kind.startswith("run_"):
        return f"run {kind.removeprefix('run_')}"
    return None


class _Follower:
    def __init__(self, base: str, headers: dict[str, str], console: Console) -> None:
        self.base, self.headers, self.console = base.rstrip("/"), headers, console
        self.client_id = f"cli-{uuid.uuid4().hex}"
        self.last_seq: int | None = None

    async def follow(self, submit: Any) -> tuple[str, str]:
        """Connect, submit (so no event is missed), then print events until the run ends;
        a dropped connection is resumed from the last `seq` seen."""
        run_id: str | None = None
        for attempt in range(5):
            try:
                async with websockets.connect(
                    _ws_url(self.base, self.client_id, self.last_seq), additional_headers=self.headers
                ) as ws:
                    if run_id is None:
                        run_id = str(await asyncio.to_thread(submit, self.client_id))
                    ended = await self._read(ws, run_id)
                    if ended:
                        return run_id, ended
            except (OSError, websockets.ConnectionClosed):
                if run_id is None:
                    raise
                await asyncio.sleep(0.5 * (attempt + 1))
        raise OSError("lost the event stream")

    async def _read(self, ws: Any, run_id: str) -> str | None:
        async for raw in ws:
            event = json.loads(raw)
            self.last_seq = max(self.last_seq or 0, int(event.get("seq", 0)))
            if event.get("run_id") != run_id:
                continue
            line = _describe(event)
            if line:
                self.console.print(line, highlight=False)
            if event["type"] in RUN_ENDED:
                return str(event["type"])
        return None


def _params(params: Any) -> dict[str, Any]:
    if isinstance(params, dict):
        return params
    return dict(str(item).partition("=")[::2] for item in params or [])


def run_remote(
    url: str,
    graph_json: Any,
    tier: str | None,
    targets: list[str] | None,
    params: Any,
    token: str | None,
    as_json: bool,
) -> int:
    """Submit `graph_json` (a parsed graph or its JSON text) and follow it; an exit code."""
    graph = json.loads(graph_json) if isinstance(graph_json, (str, bytes)) else graph_json
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    console = Console(stderr=True)
    body = {"graph": graph, "tier": tier, "targets": targets, "params": _params(params)}
    submitted: list[str] = []
    with httpx.Client(base_url=url.rstrip("/"), headers=headers, timeout=30) as client:

        def submit(client_id: str) -> str:
            response = client.post("/api/runs", json={**body, "client_id": client_id})
            if response.status_code != 202:
                raise _Refused(response)
            run_id = str(response.json()["run_id"])
            submitted.append(run_id)
            console.print(f"submitted run {run_id}", highlight=False)
            return run_id

        follower = _Follower(url, headers, console)
        try:
            run_id, _ = asyncio.run(follower.follow(submit))
        except _Refused as refused:
            return refused.report(console)
        except KeyboardInterrupt:
            for run_id in submitted:
                client.post(f"/api/runs/{run_id}/cancel")
            return EXIT_FAILED
        except (OSError, httpx.HTTPError, websockets.InvalidHandshake) as exc:
            console.print(f"[red]error[/] cannot reach the server at {url}: {exc}")
            return EXIT_UNREACHABLE
        record = client.get(f"/api/runs/{run_id}").json()
    if as_json:
        sys.stdout.write(json.dumps(record, indent=2) + "\n")
    else:
        for node_id, outputs in record.get("outputs", {}).items():
            console.print(f"output {node_id}: {json.dumps(outputs)}", highlight=False)
        for error in record.get("errors", []):
            console.print(f"[red]error[/] {error.get('code')}: {error.get('message')}")
    return EXIT_OK if record.get("status") == "completed" else EXIT_FAILED


class _Refused(Exception):
    def __init__(self, response: httpx.Response) -> None:
        super().__init__(response.status_code)
        self.response = response

    def report(self, console: Console) -> int:
        try:
            error = self.response.json()["error"]
        except (ValueError, KeyError, TypeError):
            error = {"code": "http_error", "message": self.response.text[:500]}
        console.print(f"[red]error[/] {error['code']}: {error['message']}", highlight=False)
        details = error.get("details")
        for item in details if isinstance(details, list) else []:
            console.print(f"  - {item.get('message', item)}", highlight=False)
        return EXIT_REFUSED
