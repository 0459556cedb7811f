"""Contract test of our side of the S3 protocol (`nodes.sdk.storage`) against moto's
standalone S3 server: streamed single and multipart uploads, streamed reads, presigned GET and
PUT URLs with their expiry, and S3's errors as ours (a 4xx for what the caller can fix, 503 for
the storage's state, never a 500)."""

from __future__ import annotations

import hashlib
import os
import time
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from botocore.exceptions import ClientError

from canvas_server.server.errors import status_for
from nodes.sdk.storage import (
    LocalMediaStore,
    MediaStore,
    ObjectNotFoundError,
    StorageError,
    StorageKeyInvalidError,
    StorageUnavailableError,
    media_store,
)
from nodes.sdk.storage._s3 import S3MediaStore, _from_client_error

from ..conftest_storage import BUCKET, raw_client, s3_settings

MIB = 1024 * 1024


def _file(folder: Path, name: str, size: int) -> Path:
    path = folder / name
    path.write_bytes(os.urandom(size))
    return path


def test_a_small_file_goes_up_in_one_put_and_streams_back_byte_for_byte(s3_url: str, tmp_path: Path) -> None:
    store = media_store(s3_settings(s3_url, s3_prefix="studio-a"), tmp_path)
    assert isinstance(store, S3MediaStore) and store.remote
    source = _file(tmp_path, "take01.png", 300_000)
    store.put("Projects/Film/03_Renders/take01.png", source, content_type="image/png")
    head = raw_client(s3_url).head_object(Bucket=BUCKET, Key="studio-a/Projects/Film/03_Renders/take01.png")
    assert head["ContentType"] == "image/png" and "-" not in head["ETag"]  # one PUT, not parts
    assert store.exists("Projects/Film/03_Renders/take01.png") and store.size("Projects/Film/03_Renders/take01.png") == 300_000
    assert b"".join(store.read("Projects/Film/03_Renders/take01.png", chunk_size=65536)) == source.read_bytes()
    copy = tmp_path / "copy.png"
    store.download("Projects/Film/03_Renders/take01.png", copy)
    assert copy.read_bytes() == source.read_bytes()
    store.delete("Projects/Film/03_Renders/take01.png")
    assert not store.exists("Projects/Film/03_Renders/take01.png")


def test_a_file_above_the_threshold_goes_up_as_a_multipart_upload_of_fixed_parts(s3_url: str, tmp_path: Path) -> None:
    store = media_store(s3_settings(s3_url, s3_multipart_mb=5, s3_part_mb=5), tmp_path)
    source = _file(tmp_path, "big.mp4", 12 * MIB + 123)
    store.put("Projects/Film/big.mp4", source, content_type="video/mp4")
    etag = raw_client(s3_url).head_object(Bucket=BUCKET, Key="Projects/Film/big.mp4")["ETag"].strip('"')
    assert etag.endswith("-3")  # S3 names a multipart object by its part count: 5 + 5 + 2 MiB
    digest = hashlib.sha256()
    for chunk in store.read("Projects/Film/big.mp4"):
        digest.update(chunk)
    assert digest.hexdigest() == hashlib.sha256(source.read_bytes()).hexdigest()


def test_a_multipart_upload_that_fails_part_way_is_aborted_leaving_no_parts(s3_url: str, tmp_path: Path) -> None:
    store = media_store(s3_settings(s3_url, s3_multipart_mb=5, s3_part_mb=5), tmp_path)
    assert isinstance(store, S3MediaStore)

    class Failing:
        reads = 0

        def read(self, size: int) -> bytes:
            self.reads += 1
            if self.reads == 2:
                raise OSError("the disk went away")
            return b"x" * size

    with pytest.raises(OSError):
        store._put_parts("Projects/Film/broken.mp4", Failing(), {})
    client = raw_client(s3_url)
    assert client.list_multipart_uploads(Bucket=BUCKET).get("Uploads", []) == []
    assert not store.exists("Projects/Film/broken.mp4")


