"""The ``summarizer`` command: summarize article files, print the schema.

Every article named on the command line ends in a summary or a one-line error; none
is lost silently. Exit codes:

* 0: every article was summarized;
* 1: at least one article could not be summarized (the model or the server failed
  for it); the others were written;
* 2: a mistake in the command, found before anything was sent: a bad option, an
  input that is missing, unreadable or binary, no model configured, an ``--out``
  that cannot be used;
* 130: interrupted.

Articles go through the batch API (:func:`summarizer.summarize_many`), so several run
concurrently, each result is cached on disk, and a failure is that article's alone.
"""

from __future__ import annotations

import contextlib
import errno
import json
import logging
import os
import sys
import time
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from enum import Enum
from pathlib import Path
from typing import Annotated, Any, NoReturn, TextIO

import typer

from . import errors
from ._version import __version__
from .across import ledger
from .across.render import KINDS as LEDGER_KINDS
from .batch import (
    BatchResult,
    batch_collect,
    batch_inputs,
    batch_prepare,
    batch_status,
    batch_submit,
    iter_ingest,
    summarize_many,
)
from .batch.output import RECORDS
from .batch.records import json_text
from .core import Summarizer
from .evaluation import print_scores, run_eval
from .evaluation.run import SCORES, eval_inputs
from .files import AtomicFile, OutputKind, check_ours, is_stream, open_stream, write_atomic
from .grounding.dating import check_published
from .inputs import MAX_FILE_BYTES, Extract, Page, decode_page, read_page
from .progress import Progress, reporting
from .report import HTML_MARK, MARKDOWN_MARK, render_html, render_markdown
from .results import provenance_of
from .schema import ArticleSummary
from .text import printable

__all__ = ["EXIT_FAILED", "EXIT_OK", "EXIT_USAGE", "app"]

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2
_EXIT_INTERRUPTED = 130

ARTICLE_SUFFIXES = (".txt", ".html", ".htm")
"""What a folder given as input expands to (its own files, not sub-folders), sorted by name.

Not ``.md``: a folder's README is rarely an article. Name other files explicitly."""

# Loggers that report what our one-line errors already say (instructor logs every
# failed attempt with its full text); shown with --verbose only.
_NOISY_LOGGERS = ("instructor", "openai", "httpx", "httpcore", "summarizer")

app = typer.Typer(
    name="summarizer",
    help="Structured, verifiable summaries of news articles.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,  # a traceback with local variables could show an API key
)


class OutputFormat(str, Enum):
    json = "json"
    jsonl = "jsonl"
    md = "md"
    html = "html"


class Grounding(str, Enum):
    reask = "reask"
    flag = "flag"
    drop = "drop"


class EvidenceMode(str, Enum):
    quote = "quote"
    sentence = "sentence"
    sentence_numbers = "sentence+numbers"


class SummaryMode(str, Enum):
    cited = "cited"
    written = "written"


class MeasuresMode(str, Enum):
    read = "read"
    written = "written"


class ExtractMode(str, Enum):
    visible = "visible"
    main = "main"


# Options shared by the commands that call a model.
_ModelOption = Annotated[
    str | None,
    typer.Option("--model", "-m", help='Model name, or "local" for the embedded offline model. (env: SUMMARIZER_MODEL)'),
]
_BaseUrlOption = Annotated[
    str | None,
    typer.Option("--base-url", help="An OpenAI-compatible server, e.g. http://127.0.0.1:11434/v1. (env: OPENAI_BASE_URL)"),
]
_ConcurrencyOption = Annotated[int, typer.Option("--concurrency", "-c", min=1, help="Articles in flight at once.")]
_NoCacheOption = Annotated[bool, typer.Option("--no-cache", help="Neither read nor write the on-disk cache.")]
_MaxRequestsOption = Annotated[int | None, typer.Option(
    "--max-requests", min=0, show_default=False,
    help="Send at most this many requests (re-asks and retries count); the rest are recorded as not done.")]
_MaxTokensOption = Annotated[int | None, typer.Option(
    "--max-total-tokens", min=0, show_default=False,
    help="Spend at most this many tokens (each request is reserved at an upper bound before it is sent).")]
