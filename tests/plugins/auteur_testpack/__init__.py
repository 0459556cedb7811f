"""A third-party-style node pack used by the tests: installed through its own dist-info
(entry point `testpack`), it provides slow, failing and crashing nodes."""


import os
import time
from pathlib import Path
from typing import Annotated, Any

import typer
from fastapi import APIRouter, Depends
from pydantic import BaseModel

from nodes.sdk import (
    Input,
    Node,
    Output,
    Outputs,
    Pack,
    PackHost,
    PackRoutes,
    RouteHost,
    RunContext,
    node,
)


class SleepOut(Outputs):
    value: Any = Output(socket="*")
    pid: int = Output(socket="INT")


class PidOut(Outputs):
    pid: int = Output(socket="INT")
    loads: int = Output(socket="INT")


class FailOut(Outputs):
    value: Any = Output(socket="*")


@node("test.sleep", title="Sleep", category="Test", runs_on="runner", maturity="STUDENT")
class Sleep(Node):
    """Sleep (without checking for cancellation), then pass `value` through."""

    seconds: float = Input(0.5, ge=0)
    value: Any = Input(None, socket="*")
    pid_file: str = Input("", description="If set, write this process's pid there first")

    def run(self, ctx: RunContext) -> SleepOut:
        if self.pid_file:
            Path(self.pid_file).write_text(str(os.getpid()))
        ctx.progress(0.0, "sleeping")
        deadline = time.monotonic() + self.seconds
        while (left := deadline - time.monotonic()) > 0:
            time.sleep(min(left, 0.05))
        ctx.progress(1.0, "done")
        return SleepOut(value=self.value, pid=os.getpid())


@node("test.fail", title="Fail", category="Test", runs_on="runner", maturity="STUDENT")
class Fail(Node):
    """Raise an error with the given message."""

    message: str = Input("boom")
    value: Any = Input(None, socket="*")

    def run(self, ctx: RunContext) -> FailOut:
        raise ValueError(self.message)


@node("test.crash", title="Crash", category="Test", runs_on="runner", maturity="STUDENT")
class Crash(Node):
    """Kill the runner process outright, as a segfaulting extension would."""

    code: int = Input(3)

    def run(self, ctx: RunContext) -> FailOut:
        os._exit(self.code)


@node("test.pid", title="Process id", category="Test", runs_on="runner", maturity="STUDENT", cache=False)
class Pid(Node):
    """Report the runner process id and how many models that process has loaded."""

    model: str = Input("warm-model")

    def run(self, ctx: RunContext) -> PidOut:
        ctx.models.get_or_load(self.model, lambda: object())
        return PidOut(pid=os.getpid(), loads=ctx.models.loads)


@node("test.progress", title="Progress", category="Test", runs_on="runner", maturity="STUDENT")
class Progress(Node):
    """Report `steps` progress updates as fast as possible."""

    steps: int = Input(1000, ge=1)

    def run(self, ctx: RunContext) -> FailOut:
        for index in range(self.steps):
            ctx.progress((index + 1) / self.steps, f"step {index + 1}")
        return FailOut(value=self.steps)


@node("test.ffmpeg_long", title="Long ffmpeg", category="Test", runs_on="runner", maturity="STUDENT", cache=False)
class FfmpegLong(Node):
    """Run ffmpeg in real time for `seconds` (testsrc to null) WITHOUT checking for
    cancellation, as a node wrapping an external tool may: only a process kill stops it."""

    seconds: float = Input(60.0, ge=0)
    pid_file: str = Input("", description="If set, write the ffmpeg process id there")

    def run(self, ctx: RunContext) -> FailOut:
        import subprocess

        process = subprocess.Popen(
            ["ffmpeg", "-hide_banner", "-loglevel", "error", "-nostdin", "-re", "-f", "lavfi",
             "-i", f"testsrc=size=160x120:rate=10:duration={self.seconds}", "-f", "null", "-"],
        )
        if self.pid_file:
            Path(self.pid_file).write_text(str(process.pid))
        return FailOut(value=process.wait())


class ItemsOut(Outputs):
    items: list[Any] = Output(socket="*", is_list=True)


class CollectedOut(Outputs):
    count: int = Output(socket="INT")
    items: list[Any] = Output(socket="*", is_list=True)


