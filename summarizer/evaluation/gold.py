"""The gold format: ``NAME.gold.json`` beside ``NAME.txt``, checked against its article when loaded."""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date as Day
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from ..errors import GoldError, InputError
from ..files import check_readable
from ..grounding import ground
from ..grounding.words import OWN_WORDS_FIELDS
from ..inputs import read_article
from ..schema import Actor, DateBasis, DateRange, Figure, KeyClaim, PeaceTalkCondition, PublishedFrom

__all__ = ["GOLD_SUFFIX", "LISTS", "Gold", "GoldActor", "GoldArticle", "find_gold", "load_gold"]

GOLD_SUFFIX = ".gold.json"
"""``NAME.gold.json`` annotates the article ``NAME.txt`` in the same folder."""
LISTS = ("key_claims", "figures", "actors", "peace_talk_conditions")
"""The lists of a summary that are scored, in the order they are shown."""


_Strict = ConfigDict(extra="forbid")  # a misspelt key is an error, not a silently missing field


class GoldClaim(KeyClaim):
    model_config = _Strict


class GoldFigure(Figure):
    model_config = _Strict


class GoldActor(Actor):
    model_config = _Strict

    aliases: list[str] = Field(
        default_factory=list, description='Other spellings that name the same actor, e.g. "Zelenskyy", "United States".'
    )


class GoldCondition(PeaceTalkCondition):
    model_config = _Strict


class GoldWords(BaseModel):
    """Words of the article at ``start``..``end`` (checked on load), and why they are listed."""

    model_config = _Strict

    text: str
    start: int = Field(ge=0)
    end: int = Field(ge=0)
    why: str | None = None


class GoldDate(GoldWords):
    """A date phrase of the article and what it resolves to against the article's date."""

    date: Day | DateRange | None
    basis: DateBasis
    note: str | None = None


class Gold(BaseModel):
    """The expected content of one article's summary: ArticleSummary's lists, plus notes.

    ``span`` may be left out of every item: it is derived from the quote on load (and a
    span given in the file must agree with it). ``published`` is the article's date and
    ``published_from`` where a reader finds it ("argument": the evaluation passes it;
    "dateline": the text states it); ``dates`` lists every date phrase of the article,
    ``not_dates`` words that look like one and are not ("since March 2"). Items may give
    their expected ``when``.
    """

    model_config = _Strict

    source: str | None = Field(default=None, description="Where the article comes from (or that it is fictional).")
    note: str | None = Field(default=None, description="Annotation decisions a reader of the scores should know.")
    published: Day | None = None
    published_from: PublishedFrom = "argument"
    dates: list[GoldDate] = Field(default_factory=list)
    not_dates: list[GoldWords] = Field(default_factory=list)
    headline: str | None = None
    summary: str | None = None
    key_claims: list[GoldClaim] = Field(default_factory=list)
    figures: list[GoldFigure] = Field(default_factory=list)
    actors: list[GoldActor] = Field(default_factory=list)
    peace_talk_conditions: list[GoldCondition] = Field(default_factory=list)


@dataclass(frozen=True)
class GoldArticle:
    """An article and its validated gold, every gold item grounded (``item.span`` set)."""

    name: str
    text_path: Path
    gold_path: Path
    text: str
    gold: Gold

    @property
    def sha256(self) -> str:
        """Of the text as UTF-8: what a batch output file records as ``input_sha256``."""
        return hashlib.sha256(self.text.encode("utf-8")).hexdigest()


def _gold_paths(path: Path) -> tuple[Path, Path]:
    name = path.name
    if name.endswith(GOLD_SUFFIX):
        return path.with_name(name[: -len(GOLD_SUFFIX)] + ".txt"), path
    return path, path.with_name(path.stem + GOLD_SUFFIX)


def load_gold(path: str | os.PathLike[str]) -> GoldArticle:
    """The gold of one article, given its ``.gold.json`` or its ``.txt``; raises :class:`GoldError`."""
    text_path, gold_path = _gold_paths(Path(path))
    try:
        text = read_article(text_path)  # the text a summary of this file indexes, and whose hash a batch records
        check_readable(gold_path)
        raw = json.loads(gold_path.read_text(encoding="utf-8"))
    except (InputError, OSError, ValueError, RecursionError) as exc:  # RecursionError: JSON nested past the stack
        raise GoldError(f"{gold_path}: cannot be read with its article {text_path.name}: {exc}") from exc
    try:
        gold = Gold.model_validate(raw)
    except ValidationError as exc:
        problems = [f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors()]
        raise GoldError(f"{gold_path}: not in the gold format", problems) from exc
    given = {where: item.span for where, item in _gold_items(gold) if item.span is not None}
    report = ground(gold, text, policy="flag")
    # The quote and the fields that name or count things must hold; the model's-own-words checks judge
    # paraphrase, and where they refuse a gold paraphrase that is their false refusal, which
    # benchmarks/bench_own_words.py --gold counts, not a fault of the gold.
    problems = [
        f"{i.path}: {i.reason} (quote: {i.quote[:100]!r})"
        for i in report.issues
        if not i.fields or not set(i.fields) <= set(OWN_WORDS_FIELDS)
    ]
    for where, item in _gold_items(gold):
        span = item.span
        if span is not None and span.match == "fuzzy":
            problems.append(f"{where}: the quote is only found fuzzily; copy it from the article (quote: {item.quote[:100]!r})")
        if where in given and span is not None and (given[where].start, given[where].end) != (span.start, span.end):
            problems.append(f"{where}: the span in the file ({given[where].start}, {given[where].end}) is not where "
                            f"the quote is ({span.start}, {span.end}); remove it or correct it")
    for kind, words in [("dates", d) for d in gold.dates] + [("not_dates", d) for d in gold.not_dates]:
        if text[words.start : words.end] != words.text:
            problems.append(f"{kind}: {words.text!r} is not at {words.start}..{words.end} of the article")
    if problems:
        raise GoldError(f"{gold_path}: gold that its article {text_path.name} does not support", problems)
    return GoldArticle(text_path.stem, text_path, gold_path, text, gold)


def _gold_items(gold: Gold) -> Iterable[tuple[str, Any]]:
    for field in LISTS:
        for i, item in enumerate(getattr(gold, field)):
            yield f"{field}[{i}]", item


def find_gold(directory: str | os.PathLike[str]) -> list[GoldArticle]:
    """Every annotated article in ``directory`` (not its sub-folders), by name; all problems raised at once."""
    folder = Path(directory)
    if not folder.is_dir():
        raise GoldError(f"{folder}: not a folder")
    found: list[GoldArticle] = []
    problems: list[str] = []
    for gold_path in sorted(folder.glob("*" + GOLD_SUFFIX)):
        try:
            found.append(load_gold(gold_path))
        except GoldError as exc:
            problems.append(str(exc))
    if problems:
        raise GoldError(f"{folder}: {len(problems)} gold file(s) are invalid", problems)
    if not found:
        raise GoldError(f"{folder}: no gold files (NAME{GOLD_SUFFIX} beside NAME.txt)")
    return found