_GroundingOption = Annotated[
    Grounding | None,
    typer.Option(help="Items the article does not support: re-ask the model, flag them, or drop them."),
]
_EvidenceOption = Annotated[
    EvidenceMode | None,
    typer.Option("--evidence", help="Where evidence comes from: the model copies quotes, or cites numbered sentences "
                 "(and, with sentence+numbers, the numbers the library found). Default: what suits the model.",
                 show_default=False),
]
_SummaryOption = Annotated[
    SummaryMode | None,
    typer.Option("--summary", help="In a cited mode: the summary is the article's sentences the model picks (cited), "
                 "or sentences it writes, each checked (written). Default: what suits the model.", show_default=False),
]
_MeasuresOption = Annotated[
    MeasuresMode | None,
    typer.Option("--measures", help="With sentence+numbers: a figure's measure is read from its number's words "
                 "(read), or written by the model from them, checked (written). Default: what suits the model.",
                 show_default=False),
]
_MaxRetriesOption = Annotated[
    int, typer.Option("--max-retries", min=0, help="Retries of a failed request (429, 5xx, lost connection).")
]
_ExtractOption = Annotated[
    ExtractMode,
    typer.Option("--extract", help="HTML files: every visible block, or the main text alone (needs summarizer[html])."),
]
_PublishedOption = Annotated[str | None, typer.Option(
    "--published",
    help="The articles' date (YYYY-MM-DD), what their date words (\"said Wednesday\") are read against. Default: "
    "each page's markup, else a dateline in its text.",
    show_default=False,
)]
_VerboseOption = Annotated[bool, typer.Option("--verbose", "-v", help="Show the library's and instructor's logs.")]


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


def _say(message: str, prefix: str = "error") -> None:
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


def _fail(message: str, code: int = EXIT_USAGE) -> NoReturn:
    _say(message)
    raise typer.Exit(code)


def _published(value: str | None) -> date | None:
    """--published, checked before anything is read or sent."""
    try:
        return check_published(value)
    except errors.InputError as exc:
        _fail(f"--published {value!r}: {str(exc).removeprefix('published: ')}")


def _described(exc: errors.SummarizerError) -> str:
    return exc.describe(CLI_NAMES)


# -- inputs --------------------------------------------------------------------------


@dataclass
class _Article:
    id: str  # as given on the command line ("<stdin>" for -)
    stem: str  # the base of a report's file name
    page: Page  # the text summarized, and what an HTML file's markup declares

    @property
    def text(self) -> str:
        return self.page.text


def _expand(paths: list[str]) -> list[str]:
    expanded: list[str] = []
    for raw in paths:
        if not raw:  # Path("") is the current folder: never what an empty argument meant
            _fail("an empty path was given: name an article file, a folder, or - for standard input")
        path = Path(raw)
        try:
            found = sorted(
                str(p) for p in path.iterdir()
                if p.is_file() and p.suffix.lower() in ARTICLE_SUFFIXES and not p.name.startswith(".")
            ) if raw != "-" and path.is_dir() else None
        except OSError as exc:  # a folder that cannot be searched, a name too long
            _fail(f"{raw}: cannot be read ({exc.strerror or exc})")
        if found is not None:
            if not found:
                _fail(f"{raw}: no article files in this folder (looked for {', '.join(ARTICLE_SUFFIXES)})")
            expanded += found
        else:
            expanded.append(raw)
    return expanded


def _read(paths: list[str], extract: Extract) -> list[_Article]:
    """Every input's text, or every reason one cannot be read (all of them, then exit 2)."""
    articles: list[_Article] = []
    problems: list[str] = []
    stdin_used = False
    for raw in _expand(paths):
        try:
            if raw == "-":
                if stdin_used:
                    problems.append("-: standard input can be read once; give - only once")
                    continue
                stdin_used = True
                if sys.stdin is None:
                    problems.append("-: there is no standard input to read")
                    continue
                # Bounded as a file is: `- < /dev/zero` never ends.
                data = (sys.stdin.buffer.read(MAX_FILE_BYTES + 1) if hasattr(sys.stdin, "buffer")
                        else sys.stdin.read(MAX_FILE_BYTES + 1).encode())
                if len(data) > MAX_FILE_BYTES:
                    problems.append(f"-: standard input holds more than the {MAX_FILE_BYTES:,} bytes allowed")
                    continue
                page = decode_page(data, name="standard input", extract=extract)
                articles.append(_Article("<stdin>", "stdin", page))
            else:
                articles.append(_Article(raw, Path(raw).stem or "article", read_page(raw, extract=extract)))
        except errors.InputError as exc:
            problems.append(str(exc))
        except errors.ConfigurationError as exc:  # --extract main without its extra
            _fail(_described(exc))
    for problem in problems:
        _say(problem)
    if problems:
        raise typer.Exit(EXIT_USAGE)
    return articles


# -- outputs -------------------------------------------------------------------------


def _guess_format(out: Path | None) -> OutputFormat:
    suffix = out.suffix.lower().lstrip(".") if out is not None else ""
    return OutputFormat(suffix) if suffix in OutputFormat.__members__ else OutputFormat.md