def _expiry(url: str) -> tuple[float, int, dict[str, list[str]]]:
    query = parse_qs(urlsplit(url).query)
    signed_at = datetime.strptime(query["X-Amz-Date"][0], "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC).timestamp()
    return signed_at, int(query["X-Amz-Expires"][0]), query


def test_a_presigned_get_reads_the_object_inline_under_its_name_and_expires_when_asked(s3_url: str, tmp_path: Path) -> None:
    store = media_store(s3_settings(s3_url), tmp_path)
    source = _file(tmp_path, "clip.mp4", 50_000)
    store.put("Projects/Film/clip.mp4", source, content_type="video/mp4")
    url = store.url_for_get("Projects/Film/clip.mp4", 120, filename="Scène 1.mp4")
    assert url is not None
    signed_at, expires, query = _expiry(url)
    assert expires == 120 and abs(signed_at - time.time()) < 60
    assert query["X-Amz-Algorithm"] == ["AWS4-HMAC-SHA256"] and "host" in query["X-Amz-SignedHeaders"][0]
    answer = httpx.get(url)
    assert answer.status_code == 200 and answer.content == source.read_bytes()
    assert answer.headers["content-disposition"] == "inline; filename*=UTF-8''Sc%C3%A8ne%201.mp4"


def test_a_presigned_put_uploads_straight_to_the_bucket_with_its_content_type(s3_url: str, tmp_path: Path) -> None:
    store = media_store(s3_settings(s3_url), tmp_path)
    url = store.url_for_put("Projects/Film/01_Assets/Characters/ana.png", 60, content_type="image/png")
    assert url is not None and _expiry(url)[1] == 60
    answer = httpx.put(url, content=b"\x89PNG fake", headers={"Content-Type": "image/png"})
    assert answer.status_code == 200
    assert b"".join(store.read("Projects/Film/01_Assets/Characters/ana.png")) == b"\x89PNG fake"


def test_presigned_urls_name_the_public_endpoint_when_browsers_reach_storage_elsewhere(s3_url: str, tmp_path: Path) -> None:
    store = media_store(s3_settings(s3_url, s3_public_url="https://media.studio.example"), tmp_path)
    url = store.url_for_get("Projects/Film/clip.mp4", 60)
    assert url is not None and url.startswith("https://media.studio.example/auteur-media/Projects/Film/clip.mp4?")


def test_s3_errors_are_ours_a_4xx_for_the_caller_a_503_for_the_storage(s3_url: str, tmp_path: Path) -> None:
    store = media_store(s3_settings(s3_url), tmp_path)
    with pytest.raises(ObjectNotFoundError) as missing:
        list(store.read("Projects/Film/none.mp4"))
    assert status_for(missing.value.code) == 404
    with pytest.raises(ObjectNotFoundError):
        store.size("Projects/Film/none.mp4")
    for key in ("../etc/passwd", "/abs.png", "a//b.png", "a/./b.png", "a\x00.png", "a\\b.png", ""):
        with pytest.raises(StorageKeyInvalidError) as invalid:
            store.put(key, tmp_path)
        assert status_for(invalid.value.code) == 400
    no_bucket = media_store(s3_settings(s3_url, s3_bucket="no-such-bucket"), tmp_path)
    with pytest.raises(StorageUnavailableError) as gone:
        no_bucket.put("Projects/x.png", _file(tmp_path, "x.png", 10))
    assert status_for(gone.value.code) == 503 and "AUTEUR_S3" in gone.value.message
    unreachable = media_store(s3_settings("http://127.0.0.1:9"), tmp_path)
    with pytest.raises(StorageUnavailableError) as away:
        unreachable.exists("Projects/x.png")
    assert "AUTEUR_S3_ENDPOINT_URL" in away.value.message and status_for(away.value.code) == 503
    for s3_code, ours, status in (("EntityTooLarge", "upload_too_large", 413), ("InvalidRange", "range_invalid", 416),
                                  ("InternalError", "storage_unavailable", 503)):
        error = _from_client_error(ClientError({"Error": {"Code": s3_code, "Message": "x"}}, "PutObject"), "k")
        assert isinstance(error, StorageError) and error.code == ours and status_for(ours) == status


@pytest.mark.parametrize("kind", ["local", "s3"])
def test_both_stores_keep_one_contract(kind: str, s3_url: str, tmp_path: Path) -> None:
    """What the server relies on from either: put, exists, size, read, download, delete."""
    store: MediaStore = LocalMediaStore(tmp_path) if kind == "local" else media_store(s3_settings(s3_url), tmp_path)
    source = _file(tmp_path, "source.wav", 4096)
    store.put(f"Projects/{kind}/voice.wav", source, content_type="audio/wav")
    assert store.exists(f"Projects/{kind}/voice.wav") and store.size(f"Projects/{kind}/voice.wav") == 4096
    assert b"".join(store.read(f"Projects/{kind}/voice.wav", 1000)) == source.read_bytes()
    store.download(f"Projects/{kind}/voice.wav", tmp_path / "back.wav")
    assert (tmp_path / "back.wav").read_bytes() == source.read_bytes()
    assert (store.url_for_get(f"Projects/{kind}/voice.wav", 60) is None) == (kind == "local")
    store.delete(f"Projects/{kind}/voice.wav")
    assert not store.exists(f"Projects/{kind}/voice.wav")
    with pytest.raises(ObjectNotFoundError):
        store.size(f"Projects/{kind}/voice.wav")


def test_direct_uploads_need_object_storage_and_their_tickets_expire(tmp_path: Path) -> None:
    from canvas_server.server import direct_upload as direct
    from canvas_server.settings import Settings

    settings = Settings(workspace=tmp_path, secrets_dir=tmp_path / "keys")
    request = direct.DirectUploadRequest(filename="a.png", category="Styles", size=10)
    with pytest.raises(direct.DirectUploadUnavailableError) as local:
        direct.issue(settings, LocalMediaStore(tmp_path), "Film", "cy", request)
    assert status_for(local.value.code) == 409

    class Signing(LocalMediaStore):
        remote = True  # type: ignore[assignment]

        def url_for_put(self, key: str, ttl_s: int, *, content_type: str) -> str | None:
            return f"https://storage.example/{key}"

    short = Settings(workspace=tmp_path, secrets_dir=tmp_path / "keys", s3_url_ttl_s=1)
    ticket = direct.issue(short, Signing(tmp_path), "Film", "cy", request).ticket
    assert direct.redeem(short, ticket, "Film", "cy")["c"] == "Styles"
    time.sleep(1.1)
    with pytest.raises(direct.UploadTicketInvalidError) as expired:
        direct.redeem(short, ticket, "Film", "cy")
    assert expired.value.details == {"reason": "expired"} and status_for(expired.value.code) == 403


def _count_heads(store: S3MediaStore) -> list[str]:
    """The keys of every HEAD the store sends from now on."""
    heads: list[str] = []
    store._client.meta.events.register("before-parameter-build.s3.HeadObject",
                                       lambda params, **_: heads.append(params["Key"]))
    return heads


def test_an_object_seen_stored_is_asked_for_once_and_writes_and_deletes_update_what_is_known(
        s3_url: str, tmp_path: Path) -> None:
    server = media_store(s3_settings(s3_url, s3_prefix="known"), tmp_path)
    worker = media_store(s3_settings(s3_url, s3_prefix="known"), tmp_path)  # another process's store
    assert isinstance(server, S3MediaStore) and isinstance(worker, S3MediaStore)
    heads = _count_heads(server)
    source = _file(tmp_path, "take01.png", 1000)

    assert not server.exists("a/take01.png") and not server.exists("a/take01.png")
    assert heads == ["known/a/take01.png"] * 2  # "not there" is asked afresh: a worker may upload it
    worker.put("a/take01.png", source)
    assert [server.exists("a/take01.png") for _ in range(5)] == [True] * 5
    assert len(heads) == 3  # seen once, then known

    server.delete("a/take01.png")
    assert not server.exists("a/take01.png") and len(heads) == 4  # its own delete: asked again
    server.put("a/take01.png", source)
    assert server.exists("a/take01.png") and len(heads) == 4  # its own write: known without asking

    worker.delete("a/take01.png")  # another process's delete is noticed once the entry expires
    server.present.ttl_s = 0.2
    time.sleep(0.3)
    assert not server.exists("a/take01.png") and len(heads) == 5
