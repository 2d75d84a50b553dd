"""The same figure across articles and sources: :func:`ledger`, and its renderings.

(The package is ``across`` so that ``summarizer.ledger`` stays the function, as
``from summarizer import ledger`` promises.)

:mod:`.entries` reads the grounded figures, :mod:`.measures` says when two figures count
the same group, :mod:`.build` lines them up (their entries kept by :mod:`.store`) with the
conservative value, :mod:`.conflicts` finds where sources disagree, and :mod:`.render`
writes CSV, Markdown and a self-contained HTML page with a chart per measure.
"""

from .build import Conservative, Ledger, LedgerRow, ledger
from .conflicts import DISAGREE_DAYS, interval
from .entries import LedgerEntry
from .measures import MeasureKey, measure_key

__all__ = [
    "DISAGREE_DAYS",
    "Conservative",
    "Ledger",
    "LedgerEntry",
    "LedgerRow",
    "MeasureKey",
    "interval",
    "ledger",
    "measure_key",
]
