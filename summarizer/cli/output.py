"""Where a command's output goes, safely: a file written whole over nothing but its own, or a stream as it is.

An ``--out`` that is a terminal, ``/dev/null``, a pipe or standard output itself
(:func:`streamed`) takes what standard output would: it is never read, checked or
replaced. Any other file is written whole or not at all (:func:`summarizer.files.write_atomic`),
and only over a file the command wrote (:func:`summarizer.files.check_ours`); what
cannot be written follows on standard output, so nothing paid for is lost.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import typer

from .. import errors
from ..files import OutputKind, check_ours, is_stream, open_stream, write_atomic
from .messages import described, say

__all__ = ["is_stdout", "print_to", "streamed", "write_ours"]


def is_stdout(out: Path) -> bool:
    """Whether ``out`` is this process's standard output (``/dev/stdout``, or the file it is redirected to)."""
    try:
        return os.path.samestat(os.stat(out), os.fstat(sys.stdout.fileno()))
    except (OSError, ValueError, AttributeError):  # no standard output, or not a file (captured)
        return False


def streamed(out: Path | None) -> bool:
    """Whether --out takes what standard output would: a terminal, /dev/null, a pipe, or standard output itself.

    Found by ``stat`` alone: such a file is never opened to be checked, never read, never replaced.
    """
    return out is not None and (is_stream(out) or is_stdout(out))


def print_to(out: Path, text: str) -> None:
    """``text`` to a terminal, /dev/null or pipe given as --out, as to standard output; opened now, to write only."""
    if is_stdout(out):
        typer.echo(text, nl=False)
        return
    with open_stream(out) as sink:
        sink.write(text)


def write_ours(path: Path, content: str, kind: OutputKind) -> bool:
    """Write a report whole or not at all, over nothing but this command's own; False, said, if it cannot be."""
    try:
        path.parent.mkdir(exist_ok=True)  # the folder of one report per article; its own folder was checked
        check_ours(path, kind)  # again: a file may have appeared there while the articles were summarized
        write_atomic(path, content)
    except OSError as exc:
        said = f"{path}: cannot be written ({exc.strerror or exc})"
    except errors.OutputError as exc:
        said = described(exc)
    else:
        return True
    say(f"--out {said}; the report follows on standard output instead")
    typer.echo(content)
    return False
