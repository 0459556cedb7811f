"""ComfyUI's HTTP + WebSocket API, as a client: queue a prompt (`POST /prompt`), follow its
`/ws` messages, read `/history/{id}`, fetch outputs with `/view`, and cancel (`/interrupt`,
then removal from `/queue`). Every call goes through the provider SDK's `Watch`."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar
from urllib.parse import urlsplit

import httpx
from pydantic import SecretStr
from websockets.exceptions import WebSocketException
from websockets.sync.client import ClientConnection, connect

from nodes.sdk import NodeExecutionError
from nodes.sdk.providers import Backoff, Expected, Watch, download

T = TypeVar("T")
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
RECV_S = 0.2
OUTPUT_KINDS: dict[str, tuple[Expected, ...]] = {
    "images": ("image",), "gifs": ("video", "image"), "video": ("video",), "audio": ("audio",)}


@dataclass(frozen=True)
class RemoteFile:
    """One output file a prompt's node wrote on the server."""

    node: str
    filename: str
    subfolder: str
    type: str
    kinds: tuple[Expected, ...]


@dataclass
class Followed:
    """What the WebSocket said about one prompt."""

    executed: list[str] = field(default_factory=list)


class ComfyRemote:
    """One remote ComfyUI server, seen by one run."""

    def __init__(self, base_url: str, token: SecretStr | None, watch: Watch, backoff: Backoff,
                 max_bytes: int) -> None:
        self.base_url = base_url.rstrip("/")
        self.watch = watch
        self.backoff = backoff
        self.max_bytes = max_bytes
        self.client_id = uuid.uuid4().hex
        self._headers = {"Authorization": f"Bearer {token.get_secret_value()}"} if token else {}
        self._http = httpx.Client(timeout=60.0, headers=self._headers)

    def close(self) -> None:
        self._http.close()

    def open_socket(self) -> ClientConnection:
        """`/ws?clientId=…`, opened before the prompt is queued so no message is missed."""
        parts = urlsplit(self.base_url)
        scheme = "wss" if parts.scheme == "https" else "ws"
        url = f"{scheme}://{parts.netloc}{parts.path}/ws?clientId={self.client_id}"
        return self._call("connect", lambda: connect(url, additional_headers=self._headers, open_timeout=30,
                                                     max_size=8 * 1024 * 1024))

    def queue(self, prompt: dict[str, Any]) -> str:
        """Queue the prompt; its id. A prompt the server refuses is `comfyui_prompt_refused` with
        ComfyUI's `node_errors` in the details."""
        prompt_id = str(uuid.uuid4())
        body = {"prompt": prompt, "client_id": self.client_id, "prompt_id": prompt_id}
        answer = self._call("queue the prompt", lambda: self._http.post(f"{self.base_url}/prompt", json=body))
        if answer.status_code == 400:
            raise _refused(answer)
        _raise_for_status(answer, "queue the prompt")
        return str(answer.json().get("prompt_id") or prompt_id)

    def follow(self, socket: ClientConnection, prompt_id: str, on_progress: Callable[[float, str], None],
               total_nodes: int, timeout_s: float) -> Followed:
        """Read `/ws` until the prompt is done (`executing` with `node: null`), reporting progress;
        an `execution_error` or `execution_interrupted`, or `timeout_s` passing, is a node error."""
        followed, within = Followed(), 0.0
        deadline = time.monotonic() + timeout_s
        while True:
            self.watch.check()
            if time.monotonic() > deadline:
                self.watch.watched(lambda: self.cancel(prompt_id), watch=False)  # stop paying for it there
                raise NodeExecutionError(f"prompt {prompt_id} not done on the ComfyUI server after {timeout_s:.0f} s",
                                         code="comfyui_timeout", details={"promptId": prompt_id})
            try:
                raw = socket.recv(timeout=RECV_S)
            except TimeoutError:
                continue
            except WebSocketException as exc:
                raise NodeExecutionError(f"the ComfyUI server at {self.base_url} closed its WebSocket ({exc})",
                                         code="comfyui_unreachable") from exc
            if not isinstance(raw, str):
                continue  # a binary preview frame
            message = json.loads(raw)
            kind, data = message.get("type"), message.get("data") or {}
            if data.get("prompt_id") not in (None, prompt_id):
                continue
            if kind == "executing":
                if data.get("node") is None and data.get("prompt_id") == prompt_id:
                    return followed
                followed.executed.append(str(data["node"]))
                within = 0.0
            elif kind == "progress" and data.get("max"):
                within = float(data.get("value", 0)) / float(data["max"])
            elif kind == "execution_error":
                raise _execution_error(data)
            elif kind == "execution_interrupted":
                raise NodeExecutionError(f"the ComfyUI server interrupted prompt {prompt_id}",
                                         code="comfyui_interrupted", details={"promptId": prompt_id})
            else:
                continue
            done = max(0, len(followed.executed) - 1) + within
            on_progress(min(1.0, done / max(1, total_nodes)), f"node {followed.executed[-1] if followed.executed else '…'}")

    def outputs(self, prompt_id: str) -> list[RemoteFile]:
        """The files the prompt's nodes wrote (`/history/{id}`), in node order."""
        answer = self._call("read the history", lambda: self._http.get(f"{self.base_url}/history/{prompt_id}"))
        _raise_for_status(answer, "read the history")
        entry = answer.json().get(prompt_id) or {}
        found: list[RemoteFile] = []
        seen: set[tuple[str, str, str]] = set()
        for node, output in (entry.get("outputs") or {}).items():
            for key, kinds in OUTPUT_KINDS.items():
                for item in output.get(key) or [] if isinstance(output, dict) else []:
                    # `input` files were there before the prompt (a loader shows its upload): not results
                    if isinstance(item, dict) and item.get("filename") and item.get("type") != "input":
                        file = RemoteFile(str(node), str(item["filename"]), str(item.get("subfolder", "")),
                                          str(item.get("type", "output")), kinds)
                        where = (file.filename, file.subfolder, file.type)
                        if where not in seen:  # a preview node shows the file its source node wrote
                            seen.add(where)
                            found.append(file)
        return found

    def fetch(self, item: RemoteFile) -> tuple[bytes, str]:
        """The file's bytes (`/view`, size-limited and sniffed) and its suffix."""
        params = httpx.QueryParams({"filename": item.filename, "subfolder": item.subfolder, "type": item.type})
        url = f"{self.base_url}/view?{params}"
        return self._call("fetch an output", lambda: download(
            self._http, url, item.kinds, source=f"the ComfyUI server's {item.filename}", max_bytes=self.max_bytes))

    def cancel(self, prompt_id: str) -> None:
        """Interrupt the prompt if it runs, and take it off the queue if it waits."""
        self._http.post(f"{self.base_url}/interrupt", json={"prompt_id": prompt_id}, timeout=10)
        self._http.post(f"{self.base_url}/queue", json={"delete": [prompt_id]}, timeout=10)

    def _call(self, what: str, call: Callable[[], T]) -> T:
        def classify(exc: Exception, final: bool) -> Exception | None:
            transient = (isinstance(exc, (httpx.TransportError, OSError, WebSocketException))
                         or (isinstance(exc, httpx.HTTPStatusError) and exc.response.status_code in RETRY_STATUSES))
            if not transient:
                return exc
            if not final:
                return None
            return NodeExecutionError(f"the ComfyUI server at {self.base_url} could not {what} ({type(exc).__name__})",
                                      code="comfyui_unreachable", details={"server": self.base_url})
        return self.watch.retrying(call, classify, self.backoff)


