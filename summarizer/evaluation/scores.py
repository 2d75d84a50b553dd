"""Scores of one summary against its gold, and their micro-average over articles."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import Any

from pydantic import BaseModel, Field

from ..grounding import ground
from ..schema import ArticleSummary
from .gold import LISTS, GoldArticle
from .matching import actor_score, figure_correct, figure_score, match_pairs, text_score

__all__ = ["ListScores", "Scores", "aggregate", "evaluate", "failed"]

_LIST_PATH = re.compile(r"\b(key_claims|figures|actors|peace_talk_conditions)\[")



def ratio(num: int, den: int) -> float | None:
    return num / den if den else None


class ListScores(BaseModel):
    """One list of one article (or summed over articles): counts, then the ratios from them."""

    gold: int
    predicted: int
    matched: int
    unsupported: int = Field(default=0, description="Predicted items the article does not support, dropped ones included.")
    pairs: list[tuple[int, int]] = Field(default_factory=list, description="(predicted index, gold index) of each match.")

    @property
    def precision(self) -> float | None:
        if not self.predicted and not self.gold:
            return 1.0
        return ratio(self.matched, self.predicted)

    @property
    def recall(self) -> float | None:
        if not self.predicted and not self.gold:
            return 1.0
        return ratio(self.matched, self.gold)

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p and r else 0.0

    @property
    def missed(self) -> list[int]:
        """Gold indices no prediction matched."""
        taken = {g for _, g in self.pairs}
        return [i for i in range(self.gold) if i not in taken]

    @property
    def extra(self) -> list[int]:
        """Predicted indices that matched no gold item."""
        taken = {p for p, _ in self.pairs}
        return [i for i in range(self.predicted) if i not in taken]

    def ratios(self) -> dict[str, float | None]:
        return {"precision": self.precision, "recall": self.recall, "f1": self.f1}


class Scores(BaseModel):
    """How one summary (or, from :func:`aggregate`, many) compares with its gold."""

    article: str | None = None
    articles: int = 1
    error: str | None = Field(default=None, description="Why there was no summary to score (scored as empty).")
    key_claims: ListScores
    figures: ListScores
    actors: ListScores
    peace_talk_conditions: ListScores
    figures_correct: int = Field(description="Matched figures whose value (or low and high), qualifier and unit are right.")
    items: int = Field(description="Predicted items checked against the article, dropped ones included.")
    grounded: int = Field(description="Of those, items whose quote (and number or name) the article supports.")
    dated: int = Field(default=0, description="Matched items whose gold gives a date (``when``).")
    dated_right: int = Field(default=0, description="Of those, items dated as the gold says (the day, or the range).")

    @property
    def date_accuracy(self) -> float | None:
        """Share of matched items with a gold date that the library dated right."""
        return ratio(self.dated_right, self.dated)

    @property
    def figure_accuracy(self) -> float | None:
        """Share of matched figures with value, qualifier and unit all right."""
        return ratio(self.figures_correct, self.figures.matched)

    @property
    def grounding_rate(self) -> float | None:
        return ratio(self.grounded, self.items)

    @property
    def unsupported(self) -> int:
        return sum(getattr(self, field).unsupported for field in LISTS)

    def lists(self) -> dict[str, ListScores]:
        return {field: getattr(self, field) for field in LISTS}

    def to_json(self) -> dict[str, Any]:
        """Counts and ratios, as written to a scores file."""
        data: dict[str, Any] = {"article": self.article, "articles": self.articles}
        if self.error is not None:
            data["error"] = self.error
        for field, scores in self.lists().items():
            entry: dict[str, Any] = scores.model_dump(exclude={"pairs"}) | scores.ratios()
            if self.article is not None:
                entry |= {"pairs": scores.pairs, "missed": scores.missed, "extra": scores.extra}
            data[field] = entry
        data |= {
            "figures_correct": self.figures_correct,
            "figure_accuracy": self.figure_accuracy,
            "items": self.items,
            "grounded": self.grounded,
            "grounding_rate": self.grounding_rate,
            "unsupported": self.unsupported,
            "dated": self.dated,
            "dated_right": self.dated_right,
            "date_accuracy": self.date_accuracy,
        }
        return data


def aggregate(scores: Iterable[Scores]) -> Scores:
    """Micro-average: counts summed over articles, ratios computed from the sums."""
    every = list(scores)

    def total(field: str) -> ListScores:
        parts = [getattr(s, field) for s in every]
        return ListScores(
            gold=sum(p.gold for p in parts),
            predicted=sum(p.predicted for p in parts),
            matched=sum(p.matched for p in parts),
            unsupported=sum(p.unsupported for p in parts),
        )

    return Scores(
        article=None,
        articles=len(every),
        key_claims=total("key_claims"),
        figures=total("figures"),
        actors=total("actors"),
        peace_talk_conditions=total("peace_talk_conditions"),
        figures_correct=sum(s.figures_correct for s in every),
        items=sum(s.items for s in every),
        grounded=sum(s.grounded for s in every),
        dated=sum(s.dated for s in every),
        dated_right=sum(s.dated_right for s in every),
    )



def _empty_lists() -> dict[str, list[Any]]:
    return {field: [] for field in LISTS}


def _dropped(summary: ArticleSummary | None) -> dict[str, int]:
    """Items the library removed from ``summary`` because the article did not support them, per list."""
    counts = dict.fromkeys(LISTS, 0)
    report = summary.grounding if summary is not None else None
    for issue in report.issues if report is not None else ():
        found = _LIST_PATH.search(issue.path)  # "figures[2]", or "chunk 1: figures[2]" in a long article
        if issue.dropped and found:
            counts[found[1]] += 1
    return counts


def _score(lists: dict[str, list[Any]], dropped: dict[str, int], gold: GoldArticle, error: str | None) -> Scores:
    scorers: dict[str, Callable[[Any, Any], float | None]] = {
        "key_claims": lambda p, g: text_score(p, g, "statement"),
        "figures": figure_score,
        "actors": actor_score,
        "peace_talk_conditions": lambda p, g: text_score(p, g, "condition"),
    }
    per_list: dict[str, ListScores] = {}
    items = grounded = 0
    for field, scorer in scorers.items():
        predicted, expected = lists[field], getattr(gold.gold, field)
        pairs = match_pairs(predicted, expected, scorer)
        unsupported = sum(not item.grounded for item in predicted) + dropped[field]
        per_list[field] = ListScores(
            gold=len(expected), predicted=len(predicted), matched=len(pairs), unsupported=unsupported, pairs=pairs
        )
        items += len(predicted) + dropped[field]
        grounded += sum(item.grounded for item in predicted)
    correct = sum(figure_correct(lists["figures"][p], gold.gold.figures[g]) for p, g in per_list["figures"].pairs)
    dated = [
        (lists[field][p].when, getattr(gold.gold, field)[g].when)
        for field in LISTS
        for p, g in per_list[field].pairs
        if getattr(gold.gold, field)[g].when is not None
    ]
    return Scores(
        article=gold.name,
        error=error,
        key_claims=per_list["key_claims"],
        figures=per_list["figures"],
        actors=per_list["actors"],
        peace_talk_conditions=per_list["peace_talk_conditions"],
        figures_correct=correct,
        items=items,
        grounded=grounded,
        dated=len(dated),
        dated_right=sum(got is not None and expected is not None and got.date == expected.date for got, expected in dated),
    )


def evaluate(summary: ArticleSummary, gold: GoldArticle) -> Scores:
    """Score one summary of ``gold.text`` against its gold (the rules are in this module's docstring).

    The summary is grounded again in the article (on a copy, flagging what fails), so
    hand-made or saved predictions are judged exactly like fresh ones; items the
    library had already dropped are read from ``summary.grounding``.
    """
    copy = summary.model_copy(deep=True)
    ground(copy, gold.text, policy="flag")
    lists = {field: list(getattr(copy, field)) for field in LISTS}
    return _score(lists, _dropped(summary), gold, None)


def failed(gold: GoldArticle, error: str) -> Scores:
    """A summarizer failure scores as an empty summary: nothing found, nothing invented."""
    return _score(_empty_lists(), dict.fromkeys(LISTS, 0), gold, error)
