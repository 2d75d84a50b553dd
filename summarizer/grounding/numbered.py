"""An article as the model sees it in a cited mode: its sentences numbered, its numbers and names listed.

:func:`citable` builds the :class:`Citable` view: the article's sentences (the package's one
splitter) shown as ``[n] ...``, the names :func:`~summarizer.grounding.reading.names` reads,
and, for ``evidence="sentence+numbers"``, every number that counts (:class:`FoundNumber`,
with the unit and measure :mod:`~summarizer.grounding.counts` reads). What the model sends
back is filled into the caller's class by :mod:`~summarizer.grounding.cite`.
"""

from __future__ import annotations

import bisect
import dataclasses
import re
from dataclasses import dataclass, field

from ..schema import SummaryStyle
from ..sentences import Sentence, clause_at, sentences
from .counts import measure_of, unit_of
from .coverage import counted
from .fields import is_english
from .numbers import RANGE_GAP
from .reading import FoundName, body_start, headline_of, names

__all__ = [
    "SUMMARY_MIN_WORDS",
    "Citable",
    "FoundNumber",
    "citable",
]

SUMMARY_MIN_WORDS = 6
"""A shorter sentence (a caption, a dateline, "Read more") is not offered for a cited summary."""
_BYLINE = re.compile(r"(?:By|From)\s+[A-Z]")
_FINISHED = re.compile(r"[.!?\u2026][\"'\u201d\u2019)\]]*$")


@dataclass(frozen=True)
class FoundNumber:
    """One number (or range) the library read in the article, as the model may cite it."""

    id: str  # "N1"
    start: int
    end: int
    sentence: int  # 1-based, as the numbered article shows it
    value: float | None
    low: float | None = None
    high: float | None = None
    unit: str | None = None  # read by the library: the counted noun, the currency or "percent"
    measure: str | None = None  # its scope's words: what it counts


@dataclass(frozen=True)
class Citable:
    """An article as the model sees it in a cited mode: its sentences numbered, its names and numbers listed.

    ``summary``: "cited", the model picks the summary's sentences; "written", it writes
    them. ``read_measures``: a figure's measure is the library's reading of its number's
    scope where it has one. ``headline``: the article's first line when it is a headline
    (None for a chunk after the first).
    """

    text: str
    sentences: tuple[Sentence, ...]
    numbers: tuple[FoundNumber, ...] = ()
    names: tuple[FoundName, ...] = ()
    summary: SummaryStyle = "written"
    read_measures: bool = False
    headline: str | None = None
    _by_id: dict[str, FoundNumber] = field(default_factory=dict, repr=False, compare=False)
    _names_by_id: dict[str, FoundName] = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self) -> None:
        self._by_id.update({n.id: n for n in self.numbers})
        self._names_by_id.update({n.id: n for n in self.names})

    def numbered(self) -> str:
        """``[n] sentence``, the sentences of a paragraph on one line, paragraphs a blank line apart."""
        lines: dict[int, list[str]] = {}
        for n, s in enumerate(self.sentences, 1):
            lines.setdefault(s.paragraph, []).append(f"[{n}] {self.text[s.start : s.end]}")
        return "\n\n".join(" ".join(parts) for parts in lines.values())

    def number_list(self) -> str:
        """One line a number, with what it counts where the library reads it: ``N1 in [5]: 100,000 (Russian soldiers)``."""
        if not self.numbers:
            return "(the article states no numbers)"
        return "\n".join(
            f"{n.id} in [{n.sentence}]: {self.text[n.start : n.end]}" + (f" ({n.measure})" if n.measure else "")
            for n in self.numbers
        )

    def name_list(self) -> str:
        """One line a name, with the role the article writes beside it: ``A3 in [4]: Mark Milley (chairman of ...)``."""
        if not self.names:
            return "(the article names no one)"
        return "\n".join(
            f"{n.id} in [{n.sentence}]: {n.name}" + (f" ({n.role})" if n.role else "") for n in self.names
        )

    def prompt_values(self) -> dict[str, str]:
        """What a cited prompt template fills in besides the article (see :mod:`summarizer.prompts`)."""
        return {"numbered_article": self.numbered(), "numbers": self.number_list(), "names": self.name_list()}

    def summary_candidates(self) -> list[int]:
        """The sentences a cited summary may pick: the article's finished sentences, not its headline or byline."""
        out = []
        for n, s in enumerate(self.sentences, 1):
            body = self.text[s.start : s.end]
            short = len(body.split()) < SUMMARY_MIN_WORDS
            if body == self.headline or _BYLINE.match(body) or short or not _FINISHED.search(body):
                continue
            out.append(n)
        return out or list(range(1, len(self.sentences) + 1))

    def sentence(self, n: int) -> Sentence | None:
        return self.sentences[n - 1] if 1 <= n <= len(self.sentences) else None

    def number(self, number_id: str) -> FoundNumber | None:
        return self._by_id.get(number_id.strip())

    def name(self, name_id: str) -> FoundName | None:
        return self._names_by_id.get(name_id.strip())


