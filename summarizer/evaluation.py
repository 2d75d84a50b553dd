"""Scoring summaries against hand-made gold annotations, per field.

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

from __future__ import annotations

import hashlib
import json
import os
import re
import sys
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError
from rapidfuzz import fuzz

from .batch import read_output, summarize_many
from .errors import EvaluationError, GoldError, InputError
from .grounding import ground
from .inputs import read_article
from .results import provenance_of
from .schema import Actor, ArticleSummary, Figure, KeyClaim, PeaceTalkCondition, Span
from .text import fold

__all__ = [
    "GOLD_SUFFIX",
    "MEASURE_THRESHOLD",
    "SPAN_OVERLAP",
    "SPAN_TEXT_FLOOR",
    "TEXT_THRESHOLD",
    "VALUE_TOLERANCE",
    "EvalReport",
    "Gold",
    "GoldActor",
    "GoldArticle",
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

GOLD_SUFFIX = ".gold.json"
"""``NAME.gold.json`` annotates the article ``NAME.txt`` in the same folder."""
VALUE_TOLERANCE = 1e-3
"""Relative difference under which two numbers are equal (1,200,000 and 1.2e6; not 1.19 million)."""
MEASURE_THRESHOLD = 70.0
"""Least :func:`similarity` (0-100) of two figures' measures for them to be the same figure."""
SPAN_OVERLAP = 0.5
"""Least share of the shorter span that two grounded claims (conditions) must share."""
SPAN_TEXT_FLOOR = 50.0
"""Least similarity of the statements of two claims whose spans overlap: roughly the same subject."""
TEXT_THRESHOLD = 80.0
"""Least similarity of statements (or quotes) for claims (conditions) matched by their text alone."""

_LISTS = ("key_claims", "figures", "actors", "peace_talk_conditions")
_LIST_PATH = re.compile(r"\b(key_claims|figures|actors|peace_talk_conditions)\[")


# -- the gold format --------------------------------------------------------------------

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


class Gold(BaseModel):
    """The expected content of one article's summary: ArticleSummary's lists, plus notes.

    ``span`` may be left out of every item: it is derived from the quote on load (and a
    span given in the file must agree with it).
    """

    model_config = _Strict

    source: str | None = Field(default=None, description="Where the article comes from (or that it is fictional).")
    note: str | None = Field(default=None, description="Annotation decisions a reader of the scores should know.")
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
        raw = json.loads(gold_path.read_text(encoding="utf-8"))
    except (InputError, OSError, ValueError) as exc:
        raise GoldError(f"{gold_path}: cannot be read with its article {text_path.name}: {exc}") from exc
    try:
        gold = Gold.model_validate(raw)
    except ValidationError as exc:
        problems = [f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors()]
        raise GoldError(f"{gold_path}: not in the gold format", problems) from exc
    given = {where: item.span for where, item in _gold_items(gold) if item.span is not None}
    report = ground(gold, text, policy="flag")
    problems = [f"{i.path}: {i.reason} (quote: {i.quote[:100]!r})" for i in report.issues]
    for where, item in _gold_items(gold):
        span = item.span
        if span is not None and span.match == "fuzzy":
            problems.append(f"{where}: the quote is only found fuzzily; copy it from the article (quote: {item.quote[:100]!r})")
        if where in given and span is not None and (given[where].start, given[where].end) != (span.start, span.end):
            problems.append(f"{where}: the span in the file ({given[where].start}, {given[where].end}) is not where "
                            f"the quote is ({span.start}, {span.end}); remove it or correct it")
    if problems:
        raise GoldError(f"{gold_path}: gold that its article {text_path.name} does not support", problems)
    return GoldArticle(text_path.stem, text_path, gold_path, text, gold)


def _gold_items(gold: Gold) -> Iterable[tuple[str, Any]]:
    for field in _LISTS:
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


# -- scores -----------------------------------------------------------------------------


