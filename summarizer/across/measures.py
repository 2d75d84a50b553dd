"""When two figures count the same thing: a measure's group, read from its words and its unit.

Outlets word one measure differently ("Russian troops killed or wounded", "Russian
military casualties", "Russian soldiers killed or injured"), and a ledger must line them
up without ever putting two different groups in one row: civilians are not soldiers,
Russian losses are not Ukrainian ones, the killed are not the wounded. A measure's
:class:`MeasureKey` is therefore made of the words that name a group, each reduced to
one class:

- the **unit class**: a currency, "percent", "people" (any counted noun for persons:
  troops, civilians, residents...), or the counted noun itself ("boats", "days");
- the **peoples**: capitalised words that qualify the noun after them ("Russian troops",
  "Russia's forces"), demonyms and countries folded to one stem ("Russian", "Russia's" ->
  ``russ``; "Varnese", "Varnia" -> ``varn``);
- the **places**: the other capitalised words ("in Kherson", "fled Brennik"), folded the
  same way, so "soldiers killed in Ukraine" (Russians among them) is not "Ukrainian
  soldiers killed", and a count in one town is not the same count in another;
- the **population**: ``civilian`` or ``military`` ("troops", "soldiers", "servicemen",
  "military", "forces"...), or none;
- the **outcomes**: ``killed`` ("dead", "deaths", "fatalities"), ``wounded`` ("injured"),
  both for "casualties", ``displaced`` (whose population is not told apart, and whose
  people is where they fled: "Kherson residents who fled" and "people displaced from
  Kherson" are one count), ``captured``, ``missing``.

Two measures share a row only when every part is equal. A measure without an outcome
("troops amassed", "annual inflation", "damage to roads") also needs the same content
words (lemmas, function words left out). That is strict on purpose: a missed
merge leaves two rows an analyst can read side by side; a wrong merge would put a false
disagreement, or a false conservative value, in front of them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import simplemma

from ..dates import CALENDAR_WORDS

__all__ = ["MeasureKey", "measure_key", "unit_class"]

_KILLED = frozenset({"killed", "kill", "dead", "death", "deaths", "died", "die", "fatality", "fatalities", "lives",
                     "life", "slain", "toll"})
_WOUNDED = frozenset({"wounded", "wound", "injured", "injure", "injury", "injuries", "hurt"})
_BOTH = frozenset({"casualty", "casualties"})
_DISPLACED = frozenset({"displaced", "displace", "fled", "flee", "refugee", "refugees", "evacuated", "evacuate",
                        "uprooted", "homeless"})
_CAPTURED = frozenset({"captured", "capture", "prisoner", "prisoners", "detained", "detain", "captive", "captives",
                       "pow", "pows"})
_MISSING = frozenset({"missing"})
_OUTCOMES = {**{w: ("killed",) for w in _KILLED}, **{w: ("wounded",) for w in _WOUNDED},
             **{w: ("killed", "wounded") for w in _BOTH}, **{w: ("displaced",) for w in _DISPLACED},
             **{w: ("captured",) for w in _CAPTURED}, **{w: ("missing",) for w in _MISSING}}

_CIVILIAN = frozenset({"civilian", "civilians", "noncombatant", "noncombatants", "resident", "residents",
                       "inhabitant", "inhabitants"})
_MILITARY = frozenset({"soldier", "soldiers", "troop", "troops", "military", "servicemen", "serviceman",
                       "servicemembers", "fighter", "fighters", "combatant", "combatants", "army", "forces", "force",
                       "marine", "marines", "sailor", "sailors", "personnel", "conscripts", "conscript", "militants",
                       "militant"})
_PEOPLE = _CIVILIAN | _MILITARY | frozenset({"people", "person", "persons", "individuals", "men", "women",
                                             "children", "adults", "refugees", "refugee", "migrants", "evacuees",
                                             "hostages", "prisoners", "detainees", "families"})
_CURRENCIES = {"usd": "USD", "$": "USD", "dollar": "USD", "dollars": "USD", "eur": "EUR", "€": "EUR", "euro": "EUR",
               "euros": "EUR", "gbp": "GBP", "£": "GBP", "pound": "GBP", "pounds": "GBP", "jpy": "JPY",
               "¥": "JPY", "yen": "JPY", "rub": "RUB", "rouble": "RUB", "roubles": "RUB", "ruble": "RUB",
               "rubles": "RUB", "uah": "UAH", "hryvnia": "UAH", "hryvnias": "UAH"}
_PERCENT = frozenset({"percent", "per cent", "%", "percentage", "percentage points", "pct"})
_STOP = frozenset({"the", "a", "an", "of", "in", "on", "at", "to", "for", "by", "with", "from", "and", "or", "as",
                   "since", "during", "its", "their", "his", "her", "this", "that", "these", "those", "have", "has",
                   "had", "been", "be", "were", "was", "are", "is", "who", "which", "number", "total", "estimated",
                   "estimate", "some", "about", "over", "more", "than", "least", "up", "around", "nearly", "almost",
                   "both", "sides", "side", "all", "so", "far", "war", "conflict", "fighting", "count", "figure",
                   "reported", "according"})
_WORD = re.compile(r"[^\W_]+(?:['\u2019][^\W_]+)*")
# Irregular pairs a suffix rule cannot join (a country and its demonym).
_ALIASES = {"british": "britain", "uk": "britain", "english": "england", "us": "united states", "u.s.": "united states",
            "america": "united states", "american": "united states", "americans": "united states",
            "french": "france", "german": "germany", "germans": "germany", "dutch": "netherlands",
            "chinese": "china", "swiss": "switzerland", "welsh": "wales", "irish": "ireland", "scottish": "scotland",
            "greek": "greece", "turkish": "turkey", "danish": "denmark", "swedish": "sweden", "finnish": "finland",
            "polish": "poland", "spanish": "spain", "portuguese": "portugal", "norwegian": "norway"}
_NAME_SUFFIXES = ("ians", "ian", "ese", "ans", "an", "ish", "is", "ia", "a", "e", "i", "s")


@dataclass(frozen=True, slots=True)
class MeasureKey:
    """What a figure counts, as a ledger compares it (see the module's docstring)."""

    unit: str
    peoples: frozenset[str]
    places: frozenset[str]
    population: str | None
    outcomes: frozenset[str]
    words: frozenset[str]



@lru_cache(maxsize=4096)
def _name_stem(word: str) -> str:
    low = word.casefold().replace("\u2019", "'").removesuffix("'s").removesuffix("'")
    if low in _ALIASES:
        return _ALIASES[low]
    for suffix in _NAME_SUFFIXES:
        if low.endswith(suffix) and len(low) - len(suffix) >= 4:
            return low[: -len(suffix)]
    return low


@lru_cache(maxsize=16384)
def _lemma(word: str) -> str:
    return str(simplemma.lemmatize(word, lang="en")).lower()


def unit_class(unit: str | None, population: str | None = None, outcomes: frozenset[str] = frozenset()) -> str:
    """A figure's unit as a ledger compares it: a currency code, "percent", "people", a counted noun, or "count"."""
    low = (unit or "").strip().casefold()
    if low in _CURRENCIES or low.upper() in _CURRENCIES.values():
        return _CURRENCIES.get(low, low.upper())
    if low in _PERCENT:
        return "percent"
    if low in _PEOPLE or low in _OUTCOMES or (not low and (population is not None or outcomes)):
        return "people"  # "casualties", "deaths", "dead": persons counted by what befell them
    if not low:
        return "count"
    return _lemma(low.split()[-1])


_PREPOSITIONS = frozenset({"in", "across", "inside", "near", "around", "from", "at", "on", "to", "for", "of",
                           "outside", "along", "throughout", "into", "within", "over", "under"})


def _after_preposition(words: list[str], i: int) -> bool:
    """The name at ``i`` follows a preposition, with only other names between ("in North Kivu"): a place."""
    j = i - 1
    while j >= 0 and words[j][:1].isupper():
        j -= 1
    return j >= 0 and words[j].casefold() in _PREPOSITIONS


@lru_cache(maxsize=16384)
def measure_key(measure: str, unit: str | None) -> MeasureKey:
    """The key two figures must share to be one measure (see the module's docstring)."""
    words = _WORD.findall(measure)
    peoples: set[str] = set()
    places: set[str] = set()
    population: str | None = None
    outcomes: set[str] = set()
    content: set[str] = set()
    for i, word in enumerate(words):
        low = word.casefold()
        if low in _OUTCOMES:
            outcomes.update(_OUTCOMES[low])
            continue
        if low in _CIVILIAN:
            population = "civilian" if population in (None, "civilian") else "mixed"
            continue
        if low in _MILITARY:
            population = "military" if population in (None, "military") else "mixed"
            continue
        if word[:1].isupper() and (i > 0 or low not in _STOP) and low not in _PEOPLE and low not in CALENDAR_WORDS:
            following = words[i + 1] if i + 1 < len(words) else ""
            qualifies = word.endswith(("'s", "\u2019s")) or (following[:1].islower() and not following.isdigit())
            (peoples if qualifies and not _after_preposition(words, i) else places).add(_name_stem(word))
            continue
        if low in _STOP or low in _PEOPLE or low in CALENDAR_WORDS or low.isdigit():
            continue
        content.add(_lemma(low))
    unit_low = (unit or "").casefold()
    if unit_low in _CIVILIAN and population is None:
        population = "civilian"
    elif unit_low in _MILITARY and population is None:
        population = "military"
    frozen_outcomes = frozenset(outcomes)
    if frozen_outcomes == {"displaced"}:
        population = None  # the displaced are civilians, whether called residents, people or families
        places |= peoples  # and their name is where they fled: "Kherson residents" fled "from Kherson"
        peoples = set()
    return MeasureKey(
        unit=unit_class(unit, population, frozen_outcomes),
        peoples=frozenset(peoples),
        places=frozenset(places),
        population=population,
        outcomes=frozen_outcomes,
        words=frozenset() if frozen_outcomes else frozenset(content),
    )
