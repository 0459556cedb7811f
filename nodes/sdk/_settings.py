"""Settings from the environment (`AUTEUR_<NAME>`): the base of every settings model, the
settings the SDK itself reads, and the one syntax of list values.

Each setting is declared once: the server's own in `canvas_server.settings`, a pack's in the
pack (its `Pack.settings`), and those every process reads (the server, the runners, the
packs) here.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

from pydantic import BeforeValidator, Field, SecretStr
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict


def split_list(value: Any) -> Any:
    """`a, b,c` → `["a", "b", "c"]`: the one list syntax of every setting (never split on
    `:`, which IPv6 addresses and Windows paths contain); lists pass through."""
    if isinstance(value, str):
        return [item.strip() for item in value.split(",") if item.strip()]
    return value


CommaList = Annotated[list[str], NoDecode, BeforeValidator(split_list)]
PathList = Annotated[list[Path], NoDecode, BeforeValidator(split_list)]


class PackSettings(BaseSettings):
    """Base of a settings model: each field `name` is read from `AUTEUR_<NAME>`. A pack names
    its fields after itself (`spotify_client_id`, `sonos_hosts`) so packs never collide."""

    # An empty variable is an unset one (`AUTEUR_WHISPER_MODEL_DIR=` means the default).
    model_config = SettingsConfigDict(env_prefix="AUTEUR_", extra="ignore", env_ignore_empty=True)


class SharedSettings(PackSettings):
    """Settings that the server, the runners and the packs all read."""

    secret_key: SecretStr | None = Field(
        None, description="Secret that encrypts stored OAuth tokens and signs media URLs (else a 0600 key file)")
    secrets_dir: Path | None = Field(
        None, description="Folder of tokens.json and secret.key (default: <workspace>/.auteur, kept 0700); a folder "
        "outside the workspace keeps them out of every project and run")
    load_plugins: Annotated[list[str] | None, NoDecode, BeforeValidator(split_list)] = Field(
        None, description="Only load these node packs (comma-separated)")
    s3_bucket: str | None = Field(
        None, description="S3-compatible bucket for media (takes, engine outputs, uploaded assets); unset: the workspace disk")
    s3_endpoint_url: str | None = Field(None, description="S3 endpoint the server and runners reach (e.g. http://minio:9000; unset: AWS)")
    s3_public_url: str | None = Field(
        None, description="S3 endpoint as browsers and speakers reach it, for presigned URLs (default: AUTEUR_S3_ENDPOINT_URL)")
    s3_region: str = Field("us-east-1", description="Region of the bucket")
    s3_access_key_id: str | None = Field(None, description="Access key of the bucket (unset: boto3's usual credential chain)")
    s3_secret_access_key: SecretStr | None = Field(None, description="Secret key of the bucket")
    s3_prefix: str = Field("", description="Prefix of every object key (several workspaces in one bucket)")
    s3_url_ttl_s: int = Field(900, ge=1, le=7 * 24 * 3600, description="Seconds a presigned media URL stays valid")
    s3_multipart_mb: int = Field(64, ge=5, description="Files larger than this many MiB go up as multipart uploads")
    s3_part_mb: int = Field(16, ge=5, description="Size of one part of a multipart upload in MiB")
