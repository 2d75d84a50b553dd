"""``summarizer ledger``: the grounded figures of many articles' records, lined up one row per measure.

The ledger is written one row at a time (to a file put in place whole, or to a stream),
so memory stays bounded however many records are read.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, get_args

import typer

from .. import errors
from ..across import ledger
from ..across.render import KINDS, LedgerFormat
from ..files import AtomicFile, check_ours, open_stream
from .messages import EXIT_FAILED, described, exit_with_error, say
from .output import is_stdout, streamed

__all__ = ["ledger_command"]

_FORMATS: tuple[LedgerFormat, ...] = get_args(LedgerFormat)


def _guess_format(out: Path | None) -> LedgerFormat:
    """--out's suffix, if it names a format; else json."""
    suffix = out.suffix.lower().lstrip(".") if out is not None else ""
    return next((known for known in _FORMATS if known == suffix), "json")


def ledger_command(
    records: Annotated[list[Path], typer.Argument(
        help="Records files (JSON Lines, as summarize --format jsonl, batch ingest and summarize_many write them).",
        show_default=False)],
    fmt: Annotated[LedgerFormat | None, typer.Option(
        "--format", "-f", help="json, csv, md or html. Default: --out's suffix, else json.", show_default=False)] = None,
    out: Annotated[Path | None, typer.Option(
        "--out", "-o", help="The file to write (only a ledger this command wrote is written over). "
        "Default: standard output.")] = None,
    reports: Annotated[str, typer.Option(
        "--reports", help="html: where each article's report is, to link an entry to its quote; {stem} is the "
        "article's file name without its suffix, {id} its whole id.")] = "{stem}.html",
) -> None:
    """Line up the grounded figures of many articles: one row per measure, where sources disagree, the lowest value."""
    chosen = fmt or _guess_format(out)
    stream = out is not None and streamed(out)
    if out is not None and not stream:
        try:
            check_ours(out, KINDS[chosen], inputs=records)
        except errors.OutputPathError as exc:
            exit_with_error(f"--out {described(exc)}")
    try:
        built = ledger(records)
    except errors.SummarizerError as exc:
        exit_with_error(described(exc), EXIT_FAILED)
    with built:
        if out is None:
            built.write(sys.stdout, chosen, reports)
        elif stream:
            if is_stdout(out):
                built.write(sys.stdout, chosen, reports)
            else:
                with open_stream(out) as sink:
                    built.write(sink, chosen, reports)
        else:
            try:
                check_ours(out, KINDS[chosen], inputs=records)  # again: a file may have appeared
                with AtomicFile(out) as file:
                    built.write(file, chosen, reports)  # one row at a time, put in place whole
            except (OSError, errors.OutputError) as exc:
                said = described(exc) if isinstance(exc, errors.OutputError) else f"{out}: {exc.strerror or exc}"
                exit_with_error(f"--out {said}", EXIT_FAILED)
    disagreeing = sum(row.disagree for row in built.rows)
    skipped = f", {built.skipped} record(s) skipped (failed, or not a record)" if built.skipped else ""
    say(f"{len(built.rows)} measures from {built.figures} grounded figures of {built.articles} articles; "
        f"{disagreeing} with sources that disagree{skipped}", prefix="ok")
