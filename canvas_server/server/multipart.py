"""Streamed multipart uploads: the body is parsed as it arrives (python-multipart's streaming
parser) and the one file part goes straight into a sink (a temp file beside its target), so an
oversized upload is refused after at most its limit in bytes and nothing is held in memory.
The asset upload and ComfyUI's `/upload/image` both read their bodies here."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Generic, Protocol, TypeVar

from fastapi import Request
from python_multipart.exceptions import MultipartParseError
from python_multipart.multipart import MultipartParser, parse_options_header

from nodes.sdk import AuteurError

FIELD_LIMIT = 1024  # a text field (`category`, `subfolder`, …)
_MULTIPART_SLACK = 64 * 1024  # boundaries and part headers around the file


class UploadSink(Protocol):
    def write(self, chunk: bytes) -> None: ...

    def abort(self) -> None: ...


Sink = TypeVar("Sink", bound=UploadSink)


class _Reader(Generic[Sink]):
    """Callbacks for MultipartParser: the `file_field` part to a sink, other parts to fields."""

    def __init__(self, file_field: str, open_sink: Callable[[str], Sink]) -> None:
        self.file_field = file_field
        self.open_sink = open_sink
        self.sink: Sink | None = None
        self.fields: dict[str, bytearray] = {}
        self._headers: dict[str, str] = {}
        self._field = self._value = b""
        self._name: str | None = None

    def callbacks(self) -> dict[str, Any]:
        return {
            "on_part_begin": self._part_begin,
            "on_header_field": lambda data, start, end: self._add("_field", data[start:end]),
            "on_header_value": lambda data, start, end: self._add("_value", data[start:end]),
            "on_header_end": self._header_end,
            "on_headers_finished": self._headers_finished,
            "on_part_data": self._part_data,
        }

    def _add(self, attr: str, chunk: bytes) -> None:
        setattr(self, attr, getattr(self, attr) + chunk)

    def _part_begin(self) -> None:
        self._headers, self._name = {}, None

    def _header_end(self) -> None:
        # latin-1 keeps the raw bytes: the filename parameter is decoded as UTF-8 below.
        self._headers[self._field.decode("latin-1").lower()] = self._value.decode("latin-1")
        self._field = self._value = b""

    def _headers_finished(self) -> None:
        _, params = parse_options_header(self._headers.get("content-disposition", ""))
        self._name = params.get(b"name", b"").decode("utf-8", "replace")
        if self._name == self.file_field:
            if self.sink is not None:
                raise AuteurError(f"send one `{self.file_field}` part per upload", code="bad_request")
            self.sink = self.open_sink(params.get(b"filename", b"upload").decode("utf-8", "replace"))
        else:
            self.fields[self._name] = bytearray()

    def _part_data(self, data: bytes, start: int, end: int) -> None:
        if self._name == self.file_field and self.sink is not None:
            self.sink.write(data[start:end])
            return
        value = self.fields.setdefault(self._name or "", bytearray())
        value += data[start:end]
        if len(value) > FIELD_LIMIT:
            raise AuteurError(f"form field {self._name!r} is too long", code="bad_request")


async def receive_upload(
    request: Request, file_field: str, open_sink: Callable[[str], Sink], limit: int, too_large: Exception,
) -> tuple[Sink, dict[str, str]]:
    """The sink that holds the file part (opened with the client's file name) and the text
    fields; `too_large` is raised before a byte is read when Content-Length says so. On any
    failure the sink is aborted (nothing is left behind)."""
    content_type, params = parse_options_header(request.headers.get("content-type", ""))
    if content_type != b"multipart/form-data" or b"boundary" not in params:
        raise AuteurError(f"upload as multipart/form-data with a `{file_field}` part", code="bad_request")
    length = request.headers.get("content-length", "")
    if length.isdigit() and int(length) > limit + _MULTIPART_SLACK:
        raise too_large
    reader = _Reader(file_field, open_sink)
    parser = MultipartParser(params[b"boundary"], reader.callbacks())  # type: ignore[arg-type]
    try:
        try:
            async for chunk in request.stream():
                parser.write(chunk)
            parser.finalize()
        except MultipartParseError as exc:
            raise AuteurError("the multipart body cannot be parsed (a part header may hold CR/LF or be too long)",
                              code="bad_request") from exc
        if reader.sink is None:
            raise AuteurError(f"the upload has no `{file_field}` part", code="bad_request")
        fields = {name: value.decode("utf-8", "replace").strip() for name, value in reader.fields.items()}
        return reader.sink, fields
    except BaseException:
        if reader.sink is not None:
            reader.sink.abort()
        raise
