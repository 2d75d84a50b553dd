"""The options the commands share, and what they become: a checked date, a :class:`~summarizer.Summarizer`.

The choices of ``--grounding``, ``--evidence``, ``--summary``, ``--measures`` and
``--extract`` are the library's own ``Literal`` types (:mod:`summarizer.schema`): typer
offers their values, and a value given is passed on as it is.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Annotated

import typer

from .. import errors
from ..core import Summarizer
from ..grounding.dating import check_published
from ..schema import Evidence, Extract, GroundingPolicy, MeasureStyle, SummaryStyle
from .messages import described, exit_with_error

__all__ = [
    "BaseUrlOption",
    "ConcurrencyOption",
    "EvidenceOption",
    "ExtractOption",
    "GroundingOption",
    "MaxRequestsOption",
    "MaxRetriesOption",
    "MaxTokensOption",
    "MeasuresOption",
    "ModelChoice",
    "ModelOption",
    "NoCacheOption",
    "PublishedOption",
    "SummaryOption",
    "VerboseOption",
    "published_day",
]

# Options shared by the commands that call a model.
ModelOption = Annotated[
    str | None,
    typer.Option("--model", "-m", help='Model name, or "local" for the embedded offline model. (env: SUMMARIZER_MODEL)'),
]
BaseUrlOption = Annotated[
    str | None,
    typer.Option("--base-url", help="An OpenAI-compatible server, e.g. http://127.0.0.1:11434/v1. (env: OPENAI_BASE_URL)"),
]
ConcurrencyOption = Annotated[int, typer.Option("--concurrency", "-c", min=1, help="Articles in flight at once.")]
NoCacheOption = Annotated[bool, typer.Option("--no-cache", help="Neither read nor write the on-disk cache.")]
MaxRequestsOption = Annotated[int | None, typer.Option(
    "--max-requests", min=0, show_default=False,
    help="Send at most this many requests (re-asks and retries count); the rest are recorded as not done.")]
MaxTokensOption = Annotated[int | None, typer.Option(
    "--max-total-tokens", min=0, show_default=False,
    help="Spend at most this many tokens (each request is reserved at an upper bound before it is sent).")]
GroundingOption = Annotated[
    GroundingPolicy | None,
    typer.Option(help="Items the article does not support: re-ask the model, flag them, or drop them."),
]
EvidenceOption = Annotated[
    Evidence | None,
    typer.Option("--evidence", help="Where evidence comes from: the model copies quotes, or cites numbered sentences "
                 "(and, with sentence+numbers, the numbers the library found). Default: what suits the model.",
                 show_default=False),
]
SummaryOption = Annotated[
    SummaryStyle | None,
    typer.Option("--summary", help="In a cited mode: the summary is the article's sentences the model picks (cited), "
                 "or sentences it writes, each checked (written). Default: what suits the model.", show_default=False),
]
MeasuresOption = Annotated[
    MeasureStyle | None,
    typer.Option("--measures", help="With sentence+numbers: a figure's measure is read from its number's words "
                 "(read), or written by the model from them, checked (written). Default: what suits the model.",
                 show_default=False),
]
MaxRetriesOption = Annotated[
    int, typer.Option("--max-retries", min=0, help="Retries of a failed request (429, 5xx, lost connection).")
]
ExtractOption = Annotated[
    Extract,
    typer.Option("--extract", help="HTML files: every visible block, or the main text alone (needs summarizer\\[html])."),
]
PublishedOption = Annotated[str | None, typer.Option(
    "--published",
    help="The articles' date (YYYY-MM-DD), what their date words (\"said Wednesday\") are read against. Default: "
    "each page's markup, else a dateline in its text.",
    show_default=False,
)]
VerboseOption = Annotated[bool, typer.Option("--verbose", "-v", help="Show the library's and instructor's logs.")]


def published_day(value: str | None) -> date | None:
    """--published, checked before anything is read or sent."""
    try:
        return check_published(value)
    except errors.InputError as exc:
        exit_with_error(f"--published {value!r}: {str(exc).removeprefix('published: ')}")


@dataclass(frozen=True)
class ModelChoice:
    """The model options a command was given, once (``summarize``, ``eval`` and ``batch prepare`` take the same)."""

    model: str | None
    base_url: str | None
    grounding: GroundingPolicy | None
    max_retries: int
    evidence: Evidence | None
    summary: SummaryStyle | None = None
    measures: MeasureStyle | None = None

    def summarizer(self) -> Summarizer:
        """The :class:`~summarizer.Summarizer` these options make; a setting that cannot be used ends the command."""
        try:
            return Summarizer(
                self.model,
                base_url=self.base_url,
                grounding=self.grounding,
                max_retries=self.max_retries,
                evidence=self.evidence,
                summary=self.summary,
                measures=self.measures,
            )
        except errors.ConfigurationError as exc:
            exit_with_error(described(exc))
