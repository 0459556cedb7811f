"""Serving both apps (main and ComfyUI) on one event loop from sockets `auteur serve` has
already bound, driven by the main app's one lifespan: listen only once the services are
ready; on SIGTERM/SIGINT answer 503 at once, stop listening, let requests in flight finish,
and stop the services last."""

from __future__ import annotations

import asyncio
import contextlib
import signal
import socket
from collections.abc import Callable, Iterator

import uvicorn

from ..comfy import create_comfy_app
from ..governance.redact import redact_server_logs
from ..runs.workspace_lock import WorkspaceLock
from ..settings import Settings
from .app import create_app


class _Server(uvicorn.Server):
    """A uvicorn server that leaves signals to `serve_both`, which stops both servers."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


async def serve_both(settings: Settings, log_level: str, lock: WorkspaceLock | None, sockets: list[socket.socket],
                     on_ready: Callable[[], None]) -> None:
    """`sockets`: the main port's, then the ComfyUI port's when that API is on; `on_ready` is
    called once the services have started, as both servers begin to listen."""
    main_app = create_app(settings, lock=lock)
    lifecycle = main_app.state.lifecycle
    apps = [main_app, create_comfy_app(lifecycle)][:len(sockets)]
    servers = [_Server(uvicorn.Config(app, log_level=log_level, lifespan="off")) for app in apps]
    redact_server_logs()  # after uvicorn.Config, which (re)configures its loggers
    stop = asyncio.Event()

    def on_signal() -> None:
        if stop.is_set():  # a second Ctrl-C: stop waiting for the requests in flight
            for server in servers:
                server.force_exit = True
        stop.set()

    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, on_signal)
    async with main_app.router.lifespan_context(main_app):
        if stop.is_set():  # stopped while starting: never listen
            return
        serving = [asyncio.create_task(server.serve(sockets=[sock])) for server, sock in zip(servers, sockets, strict=True)]
        on_ready()
        stopped = asyncio.create_task(stop.wait())
        await asyncio.wait([stopped, *serving], return_when=asyncio.FIRST_COMPLETED)
        lifecycle.begin_shutdown()  # new requests get 503 while those in flight finish
        for server in servers:
            server.should_exit = True
        stopped.cancel()
        await asyncio.gather(*serving, return_exceptions=True)
