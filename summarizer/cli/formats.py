"""What ``summarize`` writes, in each ``--format``: one JSON, JSON Lines records, or a report per article.

Where each report goes (:func:`report_paths`) and whether ``--out`` may take it
(:func:`check_out`) are settled before any request is made; :func:`emit` writes what
the articles became.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Literal, TextIO, get_args

import typer

from .. import errors
from ..batch import BatchResult
from ..batch.output import RECORDS
from ..batch.records import json_text
from ..files import OutputKind, check_ours, open_stream
from ..report import HTML_MARK, MARKDOWN_MARK, render_html, render_markdown
from ..schema import ArticleSummary
from .messages import described, exit_with_error, say
from .output import is_stdout, write_ours
from .reading import Article

__all__ = ["KINDS", "OUTPUT_FORMATS", "OutputFormat", "check_out", "emit", "emit_streamed", "guess_format", "report_paths"]

OutputFormat = Literal["json", "jsonl", "md", "html"]
"""One JSON (a summary, or every article's record), JSON Lines records, or a Markdown or HTML report per article."""
OUTPUT_FORMATS: tuple[OutputFormat, ...] = get_args(OutputFormat)
_REPORTS: tuple[OutputFormat, ...] = ("md", "html")  # one report per article


def guess_format(out: Path | None) -> OutputFormat:
    """--out's suffix, if it names a format; else md."""
    suffix = out.suffix.lower().lstrip(".") if out is not None else ""
    return next((fmt for fmt in OUTPUT_FORMATS if fmt == suffix), "md")


def _report(fmt: OutputFormat, summary: ArticleSummary, text: str) -> str:
    if fmt == "html":
        return render_html(summary, text)
    return render_markdown(summary, text)


def _unique(name: str, taken: set[str]) -> str:
    stem, dot, ext = name.rpartition(".")
    candidate, n = name, 1
    while candidate in taken:
        n += 1
        candidate = f"{stem}-{n}{dot}{ext}"
    taken.add(candidate)
    return candidate


def report_paths(fmt: OutputFormat, out: Path | None, articles: list[Article]) -> list[Path | None]:
    """Where each article's report goes (None: standard output); md and html only, one per article."""
    if out is None or fmt not in _REPORTS:
        return [None] * len(articles)
    if len(articles) == 1 and not out.is_dir():
        return [out]
    taken: set[str] = set()
    return [out / _unique(f"{article.stem}.{fmt}", taken) for article in articles]


def _is_summary_json(data: bytes) -> bool:
    """One article's summary, or several articles' records, as --format json writes them."""
    try:
        found = json.loads(data)
    except (ValueError, RecursionError):
        return False
    if isinstance(found, dict):  # one summary
        return isinstance(found.get("provenance"), dict) and "summary" in found
    return isinstance(found, list) and all(isinstance(r, dict) and "id" in r and "ok" in r for r in found)


def _is_markdown(data: bytes) -> bool:
    return data.rstrip().endswith(MARKDOWN_MARK.encode())


def _is_html(data: bytes) -> bool:
    return HTML_MARK.encode() in data


KINDS: dict[OutputFormat, OutputKind] = {
    "json": OutputKind("a summary JSON this command wrote", _is_summary_json),
    "jsonl": RECORDS,
    "md": OutputKind("a Markdown report this command wrote", _is_markdown),
    "html": OutputKind("an HTML report this command wrote", _is_html, head=4096),
}
"""What --out may write over, per format (summarizer.files.check_ours): a file this command wrote in it."""


def check_out(
    fmt: OutputFormat, out: Path | None, many: bool, targets: list[Path | None], inputs: list[Path], stream: bool,
) -> None:
    """Refuse an --out that cannot hold the output, or is not ours to write, before any request is made."""
    reports = fmt in _REPORTS
    if out is None or stream:
        if many and reports:
            given = f"--out {out} is a stream; " if stream else ""
            exit_with_error(
                f"{given}--format {fmt} writes one report per article: pass --out DIR for more than one article")
        return
    if reports and many:  # a folder, which may be new
        if out.exists() and not out.is_dir():
            exit_with_error(f"--out {out}: is a file; more than one report needs a folder")
        if not out.parent.is_dir():
            exit_with_error(f"--out {out}: the folder {out.parent} does not exist")
    elif out.is_dir() and not reports:
        exit_with_error(f"--out {out}: is a folder; --format {fmt} writes one file")
    checked = ([] if many and not out.is_dir() else targets) if reports else [out]  # a new folder holds nothing yet
    for target in checked:
        if target is None:
            continue
        try:
            check_ours(target, KINDS[fmt], inputs=inputs)
        except errors.OutputPathError as exc:
            exit_with_error(f"--out {described(exc)}")


def emit(
    fmt: OutputFormat, out: Path | None, articles: list[Article], results: list[BatchResult],
    targets: list[Path | None], sink: TextIO | None = None,
) -> bool:
    """Print (to ``sink``, else standard output) or write every summary; False if a file could not be written
    (its content went to standard output)."""
    ok = [(a, r) for a, r in zip(articles, results, strict=True) if r.summary is not None]
    many = len(articles) > 1
    if fmt == "jsonl":
        if out is None:  # with --out the batch itself appended each line as it completed
            for result in results:
                typer.echo(json_text(result.to_record()), file=sink)
        return True
    if fmt == "json":
        if many:
            data: Any = [result.to_record() for result in results]
        elif ok:
            data = ok[0][1].summary.model_dump(mode="json")  # type: ignore[union-attr]
        else:
            return True
        content = json_text(data, indent=2) + "\n"
        if out is None:
            typer.echo(content, nl=False, file=sink)
            return True
        return write_ours(out, content, KINDS[fmt])
    # md / html: one report per article.
    written = True
    for article, result, target in zip(articles, results, targets, strict=True):
        summary = result.summary
        if summary is None:
            continue
        assert isinstance(summary, ArticleSummary)
        content = _report(fmt, summary, article.text)
        if target is None:
            typer.echo(content, file=sink)
            continue
        if write_ours(target, content, KINDS[fmt]):
            say(f"{article.id}: wrote {target}", prefix="ok")
        else:
            written = False
    return written


def emit_streamed(
    out: Path, fmt: OutputFormat, articles: list[Article], results: list[BatchResult], targets: list[Path | None],
) -> bool:
    """Print to the terminal, /dev/null or pipe given as --out, as to standard output; it is opened now, to write only."""
    if is_stdout(out):
        return emit(fmt, None, articles, results, targets)
    try:
        with open_stream(out) as sink:
            return emit(fmt, None, articles, results, targets, sink)
    except (OSError, errors.OutputError) as exc:
        said = described(exc) if isinstance(exc, errors.OutputError) else f"{out}: cannot be written ({exc.strerror or exc})"
        say(f"--out {said}; the output follows on standard output instead")
        emit(fmt, None, articles, results, targets)
        return False
