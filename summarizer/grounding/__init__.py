"""Proving every extracted item against the article it came from.

Two parts, kept apart: :mod:`~summarizer.grounding.align` finds where a quote sits
(:func:`locate`, with :mod:`~summarizer.grounding.numbers` for the numbers a text
states), and :mod:`~summarizer.grounding.policy` grounds a whole result and decides
what happens to an item that fails (:func:`ground`, :func:`reask_message`,
:func:`ungrounded`). The types they fill (:class:`Span`, :class:`GroundingReport`,
...) live in :mod:`summarizer.schema`.

The checks policy runs, one module an idea:

- the item's fields (:mod:`~.fields`): a figure's number and qualifier (:mod:`~.figures`),
  who said it (:mod:`~.attribution`), whether a region names a party (:mod:`~.naming`);
- the model's own words (:mod:`~.words`): statements (:mod:`~.statements`,
  :mod:`~.polarity`), measures and units (:mod:`~.measures`), roles and affiliations
  (:mod:`~.roles`), who must meet a condition (:mod:`~.conditions`), the summary
  (:mod:`~.summary`), over the words as lemmas (:mod:`~.lemmas`) and the names written
  (:mod:`~.parties`); every check reports through :mod:`~.checks`;
- the cited modes (:mod:`~.cite`): the numbered article (:mod:`~.numbered`) and what the
  library reads in it (:mod:`~.reading`, :mod:`~.counts`).
"""

from ..results import grounding_of
from ..schema import GroundingIssue, GroundingPolicy, GroundingReport, MatchKind, Span
from .align import FUZZY_MIN_WORDS, FUZZY_THRESHOLD, locate
from .meaning import Difference, compare
from .policy import GROUNDING_VERSION, check_quote, ground, reask_message, ungrounded

__all__ = [
    "FUZZY_MIN_WORDS",
    "FUZZY_THRESHOLD",
    "GROUNDING_VERSION",
    "Difference",
    "GroundingIssue",
    "GroundingPolicy",
    "GroundingReport",
    "MatchKind",
    "Span",
    "check_quote",
    "compare",
    "ground",
    "grounding_of",
    "locate",
    "reask_message",
    "ungrounded",
]
