"""``summarizer eval``: score summaries against hand-made gold, from a model run now or from saved predictions.

Gold that does not parse is named line by line, and ``--out`` and ``--save-predictions``
are checked, before any request. The scores are printed as a table and written as JSON.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from .. import errors
from ..batch.output import RECORDS
from ..evaluation import print_scores, run_eval
from ..evaluation.run import SCORES, eval_inputs
from ..files import check_ours
from .logs import quiet
from .messages import EXIT_FAILED, EXIT_INTERRUPTED, EXIT_OK, EXIT_USAGE, described, exit_with_error, say
from .options import (
    BaseUrlOption,
    ConcurrencyOption,
    EvidenceOption,
    GroundingOption,
    MaxRetriesOption,
    MeasuresOption,
    ModelChoice,
    ModelOption,
    NoCacheOption,
    SummaryOption,
    VerboseOption,
)
from .output import print_to, streamed

__all__ = ["eval_command"]


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
            exit_with_error(f"{option} {described(exc)}")


def eval_command(
    directory: Annotated[
        Path, typer.Argument(help="A folder of articles NAME.txt, each with its gold NAME.gold.json.", show_default=False)
    ],
    predictions: Annotated[
        Path | None,
        typer.Option("--predictions", "-p", help="Score the summaries saved in this JSON Lines file "
                     "(summarize --format jsonl, or summarize_many(output=...)); no model is called."),
    ] = None,
    model: ModelOption = None,
    base_url: BaseUrlOption = None,
    grounding: GroundingOption = None,
    evidence: EvidenceOption = None,
    summary: SummaryOption = None,
    measures: MeasuresOption = None,
    out: Annotated[Path, typer.Option("--out", "-o", help="Where to write the scores as JSON (written over only if "
                                      "it holds scores; a terminal or pipe such as /dev/stdout is written to).")
                   ] = Path("scores.json"),
    save: Annotated[
        Path | None,
        typer.Option("--save-predictions", help="Append the model's summaries to this JSON Lines file, to score "
                     "again with --predictions (a second run resumes from it)."),
    ] = None,
    concurrency: ConcurrencyOption = 4,
    no_cache: NoCacheOption = False,
    max_retries: MaxRetriesOption = 4,
    verbose: VerboseOption = False,
) -> None:
    """Score summaries against hand-made gold: P/R/F1 per list, figure fields, grounding (see README, Evaluation)."""

    stream = streamed(out)
    try:
        with quiet(verbose):
            if predictions is not None and (model or base_url or save or evidence or summary or measures):
                exit_with_error("--predictions scores saved summaries: --model, --base-url, --evidence, --summary, "
                                "--measures and --save-predictions do not apply")
            _check_eval_out(directory, out, stream, predictions, save)
            if predictions is not None:
                report = run_eval(directory, predictions=predictions)
            else:
                choice = ModelChoice(model, base_url, grounding, max_retries, evidence, summary, measures)
                summarizer = choice.summarizer()
                try:
                    report = run_eval(directory, summarizer=summarizer, concurrency=concurrency,
                                      cache=not no_cache, output=save)
                finally:
                    summarizer.close()
    except errors.EvaluationError as exc:  # one line per problem: every broken gold item is named
        for line in str(exc).splitlines():
            say(line.strip())
        raise typer.Exit(EXIT_USAGE) from None
    except errors.SummarizerError as exc:  # e.g. --save-predictions in use by another run
        say(described(exc))
        raise typer.Exit(EXIT_USAGE) from None
    except KeyboardInterrupt:
        say("interrupted; finished articles are in the cache (and in --save-predictions)")
        raise typer.Exit(EXIT_INTERRUPTED) from None
    for name in report.missing:
        say(f"{name}: no summary of this text in {predictions} (matched by input_sha256); not scored", prefix="warning")
    if not report.articles:
        say(f"no summary in {predictions} is of an annotated article in {directory}")
        raise typer.Exit(EXIT_USAGE)
    print_scores(report)
    try:
        if stream:
            print_to(out, report.dumps())
        else:
            report.write(out)
    except (OSError, errors.OutputError) as exc:
        said = described(exc) if isinstance(exc, errors.OutputError) else f"{out}: cannot be written ({exc.strerror or exc})"
        say(f"--out {said}; the scores follow on standard output instead")
        typer.echo(report.dumps(), nl=False)
        raise typer.Exit(EXIT_FAILED) from None
    say(f"scores written to {out}", prefix="ok")
    failed = [s for s in report.articles if s.error is not None]
    for scores in failed:
        say(f"{scores.article}: {scores.error or ''} (scored as an empty summary)")
    raise typer.Exit(EXIT_FAILED if failed else EXIT_OK)