def _ratio(num: int, den: int) -> float | None:
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
        return _ratio(self.matched, self.predicted)

    @property
    def recall(self) -> float | None:
        if not self.predicted and not self.gold:
            return 1.0
        return _ratio(self.matched, self.gold)

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

    @property
    def figure_accuracy(self) -> float | None:
        """Share of matched figures with value, qualifier and unit all right."""
        return _ratio(self.figures_correct, self.figures.matched)

    @property
    def grounding_rate(self) -> float | None:
        return _ratio(self.grounded, self.items)

    @property
    def unsupported(self) -> int:
        return sum(getattr(self, field).unsupported for field in _LISTS)

    def lists(self) -> dict[str, ListScores]:
        return {field: getattr(self, field) for field in _LISTS}

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
    )


# -- folding and similarity --------------------------------------------------------------

_STOP = frozenset((
    "a", "an", "the", "of", "in", "on", "at", "to", "for", "by", "from", "with", "and", "or", "that", "this",
    "these", "its", "it", "is", "are", "was", "were", "be", "been", "has", "have", "had", "will", "would", "as",
    "than", "into", "who", "which",
))
# Words that name the same thing in measures and statements; applied before stemming.
_SYNONYMS = {
    "troops": "soldiers", "troop": "soldiers", "servicemen": "soldiers", "forces": "soldiers",
    "injured": "wounded", "injuries": "wounded", "dead": "killed", "deaths": "killed",
    "casualties": "killed wounded", "per": "", "cent": "percent", "pct": "percent",
}


def _plain(text: str) -> str:
    """Folded: case, accents, typography, and letters NFKD leaves whole (ø, ł, æ) spelt plain (see text.py)."""
    return fold(text)


@lru_cache(maxsize=4096)
def _content(text: str) -> str:
    """Content words, synonyms unified, each cut to five letters (a crude stemmer: "Ukrainian" ~ "Ukraine")."""
    words: list[str] = []
    for word in re.findall(r"\w+", _plain(text)):
        for w in _SYNONYMS.get(word, word).split():
            if w not in _STOP:
                words.append(w[:5])
    return " ".join(words)


def similarity(a: str | None, b: str | None, *, whole: bool = False) -> float:
    """How alike two short texts are (0-100), on their content words.

    rapidfuzz ``token_set_ratio``: word order does not count, and a text whose words
    are all in the other scores 100 ("troops" and "Russian troops in Kherson"), which
    suits places where something else (a number, a span) already ties two items
    together. ``whole=True`` uses ``token_sort_ratio`` instead, which also weighs the
    words only one text has: for items tied by nothing but their text.
    """
    fa, fb = _content(a or ""), _content(b or "")
    if not fa or not fb:
        return 0.0
    scorer = fuzz.token_sort_ratio if whole else fuzz.token_set_ratio
    return float(scorer(fa, fb))


# -- matching -----------------------------------------------------------------------------

P = TypeVar("P")
G = TypeVar("G")


def _match(predicted: Sequence[P], gold: Sequence[G], score: Callable[[P, G], float | None]) -> list[tuple[int, int]]:
    """One-to-one pairs, best score first (ties: earlier gold item, then earlier prediction)."""
    candidates = [
        (s, gi, pi)
        for gi, g in enumerate(gold)
        for pi, p in enumerate(predicted)
        if (s := score(p, g)) is not None
    ]
    candidates.sort(key=lambda c: (-c[0], c[1], c[2]))
    used_p: set[int] = set()
    used_g: set[int] = set()
    pairs: list[tuple[int, int]] = []
    for _, gi, pi in candidates:
        if gi not in used_g and pi not in used_p:
            used_g.add(gi)
            used_p.add(pi)
            pairs.append((pi, gi))
    return sorted(pairs, key=lambda pair: pair[1])


# figures

_UNITS = {
    "people": ("people", "person", "persons", "individual", "civilian", "resident", "soldier", "troop",
               "serviceman", "servicemen", "refugee", "prisoner", "fighter"),
    "percent": ("percent", "per cent", "pct", "%", "percentage", "percentage of"),
    "usd": ("usd", "$", "us$", "dollar", "us dollar"),
    "km": ("km", "kilometre", "kilometer"),
}
_UNIT_OF = {spelling: unit for unit, spellings in _UNITS.items() for spelling in spellings}


def _unit(unit: str | None) -> str | None:
    """A unit folded: case, accents, dots, a plural "s", and the spellings in ``_UNITS``."""
    if unit is None:
        return None
    folded = " ".join(re.sub(r"[.]", "", _plain(unit)).split())
    if not folded:
        return None
    singular = folded[:-1] if len(folded) > 3 and folded.endswith("s") and not folded.endswith("ss") else folded
    return _UNIT_OF.get(folded) or _UNIT_OF.get(singular) or singular


