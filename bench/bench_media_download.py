"""Media download benchmark (issue 25): a 200 MB take downloaded through a presigned URL
(a 307 from the files route, then the bytes straight from the S3-compatible store) against the
same bytes streamed by the server itself (a file that is not in the bucket), on one real
`auteur serve` with object storage on. The store is moto's standalone S3 server (no MinIO
binary here): its own speed is not MinIO's, so the figure that carries over is the server's
share of the work, printed beside the times (bytes the server sent, its CPU seconds)."""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import boto3
import httpx

from nodes.sdk import SharedSettings, layout
from nodes.sdk.storage import media_store

from .serving import free_port, start_auteur, stop

SIZE_MB = 200
ROUNDS = 3
BUCKET = "auteur-bench"
CREDENTIALS = {"AUTEUR_S3_ACCESS_KEY_ID": "bench", "AUTEUR_S3_SECRET_ACCESS_KEY": "bench-secret"}


def _start_moto(port: int) -> subprocess.Popen[bytes]:
    process = subprocess.Popen([sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            httpx.get(f"http://127.0.0.1:{port}/", timeout=1)
            return process
        except httpx.HTTPError:
            time.sleep(0.1)
    process.kill()
    raise RuntimeError("moto's S3 server did not start")


def _cpu_s(pid: int) -> float:
    """User + system CPU seconds of a process and its children (the server and its pool)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(") ", 1)[1].split()
    return sum(int(value) for value in fields[11:15]) / os.sysconf("SC_CLK_TCK")


def _download(client: httpx.Client, path: str) -> tuple[float, int, bool]:
    """Seconds to read the whole file, bytes read, whether it came through a redirect."""
    started = time.perf_counter()
    read = 0
    with client.stream("GET", "/api/projects/Film/files", params={"path": path}) as response:
        response.raise_for_status()
        for chunk in response.iter_bytes(1 << 20):
            read += len(chunk)
        redirected = bool(response.history)
    return time.perf_counter() - started, read, redirected


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        workspace = Path(folder) / "ws"
        workspace.mkdir()
        s3_port, port = free_port(), free_port()
        moto = _start_moto(s3_port)
        url = f"http://127.0.0.1:{s3_port}"
        boto3.client("s3", endpoint_url=url, region_name="us-east-1", aws_access_key_id="bench",
                     aws_secret_access_key="bench-secret").create_bucket(Bucket=BUCKET)
        env = {"AUTEUR_S3_BUCKET": BUCKET, "AUTEUR_S3_ENDPOINT_URL": url, **CREDENTIALS}
        server = start_auteur(workspace, port, env)
        try:
            with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=600, follow_redirects=True) as client:
                client.post("/api/projects", json={"name": "Film"}).raise_for_status()
                _measure(client, workspace, url, server.pid)
        finally:
            stop(server)
            moto.kill()
            moto.wait(timeout=10)


def _measure(client: httpx.Client, workspace: Path, url: str, server_pid: int) -> None:
    shot = f"{layout.RENDERS_DIR}/Chapter_01/Scene_01/Shot_01"
    folder = workspace / "Projects" / "Film" / shot
    folder.mkdir(parents=True, exist_ok=True)
    stored, local = folder / "bench_stored.mp4", folder / "bench_local.mp4"
    with stored.open("wb") as handle:
        for _ in range(SIZE_MB):
            handle.write(os.urandom(1 << 20))
    os.link(stored, local)  # the same bytes; only `stored` goes to the bucket
    store = media_store(SharedSettings(s3_bucket=BUCKET, s3_endpoint_url=url, s3_access_key_id="bench",
                                       s3_secret_access_key="bench-secret"), workspace)
    started = time.perf_counter()
    store.put(f"Projects/Film/{shot}/bench_stored.mp4", stored, content_type="video/mp4")
    upload_s = time.perf_counter() - started
    print(f"upload of {SIZE_MB} MB to the bucket (multipart, 16 MiB parts): {upload_s:.2f} s "
          f"({SIZE_MB / upload_s:.0f} MB/s)")
    times: dict[str, list[float]] = {"presigned": [], "server": []}
    cpu: dict[str, list[float]] = {"presigned": [], "server": []}
    for _ in range(ROUNDS):
        for kind, name in (("presigned", "bench_stored.mp4"), ("server", "bench_local.mp4")):
            before = _cpu_s(server_pid)
            seconds, read, redirected = _download(client, f"{shot}/{name}")
            cpu[kind].append(_cpu_s(server_pid) - before)
            assert read == SIZE_MB << 20 and redirected == (kind == "presigned"), (kind, read, redirected)
            times[kind].append(seconds)
    for kind, label in (("presigned", "via presigned URL (307, then the store)"), ("server", "through the server")):
        median = statistics.median(times[kind])
        print(f"{SIZE_MB} MB {label:40s} median {median:6.2f} s ({SIZE_MB / median:5.0f} MB/s), "
              f"server CPU {statistics.median(cpu[kind]):.2f} s, server sent "
              f"{0 if kind == 'presigned' else SIZE_MB} MB")
    ratio = statistics.median(times["presigned"]) / statistics.median(times["server"])
    print(f"presigned / through the server: {ratio:.2f}x wall time "
          f"(moto's Python S3 server stands in for MinIO); the server's CPU per download: "
          f"{statistics.median(cpu['presigned']):.2f} s vs {statistics.median(cpu['server']):.2f} s")


if __name__ == "__main__":
    main()
