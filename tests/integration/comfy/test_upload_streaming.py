"""ComfyUI's `/upload/image` streams the upload to disk under the upload limit: the server's
peak memory does not grow with the upload, and an upload over the limit leaves nothing."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import httpx

from function_runners.execute import principal_scratch

from ..server_harness import ServerProcess, free_port

MIB = 1024 * 1024


def peak_rss_mib(pid: int) -> float:
    status = Path(f"/proc/{pid}/status").read_text()
    line = next(line for line in status.splitlines() if line.startswith("VmHWM:"))
    return int(line.split()[1]) / 1024


def multipart(boundary: str, name: str, size: int) -> Iterator[bytes]:
    """A multipart body made as it is sent: the client holds one chunk at a time too."""
    yield (f'--{boundary}\r\nContent-Disposition: form-data; name="image"; filename="{name}"\r\n'
           "Content-Type: image/png\r\n\r\n").encode()
    chunk = os.urandom(MIB)
    for _ in range(size // MIB):
        yield chunk
    yield f'\r\n--{boundary}\r\nContent-Disposition: form-data; name="subfolder"\r\n\r\nbig\r\n--{boundary}--\r\n'.encode()


def test_a_large_upload_is_streamed_to_disk_and_one_over_the_limit_leaves_nothing(tmp_path: Path) -> None:
    uploads = principal_scratch(tmp_path / "ws", "local") / "Library" / "Uploads"  # the local user's own
    server = ServerProcess(tmp_path / "ws", {"AUTEUR_MAX_UPLOAD_MB": "96"}, comfyui_port=free_port()).start()
    try:
        assert server.process is not None
        headers = {"content-type": "multipart/form-data; boundary=XyZ"}
        with httpx.Client(base_url=server.comfy_url, timeout=120) as client:
            client.get("/system_stats")
            before = peak_rss_mib(server.process.pid)
            answer = client.post("/upload/image", content=multipart("XyZ", "huge.png", 80 * MIB), headers=headers)
            assert answer.status_code == 200, answer.text
            grown = peak_rss_mib(server.process.pid) - before
            refused = client.post("/upload/image", content=multipart("XyZ", "over.png", 100 * MIB), headers=headers)
        assert (uploads / "big" / "huge.png").stat().st_size == 80 * MIB
        print(f"peak RSS grew {grown:.1f} MiB for an 80 MiB upload")
        assert grown < 40, grown  # reading it whole would need 80 MiB at least
        assert refused.status_code == 413 and refused.json()["error"]["code"] == "upload_too_large"
        assert not (uploads / "big" / "over.png").exists()
        assert not list((tmp_path / "ws" / ".auteur" / "comfy").glob(".upload-*"))
    finally:
        server.stop()