def _interval(f: Figure) -> tuple[float, float]:
    if f.low is not None and f.high is not None:
        return f.low, f.high
    assert f.value is not None  # Figure's validator: a value, or both bounds
    return f.value, f.value


def _close(a: float, b: float) -> bool:
    return abs(a - b) <= VALUE_TOLERANCE * max(abs(a), abs(b))


def _scales(pred: Figure, gold: Figure) -> tuple[float, ...]:
    """1, and 100 and 1/100 when a percentage may be written as a fraction (40% as 0.4)."""
    return (1.0, 100.0, 0.01) if "percent" in (_unit(pred.unit), _unit(gold.unit)) else (1.0,)


def _numbers_agree(pred: Figure, gold: Figure) -> int:
    """2 equal, 1 overlapping intervals, 0 apart."""
    (gl, gh) = _interval(gold)
    best = 0
    for k in _scales(pred, gold):
        pl, ph = (x * k for x in _interval(pred))
        if _close(pl, gl) and _close(ph, gh):
            return 2
        if (pl <= gh or _close(pl, gh)) and (gl <= ph or _close(gl, ph)):
            best = 1
    return best


def _figure_score(pred: Figure, gold: Figure) -> float | None:
    agree = _numbers_agree(pred, gold)
    if not agree:
        return None
    alike = similarity(pred.measure, gold.measure)
    return agree * 100 + alike if alike >= MEASURE_THRESHOLD else None


def _value_right(pred: Figure, gold: Figure) -> bool:
    for k in _scales(pred, gold):
        if gold.low is not None and gold.high is not None:
            if pred.low is not None and pred.high is not None and _close(pred.low * k, gold.low) and _close(
                pred.high * k, gold.high
            ):
                return True
        elif gold.value is not None and pred.value is not None and _close(pred.value * k, gold.value):
            return True
    return False


def _figure_correct(pred: Figure, gold: Figure) -> bool:
    """Value (or both bounds of a range), qualifier and unit all right."""
    return _value_right(pred, gold) and pred.qualifier == gold.qualifier and _unit(pred.unit) == _unit(gold.unit)


# actors


def _name_words(name: str) -> tuple[str, ...]:
    plain = re.sub(r"['’]s\b", "", _plain(name)).replace(".", "")  # "Russia's" names Russia; "U.S." is "us"
    words = re.findall(r"\w+", plain)
    if words and words[0] == "the":
        words = words[1:]
    return tuple(words)


def _actor_score(pred: Actor, gold: Actor) -> float | None:
    said = _name_words(pred.name)
    if not said:
        return None
    person = gold.kind.value == "person"
    best: float | None = None
    for name in [gold.name, *getattr(gold, "aliases", [])]:
        known = _name_words(name)
        if said == known:
            return 2.0
        shorter, longer = sorted((said, known), key=len)
        if person and shorter and longer[-len(shorter) :] == shorter:
            best = 1.0  # a surname alone, or a name with a title before it
    return best


# claims and conditions


def _overlap(a: Span, b: Span) -> float:
    shared = min(a.end, b.end) - max(a.start, b.start)
    shorter = min(a.end - a.start, b.end - b.start)
    return max(shared, 0) / shorter if shorter > 0 else 0.0


def _text_score(pred: Any, gold: Any, field: str) -> float | None:
    said = similarity(getattr(pred, field), getattr(gold, field))
    if pred.grounded and gold.span is not None and _overlap(pred.span, gold.span) >= SPAN_OVERLAP and said >= SPAN_TEXT_FLOOR:
        return 200 + said
    alike = max(similarity(getattr(pred, field), getattr(gold, field), whole=True),
                similarity(pred.quote, gold.quote, whole=True))
    return alike if alike >= TEXT_THRESHOLD else None


# -- evaluate -----------------------------------------------------------------------------


def _empty_lists() -> dict[str, list[Any]]:
    return {field: [] for field in _LISTS}


