"""A ComfyUI API client written from ComfyUI's protocol, the way its example scripts
(`websockets_api_example.py`) work: `websocket-client` + `urllib`, nothing of ours."""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
import uuid
from typing import Any

import websocket


class ComfyClient:
    def __init__(self, address: str, client_id: str | None = None, token: str | None = None) -> None:
        self.address = address  # "127.0.0.1:8188"
        self.client_id = client_id or str(uuid.uuid4())
        self.ws: websocket.WebSocket | None = None
        # ComfyUI clients that sit behind an authenticating proxy send a Bearer header.
        self.auth = {"Authorization": f"Bearer {token}"} if token else {}

    def connect(self, timeout: float = 30.0) -> list[dict[str, Any]]:
        self.ws = websocket.WebSocket()
        self.ws.connect(f"ws://{self.address}/ws?clientId={self.client_id}", timeout=timeout,
                        header=[f"{key}: {value}" for key, value in self.auth.items()])
        return [self.receive()]

    def close(self) -> None:
        if self.ws is not None:
            self.ws.close()

    def receive(self) -> dict[str, Any]:
        assert self.ws is not None
        out = self.ws.recv()
        assert isinstance(out, str), "previews (binary frames) are not expected here"
        message: dict[str, Any] = json.loads(out)
        return message

    def request(self, path: str, body: Any = None, method: str | None = None) -> tuple[int, Any]:
        data = json.dumps(body).encode() if body is not None else None
        headers = {**self.auth, **({"Content-Type": "application/json"} if data else {})}
        req = urllib.request.Request(f"http://{self.address}{path}", data=data, method=method, headers=headers)
        try:
            with urllib.request.urlopen(req) as response:
                raw = response.read()
                return response.status, json.loads(raw) if raw else None
        except urllib.error.HTTPError as error:
            return error.code, json.loads(error.read() or b"null")

    def queue_prompt(self, prompt: dict[str, Any], prompt_id: str | None = None, **extra: Any) -> dict[str, Any]:
        body = {"prompt": prompt, "client_id": self.client_id, "prompt_id": prompt_id or str(uuid.uuid4()), **extra}
        status, answer = self.request("/prompt", body)
        assert status == 200, answer
        result: dict[str, Any] = answer
        return result

    def wait(self, prompt_id: str) -> list[dict[str, Any]]:
        """Messages until `executing` with `node: null` for `prompt_id` (ComfyUI's done signal)."""
        messages = []
        while True:
            message = self.receive()
            messages.append(message)
            data = message.get("data", {})
            if message["type"] == "executing" and data.get("node") is None and data.get("prompt_id") == prompt_id:
                return messages

    def history(self, prompt_id: str) -> dict[str, Any]:
        _, answer = self.request(f"/history/{prompt_id}")
        entry: dict[str, Any] = answer[prompt_id]
        return entry

    def view(self, filename: str, subfolder: str, folder_type: str) -> bytes:
        query = urllib.parse.urlencode({"filename": filename, "subfolder": subfolder, "type": folder_type})
        req = urllib.request.Request(f"http://{self.address}/view?{query}", headers=self.auth)
        with urllib.request.urlopen(req) as response:
            data: bytes = response.read()
            return data

    def upload(self, name: str, content: bytes, subfolder: str = "", overwrite: bool = False) -> dict[str, Any]:
        boundary = uuid.uuid4().hex
        parts = [(f'Content-Disposition: form-data; name="image"; filename="{name}"\r\n'
                  "Content-Type: application/octet-stream\r\n\r\n").encode() + content]
        for field, value in (("type", "input"), ("subfolder", subfolder), ("overwrite", str(overwrite).lower())):
            parts.append(f'Content-Disposition: form-data; name="{field}"\r\n\r\n{value}'.encode())
        body = b"".join(f"--{boundary}\r\n".encode() + part + b"\r\n" for part in parts) + f"--{boundary}--\r\n".encode()
        req = urllib.request.Request(f"http://{self.address}/upload/image", data=body,
                                     headers={**self.auth, "Content-Type": f"multipart/form-data; boundary={boundary}"})
        with urllib.request.urlopen(req) as response:
            answer: dict[str, Any] = json.loads(response.read())
            return answer

    def outputs(self, prompt_id: str) -> dict[str, list[bytes]]:
        """Every file output of a finished prompt, downloaded through `/view`."""
        files: dict[str, list[bytes]] = {}
        for node_id, node_output in self.history(prompt_id)["outputs"].items():
            for key in ("images", "gifs", "audio", "video"):
                for item in node_output.get(key, []):
                    files.setdefault(node_id, []).append(self.view(item["filename"], item["subfolder"], item["type"]))
        return files
