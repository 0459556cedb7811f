"""An S3-compatible server that runs here: moto's standalone server (S3 itself cannot run in
a test, so these are contract tests of our side of the protocol)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from moto.server import ThreadedMotoServer

from nodes.sdk import SharedSettings

BUCKET = "auteur-media"
CREDENTIALS = {"AUTEUR_S3_ACCESS_KEY_ID": "test-key", "AUTEUR_S3_SECRET_ACCESS_KEY": "test-secret"}


@pytest.fixture(scope="package")
def s3_url() -> Iterator[str]:
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    url = f"http://{host}:{port}"
    boto3.client("s3", endpoint_url=url, region_name="us-east-1", aws_access_key_id="test-key",
                 aws_secret_access_key="test-secret").create_bucket(Bucket=BUCKET)
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
    return boto3.client("s3", endpoint_url=url, region_name="us-east-1", aws_access_key_id="test-key",
                        aws_secret_access_key="test-secret")
