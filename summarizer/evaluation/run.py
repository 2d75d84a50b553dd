"""A folder of annotated articles: summarize (or read saved summaries), score, print the table."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field, ValidationError

from ..batch import read_output, summarize_many
from ..batch.output import RECORDS
from ..errors import EvaluationError
from ..files import OutputKind, check_ours, write_atomic
from ..results import provenance_of
from ..schema import ArticleSummary
from .gold import GOLD_SUFFIX, GoldArticle, find_gold
from .matching import MEASURE_THRESHOLD, SPAN_OVERLAP, SPAN_TEXT_FLOOR, TEXT_THRESHOLD, VALUE_TOLERANCE
from .scores import Scores, aggregate, evaluate, failed

__all__ = ["SCORES", "EvalReport", "eval_inputs", "print_scores", "run_eval", "scores_table"]


def _is_scores(data: bytes) -> bool:
    try:
        found = json.loads(data)
    except (ValueError, RecursionError):
        return False
    return isinstance(found, dict) and {"directory", "predictions_from", "averaging", "overall", "articles"} <= found.keys()


SCORES = OutputKind("a summarizer scores file (what eval --out writes)", _is_scores)
"""The JSON :meth:`EvalReport.write` writes: the only file it writes over."""


def eval_inputs(directory: str | os.PathLike[str]) -> list[Path]:
    """The files an evaluation of ``directory`` reads (each gold file and its article): never one of its outputs."""
    folder = Path(directory)
    golds = sorted(folder.glob("*" + GOLD_SUFFIX)) if folder.is_dir() else []
    return [p for gold in golds for p in (gold, gold.with_name(gold.name.removesuffix(GOLD_SUFFIX) + ".txt"))]



class EvalReport(BaseModel):
    """Scores of every annotated article in a folder, and their micro-average."""

    directory: str
    predictions_from: str = Field(description='"model <name>" or the predictions file that was scored.')
    articles: list[Scores]
    overall: Scores
    missing: list[str] = Field(default_factory=list, description="Annotated articles with no prediction (not scored).")

    def to_json(self) -> dict[str, Any]:
        return {
            "directory": self.directory,
            "predictions_from": self.predictions_from,
            "averaging": "micro: counts summed over articles",
            "thresholds": {
                "value_tolerance": VALUE_TOLERANCE,
                "measure_similarity": MEASURE_THRESHOLD,
                "span_overlap": SPAN_OVERLAP,
                "span_text_floor": SPAN_TEXT_FLOOR,
                "text_similarity": TEXT_THRESHOLD,
            },
            "overall": self.overall.to_json(),
            "articles": [s.to_json() for s in self.articles],
            "missing": self.missing,
        }

    def dumps(self) -> str:
        """:meth:`to_json` as the text :meth:`write` writes."""
        return json.dumps(self.to_json(), indent=2, ensure_ascii=False) + "\n"

    def write(self, path: str | os.PathLike[str]) -> None:
        """Write the scores whole or not at all, over nothing but earlier scores (:data:`SCORES`)."""
        check_ours(path, SCORES)
        write_atomic(path, self.dumps())


def _from_predictions(golds: list[GoldArticle], path: Path) -> tuple[list[Scores], list[str]]:
    """Records are matched to articles by ``input_sha256``: the last success for a text, else its last failure."""

    try:
        records = read_output(path)
    except OSError as exc:
        raise EvaluationError(f"{path}: cannot read the predictions: {exc.strerror or exc}") from exc
    latest: dict[str, dict[str, Any]] = {}
    for record in records:
        digest = record.get("input_sha256")
        if isinstance(digest, str) and (record.get("ok") or digest not in latest or not latest[digest].get("ok")):
            latest[digest] = record
    scores: list[Scores] = []
    missing: list[str] = []
    for gold in golds:
        found = latest.get(gold.sha256)
        if found is None:
            missing.append(gold.name)
        elif found.get("ok") and isinstance(found.get("summary"), dict):
            try:
                summary = ArticleSummary.model_validate(found["summary"])
            except ValidationError as exc:
                scores.append(failed(gold, f"the saved summary is not an ArticleSummary: {exc.error_count()} error(s)"))
                continue
            scores.append(evaluate(summary, gold))
        else:
            error = found.get("error") or {}
            scores.append(failed(gold, f"{error.get('type', 'Error')}: {error.get('message', 'no summary')}"))
    return scores, missing


def run_eval(
    directory: str | os.PathLike[str],
    *,
    predictions: str | os.PathLike[str] | None = None,
    **batch_options: Any,
) -> EvalReport:
    """Score every annotated article in ``directory``.

    With ``predictions`` (a JSON Lines file written by ``summarize_many(output=...)``)
    the saved summaries are scored and no model is called; an article with no record
    there is listed in ``missing``. Otherwise the articles are summarized with
    :func:`summarize_many` and ``batch_options`` (``model=``, ``summarizer=``,
    ``output=``, ``cache=``...); ``output`` must not be a file the evaluation reads
    (:class:`~summarizer.errors.OutputPathError` before any request). An article the
    summarizer failed on scores as an empty summary, with its error.
    """
    golds = find_gold(directory)
    output = batch_options.get("output")
    if output is not None:  # before any request: the summaries never go into a file the evaluation reads
        check_ours(output, RECORDS, inputs=[predictions, *eval_inputs(directory)])
    if predictions is not None:
        scores, missing = _from_predictions(golds, Path(predictions))
        source = str(predictions)
    else:
        # The date the gold says a reader is given; one the article states (a dateline) is left to the library to find.
        results = summarize_many(
            [(g.name, g.text, g.gold.published if g.gold.published_from == "argument" else None) for g in golds],
            **batch_options,
        )
        scores, missing = [], []
        for gold, result in zip(golds, results, strict=True):
            if isinstance(result.summary, ArticleSummary):
                scores.append(evaluate(result.summary, gold))
            else:
                error = result.error
                scores.append(failed(gold, f"{error.type}: {error.message}" if error else "no summary"))
        used = sorted({p.model for r in results if r.summary is not None and (p := provenance_of(r.summary)) is not None})
        source = "model " + (", ".join(used) or str(batch_options.get("model") or "unknown (no summary)"))
    return EvalReport(
        directory=str(directory), predictions_from=source, articles=scores, overall=aggregate(scores), missing=missing
    )


# -- the table ------------------------------------------------------------------------------

_HEADINGS = {"key_claims": "Claims", "figures": "Figures", "actors": "Actors", "peace_talk_conditions": "Conditions"}


def _fmt(x: float | None) -> str:
    return "-" if x is None else f"{x:.2f}"


def scores_table(report: EvalReport) -> Any:
    """A rich Table: one row per article and the micro-averaged total; P/R/F1 per list."""
    from rich.markup import escape  # rich costs 50 ms to import: only for the table
    from rich.table import Table

    table = Table(
        title=f"Scores on {report.directory} ({report.predictions_from})",
        caption="P/R/F1 per list (matched of gold); total: micro-average over articles; '-': nothing to divide by",
    )
    table.add_column("Article", overflow="fold")
    for heading in _HEADINGS.values():
        table.add_column(f"{heading}\nP / R / F1", justify="right")
    table.add_column("Figure\nfields", justify="right")
    table.add_column("Grounded", justify="right")
    table.add_column("Unsup-\nported", justify="right")
    table.add_column("Dates", justify="right")

    def row(label: str, s: Scores, style: str | None = None) -> None:
        cells = [
            f"{_fmt(ls.precision)} / {_fmt(ls.recall)} / {_fmt(ls.f1)}\n({ls.matched} of {ls.gold})"
            for ls in s.lists().values()
        ]
        table.add_row(
            escape(label) + (f"\n[red]{escape(s.error[:80])}[/red]" if s.error else ""),
            *cells,
            f"{_fmt(s.figure_accuracy)}\n({s.figures_correct} of {s.figures.matched})",
            f"{_fmt(s.grounding_rate)}\n({s.grounded} of {s.items})",
            str(s.unsupported),
            f"{_fmt(s.date_accuracy)}\n({s.dated_right} of {s.dated})",
            style=style,
        )

    for s in report.articles:
        row(s.article or "", s)
    table.add_section()
    n = report.overall.articles
    row(f"total ({n} article{'s' if n != 1 else ''})", report.overall, style="bold")
    return table


def print_scores(report: EvalReport, console: Any = None) -> None:
    """Print :func:`scores_table` (to standard output, 200 columns wide when that is not a terminal)."""
    from rich.console import Console  # rich costs 50 ms to import: only when scores are printed

    (console or Console(width=None if sys.stdout.isatty() else 200)).print(scores_table(report))
