"""What the library records about a summary, never the model: where its quotes sit, every check, dates, provenance.

Grounding (:mod:`summarizer.grounding`) fills the :class:`GroundingReport` and each
item's :class:`Span`, :class:`FieldCheck` list and :class:`When`; the core fills the
:class:`Provenance`. A summary carries them in fields hidden from the JSON Schema the
model sees (see :mod:`summarizer.schema`, which re-exports every name here).
"""

from __future__ import annotations

from datetime import date, datetime
from datetime import date as Day
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr

__all__ = [
    "CheckTally",
    "DateBasis",
    "DateRange",
    "Evidence",
    "Extract",
    "FieldCheck",
    "GroundingIssue",
    "GroundingPolicy",
    "GroundingReport",
    "MatchKind",
    "MeasureStyle",
    "PageInfo",
    "Provenance",
    "PublishedFrom",
    "Span",
    "SummaryStyle",
    "UncoveredNumber",
    "Usage",
    "When",
]


# -- what grounding records -------------------------------------------------------------

MatchKind = Literal["exact", "normalized", "fuzzy"]
GroundingPolicy = Literal["reask", "flag", "drop"]
Evidence = Literal["quote", "sentence", "sentence+numbers"]
SummaryStyle = Literal["cited", "written"]
MeasureStyle = Literal["read", "written"]
"""Where an item's evidence comes from: the model copies a ``quote``; or it cites a
numbered ``sentence`` and the library fills the quote from the article; or, in
addition, each figure cites one of the numbers the library found (see
:mod:`summarizer.grounding.cite`)."""
Extract = Literal["visible", "main"]
"""How an HTML page becomes text: every block a reader sees, or the main text alone (trafilatura)."""


class Span(BaseModel):
    """Where an item's quote sits in the article: ``text[start:end]``."""

    model_config = ConfigDict(frozen=True)

    start: int = Field(ge=0)
    end: int = Field(ge=0)
    match: MatchKind


DateBasis = Literal["explicit", "relative", "published"]
"""How an item's date was found: a full date in its words; date words read against the article's date;
or no date words, so only the article's own date applies."""
PublishedFrom = Literal["argument", "page", "dateline"]
"""Where the article's date came from: the caller (``published=``), the page's markup, or the article's opening lines."""


class DateRange(BaseModel):
    """The days "last week", "this week" or "last month" cover, both ends included."""

    model_config = ConfigDict(frozen=True)

    start: date
    end: date


class When(BaseModel):
    """When an item happened or was said: filled by the library from the article's words, never by the model.

    ``date`` is a day, a :class:`DateRange`, or None when the words could not be resolved
    (the article's date is unknown). ``text`` and ``span`` are the date words and where they
    sit in the article (None for basis "published"). See :mod:`summarizer.grounding.dating`.
    """

    model_config = ConfigDict(frozen=True)

    date: Day | DateRange | None
    text: str | None = None
    span: Span | None = None
    basis: DateBasis

    @property
    def first(self) -> Day | None:
        """The day, or the first day of the range (what a ledger sorts by)."""
        return self.date.start if isinstance(self.date, DateRange) else self.date

    @property
    def last(self) -> Day | None:
        return self.date.end if isinstance(self.date, DateRange) else self.date


class FieldCheck(BaseModel):
    """One check of one item: its quote against the article, or one field against its evidence."""

    model_config = ConfigDict(frozen=True)

    field: str = Field(description='"quote", or the field checked: "value", "qualifier", "speaker", ...')
    ok: bool
    detail: str | None = Field(default=None, description="Why it failed; for a quote that passed, how it differed.")
    words: list[str] = Field(
        default_factory=list, description="The words of the model's own text that failed (what a report marks)."
    )


class CheckTally(BaseModel):
    """How many items passed and failed one check."""

    passed: int = 0
    failed: int = 0


class GroundingIssue(BaseModel):
    """One item that the article does not support, and why."""

    path: str = Field(description='Where the item was in the model\'s answer, e.g. "figures[2]".')
    quote: str
    reason: str
    fields: list[str] = Field(default_factory=list, description='The checks that failed, e.g. ["quote"], ["value", "speaker"].')
    dropped: bool = False


class UncoveredNumber(BaseModel):
    """A number the article states that no grounded figure accounts for."""

    model_config = ConfigDict(frozen=True)

    text: str = Field(description='As written, e.g. "40,000" or "forty".')
    value: float
    start: int = Field(ge=0)
    end: int = Field(ge=0)
    sentence: str = Field(
        description="The article's sentence that holds it; a sentence longer than 240 characters (a flattened "
        "table, a transcript without full stops) is cut to the words within 80 characters of the number."
    )
    sentence_start: int | None = Field(default=None, ge=0, description="Where ``sentence`` starts in the article.")
    sentence_end: int | None = Field(default=None, ge=0, description="Where it ends (None in records made before).")