def _report(fmt: OutputFormat, summary: ArticleSummary, text: str) -> str:
    if fmt is OutputFormat.html:
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


def _targets(fmt: OutputFormat, out: Path | None, articles: list[_Article]) -> list[Path | None]:
    """Where each article's report goes (None: standard output); md and html only, one per article."""
    if out is None or fmt not in (OutputFormat.md, OutputFormat.html):
        return [None] * len(articles)
    if len(articles) == 1 and not out.is_dir():
        return [out]
    taken: set[str] = set()
    return [out / _unique(f"{article.stem}.{fmt.value}", taken) for article in articles]


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


_KINDS = {
    OutputFormat.json: OutputKind("a summary JSON this command wrote", _is_summary_json),
    OutputFormat.jsonl: RECORDS,
    OutputFormat.md: OutputKind("a Markdown report this command wrote", _is_markdown),
    OutputFormat.html: OutputKind("an HTML report this command wrote", _is_html, head=4096),
}
"""What --out may write over, per format (summarizer.files.check_ours): a file this command wrote in it."""


def _is_stdout(out: Path) -> bool:
    try:
        return os.path.samestat(os.stat(out), os.fstat(sys.stdout.fileno()))
    except (OSError, ValueError, AttributeError):  # no standard output, or not a file (captured)
        return False


def _streamed(out: Path | None) -> bool:
    """Whether --out takes what standard output would: a terminal, /dev/null, a pipe, or standard output itself.

    Found by ``stat`` alone: such a file is never opened to be checked, never read, never replaced.
    """
    return out is not None and (is_stream(out) or _is_stdout(out))


def _check_out(
    fmt: OutputFormat, out: Path | None, many: bool, targets: list[Path | None], inputs: list[Path], stream: bool,
) -> None:
    """Refuse an --out that cannot hold the output, or is not ours to write, before any request is made."""
    reports = fmt in (OutputFormat.md, OutputFormat.html)
    if out is None or stream:
        if many and reports:
            given = f"--out {out} is a stream; " if stream else ""
            _fail(f"{given}--format {fmt.value} writes one report per article: pass --out DIR for more than one article")
        return
    if reports and many:  # a folder, which may be new
        if out.exists() and not out.is_dir():
            _fail(f"--out {out}: is a file; more than one report needs a folder")
        if not out.parent.is_dir():
            _fail(f"--out {out}: the folder {out.parent} does not exist")
    elif out.is_dir() and not reports:
        _fail(f"--out {out}: is a folder; --format {fmt.value} writes one file")
    checked = ([] if many and not out.is_dir() else targets) if reports else [out]  # a new folder holds nothing yet
    for target in checked:
        if target is None:
            continue
        try:
            check_ours(target, _KINDS[fmt], inputs=inputs)
        except errors.OutputPathError as exc:
            _fail(f"--out {_described(exc)}")


def _write(path: Path, content: str, kind: OutputKind) -> bool:
    """Write a report whole or not at all, over nothing but this command's own; False, said, if it cannot be."""
    try:
        path.parent.mkdir(exist_ok=True)  # the folder of one report per article; its own folder was checked
        check_ours(path, kind)  # again: a file may have appeared there while the articles were summarized
        write_atomic(path, content)
    except OSError as exc:
        said = f"{path}: cannot be written ({exc.strerror or exc})"
    except errors.OutputError as exc:
        said = _described(exc)
    else:
        return True
    _say(f"--out {said}; the report follows on standard output instead")
    typer.echo(content)
    return False


def _emit(
    fmt: OutputFormat, out: Path | None, articles: list[_Article], results: list[BatchResult],
    targets: list[Path | None], sink: TextIO | None = None,
) -> bool:
    """Print (to ``sink``, else standard output) or write every summary; False if a file could not be written
    (its content went to standard output)."""
    ok = [(a, r) for a, r in zip(articles, results, strict=True) if r.summary is not None]
    many = len(articles) > 1
    if fmt is OutputFormat.jsonl:
        if out is None:  # with --out the batch itself appended each line as it completed
            for result in results:
                typer.echo(json_text(result.to_record()), file=sink)
        return True
    if fmt is OutputFormat.json:
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
        return _write(out, content, _KINDS[fmt])
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
        if _write(target, content, _KINDS[fmt]):
            _say(f"{article.id}: wrote {target}", prefix="ok")
        else:
            written = False
    return written


