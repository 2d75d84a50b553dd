"""``summarizer batch ...``: Batch API files (prepare, ingest) and provider batch jobs (submit, status, collect).

A batch is paid at half the live price and answered within a day: ``prepare`` writes
the requests, nothing sent; ``ingest`` reads a batch's answers, checked as live answers
are; ``submit``, ``status`` and ``collect`` run the job on OpenAI's Batch API. See the
README, "Past one machine", and :mod:`summarizer.batch`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from .. import errors
from ..batch import BatchResult, batch_collect, batch_inputs, batch_prepare, batch_status, batch_submit, iter_ingest
from .logs import quiet
from .messages import CLI_NAMES, EXIT_FAILED, EXIT_OK, described, exit_with_error, say
from .options import (
    BaseUrlOption,
    EvidenceOption,
    ExtractOption,
    GroundingOption,
    MaxRequestsOption,
    MaxTokensOption,
    MeasuresOption,
    ModelChoice,
    ModelOption,
    PublishedOption,
    SummaryOption,
    published_day,
)
from .reading import read_articles

__all__ = ["batch_app"]

batch_app = typer.Typer(
    help="Batch API files (OpenAI's Batch API, vLLM's run_batch) and provider batch jobs: see README, Past one machine.",
    no_args_is_help=True,
)

_JobOption = Annotated[Path, typer.Option("--job", help="The job file: what was submitted, and what was collected.")]
_RecordsOut = Annotated[
    Path, typer.Option("--out", "-o", help="The records file (JSON Lines, as summarize --format jsonl writes it); "
                       "appended to and resumed from.")
]


def _batch_report(ok: int, failed: list[BatchResult]) -> int:
    for result in failed:
        assert result.error is not None
        say(f"{result.id}: {result.error.describe(CLI_NAMES)}")
    say(f"{ok} of {ok + len(failed)} articles summarized, {len(failed)} failed", prefix="done")
    return EXIT_FAILED if failed else EXIT_OK


@batch_app.command("prepare")
def batch_prepare_command(
    paths: Annotated[list[str] | None, typer.Argument(help="Article files, folders, or - for standard input.",
                                                       show_default=False)] = None,
    out: Annotated[Path, typer.Option("--out", "-o", help="The requests file to write (it must not exist); "
                                      "its articles file is written beside it.")] = Path("requests.jsonl"),
    model: ModelOption = None,
    base_url: BaseUrlOption = None,
    grounding: GroundingOption = None,
    evidence: EvidenceOption = None,
    summary: SummaryOption = None,
    measures: MeasuresOption = None,
    only_failed: Annotated[Path | None, typer.Option(
        "--only-failed", help="A records file: leave out the articles it has a success for.")] = None,
    again: Annotated[Path | None, typer.Option(
        "--again", help="Take the articles of an earlier requests file instead of PATHS (with --only-failed).")] = None,
    extract: ExtractOption = "visible",
    max_requests: MaxRequestsOption = None,
    max_total_tokens: MaxTokensOption = None,
    published: PublishedOption = None,
) -> None:
    """Write one Batch API request per article (per chunk of a long one); nothing is sent."""
    if bool(paths) == bool(again):
        exit_with_error("give the articles as PATHS, or --again with an earlier requests file (not both)")
    day = published_day(published)
    summarizer = ModelChoice(model, base_url, grounding, 0, evidence, summary, measures).summarizer()
    try:
        inputs: list[Any] = batch_inputs(again) if again else [
            (a.id, a.page, day) for a in read_articles(paths or [], extract)
        ]
        prepared = batch_prepare(inputs, out, summarizer=summarizer, only_failed=only_failed, extract=extract,
                                 max_requests=max_requests, max_total_tokens=max_total_tokens)
    except errors.SummarizerError as exc:
        exit_with_error(described(exc))
    finally:
        summarizer.close()
    left = f"; {len(prepared.skipped)} left out (already summarized, or repeated)" if prepared.skipped else ""
    bad = f"; {len(prepared.unprepared)} could not be prepared (recorded as errors)" if prepared.unprepared else ""
    say(f"{prepared.lines} requests for {prepared.article_count} articles in {prepared.requests} "
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
        with quiet(False):
            for result in iter_ingest(requests, results, out, retry_live=retry_live):  # failures alone are kept
                ok += result.ok
                if not result.ok:
                    failed.append(result)
    except errors.SummarizerError as exc:
        exit_with_error(described(exc))
    raise typer.Exit(_batch_report(ok, failed))


@batch_app.command("submit")
def batch_submit_command(
    requests: Annotated[Path, typer.Argument(help="The requests file batch prepare wrote.", show_default=False)],
    job: _JobOption = Path("job.json"),
    base_url: BaseUrlOption = None,
) -> None:
    """Upload the requests through the Files API and create the batch (24 h)."""
    try:
        submitted = batch_submit(requests, job, base_url=base_url)
    except errors.SummarizerError as exc:
        exit_with_error(described(exc))
    say(f"batch {submitted.batch_id} is {submitted.status}; the job is in {job}", prefix="ok")


@batch_app.command("status")
def batch_status_command(job: _JobOption = Path("job.json")) -> None:
    """Where the job's batch stands."""
    try:
        current = batch_status(job)
    except errors.SummarizerError as exc:
        exit_with_error(described(exc))
    counts = current.request_counts
    typer.echo(f"{current.batch_id}: {current.status} ({counts.get('completed', 0)} done, "
               f"{counts.get('failed', 0)} failed, of {counts.get('total', '?')})")
    for line in current.errors:
        say(line)


@batch_app.command("collect")
def batch_collect_command(
    job: _JobOption = Path("job.json"),
    out: _RecordsOut = Path("records.jsonl"),
    wait: Annotated[bool, typer.Option("--wait", help="Poll until the batch has ended (backing off to 5 min).")] = False,
    poll: Annotated[float, typer.Option("--poll", min=0.0, help="Seconds before the first poll.")] = 10.0,
) -> None:
    """Download the ended batch's answers and read them into the records file."""
    try:
        with quiet(False):
            collected = batch_collect(job, out, wait=wait, poll=poll, keep_results=False)
    except errors.SummarizerError as exc:
        exit_with_error(described(exc))
    if collected.resubmit:
        say(f"{len(collected.resubmit)} article(s) can be sent again: summarizer batch prepare --again "
            f"{collected.job.requests} --only-failed {out} --out NEW.jsonl", prefix="note")
    raise typer.Exit(_batch_report(collected.ok, collected.results))