def citable(
    text: str,
    numbers: bool = False,
    *,
    summary: SummaryStyle = "written",
    read_measures: bool = False,
    opening: bool = True,
) -> Citable:
    """``text`` with its sentences numbered and its names listed; with ``numbers``, also every number that counts.

    Two numbers joined by "to", "-", "and" or "or" within one sentence are one range.
    ``opening``: the text starts the article, so its first line may be the headline.
    """
    every = tuple(sentences(text).every())
    found_names = names(text, every)
    headline = headline_of(text) if opening else None
    if not numbers:
        return Citable(text, every, names=found_names, summary=summary, headline=headline)
    starts = [s.start for s in every]
    english = is_english(text, text)  # units and scopes are read by English word lists
    found: list[FoundNumber] = []
    mentions = counted(text)
    i = 0
    while i < len(mentions):
        m = mentions[i]
        at = bisect.bisect_right(starts, m.start) - 1
        if at < 0 or m.end > every[at].end:
            i += 1
            continue  # not inside a sentence (cannot happen for text the splitter covers)
        nxt = mentions[i + 1] if i + 1 < len(mentions) else None
        ident = f"N{len(found) + 1}"
        if nxt is not None and nxt.end <= every[at].end and RANGE_GAP.match(text[m.end : nxt.start]):
            low, high = m.values[0], nxt.values[0]
            if low <= high:
                found.append(_read(text, every[at], FoundNumber(ident, m.start, nxt.end, at + 1, None, low, high), english))
                i += 2
                continue
        found.append(_read(text, every[at], FoundNumber(ident, m.start, m.end, at + 1, m.values[0]), english))
        i += 1
    return Citable(text, every, _body_first(text, found), found_names, summary, read_measures, headline)


def _body_first(text: str, found: list[FoundNumber]) -> tuple[FoundNumber, ...]:
    """The numbers in list order: a headline's or standfirst's number that the body states again comes after the
    body's (which carries its qualifier and source), so a model that lists the first few lists the body's."""
    start = body_start(text)
    later = {(n.value, n.low, n.high) for n in found if n.start >= start}
    repeats = [n for n in found if n.start < start and (n.value, n.low, n.high) in later]
    ordered = [n for n in found if n not in repeats] + repeats
    return tuple(dataclasses.replace(n, id=f"N{i}") for i, n in enumerate(ordered, 1))


def _read(text: str, sentence: Sentence, number: FoundNumber, english: bool) -> FoundNumber:
    """``number`` with the unit and measure the library reads in its clause (in an English article)."""
    if not english:
        return number
    _, hi = clause_at(text, sentence, number.start, number.end)
    unit = unit_of(text, number.start, number.end)
    return dataclasses.replace(number, unit=unit, measure=measure_of(text, number.start, number.end, hi))
