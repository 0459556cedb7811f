"""The webhook SSRF guard: which hosts a delivery may reach, and a pinned delivery to a real
local TLS receiver (certificate for a name, connection to the checked address)."""

from __future__ import annotations

import asyncio
import datetime
import ssl
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from canvas_server.runs.webhook_target import (
    Target,
    WebhookTargetRefusedError,
    post,
    resolve_target,
)

NAME = "hooks.test"


@pytest.mark.parametrize("url", ["https://127.1/h", "https://2130706433/h", "https://0x7f000001/h",
                                 "https://169.254.169.254/latest", "https://10.1.2.3/h", "https://192.168.0.1/h",
                                 "https://[fe80::1]/h", "https://[::ffff:10.0.0.1]/h", "https://0.0.0.0/h",
                                 "https://no-such-host.invalid/h"])
def test_a_host_that_is_not_public_or_does_not_resolve_is_refused(url: str) -> None:
    with pytest.raises(WebhookTargetRefusedError):
        asyncio.run(resolve_target(url))


@pytest.mark.parametrize("url", ["http://127.0.0.1:9/h", "http://localhost/h", "https://[::1]/h"])
def test_a_url_written_as_loopback_is_called_as_it_is(url: str) -> None:
    assert asyncio.run(resolve_target(url)) == Target(url)


def test_a_public_address_is_pinned_with_the_url_host_kept_for_tls_and_host() -> None:
    target = asyncio.run(resolve_target("https://8.8.8.8:8443/in?x=1"))
    assert target == Target("https://8.8.8.8:8443/in?x=1", host_header="8.8.8.8:8443", sni_hostname="8.8.8.8")


def _certificate(folder: Path) -> tuple[Path, Path]:
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, NAME)])
    now = datetime.datetime.now(datetime.UTC)
    cert = (x509.CertificateBuilder().subject_name(subject).issuer_name(subject).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(minutes=1))
            .not_valid_after(now + datetime.timedelta(hours=1))
            .add_extension(x509.SubjectAlternativeName([x509.DNSName(NAME)]), critical=False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(key, hashes.SHA256()))
    cert_path, key_path = folder / "cert.pem", folder / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_path, key_path


@pytest.fixture
def tls_receiver(tmp_path: Path) -> Iterator[tuple[int, Path, dict[str, Any]]]:
    """An HTTPS server on 127.0.0.1 with a certificate for hooks.test; records SNI and Host."""
    cert, key = _certificate(tmp_path)
    seen: dict[str, Any] = {}

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            seen["host"] = self.headers["host"]
            seen["body"] = self.rfile.read(int(self.headers["content-length"]))
            self.send_response(204)
            self.send_header("content-length", "0")
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    context.sni_callback = lambda sock, name, ctx: seen.__setitem__("sni", name)
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server.server_address[1], cert, seen
    server.shutdown()


def test_a_pinned_delivery_reaches_the_checked_address_verified_for_the_url_host(
        tls_receiver: tuple[int, Path, dict[str, Any]]) -> None:
    port, cert, seen = tls_receiver

    async def send(name: str) -> httpx.Response:
        async with httpx.AsyncClient(verify=ssl.create_default_context(cafile=str(cert)), trust_env=False) as client:
            target = Target(f"https://127.0.0.1:{port}/hook", host_header=f"{NAME}:{port}", sni_hostname=name)
            return await post(client, target, '{"a":1}', {"content-type": "application/json"})

    assert asyncio.run(send(NAME)).status_code == 204
    assert seen == {"sni": NAME, "host": f"{NAME}:{port}", "body": b'{"a":1}'}
    with pytest.raises(httpx.ConnectError, match=r"certificate|hostname"):
        asyncio.run(send("other.test"))  # the certificate is checked against the URL's host, not the address
