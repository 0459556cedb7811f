"""`production.final_draft`: a screenplay between Final Draft and Fountain — an `.fdx` brought
into the project becomes its Fountain screenplay, the Fountain screenplay goes out as `.fdx`."""

from __future__ import annotations

from pathlib import PurePosixPath

from nodes.sdk import (
    Input,
    Node,
    NodeExecutionError,
    Output,
    Outputs,
    RunContext,
    atomic_write_text,
    node,
)
from nodes.sdk.preproduction import FdxError

from .screenplay.finaldraft import fdx_to_fountain, fountain_to_fdx

FOUNTAIN_SUFFIXES = (".fountain", ".txt", ".spmd")


class Converted(Outputs):
    script: str = Output(description="The converted screenplay, beside the original (a path in the project)")


def read_screenplay(ctx: RunContext, script: str) -> tuple[str, str]:
    """The screenplay's text and suffix; an `.fdx` as Fountain (BOM dropped either way)."""
    path = ctx.resolve(script, must_exist=True)
    suffix = path.suffix.lower()
    if suffix not in (*FOUNTAIN_SUFFIXES, ".fdx"):
        raise NodeExecutionError(f"{script}: a screenplay must be .fountain, .fdx or .txt", code="script_unsupported")
    text = path.read_text(encoding="utf-8-sig")
    if suffix != ".fdx":
        return text, suffix
    try:
        return fdx_to_fountain(text), suffix
    except FdxError as exc:
        raise NodeExecutionError(f"{script}: {exc}", code="script_invalid") from None


@node("production.final_draft", title="Final Draft ⇄ Fountain", category="Production/Script",
      version="1.0.0", maturity="INTERN", runs_on="inline")
class FinalDraft(Node):
    """Convert a screenplay: `.fdx` → `.fountain`, `.fountain`/`.txt` → `.fdx`, written beside it
    (title page, scene headings and numbers, action, characters, parentheticals, dialogue, dual
    dialogue and transitions survive the round trip)."""

    script: str = Input(description="e.g. 02_Source_Creative/Scripts/pilot.fdx", widget="path", tracks_file=True,
                        picks="script")

    def run(self, ctx: RunContext) -> Converted:
        text, suffix = read_screenplay(ctx, self.script)
        path = ctx.resolve(self.script, must_exist=True)
        target = path.with_suffix(".fountain" if suffix == ".fdx" else ".fdx")
        atomic_write_text(target, text if suffix == ".fdx" else fountain_to_fdx(text))
        return Converted(script=PurePosixPath(self.script).with_name(target.name).as_posix())
