"""Proving every extracted item against the article it came from.

Two parts, kept apart: :mod:`~summarizer.grounding.align` finds where a quote sits
(:func:`locate`, with :mod:`~summarizer.grounding.numbers` for the numbers a text
states), and :mod:`~summarizer.grounding.policy` grounds a whole result and decides
what happens to an item that fails (:func:`ground`, :func:`reask_message`,
:func:`ungrounded`). The types they fill (:class:`Span`, :class:`GroundingReport`,
...) live in :mod:`summarizer.schema`.
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
