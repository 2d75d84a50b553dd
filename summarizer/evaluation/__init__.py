"""Scoring summaries against hand-made gold annotations, per field.

:mod:`.gold` reads and checks the gold, :mod:`.matching` pairs items, :mod:`.scores`
counts, :mod:`.run` runs a folder and prints the table.

A gold file (``NAME.gold.json`` beside the article ``NAME.txt``) holds what a careful
reader extracts from the article, in the shape of :class:`ArticleSummary`'s content
fields. It is checked when loaded: every gold quote must be found in its article,
exactly or normalized, and every figure's number must be stated in its quote, so gold
cannot drift away from its text unnoticed (:class:`GoldError`).

:func:`evaluate` pairs predicted and gold items one to one: every admissible pair gets
a score, and pairs are taken greedily, best score first (ties: earlier gold item, then
earlier prediction); an item already taken is not taken again. A pair is admissible
when:

figures
    the numbers agree, equal within :data:`VALUE_TOLERANCE` (relative) or as
    intervals that overlap (a value inside a gold range, two ranges that share part of
    their span; a fraction stands for a percentage when either unit is a percent), and
    the measures are alike: :func:`similarity` at least :data:`MEASURE_THRESHOLD`.
    Equal numbers outrank overlapping ones, then the more similar measure wins.
actors
    the names agree once folded (case, accents, punctuation, a leading "the", a
    possessive), or one is the other's last words and the gold actor is a person
    ("Milley", "Gen. Mark Milley" and "Mark Milley"); the gold may list ``aliases``
    (spelling variants such as "Zelenskyy", or "United States" for "US"). Words are
    compared whole and never fuzzily, so "Russian" never matches "Russia".
claims and conditions
    the prediction is grounded and its span overlaps the gold span by at least
    :data:`SPAN_OVERLAP` of the shorter of the two, and its statement (condition) is
    at least :data:`SPAN_TEXT_FLOOR` alike, so a quote spanning several gold items
    matches the one it is about; or, failing that (an ungrounded prediction, or one
    quoting a repetition elsewhere in the article), the statements or the quotes are
    at least :data:`TEXT_THRESHOLD` alike as whole texts (``similarity(whole=True)``).
    Span matches outrank text matches.

Texts are compared by :func:`similarity` (rapidfuzz) on their content words: case and
accents folded, a few stop words left out, a few synonyms unified (troops/soldiers,
injured/wounded, casualties/killed and wounded), each word cut to five letters.

Precision is matched / predicted, recall matched / gold, F1 their harmonic mean; with
nothing to find and nothing found all three are 1.0, a ratio with nothing to divide by
is None (shown as "-"), and F1 is 0.0 when either is 0 or None otherwise. Precision
counts the items a caller receives: items the library dropped are not in the result,
and are counted, with flagged ones, as ``unsupported``.
"""

from ..errors import EvaluationError, GoldError
from .gold import GOLD_SUFFIX, Gold, GoldActor, GoldArticle, find_gold, load_gold
from .matching import (
    MEASURE_THRESHOLD,
    SPAN_OVERLAP,
    SPAN_TEXT_FLOOR,
    TEXT_THRESHOLD,
    VALUE_TOLERANCE,
    similarity,
)
from .run import EvalReport, print_scores, run_eval, scores_table
from .scores import ListScores, Scores, aggregate, evaluate

__all__ = [
    "GOLD_SUFFIX",
    "MEASURE_THRESHOLD",
    "SPAN_OVERLAP",
    "SPAN_TEXT_FLOOR",
    "TEXT_THRESHOLD",
    "VALUE_TOLERANCE",
    "EvalReport",
    "EvaluationError",
    "Gold",
    "GoldActor",
    "GoldArticle",
    "GoldError",
    "ListScores",
    "Scores",
    "aggregate",
    "evaluate",
    "find_gold",
    "load_gold",
    "print_scores",
    "run_eval",
    "scores_table",
    "similarity",
]