def _raise_for_status(answer: httpx.Response, what: str) -> None:
    if answer.status_code >= 400:
        raise NodeExecutionError(f"the ComfyUI server answered {answer.status_code} to {what}: {answer.text[:300]}",
                                 code="comfyui_error", details={"status": answer.status_code})


def _refused(answer: httpx.Response) -> NodeExecutionError:
    try:
        body = answer.json()
    except ValueError:
        body = {}
    error = body.get("error") if isinstance(body, dict) else None
    node_errors = body.get("node_errors") if isinstance(body, dict) else None
    message = error.get("message", "") if isinstance(error, dict) else str(error or answer.text[:300])
    reasons = []
    for node, problem in (node_errors or {}).items():
        for item in (problem.get("errors") or [])[:3] if isinstance(problem, dict) else []:
            reasons.append(f"node {node}: {item.get('message', '')} {item.get('details', '')}".strip())
    return NodeExecutionError(f"the ComfyUI server refused the prompt: {message}"
                              + (f" ({'; '.join(reasons)})" if reasons else ""),
                              code="comfyui_prompt_refused", details={"error": error, "nodeErrors": node_errors or {}})


def _execution_error(data: dict[str, Any]) -> NodeExecutionError:
    node = data.get("node_id")
    return NodeExecutionError(
        f"the ComfyUI server's node {node} ({data.get('node_type', '?')}) failed: "
        f"{data.get('exception_type', '')} {data.get('exception_message', '')}".strip(),
        code="comfyui_node_failed", details={"node": node, "nodeType": data.get("node_type"),
                                             "exceptionType": data.get("exception_type")})
