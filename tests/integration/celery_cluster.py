"""Real services for the Celery runner tests: a `redis-server` on a free port and
`auteur worker` processes, one per tier, exactly as an operator starts them."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import redis

AUTEUR = str(Path(sys.executable).with_name("auteur"))
WORKER_PACKS = "core,testpack,media,production"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_until(condition: object, timeout: float, what: str, interval: float = 0.05) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():  # type: ignore[operator]
            return
        time.sleep(interval)
    raise TimeoutError(f"timed out after {timeout} s waiting for {what}")


def process_alive(pid: int) -> bool:
    """True while `pid` runs (a zombie waiting to be reaped counts as gone)."""
    try:
        with open(f"/proc/{pid}/stat") as handle:
            return handle.read().rsplit(") ", 1)[1][0] != "Z"
    except (FileNotFoundError, ProcessLookupError):
        return False


class RedisServer:
    """`redis-server --port N --save '' --appendonly no`, restartable on the same port."""

    def __init__(self, directory: Path, port: int | None = None) -> None:
        self.directory = directory
        self.port = port or free_port()
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> RedisServer:
        binary = shutil.which("redis-server") or "/usr/bin/redis-server"
        self.directory.mkdir(parents=True, exist_ok=True)
        self.process = subprocess.Popen(
            [binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--dir", str(self.directory)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        client = redis.Redis(port=self.port, socket_connect_timeout=0.2)
        wait_until(lambda: _pings(client), 10, f"redis on port {self.port}")
        client.close()
        return self

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=5)
        self.process = None


def _pings(client: redis.Redis) -> bool:
    try:
        return bool(client.ping())
    except redis.RedisError:
        return False


@dataclass
class Worker:
    """One `auteur worker --tier T` process (its own session: pool processes die with it)."""

    tier: str
    broker_url: str
    log: Path
    concurrency: int = 1
    extra_env: dict[str, str] = field(default_factory=dict)
    process: subprocess.Popen[bytes] | None = None

    def start(self) -> Worker:
        env = {**os.environ, "AUTEUR_BROKER_URL": self.broker_url,
               "AUTEUR_LOAD_PLUGINS": WORKER_PACKS, **self.extra_env}
        name = f"{self.tier}-{uuid.uuid4().hex[:8]}@test"
        self.log.parent.mkdir(parents=True, exist_ok=True)
        with open(self.log, "ab") as out:
            self.process = subprocess.Popen(
                [AUTEUR, "worker", "--tier", self.tier, "--concurrency", str(self.concurrency),
                 "--name", name, "--loglevel", "info"],
                env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
        wait_until(self._ready, 60, f"the {self.tier} worker to be ready (log: {self.log})", 0.1)
        return self

    def _ready(self) -> bool:
        assert self.process is not None
        if self.process.poll() is not None:
            raise RuntimeError(f"worker exited at start:\n{self.log.read_text()[-3000:]}")
        return " ready." in self.log.read_text(errors="replace")

    def kill9(self) -> None:
        """`kill -9` the worker; its pool processes die with it (parent-death signal)."""
        assert self.process is not None
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=5)

    def terminate(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=5)


@dataclass
class Cluster:
    """Redis plus one worker per tier (`standard` with two pool processes)."""

    redis: RedisServer
    workers: dict[str, Worker]

    @property
    def broker_url(self) -> str:
        return self.redis.url

    def stop(self) -> None:
        for worker in self.workers.values():
            worker.terminate()  # all at once: warm shutdowns overlap
        for worker in self.workers.values():
            worker.stop()
        self.redis.stop()


def start_cluster(directory: Path, *, extra_env: dict[str, str] | None = None,
                  concurrency: dict[str, int] | None = None) -> Cluster:
    server = RedisServer(directory / "redis").start()
    sizes = {"low": 1, "standard": 2, "high": 1, **(concurrency or {})}
    workers: dict[str, Worker] = {}
    try:
        for tier, size in sizes.items():
            workers[tier] = Worker(tier, server.url, directory / f"worker-{tier}.log", size,
                                   extra_env or {}).start()
    except BaseException:
        Cluster(server, workers).stop()
        raise
    return Cluster(server, workers)