def _emit_streamed(
    out: Path, fmt: OutputFormat, articles: list[_Article], results: list[BatchResult], targets: list[Path | None],
) -> bool:
    """Print to the terminal, /dev/null or pipe given as --out, as to standard output; it is opened now, to write only."""
    if _is_stdout(out):
        return _emit(fmt, None, articles, results, targets)
    try:
        with open_stream(out) as sink:
            return _emit(fmt, None, articles, results, targets, sink)
    except (OSError, errors.OutputError) as exc:
        said = _described(exc) if isinstance(exc, errors.OutputError) else f"{out}: cannot be written ({exc.strerror or exc})"
        _say(f"--out {said}; the output follows on standard output instead")
        _emit(fmt, None, articles, results, targets)
        return False


# -- running -------------------------------------------------------------------------


@contextlib.contextmanager
def _quiet(verbose: bool) -> Iterator[None]:
    """Our one-line messages only: library logs with --verbose, warnings as one line."""
    levels = {name: logging.getLogger(name).level for name in _NOISY_LOGGERS}
    handler: logging.Handler | None = None
    if verbose:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    for name in _NOISY_LOGGERS:
        logger = logging.getLogger(name)
        logger.setLevel(logging.INFO if verbose else logging.CRITICAL + 1)
        if handler is not None:
            logger.addHandler(handler)

    def show(message: Warning | str, category: type[Warning], *_: Any, **__: Any) -> None:
        describe = getattr(message, "describe", None)
        _say(describe(CLI_NAMES) if callable(describe) else str(message), prefix="warning")

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("default")
            warnings.showwarning = show
            yield
    finally:
        for name, level in levels.items():
            logger = logging.getLogger(name)
            logger.setLevel(level)
            if handler is not None:
                logger.removeHandler(handler)


def _on_terminal() -> bool:
    """Whether standard error is a terminal: the only place progress is ever written."""
    try:
        return sys.stderr is not None and sys.stderr.isatty()
    except (AttributeError, ValueError):  # replaced by something without isatty, or closed
        return False


class _Line:
    """The live line's text, drawn by rich on each refresh from the latest event (so the clock moves between events)."""

    def __init__(self) -> None:
        self.started = time.perf_counter()
        self.latest: Progress | None = None

    def update(self, event: Progress) -> None:
        self.latest = event

    def text(self, now: float) -> str:
        elapsed = f"{now - self.started:.1f} s"
        event = self.latest
        if event is None or event.tokens == 0:  # the request is being sent, or the server reads the prompt
            return f"model: waiting for the first token · {elapsed}"
        items = f"{event.items} item{'' if event.items == 1 else 's'}"
        again = f" · answer {event.attempt}" if event.attempt > 1 else ""
        return f"model: {event.tokens} tokens · {event.tokens_per_second:.1f} tok/s · {items} · {elapsed}{again}"

    def __rich__(self) -> str:
        return self.text(time.perf_counter())


@contextlib.contextmanager
def _live_line() -> Iterator[None]:
    """One line on standard error, redrawn as the model's answer streams in, and cleared when the call ends.

    Standard output is never touched (``--format json`` stays pure); what the command
    says on standard error meanwhile is printed above the line.
    """
    from rich.console import Console  # rich costs 50 ms to import: only for a line that is shown
    from rich.live import Live

    line = _Line()
    console = Console(stderr=True, highlight=False)
    with Live(line, console=console, transient=True, refresh_per_second=8, redirect_stdout=False), reporting(line.update):
        yield


@dataclass(frozen=True)
class _Choice:
    """The model options a command was given, once (``summarize`` and ``eval`` take the same)."""

    model: str | None
    base_url: str | None
    grounding: Grounding | None
    max_retries: int
    evidence: EvidenceMode | None
    summary: SummaryMode | None = None
    measures: MeasuresMode | None = None

    def summarizer(self) -> Summarizer:
        try:
            return Summarizer(
                self.model,
                base_url=self.base_url,
                grounding=self.grounding.value if self.grounding else None,
                max_retries=self.max_retries,
                evidence=self.evidence.value if self.evidence else None,
                summary=self.summary.value if self.summary else None,
                measures=self.measures.value if self.measures else None,
            )
        except errors.ConfigurationError as exc:
            _fail(_described(exc))


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


