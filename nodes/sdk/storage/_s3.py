"""Media in S3-compatible object storage (MinIO, AWS S3, …) through boto3.

Files go up streamed from disk: in one PUT up to the multipart threshold, above it as a
multipart upload of fixed-size parts (memory bounded by one part; aborted on any failure so no
orphaned parts are billed). Reads stream the body in chunks. URLs are SigV4 presigned with an
expiry; they are signed for `AUTEUR_S3_PUBLIC_URL` when the storage is reached by another
address from the browsers and speakers than from the server (MinIO inside compose).

Every media request asks whether its object is stored (`exists`, a HEAD): the objects known to
be there are remembered per key (`_Present`), so a file served again costs no round trip.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from ..atomic import atomic_publish, temp_path
from ._base import (
    ObjectNotFoundError,
    StorageError,
    StorageRefusedError,
    StorageUnavailableError,
    check_key,
)

if TYPE_CHECKING:
    from .._settings import SharedSettings

MIB = 1024 * 1024
_NOT_FOUND = {"404", "NoSuchKey", "NotFound"}
_REFUSED = {  # S3's code: (ours, what to tell the caller)
    "EntityTooLarge": ("upload_too_large", "the file is larger than the storage accepts"),
    "EntityTooSmall": ("storage_refused", "a part of the upload is smaller than the storage accepts"),
    "InvalidRange": ("range_invalid", "the requested range is outside the media"),
    "InvalidPart": ("storage_refused", "the storage lost a part of the upload; send it again"),
    "KeyTooLongError": ("storage_key_invalid", "the media path is too long for the storage"),
}
_CREDENTIALS = {"AccessDenied", "InvalidAccessKeyId", "SignatureDoesNotMatch", "NoSuchBucket", "403",
                "ExpiredToken", "InvalidToken"}


PRESENT_TTL_S = 60.0  # how long an object seen is trusted to be there without asking again
PRESENT_KEYS = 10_000  # keys remembered at most (the least recently used go first)


class _Present:
    """The keys whose objects are known to be stored, each trusted for `ttl_s` after it was
    seen. Only presence is kept: an object missing now may be uploaded by a worker any moment,
    so "not there" is always asked afresh. This process's own writes and deletes update the key
    at once; another process's delete is noticed once the entry expires."""

    def __init__(self, ttl_s: float = PRESENT_TTL_S, size: int = PRESENT_KEYS) -> None:
        self.ttl_s = ttl_s
        self._size = size
        self._seen: OrderedDict[str, float] = OrderedDict()
        self._lock = threading.Lock()  # routes ask from the threadpool, uploads from workers

    def __contains__(self, key: str) -> bool:
        with self._lock:
            seen = self._seen.get(key)
            if seen is None or time.monotonic() - seen > self.ttl_s:
                self._seen.pop(key, None)
                return False
            self._seen.move_to_end(key)
            return True

    def add(self, key: str) -> None:
        with self._lock:
            self._seen[key] = time.monotonic()
            self._seen.move_to_end(key)
            while len(self._seen) > self._size:
                self._seen.popitem(last=False)

    def discard(self, key: str) -> None:
        with self._lock:
            self._seen.pop(key, None)


