"""What the command says, and how it ends: one line per message on standard error, and the exit codes.

Every article named on the command line ends in a summary or one of these lines; none
is lost silently. The exit codes:

* :data:`EXIT_OK` (0): every article was summarized;
* :data:`EXIT_FAILED` (1): at least one article could not be summarized (the model or
  the server failed for it); the others were written;
* :data:`EXIT_USAGE` (2): a mistake in the command, found before anything was sent: a
  bad option, an input that is missing, unreadable or binary, no model configured, an
  ``--out`` that cannot be used;
* :data:`EXIT_INTERRUPTED` (130): interrupted.
"""

from __future__ import annotations

import sys
from typing import NoReturn

import typer

from ..errors import SummarizerError
from ..text import printable

__all__ = [
    "CLI_NAMES",
    "EXIT_FAILED",
    "EXIT_INTERRUPTED",
    "EXIT_OK",
    "EXIT_USAGE",
    "described",
    "exit_with_error",
    "say",
]

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2
EXIT_INTERRUPTED = 130

# How the command line names the settings that library messages mention (see errors.render).
CLI_NAMES = {
    "model": "--model or SUMMARIZER_MODEL",
    "model_arg": "--model",
    "base_url": "--base-url or OPENAI_BASE_URL",
    "base_url_arg": "--base-url (or set OPENAI_BASE_URL)",
    "api_key": "OPENAI_API_KEY",
    "local": "--model local",
    "capable": "OPENAI_API_KEY, or --base-url with --model",
}


def say(message: str, prefix: str = "error") -> None:
    """``prefix: message`` on standard error, as one printable line."""
    # One line, always: a message with line breaks would read as several errors.
    # Printable: a hostile server's message or a file's name must not drive the terminal (ANSI escapes).
    # Written to sys.stderr itself, not through click: while the live line runs, rich puts a proxy there that
    # prints above the line, and click would write past it to the stream's buffer, onto the line.
    line = f"{prefix}: {printable(' '.join(message.split()))}\n"
    stream = sys.stderr
    if stream is None:
        return
    try:
        try:
            stream.write(line)
        except UnicodeEncodeError:  # a terminal that cannot show a name's letters
            stream.write(line.encode("ascii", "backslashreplace").decode("ascii"))
        stream.flush()
    except (OSError, ValueError):  # standard error closed: nowhere left to say it
        pass


def exit_with_error(message: str, code: int = EXIT_USAGE) -> NoReturn:
    """Say ``message`` as an error, then end the command with ``code`` (a usage error unless told)."""
    say(message)
    raise typer.Exit(code)


def described(exc: SummarizerError) -> str:
    """A library error's message, naming settings as the command line spells them (``--model``, not ``model=``)."""
    return exc.describe(CLI_NAMES)
