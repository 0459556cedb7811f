"""Downloading a provider's result: size-limited while it streams, and accepted only when its
first bytes are the kind of media the node asked for (a provider, or whoever answers in its
place, never gets an HTML page or a huge file saved as a take)."""

from __future__ import annotations

from typing import Literal

import httpx

from .._errors import NodeExecutionError

Expected = Literal["video", "audio", "image"]
DEFAULT_MAX_BYTES = 512 * 1024 * 1024
_IMAGE = ((b"\x89PNG\r\n\x1a\n", ".png"), (b"\xff\xd8\xff", ".jpg"))


def sniff_suffix(head: bytes) -> tuple[Expected, str] | None:
    """The media kind and file suffix that `head` (a file's first bytes) starts, else None."""
    if head[4:8] == b"ftyp":
        return ("audio", ".m4a") if head[8:11] == b"M4A" else ("video", ".mp4")
    if head.startswith(b"\x1aE\xdf\xa3"):
        return "video", ".webm"
    if head[:4] == b"RIFF" and head[8:12] == b"WAVE":
        return "audio", ".wav"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image", ".webp"
    if head.startswith((b"ID3", b"\xff\xfb", b"\xff\xf3", b"\xff\xf2")):
        return "audio", ".mp3"
    if head.startswith(b"fLaC"):
        return "audio", ".flac"
    for magic, suffix in _IMAGE:
        if head.startswith(magic):
            return "image", suffix
    return None


def check_media(data: bytes, expected: Expected | tuple[Expected, ...], source: str) -> str:
    """The suffix of `data` when it is `expected` media (one kind, or any of several), else a
    node error (`provider_bad_media`)."""
    kinds = (expected,) if isinstance(expected, str) else expected
    found = sniff_suffix(data[:16])
    if found is None or found[0] not in kinds:
        wanted = " or ".join(kinds)
        raise NodeExecutionError(f"{source} did not answer with {wanted} (got {found[0] if found else 'unknown'} "
                                 "bytes); nothing was saved", code="provider_bad_media",
                                 details={"expected": list(kinds), "found": found[0] if found else None})
    return found[1]


def download(client: httpx.Client, url: str, expected: Expected | tuple[Expected, ...], *, source: str,
             max_bytes: int = DEFAULT_MAX_BYTES, headers: dict[str, str] | None = None) -> tuple[bytes, str]:
    """GET `url` as `expected` media (at most `max_bytes`): its bytes and file suffix. Transport
    errors and 4xx/5xx answers raise httpx's own errors, for the provider's classifier."""
    chunks: list[bytes] = []
    size = 0
    with client.stream("GET", url, headers=headers or {}) as answer:
        answer.raise_for_status()
        declared = answer.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > max_bytes:
            raise _too_large(source, int(declared), max_bytes)
        for chunk in answer.iter_bytes():
            size += len(chunk)
            if size > max_bytes:
                raise _too_large(source, size, max_bytes)
            chunks.append(chunk)
    data = b"".join(chunks)
    return data, check_media(data, expected, source)


def _too_large(source: str, size: int, limit: int) -> NodeExecutionError:
    return NodeExecutionError(f"{source} sent more than {limit // (1024 * 1024)} MiB; nothing was saved",
                              code="provider_download_too_large", details={"bytes": size, "limitBytes": limit})