def _dropped(summary: ArticleSummary | None) -> dict[str, int]:
    """Items the library removed from ``summary`` because the article did not support them, per list."""
    counts = dict.fromkeys(_LISTS, 0)
    report = summary.grounding if summary is not None else None
    for issue in report.issues if report is not None else ():
        found = _LIST_PATH.search(issue.path)  # "figures[2]", or "chunk 1: figures[2]" in a long article
        if issue.dropped and found:
            counts[found[1]] += 1
    return counts


def _score(lists: dict[str, list[Any]], dropped: dict[str, int], gold: GoldArticle, error: str | None) -> Scores:
    scorers: dict[str, Callable[[Any, Any], float | None]] = {
        "key_claims": lambda p, g: _text_score(p, g, "statement"),
        "figures": _figure_score,
        "actors": _actor_score,
        "peace_talk_conditions": lambda p, g: _text_score(p, g, "condition"),
    }
    per_list: dict[str, ListScores] = {}
    items = grounded = 0
    for field, scorer in scorers.items():
        predicted, expected = lists[field], getattr(gold.gold, field)
        pairs = _match(predicted, expected, scorer)
        unsupported = sum(not item.grounded for item in predicted) + dropped[field]
        per_list[field] = ListScores(
            gold=len(expected), predicted=len(predicted), matched=len(pairs), unsupported=unsupported, pairs=pairs
        )
        items += len(predicted) + dropped[field]
        grounded += sum(item.grounded for item in predicted)
    correct = sum(_figure_correct(lists["figures"][p], gold.gold.figures[g]) for p, g in per_list["figures"].pairs)
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
    )


def evaluate(summary: ArticleSummary, gold: GoldArticle) -> Scores:
    """Score one summary of ``gold.text`` against its gold (the rules are in this module's docstring).

    The summary is grounded again in the article (on a copy, flagging what fails), so
    hand-made or saved predictions are judged exactly like fresh ones; items the
    library had already dropped are read from ``summary.grounding``.
    """
    copy = summary.model_copy(deep=True)
    ground(copy, gold.text, policy="flag")
    lists = {field: list(getattr(copy, field)) for field in _LISTS}
    return _score(lists, _dropped(summary), gold, None)


def _failed(gold: GoldArticle, error: str) -> Scores:
    """A summarizer failure scores as an empty summary: nothing found, nothing invented."""
    return _score(_empty_lists(), dict.fromkeys(_LISTS, 0), gold, error)


# -- a folder of articles -------------------------------------------------------------------


