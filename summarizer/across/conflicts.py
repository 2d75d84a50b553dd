"""When two entries of one measure disagree, and the disagreeing pairs of a row, found in one pass.

Each entry's value becomes the interval its qualifier allows (:func:`interval`):
"exact" within 2% (a reported count is rounded), "approximately" within 10%, "at least"
and "more than" up from the number, "as many as" and "less than" up to it, a range its
two ends. Two entries disagree when they come from different sources (``reported_by``,
else the article's own voice, which is its outlet's), both are dated, their dates are at
most :data:`DISAGREE_DAYS` apart, and their intervals do not meet: "well over 100,000"
against "80,000" disagrees, "as many as 40,000" against 30,000 does not.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable

from ..schema import When
from .entries import LedgerEntry

__all__ = ["CONFLICTS_KEPT", "DISAGREE_DAYS", "conflicts", "disagree", "interval", "source_key"]

DISAGREE_DAYS = 3
"""Entries dated further apart than this may differ without disagreeing: the count moved on."""
_EXACT_TOLERANCE = 0.02
_APPROXIMATE_TOLERANCE = 0.10


def interval(entry: LedgerEntry) -> tuple[float, float]:
    """The values an entry's words allow (see the module's docstring); open ends are infinite."""
    q = entry.qualifier
    if q == "range" or entry.value is None:
        low = entry.low if entry.low is not None else -math.inf
        high = entry.high if entry.high is not None else math.inf
        return low, high
    v = entry.value
    if q in ("at_least", "more_than"):
        return v, math.inf
    if q in ("at_most", "less_than"):
        return -math.inf, v
    spread = _APPROXIMATE_TOLERANCE if q == "approximately" else _EXACT_TOLERANCE
    return v - abs(v) * spread, v + abs(v) * spread


def _meet(a: LedgerEntry, b: LedgerEntry) -> bool:
    (lo1, hi1), (lo2, hi2) = interval(a), interval(b)
    return lo1 <= hi2 and lo2 <= hi1


def _days_apart(a: When, b: When) -> int | None:
    a1, a2, b1, b2 = a.first, a.last, b.first, b.last
    if a1 is None or a2 is None or b1 is None or b2 is None:
        return None
    if a2 < b1:
        return (b1 - a2).days
    if b2 < a1:
        return (a1 - b2).days
    return 0


def source_key(entry: LedgerEntry) -> str:
    """Who gives an entry, as sources are told apart: the last word of ``reported_by``, else the article itself."""
    if entry.source:
        words = re.findall(r"[^\W_]+", entry.source.casefold())
        return words[-1] if words else entry.source.casefold()
    return f"article:{entry.article}"


def disagree(a: LedgerEntry, b: LedgerEntry) -> bool:
    """Two entries of one measure that cannot both hold: other sources, dated within three days, apart in value."""
    if source_key(a) == source_key(b) or a.when is None or b.when is None:
        return False
    apart = _days_apart(a.when, b.when)
    return apart is not None and apart <= DISAGREE_DAYS and not _meet(a, b)


CONFLICTS_KEPT = 100
"""Disagreeing pairs listed per row (``disagree`` is decided whatever their number)."""


def conflicts(entries: Iterable[LedgerEntry]) -> list[tuple[LedgerEntry, LedgerEntry]]:
    """Pairs of entries that disagree, in date order, one per distinct clash, from one pass over a row in date order.

    Entries alike in source, dates and values are one reading, compared once (by the
    first of them), and only with the readings of the :data:`DISAGREE_DAYS` before it: the
    window is all that is held, so memory follows how many sources report in a few days,
    not how many records there are.
    """
    window: dict[tuple[object, ...], LedgerEntry] = {}
    pairs: list[tuple[LedgerEntry, LedgerEntry]] = []
    for e in entries:
        when = e.when
        if when is None or when.first is None or when.last is None:
            continue  # undated: never compared (they come last)
        reading = (source_key(e), when.first, when.last, *interval(e))
        if reading in window:
            continue
        for key, old in list(window.items()):
            ended = old.when.last if old.when is not None else None
            if ended is None or (when.first - ended).days > DISAGREE_DAYS:
                del window[key]
            elif len(pairs) < CONFLICTS_KEPT and disagree(old, e):
                pairs.append((old, e))
        window[reading] = e
    return pairs