class S3MediaStore:
    def __init__(self, settings: SharedSettings) -> None:
        import boto3  # only when object storage is configured
        from botocore.config import Config

        assert settings.s3_bucket is not None
        self.bucket = settings.s3_bucket
        self._prefix = settings.s3_prefix.strip("/")
        self._threshold = settings.s3_multipart_mb * MIB
        self._part = max(settings.s3_part_mb, 5) * MIB  # S3's smallest part (but the last)
        config = Config(signature_version="s3v4", s3={"addressing_style": "path"},
                        retries={"max_attempts": 3, "mode": "standard"}, connect_timeout=5, read_timeout=60)
        secret = settings.s3_secret_access_key.get_secret_value() if settings.s3_secret_access_key else None
        common: dict[str, Any] = {"region_name": settings.s3_region, "aws_access_key_id": settings.s3_access_key_id,
                                  "aws_secret_access_key": secret, "config": config}
        self._client = boto3.client("s3", endpoint_url=settings.s3_endpoint_url, **common)
        public = settings.s3_public_url or settings.s3_endpoint_url
        self._signer = self._client if public == settings.s3_endpoint_url else boto3.client(
            "s3", endpoint_url=public, **common)
        self.present = _Present()

    @property
    def remote(self) -> bool:
        return True

    def _key(self, key: str) -> str:
        check_key(key)
        return f"{self._prefix}/{key}" if self._prefix else key

    def put(self, key: str, file: Path, *, content_type: str | None = None) -> None:
        name = self._key(key)
        extra = {"ContentType": content_type} if content_type else {}
        size = file.stat().st_size
        self.present.discard(key)  # while it goes up (and if that fails) it is not known to be there
        with _mapped(key), file.open("rb") as handle:
            if size <= self._threshold:
                self._client.put_object(Bucket=self.bucket, Key=name, Body=handle, **extra)
            else:
                self._put_parts(name, handle, extra)
        self.present.add(key)

    def _put_parts(self, name: str, handle: Any, extra: dict[str, str]) -> None:
        upload = self._client.create_multipart_upload(Bucket=self.bucket, Key=name, **extra)["UploadId"]
        try:
            parts: list[dict[str, Any]] = []
            while chunk := handle.read(self._part):
                number = len(parts) + 1
                answer = self._client.upload_part(Bucket=self.bucket, Key=name, UploadId=upload,
                                                  PartNumber=number, Body=chunk)
                parts.append({"PartNumber": number, "ETag": answer["ETag"]})
            self._client.complete_multipart_upload(Bucket=self.bucket, Key=name, UploadId=upload,
                                                   MultipartUpload={"Parts": parts})
        except BaseException:
            self._client.abort_multipart_upload(Bucket=self.bucket, Key=name, UploadId=upload)
            raise

    def exists(self, key: str) -> bool:
        if key in self.present:
            return True
        try:
            self.size(key)
        except ObjectNotFoundError:
            return False
        self.present.add(key)
        return True

    def size(self, key: str) -> int:
        with _mapped(key):
            return int(self._client.head_object(Bucket=self.bucket, Key=self._key(key))["ContentLength"])

    def read(self, key: str, chunk_size: int = MIB) -> Iterator[bytes]:
        with _mapped(key):
            body = self._client.get_object(Bucket=self.bucket, Key=self._key(key))["Body"]
        try:
            with _mapped(key):
                yield from body.iter_chunks(chunk_size)
        finally:
            body.close()

    def download(self, key: str, target: Path) -> None:
        staged = temp_path(target)
        try:
            with staged.open("wb") as handle:
                for chunk in self.read(key):
                    handle.write(chunk)
            atomic_publish(staged, target)
        finally:
            staged.unlink(missing_ok=True)

    def delete(self, key: str) -> None:
        self.present.discard(key)
        with _mapped(key):
            self._client.delete_object(Bucket=self.bucket, Key=self._key(key))

    def url_for_get(self, key: str, ttl_s: int, *, filename: str | None = None) -> str | None:
        params = {"Bucket": self.bucket, "Key": self._key(key)}
        if filename:  # RFC 6266: the name survives any character
            params["ResponseContentDisposition"] = f"inline; filename*=UTF-8''{quote(filename)}"
        return str(self._signer.generate_presigned_url("get_object", Params=params, ExpiresIn=ttl_s))

    def url_for_put(self, key: str, ttl_s: int, *, content_type: str) -> str | None:
        params = {"Bucket": self.bucket, "Key": self._key(key), "ContentType": content_type}
        return str(self._signer.generate_presigned_url("put_object", Params=params, ExpiresIn=ttl_s))

    def check(self) -> None:
        """The bucket is there and the credentials open it (at server start: fail clearly)."""
        with _mapped(""):
            self._client.head_bucket(Bucket=self.bucket)


class _mapped:
    """boto3's errors as ours: what the caller may fix is a 4xx, the storage's state a 503."""

    def __init__(self, key: str) -> None:
        self._key = key

    def __enter__(self) -> None:
        return None

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: object) -> None:
        from botocore.exceptions import BotoCoreError, ClientError

        if isinstance(exc, ClientError):
            raise _from_client_error(exc, self._key) from None
        if isinstance(exc, BotoCoreError):
            raise StorageUnavailableError(
                f"object storage cannot be reached ({type(exc).__name__}): check AUTEUR_S3_ENDPOINT_URL "
                "and the credentials, or try again shortly",
                details={"key": self._key}) from None


def _from_client_error(exc: Any, key: str) -> StorageError:
    error = exc.response.get("Error", {})
    code = str(error.get("Code", ""))
    details = {"key": key, "storage_code": code}
    if code in _NOT_FOUND:
        return ObjectNotFoundError("no such media in object storage", details=details)
    if code in _REFUSED:
        ours, message = _REFUSED[code]
        return StorageRefusedError(message, code=ours, details=details)
    if code in _CREDENTIALS:
        return StorageUnavailableError(
            "object storage refused the server (its bucket or credentials: AUTEUR_S3_*); an operator must fix it",
            details=details)
    return StorageUnavailableError(f"object storage answered {code or 'an error'}; try again shortly", details=details)