@app.command("summarize")
def summarize_command(
    paths: Annotated[
        list[str],
        typer.Argument(
            help="Article files (.txt, .md, .html), folders (their article files) or - for standard input.",
            show_default=False,
        ),
    ],
    model: _ModelOption = None,
    base_url: _BaseUrlOption = None,
    fmt: Annotated[
        OutputFormat | None,
        typer.Option(
            "--format", "-f",
            help="json, jsonl (one line per article), md or html reports. Default: --out's suffix, else md.",
            show_default=False,
        ),
    ] = None,
    out: Annotated[
        Path | None,
        typer.Option(
            "--out", "-o",
            help="A file, or a folder for one report per article (md/html with several articles). "
            "jsonl: appended to, and a second run resumes from it. Only a file this command wrote is written over. "
            "A terminal, pipe or /dev/null (e.g. /dev/stdout) takes what standard output would. Default: standard output.",
        ),
    ] = None,
    concurrency: _ConcurrencyOption = 4,
    no_cache: _NoCacheOption = False,
    grounding: _GroundingOption = None,
    evidence: _EvidenceOption = None,
    summary: _SummaryOption = None,
    measures: _MeasuresOption = None,
    max_retries: _MaxRetriesOption = 4,
    progress: Annotated[
        bool | None,
        typer.Option("--progress/--no-progress",
                     help="On a terminal (standard error): for one article, a live line of the model's answer as it "
                     "streams (tokens, tokens a second, items, time); for several, a progress bar. Default: on, "
                     "on a terminal; never written anywhere else.",
                     show_default=False),
    ] = None,
    extract: _ExtractOption = ExtractMode.visible,
    max_requests: _MaxRequestsOption = None,
    max_total_tokens: _MaxTokensOption = None,
    published: _PublishedOption = None,
    verbose: _VerboseOption = False,
) -> None:
    """Summarize articles, each item pinned to its quote in the article, and dated."""
    day = _published(published)
    try:
        with _quiet(verbose):
            choice = _Choice(model, base_url, grounding, max_retries, evidence, summary, measures)
            budget = {"max_requests": max_requests, "max_total_tokens": max_total_tokens}
            code = _summarize(paths, choice, fmt, out, concurrency, no_cache, progress, extract, budget, day)
    except KeyboardInterrupt:
        _say("interrupted; finished articles are in the cache (and in --out for jsonl)")
        raise typer.Exit(_EXIT_INTERRUPTED) from None
    raise typer.Exit(code)


def _summarize(
    paths: list[str],
    choice: _Choice,
    fmt: OutputFormat | None,
    out: Path | None,
    concurrency: int,
    no_cache: bool,
    progress: bool | None,
    extract: ExtractMode,
    budget: dict[str, int | None],
    published: date | None = None,
) -> int:
    chosen = fmt or _guess_format(out)
    articles = _read(paths, extract.value)
    many = len(articles) > 1
    stream = _streamed(out)
    where = None if stream else out  # a terminal, /dev/null or a pipe takes what standard output would
    targets = _targets(chosen, where, articles)
    _check_out(chosen, out, many, targets, [Path(a.id) for a in articles if a.id != "<stdin>"], stream)
    summarizer = choice.summarizer()
    live = not many and progress is not False and _on_terminal()
    show = False if live else progress if progress is not None else (many and _on_terminal())
    try:
        with _live_line() if live else contextlib.nullcontext():
            results = summarize_many(
                [(article.id, article.page, published) for article in articles],
                summarizer=summarizer,
                concurrency=concurrency,
                cache=not no_cache,
                progress=show,
                output=where if chosen is OutputFormat.jsonl else None,
                max_requests=budget["max_requests"],
                max_total_tokens=budget["max_total_tokens"],
            )
    except errors.OutputWriteError as exc:  # stopped mid-run: keep what was paid for
        for result in exc.results:
            if result.id in exc.unwritten:
                typer.echo(json_text(result.to_record()))
        _fail(f"{_described(exc)}; the records not written follow on standard output", EXIT_FAILED)
    except errors.SummarizerError as exc:  # e.g. the jsonl output is in use by another run
        _fail(_described(exc))
    finally:
        summarizer.close()
    if stream:
        assert out is not None
        written = _emit_streamed(out, chosen, articles, results, targets)
    else:
        written = _emit(chosen, out, articles, results, targets)
    failed = [r for r in results if r.error is not None]
    unspent = [r for r in failed if r.error is not None and r.error.type == "BudgetExhaustedError"]
    for result in failed:
        assert result.error is not None
        if result.error.type != "BudgetExhaustedError":
            _say(f"{result.id}: {result.error.describe(CLI_NAMES)}")
    if unspent:  # one line, not one per article: they all say the same
        again = "run the same command again" + (" (same --out)" if chosen is OutputFormat.jsonl else "")
        _say(f"{len(unspent)} article(s) not summarized: the budget ran out (--max-requests {budget['max_requests']}, "
             f"--max-total-tokens {budget['max_total_tokens']}); {again} to resume, with a larger budget if needed")
    if many:
        done = len(results) - len(failed)
        cached = sum(r.cached for r in results if r.ok)
        unsaved = sum(1 for r in results if r.summary is not None and (p := provenance_of(r.summary)) and p.cache_error)
        note = f", {unsaved} not saved to the cache (it could not be used)" if unsaved else ""
        _say(f"{done} of {len(results)} articles summarized ({cached} from the cache{note}), {len(failed)} failed",
             prefix="done")
    return EXIT_FAILED if failed or not written else EXIT_OK


