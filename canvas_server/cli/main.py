"""`auteur`: the command-line entry point; each command group lives in its own module."""

from __future__ import annotations

import typer

app = typer.Typer(
    name="auteur",
    help="Auteur Canvas: node-graph production canvas for AI film pre-production.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)



@app.callback()
def main() -> None:
    """Auteur Canvas command line."""


# Command groups register themselves here, one line each.
from . import doctor as _doctor  # noqa: E402,F401
from . import graphs as _graphs  # noqa: E402,F401
from . import project as _project  # noqa: E402,F401
from . import serve as _serve  # noqa: E402,F401
from . import spotify as _spotify  # noqa: E402,F401
from . import tokens as _tokens  # noqa: E402,F401
from . import worker as _worker  # noqa: E402,F401

if __name__ == "__main__":
    app()