class GroundingReport(BaseModel):
    """How well a result's items are supported by its article."""

    policy: GroundingPolicy
    exact: int = 0
    normalized: int = 0
    fuzzy: int = 0
    ungrounded: int = Field(default=0, description="Items kept although unsupported (policy flag).")
    dropped: int = Field(default=0, description="Unsupported items removed from the result.")
    issues: list[GroundingIssue] = Field(default_factory=list)
    checks: dict[str, CheckTally] = Field(
        default_factory=dict, description='Per check, e.g. "figures.qualifier": how many items passed and failed it.'
    )
    headline: FieldCheck | None = Field(default=None, description="Whether the headline is in the article's opening lines.")
    summary: list[FieldCheck] = Field(
        default_factory=list, description="One check per sentence of the summary: finished, and supported by the article."
    )
    recited: list[str] = Field(
        default_factory=list,
        description='Cited items whose own words were the sentence before or after the one cited, and every check passed '
        'there: moved by the library, e.g. "key_claims[1]: [14] -> [15]" (paths as in the model\'s answer).',
    )
    numbers: int = Field(default=0, description="Numbers the article states that count (see grounding.coverage).")
    uncovered: list[UncoveredNumber] = Field(
        default_factory=list, description="Of those, the ones no grounded figure accounts for."
    )
    _flagged: list[BaseModel] = PrivateAttr(default_factory=list)  # the kept items themselves

    @property
    def grounded(self) -> int:
        return self.exact + self.normalized + self.fuzzy

    @property
    def checked(self) -> int:
        return self.grounded + self.ungrounded + self.dropped

    def describe(self) -> str:
        text = (
            f"{self.grounded}/{self.checked} items grounded ({self.exact} exact, "
            f"{self.normalized} normalized, {self.fuzzy} fuzzy); "
            f"{self.ungrounded} flagged, {self.dropped} dropped"
        )
        if self.numbers:
            text += f"; {self.numbers - len(self.uncovered)}/{self.numbers} numbers covered by a figure"
        return text

    def tally(self, kind: str, check: FieldCheck) -> None:
        """Count one check of one item of ``kind`` ("figures")."""
        counts = self.checks.setdefault(f"{kind}.{check.field}", CheckTally())
        if check.ok:
            counts.passed += 1
        else:
            counts.failed += 1

    def flag(self, item: BaseModel) -> None:
        """Count ``item`` as kept although unsupported, and remember it (for :func:`~summarizer.grounding.ungrounded`)."""
        self.ungrounded += 1
        self._flagged.append(item)

    def is_flagged(self, item: BaseModel) -> bool:
        """Whether this very object was flagged in this run (identity, not equality)."""
        return any(flagged is item for flagged in self._flagged)

    def replace_flagged(self, old: BaseModel, new: BaseModel) -> None:
        """Point a flag at ``new`` where it pointed at ``old`` (the result's class was restored)."""
        self._flagged = [new if item is old else item for item in self._flagged]


# -- where it came from ------------------------------------------------------------------


class Usage(BaseModel):
    """Tokens spent, summed over every request a result needed."""

    prompt_tokens: int = 0
    completion_tokens: int = 0
    total_tokens: int = 0

    def __add__(self, other: Usage) -> Usage:
        return Usage(
            prompt_tokens=self.prompt_tokens + other.prompt_tokens,
            completion_tokens=self.completion_tokens + other.completion_tokens,
            total_tokens=self.total_tokens + other.total_tokens,
        )


class PageInfo(BaseModel):
    """What an HTML page declares about itself in its markup: read from tags, never guessed from its text."""

    title: str | None = Field(default=None, description="og:title, the JSON-LD headline, or <title>.")
    published: str | None = Field(
        default=None,
        description="The publication date as the markup gives it (article:published_time, JSON-LD datePublished, "
        "<time pubdate>, ...), unparsed.",
    )
    extractor: Extract = Field(
        default="visible",
        description='"visible": every block a reader sees; "main": the main text (trafilatura), boilerplate left out.',
    )


class Provenance(BaseModel):
    """Where a summary came from, filled by the library and never by the model."""

    model: str
    endpoint: str = Field(description="Host (and port) of the API; never a key or a path with credentials.")
    backend: str = Field(description='"openai", "local" or "openai-compatible".')
    mode: str = Field(description="How instructor asked for structured output (tools, json_schema, ...).")
    prompt_version: str
    prompt_sha256: str
    schema_version: str
    input_sha256: str = Field(description="sha256 of the article text exactly as passed in (UTF-8).")
    usage: Usage
    attempts: int = Field(description="Model answers received, re-asks included.")
    transient_retries: int = Field(description="Requests repeated after 429, 5xx, time-outs or lost connections.")
    latency_s: float
    created_at: datetime
    library_version: str
    cached: bool = Field(default=False, description="True when read from the on-disk cache: no request was made.")
    chunks: int = Field(default=1, description="Parts a long article was summarized in, then merged.")
    evidence: Evidence = Field(
        default="quote",
        description='"quote": the model copied each quote; "sentence": it cited sentence numbers and the library '
        'filled the quotes; "sentence+numbers": figures also cite the numbers the library found.',
    )
    summary_style: SummaryStyle | None = Field(
        default=None,
        description='In a cited mode: "cited", the summary is the article\'s sentences the model picked; "written", '
        "the model wrote it. None in quote mode (written).",
    )
    measure_style: MeasureStyle | None = Field(
        default=None,
        description='With "sentence+numbers": "read", each measure read from its number\'s words where the library '
        'could; "written", the model wrote it. None otherwise.',
    )
    page: PageInfo | None = Field(default=None, description="For an HTML file read by a batch: what its markup declares.")
    published: date | None = Field(
        default=None, description="The article's date, against which its items' date words were read; None if unknown."
    )
    published_from: PublishedFrom | None = Field(
        default=None, description='Where that date came from: "argument" (published=), "page" (markup) or "dateline".'
    )
    batch: str | None = Field(
        default=None,
        description="For an answer that came back from a batch (a provider's Batch API job or a results file): "
        'which one, e.g. "batch_abc123" or "results.jsonl". None for a live call.',
    )
    cache_error: str | None = Field(
        default=None,
        description="Why a batch could not use its cache for this summary (corrupt, locked, unwritable): "
        "it was neither looked up nor saved there. None when the cache worked or was off.",
    )
