"""A real server gzips the editor's first load and its JSON answers for a client that accepts
it, and leaves range requests on media, media types and the event socket as they were."""

from __future__ import annotations

import gzip
import json
import re
from pathlib import Path

import httpx
from integration.server_harness import ServerProcess
from websockets.sync.client import connect

from canvas_server.server.app import MIN_GZIP_BYTES

from .conftest import make_media

IDENTITY = {"Accept-Encoding": "identity"}
GZIP = {"Accept-Encoding": "gzip"}


def first_load_urls(client: httpx.Client) -> list[str]:
    """index.html, the assets it links and the JSON the editor asks for on start."""
    index = client.get("/", headers=IDENTITY).text
    assets = re.findall(r'(?:src|href)="(/assets/[^"]+)"', index)
    assert assets, index
    return ["/", *assets, "/api/nodes", "/api/projects", "/api/templates"]


def wire_bytes(client: httpx.Client, url: str, headers: dict[str, str]) -> tuple[int, str | None, bytes]:
    """Bytes as they came over the wire, the Content-Encoding, and the decoded body."""
    with client.stream("GET", url, headers=headers) as response:
        assert response.status_code == 200, (url, response.status_code)
        raw = b"".join(response.iter_raw())
        encoding = response.headers.get("content-encoding")
    return len(raw), encoding, gzip.decompress(raw) if encoding == "gzip" else raw


def test_the_first_load_and_json_answers_are_gzipped_for_a_client_that_accepts_it(
    editor_server: ServerProcess,
) -> None:
    totals = {"identity": 0, "gzip": 0}
    with httpx.Client(base_url=editor_server.url, timeout=30) as client:
        for url in first_load_urls(client):
            plain_size, plain_encoding, plain = wire_bytes(client, url, IDENTITY)
            packed_size, packed_encoding, unpacked = wire_bytes(client, url, GZIP)
            assert plain_encoding is None, url
            assert packed_encoding == ("gzip" if plain_size >= MIN_GZIP_BYTES else None), (url, plain_size)
            assert unpacked == plain or url.startswith("/api/"), url  # API lists may change between calls
            totals["identity"] += plain_size
            totals["gzip"] += packed_size
            print(f"{url}: {plain_size} B plain, {packed_size} B gzip")
    print(f"first load: {totals['identity'] / 1024:.0f} KB plain, {totals['gzip'] / 1024:.0f} KB gzip")
    assert totals["gzip"] * 3 < totals["identity"], totals


def test_a_range_request_on_media_is_a_plain_206_with_exactly_the_bytes_asked(
    editor_server: ServerProcess, project: str, tmp_path: Path
) -> None:
    clip = make_media("video", tmp_path / "clip.mp4", seconds=1.0)
    with httpx.Client(base_url=editor_server.url, timeout=30) as client:
        with clip.open("rb") as handle:
            uploaded = client.post(f"/api/projects/{project}/assets", data={"category": "Locations"},
                                   files={"file": ("clip.mp4", handle, "application/octet-stream")})
        assert uploaded.status_code == 201, uploaded.text
        files = f"/api/projects/{project}/files"
        for path, expected in ((uploaded.json()["path"], clip.read_bytes()), ("project.json", None)):
            whole = client.get(files, params={"path": path}, headers=IDENTITY).content
            assert expected is None or whole == expected
            with client.stream("GET", files, params={"path": path},
                               headers={**GZIP, "Range": "bytes=100-299"}) as answer:
                raw = b"".join(answer.iter_raw())
                assert answer.status_code == 206, path
                assert "content-encoding" not in answer.headers, path
                assert answer.headers["content-range"] == f"bytes 100-299/{len(whole)}"
            assert raw == whole[100:300], path
        # A whole video is never gzipped either: it is compressed already.
        video = client.get(files, params={"path": uploaded.json()["path"]}, headers=GZIP)
        assert video.status_code == 200 and "content-encoding" not in video.headers


def test_the_event_socket_still_works_behind_the_compression(editor_server: ServerProcess) -> None:
    # The sync client: Playwright keeps an event loop running in this package (conftest.py).
    with connect(f"{editor_server.ws_url}?client_id=gzip-socket", additional_headers=GZIP) as socket:
        assert json.loads(socket.recv(timeout=10))["type"] == "heartbeat"
