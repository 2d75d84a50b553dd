"""The data: a summary, its items, and what the library records about it.

Data only: nothing here calls a model, aligns a quote or renders a report. Grounding
(:mod:`summarizer.grounding`) fills the types at the bottom of this module; the one
late import is of :mod:`summarizer.report`, by the notebook display hooks of
:class:`ArticleSummary`, so that a summary shows itself in Jupyter.

Two audiences read these models. The language model sees only the JSON Schema of
the content fields, so those stay lean (every description is paid for in tokens on
every call). The library adds what the model must never fill, ``provenance``, as a
field hidden from that schema and always overwritten after parsing.

Each extracted item starts with a verbatim ``quote`` from the article: asking for the
evidence first makes the model commit to text that exists, and it is what the
library checks against the source (see :mod:`summarizer.grounding`), recording
where it found it in each item's hidden ``span``.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import json
from datetime import date, datetime
from datetime import date as Day
from enum import Enum
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    FiniteFloat,
    PrivateAttr,
    model_validator,
)
from pydantic.json_schema import SkipJsonSchema

__all__ = [
    "SCHEMA_VERSION",
    "Actor",
    "ActorKind",
    "ArticleSummary",
    "CheckTally",
    "DateBasis",
    "DateRange",
    "Evidence",
    "FieldCheck",
    "Figure",
    "GroundingIssue",
    "GroundingPolicy",
    "GroundingReport",
    "KeyClaim",
    "MatchKind",
    "MeasureStyle",
    "OwnWords",
    "OwnWordsKind",
    "PageInfo",
    "PeaceTalkCondition",
    "Provenance",
    "PublishedFrom",
    "Qualifier",
    "Span",
    "SummaryStyle",
    "UncoveredNumber",
    "Usage",
    "When",
    "schema_sha256",
    "schema_version_of",
]

SCHEMA_VERSION = "article-summary/1"
"""Bumped whenever a field the model fills changes meaning or shape."""


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


OwnWordsKind = Literal["statement", "condition", "measure", "unit", "role", "affiliation", "party", "summary"]
"""How a field of the model's own words is checked against the article (see :mod:`summarizer.grounding.words`)."""


@dataclasses.dataclass(frozen=True)
class OwnWords:
    """Marks a ``str`` field of your own response model as the model's own words, checked against the evidence.

    ``Annotated[str, OwnWords("statement")]``: every number it writes is stated in the
    evidence, every name is named there, it keeps the evidence's polarity and hedges,
    and its words are mostly the evidence's. Fields named ``statement``, ``condition``,
    ``measure``, ``unit``, ``role``, ``affiliation`` and ``to_be_met_by`` are checked
    without a mark; the mark adds nothing to the schema the model sees.
    """

    kind: OwnWordsKind = "statement"


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


# -- the summary ------------------------------------------------------------------------


def _require_text(value: str) -> str:
    if not value:
        raise ValueError("must not be empty")
    return value


# Non-empty without a minLength keyword: OpenAI's strict mode rejects unsupported
# schema keywords, and the rule belongs to validation, not to the model's schema.
_Text = Annotated[str, AfterValidator(_require_text)]

_QUOTE = "Verbatim text copied from the article, a sentence or less, that supports this item."


class _Item(BaseModel):
    model_config = ConfigDict(str_strip_whitespace=True, use_enum_values=False)


class _Quoted(_Item):
    """An item backed by a quote; the library pins the quote to the article after parsing."""

    span: SkipJsonSchema[Span | None] = Field(
        default=None, description="Where the quote sits in the article; None when it could not be found."
    )
    evidence: SkipJsonSchema[str | None] = Field(
        default=None, description="The article's own words at the span (what the quote stands for)."
    )
    checks: SkipJsonSchema[list[FieldCheck]] = Field(
        default_factory=list, description="Every check made of this item, passed or failed."
    )
    grounding_error: SkipJsonSchema[str | None] = Field(
        default=None, description="Why the item is not supported by the article (kept under grounding='flag')."
    )
    when: SkipJsonSchema[When | None] = Field(
        default=None, description="The date its evidence (or its attribution) gives, or the article's; None if neither."
    )

    @property
    def match(self) -> MatchKind | None:
        """How the quote was found: "exact", "normalized", "fuzzy", or None."""
        return self.span.match if self.span else None

    @property
    def grounded(self) -> bool:
        """The quote says what the article says, and every field passed its check."""
        return self.span is not None and self.grounding_error is None

    def failed_checks(self) -> list[FieldCheck]:
        return [c for c in self.checks if not c.ok]


class ActorKind(str, Enum):
    PERSON = "person"
    GOVERNMENT = "government"
    MILITARY = "military"
    ORGANIZATION = "organization"
    COUNTRY = "country"
    GROUP = "group"
    OTHER = "other"


