"""A local HTTP double of the Vertex AI endpoints Veo uses, of Cloud Storage's media download
and of Google's OAuth token endpoint — so the real google-auth service-account flow and the
real google-genai SDK run against it. It records every request it answers.

Only the wire protocol is imitated: `predictLongRunning` answers an operation name,
`fetchPredictOperation` answers the scripted states, in order (the last one repeats).
"""

from __future__ import annotations

import base64
import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

TOKEN = "ya29.double-token"
OPERATION = "projects/test-proj/locations/us-central1/publishers/google/models/{model}/operations/op-{n}"

Answer = tuple[int, dict[str, Any]]


@dataclass
class Recorded:
    method: str
    path: str
    authorization: str | None
    body: dict[str, Any] | None


@dataclass
class VertexDouble:
    """Scripted answers: `submits` are errors predictLongRunning gives before it accepts,
    `polls` the operation states fetchPredictOperation gives (the last one repeats)."""

    public_key: rsa.RSAPublicKey | None = None
    submits: list[Answer] = field(default_factory=list)
    polls: list[Answer] = field(default_factory=list)
    objects: dict[str, bytes] = field(default_factory=dict)
    requests: list[Recorded] = field(default_factory=list)
    base_url: str = ""
    operations: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def of(self, suffix: str) -> list[Recorded]:
        return [item for item in self.requests if item.path.split("?")[0].endswith(suffix)]

    def next_submit(self, model: str) -> Answer:
        with self.lock:
            if self.submits:
                return self.submits.pop(0)
            self.operations += 1
            return 200, {"name": OPERATION.format(model=model, n=self.operations)}

    def next_poll(self) -> Answer:
        with self.lock:
            return self.polls.pop(0) if len(self.polls) > 1 else self.polls[0]

    def check_assertion(self, assertion: str) -> dict[str, Any]:
        """Verify the service account's signed JWT (RS256) as Google's token endpoint does."""
        header, claims, signature = assertion.split(".")
        assert self.public_key is not None
        self.public_key.verify(_unb64(signature), f"{header}.{claims}".encode(), padding.PKCS1v15(), hashes.SHA256())
        decoded: dict[str, Any] = json.loads(_unb64(claims))
        return decoded


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def service_account(path: Path, token_uri: str) -> rsa.RSAPublicKey:
    """Write a service-account key file (a fresh RSA key) whose token_uri is the double."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption()).decode()
    path.write_text(json.dumps({
        "type": "service_account", "project_id": "test-proj", "private_key_id": "k1", "private_key": pem,
        "client_email": "veo@test-proj.iam.gserviceaccount.com", "client_id": "1", "token_uri": token_uri,
    }))
    return key.public_key()


def done(*videos: dict[str, Any], filtered: int = 0, reasons: list[str] | None = None) -> Answer:
    response: dict[str, Any] = {"@type": "type.googleapis.com/cloud.ai.large_models.vision.GenerateVideoResponse",
                                "videos": list(videos)}
    if filtered:
        response["raiMediaFilteredCount"] = filtered
        response["raiMediaFilteredReasons"] = reasons or []
    return 200, {"name": "op", "done": True, "response": response}


PENDING: Answer = (200, {"name": "op", "done": False})


def inline(data: bytes) -> dict[str, Any]:
    return {"bytesBase64Encoded": base64.b64encode(data).decode(), "mimeType": "video/mp4"}


def _handler(double: VertexDouble) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:  # quiet
            return

        def _reply(self, status: int, body: dict[str, Any] | bytes) -> None:
            data = body if isinstance(body, bytes) else json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/octet-stream" if isinstance(body, bytes)
                             else "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_POST(self) -> None:
            raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            path = urlsplit(self.path).path
            if path == "/token":
                form = {k: v[0] for k, v in parse_qs(raw.decode()).items()}
                double.requests.append(Recorded("POST", path, None, form))
                claims = double.check_assertion(form["assertion"])
                assert form["grant_type"] == "urn:ietf:params:oauth:grant-type:jwt-bearer"
                # google-auth signs for Google's token audience whatever token_uri it posts to
                assert claims["iss"] == "veo@test-proj.iam.gserviceaccount.com", claims
                assert "cloud-platform" in claims["scope"], claims
                self._reply(200, {"access_token": TOKEN, "expires_in": 3600, "token_type": "Bearer"})
                return
            body = json.loads(raw or b"{}")
            double.requests.append(Recorded("POST", path, self.headers.get("Authorization"), body))
            if path.endswith(":predictLongRunning"):
                model = unquote(path).rsplit("/", 1)[-1].split(":")[0]
                self._reply(*double.next_submit(model))
            elif path.endswith(":fetchPredictOperation"):
                status, answer = double.next_poll()
                if status == 200:
                    answer = {**answer, "name": body.get("operationName", "")}
                self._reply(status, answer)
            else:
                self._reply(404, {"error": {"code": 404, "message": f"no route {path}"}})

        def do_GET(self) -> None:
            double.requests.append(Recorded("GET", self.path, self.headers.get("Authorization"), None))
            parts = urlsplit(self.path)
            prefix = "/storage/v1/b/"
            if parts.path.startswith(prefix) and "alt=media" in parts.query:
                bucket, _, name = parts.path.removeprefix(prefix).partition("/o/")
                data = double.objects.get(f"gs://{unquote(bucket)}/{unquote(name)}")
                if data is not None:
                    self._reply(200, data)
                    return
            self._reply(404, {"error": {"code": 404, "message": "no such object"}})

    return Handler


def serve(double: VertexDouble) -> ThreadingHTTPServer:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(double))
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def vertex_env(double: VertexDouble, key_file: Path) -> dict[str, str]:
    """The environment that points a server or `auteur run` (and its runners) at the double,
    with a real service-account key whose public half the double checks."""
    double.public_key = service_account(key_file, f"{double.base_url}/token")
    return {
        "GOOGLE_APPLICATION_CREDENTIALS": str(key_file), "NO_PROXY": "127.0.0.1",
        "AUTEUR_GCP_PROJECT": "test-proj", "AUTEUR_GCP_REGION": "us-central1",
        "AUTEUR_VERTEX_BASE_URL": double.base_url, "AUTEUR_GCS_BASE_URL": double.base_url,
        "AUTEUR_VEO_POLL_S": "0.05", "AUTEUR_VEO_POLL_MAX_S": "0.1", "AUTEUR_VEO_BACKOFF_S": "0.05",
    }