@app.command("schema")
def schema_command() -> None:
    """Print the JSON Schema the model is asked to fill (ArticleSummary)."""
    typer.echo(json.dumps(ArticleSummary.model_json_schema(), indent=2, ensure_ascii=False))


class LedgerFormat(str, Enum):
    json = "json"
    csv = "csv"
    md = "md"
    html = "html"


@app.command("ledger")
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
    suffix = out.suffix.lower().lstrip(".") if out is not None else ""
    chosen = fmt or (LedgerFormat(suffix) if suffix in LedgerFormat.__members__ else LedgerFormat.json)
    stream = out is not None and _streamed(out)
    if out is not None and not stream:
        try:
            check_ours(out, LEDGER_KINDS[chosen.value], inputs=records)
        except errors.OutputPathError as exc:
            _fail(f"--out {_described(exc)}")
    try:
        built = ledger(records)
    except errors.SummarizerError as exc:
        _fail(_described(exc), EXIT_FAILED)
    with built:
        if out is None:
            built.write(sys.stdout, chosen.value, reports)
        elif stream:
            if _is_stdout(out):
                built.write(sys.stdout, chosen.value, reports)
            else:
                with open_stream(out) as sink:
                    built.write(sink, chosen.value, reports)
        else:
            try:
                check_ours(out, LEDGER_KINDS[chosen.value], inputs=records)  # again: a file may have appeared
                with AtomicFile(out) as file:
                    built.write(file, chosen.value, reports)  # one row at a time, put in place whole
            except (OSError, errors.OutputError) as exc:
                said = _described(exc) if isinstance(exc, errors.OutputError) else f"{out}: {exc.strerror or exc}"
                _fail(f"--out {said}", EXIT_FAILED)
    disagreeing = sum(row.disagree for row in built.rows)
    skipped = f", {built.skipped} record(s) skipped (failed, or not a record)" if built.skipped else ""
    _say(f"{len(built.rows)} measures from {built.figures} grounded figures of {built.articles} articles; "
         f"{disagreeing} with sources that disagree{skipped}", prefix="ok")


def _check_eval_out(directory: Path, out: Path, stream: bool, predictions: Path | None, save: Path | None) -> None:
    """--out and --save-predictions are ours to write and none of the files the evaluation reads: before any request."""
    read: list[Path | None] = [*eval_inputs(directory)]
    checks = [] if stream else [("--out", out, SCORES, [predictions, save, *read])]
    if save is not None:
        checks.append(("--save-predictions", save, RECORDS, read))
    for option, path, kind, inputs in checks:
        try:
            check_ours(path, kind, inputs=inputs)
        except errors.OutputPathError as exc:
            _fail(f"{option} {_described(exc)}")


def _print_to(out: Path, text: str) -> None:
    """``text`` to a terminal, /dev/null or pipe given as --out, as to standard output; opened now, to write only."""
    if _is_stdout(out):
        typer.echo(text, nl=False)
        return
    with open_stream(out) as sink:
        sink.write(text)


