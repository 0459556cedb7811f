"""An S3-compatible server that runs here: moto's standalone server (S3 itself cannot run in
a test, so these are contract tests of our side of the protocol), and one real `auteur serve`
storing its media there, shared by the storage and the security tests (one start per session).
Its principals: cy (creator, owns project Film), vic (viewer, member of Film), olga (creator,
not a member)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from nodes.sdk import SharedSettings

from .server_harness import ServerProcess, free_port, make_token

BUCKET = "auteur-media"
CREDENTIALS = {"AUTEUR_S3_ACCESS_KEY_ID": "test-key", "AUTEUR_S3_SECRET_ACCESS_KEY": "test-secret"}


@pytest.fixture(scope="session")
def s3_url() -> Iterator[str]:
    from moto.server import ThreadedMotoServer  # loaded by the tests that use it only

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    url = f"http://{host}:{port}"
    raw_client(url).create_bucket(Bucket=BUCKET)
    yield url
    server.stop()


def s3_env(url: str, **extra: str) -> dict[str, str]:
    """The environment that turns object storage on (what an operator sets)."""
    return {"AUTEUR_S3_BUCKET": BUCKET, "AUTEUR_S3_ENDPOINT_URL": url, **CREDENTIALS, **extra}


def s3_settings(url: str, **fields: Any) -> SharedSettings:
    values: dict[str, Any] = {"s3_bucket": BUCKET, "s3_endpoint_url": url, "s3_access_key_id": "test-key",
                              "s3_secret_access_key": "test-secret", **fields}
    return SharedSettings(**values)


def raw_client(url: str) -> Any:
    import boto3

    return boto3.client("s3", endpoint_url=url, region_name="us-east-1", aws_access_key_id="test-key",
                        aws_secret_access_key="test-secret")


PREFIX = "served"
PEOPLE = {"cy": "creator", "olga": "creator", "vic": "viewer"}


@pytest.fixture(scope="session")
def stored_server(s3_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    workspace = tmp_path_factory.mktemp("stored")
    tokens = {name: make_token(workspace, name, role) for name, role in PEOPLE.items()}
    server = ServerProcess(workspace, s3_env(s3_url, AUTEUR_S3_PREFIX=PREFIX), comfyui_port=free_port()).start()
    server.tokens = tokens  # type: ignore[attr-defined]
    with httpx.Client(base_url=server.url, timeout=30, headers={"Authorization": f"Bearer {tokens['cy']}"}) as cy:
        assert cy.post("/api/projects", json={"name": "Film"}).status_code == 201
        assert cy.put("/api/projects/Film/members/vic", json={"role": "viewer"}).status_code == 200
    yield server
    server.stop()


@pytest.fixture(scope="session")
def stored_clients(stored_server: ServerProcess) -> Iterator[dict[str, httpx.Client]]:
    """A client per principal (and `nobody`, without a token) of the stored server."""
    tokens: dict[str, str] = stored_server.tokens  # type: ignore[attr-defined]
    clients = {name: httpx.Client(base_url=stored_server.url, timeout=30, headers={"Authorization": f"Bearer {token}"})
               for name, token in tokens.items()}
    clients["nobody"] = httpx.Client(base_url=stored_server.url, timeout=30)
    yield clients
    for client in clients.values():
        client.close()