@node("test.items", title="Items", category="Test", maturity="STUDENT")
class Items(Node):
    """Emit `values` (comma-separated) as a list output: the start of a fan-out."""

    values: str = Input("a,b,c")

    def run(self, ctx: RunContext) -> ItemsOut:
        return ItemsOut(items=[value for value in self.values.split(",") if value])


@node("test.collect", title="Collect", category="Test", maturity="STUDENT", output_node=True)
class Collect(Node):
    """Take a whole list (the end of a fan-out) and record it."""

    values: list[Any] = Input(socket="*", is_list=True)

    def run(self, ctx: RunContext) -> CollectedOut:
        return CollectedOut(count=len(self.values), items=list(self.values))


@node("test.audited", title="Audited action", category="Test", runs_on="runner", maturity="SUPERVISED",
      cache=False)
class Audited(Node):
    """Report an action to the audit log (as a speaker node reports a playback), then pass
    `value` through."""

    target: str = Input("studio")
    value: Any = Input(None, socket="*")

    def run(self, ctx: RunContext) -> FailOut:
        ctx.audit("touch", target=self.target, node_id="forged")
        return FailOut(value=self.value)


class PathOut(Outputs):
    path: str = Output(socket="TEXT")


class TextOut(Outputs):
    text: str = Output(socket="TEXT")


@node("test.write", title="Write file", category="Test", maturity="STUDENT")
class WriteFile(Node):
    """Write `text` into a file of this execution's own folder and name it."""

    text: str = Input("hello")

    def run(self, ctx: RunContext) -> PathOut:
        written = ctx.scratch_dir() / "note.txt"
        written.write_text(self.text)
        return PathOut(path=str(written))


@node("test.pass", title="Pass through", category="Test", maturity="STUDENT")
class PassThrough(Node):
    """Pass a path on unchanged: its reader is then a grandchild of the file's writer."""

    path: str = Input(socket="TEXT")

    def run(self, ctx: RunContext) -> PathOut:
        return PathOut(path=self.path)


@node("test.read", title="Read file", category="Test", maturity="STUDENT", output_node=True)
class ReadFile(Node):
    """Read a file through the run's sandbox (its roots decide what is reachable)."""

    path: str = Input(socket="TEXT")
    suffix: str = Input("", description="Appended: a new suffix is a new execution of the reader alone")

    def run(self, ctx: RunContext) -> TextOut:
        return TextOut(text=ctx.sandbox.resolve(self.path, must_exist=True).read_text() + self.suffix)


@node("test.draft", title="Draft (agent double)", category="Test/Agents", maturity="STUDENT")
class Draft(Node):
    """A deterministic stand-in for a language-model agent: an agent result about `prompt`,
    unsure of itself until a reviewer's `feedback` is taken into account."""

    prompt: str = Input("a scene")
    feedback: str = Input("", multiline=True)

    def run(self, ctx: RunContext) -> FailOut:
        notes = [line for line in self.feedback.splitlines() if line.strip()]
        content = f"Draft of {self.prompt}" + "".join(f" (revised: {note})" for note in notes)
        confidence = 0.9 if notes else 0.4
        return FailOut(value={"content": content, "confidence": confidence, "needs_review": confidence < 0.6,
                              "model": "test:draft", "reasons": [] if notes else ["first draft"]})


# What the pack brings besides nodes, through the SDK's hooks only (no import of the server).
class Sealed(BaseModel):
    principal: str
    sealed: str


class Pong(BaseModel):
    pong: str


def _routes(host: RouteHost) -> PackRoutes:
    router, public = APIRouter(), APIRouter()

    @router.post("/seal")
    def seal(principal: Annotated[str, Depends(host.caller)], text: str) -> Sealed:
        """The caller's name, and `text` sealed with the server's secret."""
        return Sealed(principal=principal, sealed=host.secret_box().encrypt(text.encode()).decode())

    @public.get("/ping")
    def ping() -> Pong:
        return Pong(pong=host.state_dir.name)

    return PackRoutes(authorized=router, public=public)


def _commands(host: PackHost) -> dict[str, typer.Typer]:
    hello = typer.Typer(add_completion=False)

    @hello.callback(invoke_without_command=True)
    def main(name: str = "world") -> None:
        """Greet, and show that the CLI lent the workspace's state folder."""
        typer.echo(f"hello {name} from testpack ({host.state_dir})")

    return {"testpack-hello": hello}


PACK = Pack(routes=_routes, commands=_commands)