@app.command("eval")
def eval_command(
    directory: Annotated[
        Path, typer.Argument(help="A folder of articles NAME.txt, each with its gold NAME.gold.json.", show_default=False)
    ],
    predictions: Annotated[
        Path | None,
        typer.Option("--predictions", "-p", help="Score the summaries saved in this JSON Lines file "
                     "(summarize --format jsonl, or summarize_many(output=...)); no model is called."),
    ] = None,
    model: _ModelOption = None,
    base_url: _BaseUrlOption = None,
    grounding: _GroundingOption = None,
    evidence: _EvidenceOption = None,
    summary: _SummaryOption = None,
    measures: _MeasuresOption = None,
    out: Annotated[Path, typer.Option("--out", "-o", help="Where to write the scores as JSON (written over only if "
                                      "it holds scores; a terminal or pipe such as /dev/stdout is written to).")
                   ] = Path("scores.json"),
    save: Annotated[
        Path | None,
        typer.Option("--save-predictions", help="Append the model's summaries to this JSON Lines file, to score "
                     "again with --predictions (a second run resumes from it)."),
    ] = None,
    concurrency: _ConcurrencyOption = 4,
    no_cache: _NoCacheOption = False,
    max_retries: _MaxRetriesOption = 4,
    verbose: _VerboseOption = False,
) -> None:
    """Score summaries against hand-made gold: P/R/F1 per list, figure fields, grounding (see README, Evaluation)."""

    stream = _streamed(out)
    try:
        with _quiet(verbose):
            if predictions is not None and (model or base_url or save or evidence or summary or measures):
                _fail("--predictions scores saved summaries: --model, --base-url, --evidence, --summary, --measures "
                      "and --save-predictions do not apply")
            _check_eval_out(directory, out, stream, predictions, save)
            if predictions is not None:
                report = run_eval(directory, predictions=predictions)
            else:
                summarizer = _Choice(model, base_url, grounding, max_retries, evidence, summary, measures).summarizer()
                try:
                    report = run_eval(directory, summarizer=summarizer, concurrency=concurrency,
                                      cache=not no_cache, output=save)
                finally:
                    summarizer.close()
    except errors.EvaluationError as exc:  # one line per problem: every broken gold item is named
        for line in str(exc).splitlines():
            _say(line.strip())
        raise typer.Exit(EXIT_USAGE) from None
    except errors.SummarizerError as exc:  # e.g. --save-predictions in use by another run
        _say(_described(exc))
        raise typer.Exit(EXIT_USAGE) from None
    except KeyboardInterrupt:
        _say("interrupted; finished articles are in the cache (and in --save-predictions)")
        raise typer.Exit(_EXIT_INTERRUPTED) from None
    for name in report.missing:
        _say(f"{name}: no summary of this text in {predictions} (matched by input_sha256); not scored", prefix="warning")
    if not report.articles:
        _say(f"no summary in {predictions} is of an annotated article in {directory}")
        raise typer.Exit(EXIT_USAGE)
    print_scores(report)
    try:
        if stream:
            _print_to(out, report.dumps())
        else:
            report.write(out)
    except (OSError, errors.OutputError) as exc:
        said = _described(exc) if isinstance(exc, errors.OutputError) else f"{out}: cannot be written ({exc.strerror or exc})"
        _say(f"--out {said}; the scores follow on standard output instead")
        typer.echo(report.dumps(), nl=False)
        raise typer.Exit(EXIT_FAILED) from None
    _say(f"scores written to {out}", prefix="ok")
    failed = [s for s in report.articles if s.error is not None]
    for scores in failed:
        _say(f"{scores.article}: {scores.error or ''} (scored as an empty summary)")
    raise typer.Exit(EXIT_FAILED if failed else EXIT_OK)


# -- batch files and provider batch jobs (batch/files.py, batch/jobs.py) ----------------------

batch_app = typer.Typer(
    help="Batch API files (OpenAI's Batch API, vLLM's run_batch) and provider batch jobs: see README, Past one machine.",
    no_args_is_help=True,
)
app.add_typer(batch_app, name="batch")

_JobOption = Annotated[Path, typer.Option("--job", help="The job file: what was submitted, and what was collected.")]
_RecordsOut = Annotated[
    Path, typer.Option("--out", "-o", help="The records file (JSON Lines, as summarize --format jsonl writes it); "
                       "appended to and resumed from.")
]


def _batch_report(ok: int, failed: list[BatchResult]) -> int:
    for result in failed:
        assert result.error is not None
        _say(f"{result.id}: {result.error.describe(CLI_NAMES)}")
    _say(f"{ok} of {ok + len(failed)} articles summarized, {len(failed)} failed", prefix="done")
    return EXIT_FAILED if failed else EXIT_OK


