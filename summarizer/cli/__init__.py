"""The ``summarizer`` command: summarize article files, line up their figures, score them, run batches.

Every article named on the command line ends in a summary or a one-line error; none
is lost silently. Exit codes (:mod:`.messages`): 0 every article was summarized; 1 at
least one could not be (the others were written); 2 a mistake in the command, found
before anything was sent; 130 interrupted.

This module builds the command from its parts, one module each:

* the commands: :mod:`.summarize`, :mod:`.ledger`, :mod:`.evaluate` (``eval``),
  :mod:`.batch` (``batch prepare|ingest|submit|status|collect``); ``schema`` is here;
* what they share: :mod:`.options` (the options, and the ``Summarizer`` they make),
  :mod:`.reading` (the articles named), :mod:`.output` (writing over nothing but our
  own), :mod:`.formats` (what ``summarize`` writes), :mod:`.messages` (one-line
  messages, exit codes), :mod:`.logs` (library logs and warnings), :mod:`.live` (the
  live line of a streaming answer).
"""

from __future__ import annotations

import contextlib
import errno
import json
import sys
from typing import Annotated

import typer

from .._version import __version__
from ..schema import ArticleSummary
from .batch import batch_app
from .evaluate import eval_command
from .ledger import ledger_command
from .messages import EXIT_FAILED, EXIT_OK, EXIT_USAGE, say
from .summarize import summarize_command

__all__ = ["EXIT_FAILED", "EXIT_OK", "EXIT_USAGE", "app", "run"]

app = typer.Typer(
    name="summarizer",
    help="Structured, verifiable summaries of news articles.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,  # a traceback with local variables could show an API key
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"summarizer {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version and exit.")
    ] = False,
) -> None:
    """Structured, verifiable summaries of news articles: every item is pinned to a quote in the article."""


def schema_command() -> None:
    """Print the JSON Schema the model is asked to fill (ArticleSummary)."""
    typer.echo(json.dumps(ArticleSummary.model_json_schema(), indent=2, ensure_ascii=False))


# The commands, in the order --help lists them.
app.command("summarize")(summarize_command)
app.command("schema")(schema_command)
app.command("ledger")(ledger_command)
app.command("eval")(eval_command)
app.add_typer(batch_app, name="batch")


def run() -> None:
    """Entry point for ``python -m summarizer``: whatever a command did not foresee is still one line, never a traceback.

    The commands turn every :class:`~summarizer.SummarizerError` into a message; what is
    left here is the operating system's refusals (a name too long, a folder that cannot
    be searched, a full or closed standard output) and input nested past Python's stack.
    """
    try:
        app(prog_name="summarizer")
    except OSError as exc:
        where = f"{exc.filename}: " if exc.filename else ("standard output: " if exc.errno == errno.ENOSPC else "")
        with contextlib.suppress(OSError, ValueError):
            say(f"{where}{exc.strerror or exc}")
        sys.exit(EXIT_USAGE if exc.filename else EXIT_FAILED)
    except (RecursionError, MemoryError) as exc:
        with contextlib.suppress(OSError, ValueError):
            say(f"the input is nested too deeply or too large to read ({type(exc).__name__})")
        sys.exit(EXIT_USAGE)
