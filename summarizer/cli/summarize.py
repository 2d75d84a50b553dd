"""``summarizer summarize``: articles in, a summary (or a one-line error) out for each, through the batch API.

Articles go through :func:`summarizer.summarize_many`, so several run concurrently,
each result is cached on disk, and a failure is that article's alone. Inputs are read
and ``--out`` is checked before any request; one article on a terminal gets the live
line of the model's answer, several a progress bar.
"""

from __future__ import annotations

import contextlib
from datetime import date
from pathlib import Path
from typing import Annotated

import typer

from .. import errors
from ..batch import summarize_many
from ..batch.records import json_text
from ..results import provenance_of
from ..schema import Extract
from .formats import OutputFormat, check_out, emit, emit_streamed, guess_format, report_paths
from .live import live_line, on_terminal
from .logs import quiet
from .messages import CLI_NAMES, EXIT_FAILED, EXIT_INTERRUPTED, EXIT_OK, described, exit_with_error, say
from .options import (
    BaseUrlOption,
    ConcurrencyOption,
    EvidenceOption,
    ExtractOption,
    GroundingOption,
    MaxRequestsOption,
    MaxRetriesOption,
    MaxTokensOption,
    MeasuresOption,
    ModelChoice,
    ModelOption,
    NoCacheOption,
    PublishedOption,
    SummaryOption,
    VerboseOption,
    published_day,
)
from .output import streamed
from .reading import read_articles

__all__ = ["summarize_command"]


def summarize_command(
    paths: Annotated[
        list[str],
        typer.Argument(
            help="Article files (.txt, .md, .html), folders (their article files) or - for standard input.",
            show_default=False,
        ),
    ],
    model: ModelOption = None,
    base_url: BaseUrlOption = None,
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
    concurrency: ConcurrencyOption = 4,
    no_cache: NoCacheOption = False,
    grounding: GroundingOption = None,
    evidence: EvidenceOption = None,
    summary: SummaryOption = None,
    measures: MeasuresOption = None,
    max_retries: MaxRetriesOption = 4,
    progress: Annotated[
        bool | None,
        typer.Option("--progress/--no-progress",
                     help="On a terminal (standard error): for one article, a live line of the model's answer as it "
                     "streams (tokens, tokens a second, items, time); for several, a progress bar. Default: on, "
                     "on a terminal; never written anywhere else.",
                     show_default=False),
    ] = None,
    extract: ExtractOption = "visible",
    max_requests: MaxRequestsOption = None,
    max_total_tokens: MaxTokensOption = None,
    published: PublishedOption = None,
    verbose: VerboseOption = False,
) -> None:
    """Summarize articles, each item pinned to its quote in the article, and dated."""
    day = published_day(published)
    try:
        with quiet(verbose):
            choice = ModelChoice(model, base_url, grounding, max_retries, evidence, summary, measures)
            budget = {"max_requests": max_requests, "max_total_tokens": max_total_tokens}
            code = _summarize(paths, choice, fmt, out, concurrency, no_cache, progress, extract, budget, day)
    except KeyboardInterrupt:
        say("interrupted; finished articles are in the cache (and in --out for jsonl)")
        raise typer.Exit(EXIT_INTERRUPTED) from None
    raise typer.Exit(code)


def _summarize(
    paths: list[str],
    choice: ModelChoice,
    fmt: OutputFormat | None,
    out: Path | None,
    concurrency: int,
    no_cache: bool,
    progress: bool | None,
    extract: Extract,
    budget: dict[str, int | None],
    published: date | None = None,
) -> int:
    chosen = fmt or guess_format(out)
    articles = read_articles(paths, extract)
    many = len(articles) > 1
    stream = streamed(out)
    where = None if stream else out  # a terminal, /dev/null or a pipe takes what standard output would
    targets = report_paths(chosen, where, articles)
    check_out(chosen, out, many, targets, [Path(a.id) for a in articles if a.id != "<stdin>"], stream)
    summarizer = choice.summarizer()
    live = not many and progress is not False and on_terminal()
    show = False if live else progress if progress is not None else (many and on_terminal())
    try:
        with live_line() if live else contextlib.nullcontext():
            results = summarize_many(
                [(article.id, article.page, published) for article in articles],
                summarizer=summarizer,
                concurrency=concurrency,
                cache=not no_cache,
                progress=show,
                output=where if chosen == "jsonl" else None,
                max_requests=budget["max_requests"],
                max_total_tokens=budget["max_total_tokens"],
            )
    except errors.OutputWriteError as exc:  # stopped mid-run: keep what was paid for
        for result in exc.results:
            if result.id in exc.unwritten:
                typer.echo(json_text(result.to_record()))
        exit_with_error(f"{described(exc)}; the records not written follow on standard output", EXIT_FAILED)
    except errors.SummarizerError as exc:  # e.g. the jsonl output is in use by another run
        exit_with_error(described(exc))
    finally:
        summarizer.close()
    if stream:
        assert out is not None
        written = emit_streamed(out, chosen, articles, results, targets)
    else:
        written = emit(chosen, out, articles, results, targets)
    failed = [r for r in results if r.error is not None]
    unspent = [r for r in failed if r.error is not None and r.error.type == "BudgetExhaustedError"]
    for result in failed:
        assert result.error is not None
        if result.error.type != "BudgetExhaustedError":
            say(f"{result.id}: {result.error.describe(CLI_NAMES)}")
    if unspent:  # one line, not one per article: they all say the same
        again = "run the same command again" + (" (same --out)" if chosen == "jsonl" else "")
        say(f"{len(unspent)} article(s) not summarized: the budget ran out (--max-requests {budget['max_requests']}, "
            f"--max-total-tokens {budget['max_total_tokens']}); {again} to resume, with a larger budget if needed")
    if many:
        done = len(results) - len(failed)
        cached = sum(r.cached for r in results if r.ok)
        unsaved = sum(1 for r in results if r.summary is not None and (p := provenance_of(r.summary)) and p.cache_error)
        note = f", {unsaved} not saved to the cache (it could not be used)" if unsaved else ""
        say(f"{done} of {len(results)} articles summarized ({cached} from the cache{note}), {len(failed)} failed",
            prefix="done")
    return EXIT_FAILED if failed or not written else EXIT_OK