@batch_app.command("prepare")
def batch_prepare_command(
    paths: Annotated[list[str] | None, typer.Argument(help="Article files, folders, or - for standard input.",
                                                       show_default=False)] = None,
    out: Annotated[Path, typer.Option("--out", "-o", help="The requests file to write (it must not exist); "
                                      "its articles file is written beside it.")] = Path("requests.jsonl"),
    model: _ModelOption = None,
    base_url: _BaseUrlOption = None,
    grounding: _GroundingOption = None,
    evidence: _EvidenceOption = None,
    summary: _SummaryOption = None,
    measures: _MeasuresOption = None,
    only_failed: Annotated[Path | None, typer.Option(
        "--only-failed", help="A records file: leave out the articles it has a success for.")] = None,
    again: Annotated[Path | None, typer.Option(
        "--again", help="Take the articles of an earlier requests file instead of PATHS (with --only-failed).")] = None,
    extract: _ExtractOption = ExtractMode.visible,
    max_requests: _MaxRequestsOption = None,
    max_total_tokens: _MaxTokensOption = None,
    published: _PublishedOption = None,
) -> None:
    """Write one Batch API request per article (per chunk of a long one); nothing is sent."""
    if bool(paths) == bool(again):
        _fail("give the articles as PATHS, or --again with an earlier requests file (not both)")
    day = _published(published)
    summarizer = _Choice(model, base_url, grounding, 0, evidence, summary, measures).summarizer()
    try:
        inputs: list[Any] = batch_inputs(again) if again else [
            (a.id, a.page, day) for a in _read(paths or [], extract.value)
        ]
        prepared = batch_prepare(inputs, out, summarizer=summarizer, only_failed=only_failed, extract=extract.value,
                                 max_requests=max_requests, max_total_tokens=max_total_tokens)
    except errors.SummarizerError as exc:
        _fail(_described(exc))
    finally:
        summarizer.close()
    left = f"; {len(prepared.skipped)} left out (already summarized, or repeated)" if prepared.skipped else ""
    bad = f"; {len(prepared.unprepared)} could not be prepared (recorded as errors)" if prepared.unprepared else ""
    _say(f"{prepared.lines} requests for {prepared.article_count} articles in {prepared.requests} "
         f"(their texts in {prepared.articles}){left}{bad}", prefix="ok")


@batch_app.command("ingest")
def batch_ingest_command(
    requests: Annotated[Path, typer.Argument(help="The requests file batch prepare wrote.", show_default=False)],
    results: Annotated[list[Path], typer.Argument(help="The Batch API's output (and error) files.",
                                                   show_default=False)],
    out: _RecordsOut = Path("records.jsonl"),
    retry_live: Annotated[bool, typer.Option(
        "--retry-live", help="Then summarize live (at the live price) the articles that may pass another try.")] = False,
) -> None:
    """Read a batch's answers: parsed, grounded and checked as live answers are, one record per article."""
    ok, failed = 0, []
    try:
        with _quiet(False):
            for result in iter_ingest(requests, results, out, retry_live=retry_live):  # failures alone are kept
                ok += result.ok
                if not result.ok:
                    failed.append(result)
    except errors.SummarizerError as exc:
        _fail(_described(exc))
    raise typer.Exit(_batch_report(ok, failed))


@batch_app.command("submit")
def batch_submit_command(
    requests: Annotated[Path, typer.Argument(help="The requests file batch prepare wrote.", show_default=False)],
    job: _JobOption = Path("job.json"),
    base_url: _BaseUrlOption = None,
) -> None:
    """Upload the requests through the Files API and create the batch (24 h)."""
    try:
        submitted = batch_submit(requests, job, base_url=base_url)
    except errors.SummarizerError as exc:
        _fail(_described(exc))
    _say(f"batch {submitted.batch_id} is {submitted.status}; the job is in {job}", prefix="ok")


@batch_app.command("status")
def batch_status_command(job: _JobOption = Path("job.json")) -> None:
    """Where the job's batch stands."""
    try:
        current = batch_status(job)
    except errors.SummarizerError as exc:
        _fail(_described(exc))
    counts = current.request_counts
    typer.echo(f"{current.batch_id}: {current.status} ({counts.get('completed', 0)} done, "
               f"{counts.get('failed', 0)} failed, of {counts.get('total', '?')})")
    for line in current.errors:
        _say(line)


@batch_app.command("collect")
def batch_collect_command(
    job: _JobOption = Path("job.json"),
    out: _RecordsOut = Path("records.jsonl"),
    wait: Annotated[bool, typer.Option("--wait", help="Poll until the batch has ended (backing off to 5 min).")] = False,
    poll: Annotated[float, typer.Option("--poll", min=0.0, help="Seconds before the first poll.")] = 10.0,
) -> None:
    """Download the ended batch's answers and read them into the records file."""
    try:
        with _quiet(False):
            collected = batch_collect(job, out, wait=wait, poll=poll, keep_results=False)
    except errors.SummarizerError as exc:
        _fail(_described(exc))
    if collected.resubmit:
        _say(f"{len(collected.resubmit)} article(s) can be sent again: summarizer batch prepare --again "
             f"{collected.job.requests} --only-failed {out} --out NEW.jsonl", prefix="note")
    raise typer.Exit(_batch_report(collected.ok, collected.results))


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
            _say(f"{where}{exc.strerror or exc}")
        sys.exit(EXIT_USAGE if exc.filename else EXIT_FAILED)
    except (RecursionError, MemoryError) as exc:
        with contextlib.suppress(OSError, ValueError):
            _say(f"the input is nested too deeply or too large to read ({type(exc).__name__})")
        sys.exit(EXIT_USAGE)