class Qualifier(str, Enum):
    """How a figure is hedged in the text: "as many as" is ``at_most``, "well over" is ``more_than``."""

    EXACT = "exact"
    APPROXIMATELY = "approximately"
    AT_LEAST = "at_least"
    MORE_THAN = "more_than"
    AT_MOST = "at_most"
    LESS_THAN = "less_than"
    RANGE = "range"


class KeyClaim(_Quoted):
    quote: _Text = Field(description=_QUOTE)
    statement: _Text = Field(description="The claim in one neutral sentence.")
    speaker: str | None = Field(
        description="Who makes the claim, as named in the article; null when it is the article's own voice."
    )
    hedged: bool = Field(description='True when the claim is hedged ("probably", "could", "may").')


class Figure(_Quoted):
    quote: _Text = Field(description=_QUOTE)
    text: _Text = Field(description='The figure exactly as written, e.g. "well over 100,000".')
    value: FiniteFloat | None = Field(description="The number; null for a range.")
    low: FiniteFloat | None = Field(description="Lower bound of a range, else null.")
    high: FiniteFloat | None = Field(description="Upper bound of a range, else null.")
    qualifier: Qualifier
    unit: str | None = Field(description='e.g. "people", "troops", "percent", "USD"; null if none.')
    measure: _Text = Field(description='What is counted, e.g. "Russian soldiers killed or wounded".')
    reported_by: str | None = Field(description="Who gives the figure; null for the article's own voice.")

    @model_validator(mode="after")
    def _value_or_range(self) -> Figure:
        if self.value is None and (self.low is None or self.high is None):
            raise ValueError("a figure needs a value, or both low and high for a range")
        if self.low is not None and self.high is not None and self.low > self.high:
            raise ValueError(f"low ({self.low}) is greater than high ({self.high})")
        return self


class Actor(_Quoted):
    quote: _Text = Field(description="Verbatim text from the article that mentions this actor.")
    name: _Text = Field(description="Name as written in the article.")
    kind: ActorKind
    role: str | None = Field(description="Role or title, e.g. \"chairman of the Joint Chiefs of Staff\".")
    affiliation: str | None = Field(description="Country or organisation the actor belongs to.")


class PeaceTalkCondition(_Quoted):
    quote: _Text = Field(description=_QUOTE)
    set_by: _Text = Field(description="The party that sets the condition.")
    condition: _Text = Field(description="What must happen before or for talks.")
    to_be_met_by: str | None = Field(description="Who must meet it; null if unstated.")


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
    extractor: Literal["visible", "main"] = Field(
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


class ArticleSummary(_Item):
    """A structured summary of one news article."""

    headline: str | None = Field(description="The article's headline if the text has one, else null.")
    summary: str = Field(description="Two to four neutral sentences covering the whole article.")
    key_claims: list[KeyClaim] = Field(max_length=20)
    figures: list[Figure] = Field(max_length=40, description="Every number the article reports.")
    actors: list[Actor] = Field(max_length=40)
    peace_talk_conditions: list[PeaceTalkCondition] = Field(
        max_length=15, description="Conditions any party sets for peace talks; empty if none."
    )
    provenance: SkipJsonSchema[Provenance | None] = Field(default=None, exclude=False)
    grounding: SkipJsonSchema[GroundingReport | None] = Field(default=None, exclude=False)
    # The article text the library keeps beside a summary it returns (see results.py)
    # is not a field: neither the schema nor a dump carries it.

    @model_validator(mode="after")
    def _summary_given(self) -> ArticleSummary:
        # An answer must give a summary; a grounded result may have lost every sentence of it (policy drop).
        if not self.summary.strip() and self.grounding is None:
            raise ValueError("summary: must not be empty")
        return self

    def _repr_html_(self) -> str:
        """Jupyter: the HTML report, with the article when the library kept it (the documented late import)."""
        from .report import render_html_fragment

        return render_html_fragment(self)

    def _repr_markdown_(self) -> str:
        from .report import render_markdown

        return render_markdown(self)


@functools.lru_cache(maxsize=64)
def schema_sha256(model: type[BaseModel]) -> str:
    """sha256 of a response model's JSON Schema: what the model is asked to fill."""
    return hashlib.sha256(json.dumps(model.model_json_schema(), sort_keys=True).encode()).hexdigest()


def schema_version_of(model: type[BaseModel]) -> str:
    """:data:`SCHEMA_VERSION` for ``ArticleSummary``; a user's model is named by its schema's hash."""
    if model is ArticleSummary:
        return SCHEMA_VERSION
    return f"{model.__name__}@{schema_sha256(model)[:12]}"
