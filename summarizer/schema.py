"""The data: a summary and its items, as the model fills them; what the library records, re-exported.

Data only: nothing here calls a model, aligns a quote or renders a report. What the
library records about a summary (spans, checks, dates, the grounding report,
provenance) is defined in :mod:`summarizer.audit` and re-exported here, so
``summarizer.schema`` names every data type. The one late import is of
:mod:`summarizer.report`, by the notebook display hooks of :class:`ArticleSummary`, so
that a summary shows itself in Jupyter.

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
import typing
from enum import Enum
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    FiniteFloat,
    model_validator,
)
from pydantic.fields import FieldInfo
from pydantic.json_schema import SkipJsonSchema

from .audit import (
    CheckTally,
    DateBasis,
    DateRange,
    Evidence,
    Extract,
    FieldCheck,
    GroundingIssue,
    GroundingPolicy,
    GroundingReport,
    MatchKind,
    MeasureStyle,
    PageInfo,
    Provenance,
    PublishedFrom,
    Span,
    SummaryStyle,
    UncoveredNumber,
    Usage,
    When,
)

__all__ = [
    "SCHEMA_VERSION",
    "Actor",
    "ActorKind",
    "ArticleSummary",
    "CheckTally",
    "DateBasis",
    "DateRange",
    "Evidence",
    "Extract",
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


# -- the summary ------------------------------------------------------------------------


def library_fills(info: FieldInfo) -> bool:
    """Whether a field is one the model never sees (``SkipJsonSchema``: span, checks, provenance, ...): the library
    fills it. Both twins the model is sent (the wire model, the cited model) leave these fields out."""
    return any(isinstance(m, _SKIPPED) for m in info.metadata)


_SKIPPED = typing.cast("type", SkipJsonSchema)  # a class at run time; its stub makes it an alias


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