class EvalReport(BaseModel):
    """Scores of every annotated article in a folder, and their micro-average."""

    directory: str
    predictions_from: str = Field(description='"model <name>" or the predictions file that was scored.')
    articles: list[Scores]
    overall: Scores
    missing: list[str] = Field(default_factory=list, description="Annotated articles with no prediction (not scored).")

    def to_json(self) -> dict[str, Any]:
        return {
            "directory": self.directory,
            "predictions_from": self.predictions_from,
            "averaging": "micro: counts summed over articles",
            "thresholds": {
                "value_tolerance": VALUE_TOLERANCE,
                "measure_similarity": MEASURE_THRESHOLD,
                "span_overlap": SPAN_OVERLAP,
                "span_text_floor": SPAN_TEXT_FLOOR,
                "text_similarity": TEXT_THRESHOLD,
            },
            "overall": self.overall.to_json(),
            "articles": [s.to_json() for s in self.articles],
            "missing": self.missing,
        }

    def write(self, path: str | os.PathLike[str]) -> None:
        Path(path).write_text(json.dumps(self.to_json(), indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def _from_predictions(golds: list[GoldArticle], path: Path) -> tuple[list[Scores], list[str]]:
    """Records are matched to articles by ``input_sha256``: the last success for a text, else its last failure."""

    try:
        records = read_output(path)
    except OSError as exc:
        raise EvaluationError(f"{path}: cannot read the predictions: {exc.strerror or exc}") from exc
    latest: dict[str, dict[str, Any]] = {}
    for record in records:
        digest = record.get("input_sha256")
        if isinstance(digest, str) and (record.get("ok") or digest not in latest or not latest[digest].get("ok")):
            latest[digest] = record
    scores: list[Scores] = []
    missing: list[str] = []
    for gold in golds:
        found = latest.get(gold.sha256)
        if found is None:
            missing.append(gold.name)
        elif found.get("ok") and isinstance(found.get("summary"), dict):
            try:
                summary = ArticleSummary.model_validate(found["summary"])
            except ValidationError as exc:
                scores.append(_failed(gold, f"the saved summary is not an ArticleSummary: {exc.error_count()} error(s)"))
                continue
            scores.append(evaluate(summary, gold))
        else:
            error = found.get("error") or {}
            scores.append(_failed(gold, f"{error.get('type', 'Error')}: {error.get('message', 'no summary')}"))
    return scores, missing


def run_eval(
    directory: str | os.PathLike[str],
    *,
    predictions: str | os.PathLike[str] | None = None,
    **batch_options: Any,
) -> EvalReport:
    """Score every annotated article in ``directory``.

    With ``predictions`` (a JSON Lines file written by ``summarize_many(output=...)``)
    the saved summaries are scored and no model is called; an article with no record
    there is listed in ``missing``. Otherwise the articles are summarized with
    :func:`summarize_many` and ``batch_options`` (``model=``, ``summarizer=``,
    ``output=``, ``cache=``...). An article the summarizer failed on scores as an
    empty summary, with its error.
    """
    golds = find_gold(directory)
    if predictions is not None:
        scores, missing = _from_predictions(golds, Path(predictions))
        source = str(predictions)
    else:
        results = summarize_many([(g.name, g.text) for g in golds], **batch_options)
        scores, missing = [], []
        for gold, result in zip(golds, results, strict=True):
            if isinstance(result.summary, ArticleSummary):
                scores.append(evaluate(result.summary, gold))
            else:
                error = result.error
                scores.append(_failed(gold, f"{error.type}: {error.message}" if error else "no summary"))
        used = sorted({p.model for r in results if r.summary is not None and (p := provenance_of(r.summary)) is not None})
        source = "model " + (", ".join(used) or str(batch_options.get("model") or "unknown (no summary)"))
    return EvalReport(
        directory=str(directory), predictions_from=source, articles=scores, overall=aggregate(scores), missing=missing
    )


# -- the table ------------------------------------------------------------------------------

_HEADINGS = {"key_claims": "Claims", "figures": "Figures", "actors": "Actors", "peace_talk_conditions": "Conditions"}


def _fmt(x: float | None) -> str:
    return "-" if x is None else f"{x:.2f}"


def scores_table(report: EvalReport) -> Any:
    """A rich Table: one row per article and the micro-averaged total; P/R/F1 per list."""
    from rich.markup import escape  # rich costs 50 ms to import: only for the table
    from rich.table import Table

    table = Table(
        title=f"Scores on {report.directory} ({report.predictions_from})",
        caption="P/R/F1 per list (matched of gold); total: micro-average over articles; '-': nothing to divide by",
    )
    table.add_column("Article", overflow="fold")
    for heading in _HEADINGS.values():
        table.add_column(f"{heading}\nP / R / F1", justify="right")
    table.add_column("Figure\nfields", justify="right")
    table.add_column("Grounded", justify="right")
    table.add_column("Unsup-\nported", justify="right")

    def row(label: str, s: Scores, style: str | None = None) -> None:
        cells = [
            f"{_fmt(ls.precision)} / {_fmt(ls.recall)} / {_fmt(ls.f1)}\n({ls.matched} of {ls.gold})"
            for ls in s.lists().values()
        ]
        table.add_row(
            escape(label) + (f"\n[red]{escape(s.error[:80])}[/red]" if s.error else ""),
            *cells,
            f"{_fmt(s.figure_accuracy)}\n({s.figures_correct} of {s.figures.matched})",
            f"{_fmt(s.grounding_rate)}\n({s.grounded} of {s.items})",
            str(s.unsupported),
            style=style,
        )

    for s in report.articles:
        row(s.article or "", s)
    table.add_section()
    n = report.overall.articles
    row(f"total ({n} article{'s' if n != 1 else ''})", report.overall, style="bold")
    return table


def print_scores(report: EvalReport, console: Any = None) -> None:
    """Print :func:`scores_table` (to standard output, 180 columns wide when that is not a terminal)."""
    from rich.console import Console  # rich costs 50 ms to import: only when scores are printed

    (console or Console(width=None if sys.stdout.isatty() else 180)).print(scores_table(report))
