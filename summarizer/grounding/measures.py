"""A figure's ``measure`` and ``unit`` in the model's words: do they describe *this* number?

The measure's words come from the number's own scope (:func:`_scope`: the clause's subject,
the words up to its neighbouring numbers, and the numbers listed with it), its group words
(killed / wounded, civilians / soldiers, nationalities) do not contradict that scope, and it
takes no more words from another number than from its own. The unit is the counted noun,
the currency, or "percent".
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterator

from pydantic import BaseModel

from ..schema import FieldCheck
from ..sentences import CLAUSE_BREAK
from ..text import fold
from .checks import failed, passed
from .lemmas import STOP, SUPPORT, TITLES, TOKEN, content_words, lemma_in, lemma_keys, lemma_of, support_of, tokens
from .numbers import mentions, same_number
from .parties import DEMONYM, same_nation, unnamed
from .statements import Regions, check_numbers

__all__ = [
    "check_measures",
]

_GROUPS: dict[str, dict[str, frozenset[str]]] = {
    "harm": {
        "killed": frozenset({"kill", "killed", "dead", "death", "die", "died", "fatality", "fatalities", "life", "lives"}),
        "wounded": frozenset({"wound", "wounded", "injure", "injured", "injury", "injuries", "hurt"}),
        "missing": frozenset({"missing"}),
        "captured": frozenset({"capture", "captured", "prisoner", "prisoners", "detain", "detained", "detention",
                               "hostage", "hostages", "pow", "pows", "abduct", "abducted"}),
        "displaced": frozenset({"displace", "displaced", "flee", "fled", "refugee", "refugees", "evacuate",
                                "evacuated", "exodus", "arrival", "arrivals", "leave", "left"}),
    },
    "people": {
        "civilians": frozenset({"civilian", "civilians", "resident", "residents", "inhabitant", "inhabitants",
                                "noncombatant", "noncombatants"}),
        "soldiers": frozenset({"soldier", "soldiers", "troop", "troops", "serviceman", "servicemen", "servicemember",
                               "military", "fighter", "fighters", "combatant", "combatants", "force", "forces",
                               "army", "personnel", "marine", "marines", "conscript", "conscripts", "mercenary"}),
        "children": frozenset({"child", "children", "minor", "minors", "kid", "kids"}),
    },
}
"""Words that name a group; a measure may not name one group of a kind where its number's scope names another."""
_PERSON_NOUNS = frozenset().union(*_GROUPS["people"].values()) | {
    "people", "person", "persons", "refugee", "refugees", "population", "arrival", "arrivals", "worker", "workers"
}
_GENERIC_UNITS = frozenset({"people", "person", "persons", "individuals", "individual"})
_QUANTITY = frozenset(
    [
        "number", "total", "count", "share", "proportion", "percentage", "percent", "rate", "amount", "value", "cost",
        "price", "distance", "length", "size", "time", "duration", "figure", "level", "estimate", "toll", "tally",
        "sum", "increase", "decrease", "rise", "fall", "drop", "growth", "loss", "losses", "population"
    ]
)
"""Nouns that say what kind of quantity a measure is ("the number of", "the share of"): allowed without support."""
_CURRENCIES: dict[str, frozenset[str]] = {
    "$": frozenset({"usd", "dollar", "dollars", "us$", "$"}),
    "€": frozenset({"eur", "euro", "euros", "€"}),
    "£": frozenset({"gbp", "pound", "pounds", "sterling", "£"}),
    "¥": frozenset({"jpy", "cny", "yen", "yuan", "¥"}),
}
_CURRENCY_WORDS = {w: sign for sign, ws in _CURRENCIES.items() for w in ws}
_PERCENT_UNITS = frozenset({"percent", "%", "per cent", "percentage", "percentage points", "pct"})
_UNIT_ALIASES = (
    frozenset({"km", "kilometre", "kilometres", "kilometer", "kilometers"}),
    frozenset({"m", "metre", "metres", "meter", "meters"}),
    frozenset({"cm", "centimetre", "centimetres", "centimeter", "centimeters"}),
    frozenset({"mm", "millimetre", "millimetres", "millimeter", "millimeters"}),
    frozenset({"m3", "cubic metres", "cubic meters", "cubic metre", "cubic meter"}),
    frozenset({"mw", "megawatt", "megawatts"}), frozenset({"gw", "gigawatt", "gigawatts"}),
    frozenset({"h", "hr", "hrs", "hour", "hours"}), frozenset({"min", "mins", "minute", "minutes"}),
    frozenset({"mi", "mile", "miles"}),
    frozenset({"kg", "kilogram", "kilograms", "kilo", "kilos"}),
    frozenset({"t", "tonne", "tonnes", "ton", "tons"}),
    frozenset({"sq km", "square kilometres", "square kilometers", "km2"}),
    frozenset({"ha", "hectare", "hectares"}),
    frozenset({"bpd", "barrels"}),
)


@dataclasses.dataclass(frozen=True)
class _Scope:
    own: str  # between the number and its neighbours (or the clause's ends)
    chain: str  # what the clause says of this number and the numbers listed with it ("X civilians and Y soldiers")
    proper: str  # of that, the words beside these numbers, the clause's subject aside
    others: str  # the rest of the clause: what it says of other numbers
    written: str  # the number as the article writes it, with its sign and a unit glued to it


_RANGE_GAP = re.compile(r"^\s*(?:-|\u2013|to|and|or)\s*[$€£¥]?\s*$")


def _coordinated(gap: str) -> bool:
    """Whether two numbers speak of one thing: listed together ("40,000 civilians and 100,000 soldiers have been
    killed"), or one a part of the other ("four of the city's eleven bakeries")."""
    words = TOKEN.findall(gap)
    return _RANGE_GAP.match(gap) is not None or (
        len(words) <= 6 and (re.search(r",|\band\b|\bor\b", gap) is not None or words[:1] == ["of"])
    )


_JOIN = re.compile(r",|;|\band\b|\bbut\b|\bwhile\b|\bthat\b|\bwhich\b")


def _cut(body: str, lo: int, hi: int, *, last: bool) -> int:
    """Where the words between two numbers not listed together pass from the first to the second.

    "46 drones and two cruise missiles, and that air defences shot down 39": the words
    after the last ", and that" are the 39's, those before it the two's.
    """
    joins = list(_JOIN.finditer(body, lo, hi))
    if not joins:
        return hi if not last else lo
    return lo + (joins[-1].end() - lo) if last else joins[0].start()


def _scope(text: str, r: Regions, item: BaseModel) -> _Scope | None:
    """The words that say what this figure's number counts, or None when the number is not found."""
    values = [float(v) for f in ("value", "low", "high") if isinstance(v := getattr(item, f, None), (int, float))]
    if not values or not r.own:
        return None
    body = text[r.own[0].start : r.own[-1].end]
    found = mentions(body)
    mine = [i for i, m in enumerate(found) if any(same_number(v, w) for v in values for w in m.values)]
    if not mine:
        return None
    written = getattr(item, "text", None)
    if isinstance(written, str):  # prefer the mention inside the figure's own text
        at = fold(body).find(fold(written))
        mine = [i for i in mine if at >= 0 and at <= found[i].start < at + len(written) + 1] or mine
    first = last = mine[0]
    if last + 1 < len(found) and _RANGE_GAP.match(body[found[last].end : found[last + 1].start]):
        last += 1  # the other end of a range
    elif first > 0 and _RANGE_GAP.match(body[found[first - 1].end : found[first].start]):
        first -= 1
    clause_lo, clause_hi = 0, len(body)
    for m in CLAUSE_BREAK.finditer(body):
        if m.end() <= found[first].start:
            clause_lo = m.end()
        elif m.start() >= found[last].end:
            clause_hi = m.start()
            break
    inside = [k for k, m in enumerate(found) if clause_lo <= m.start and m.end <= clause_hi]
    lo = found[first - 1].end if first - 1 in inside else clause_lo
    hi = found[last + 1].start if last + 1 in inside else clause_hi
    own = body[lo : found[first].start] + " " + body[found[last].end : hi]
    a, b = first, last
    while a - 1 in inside and _coordinated(body[found[a - 1].end : found[a].start]):
        a -= 1
    while b + 1 in inside and _coordinated(body[found[b].end : found[b + 1].start]):
        b += 1
    head = found[inside[0]].start if inside else clause_lo  # what the clause says before its first number: its subject
    chain_lo = _cut(body, found[a - 1].end, found[a].start, last=True) if a - 1 in inside else clause_lo
    chain_hi = _cut(body, found[b].end, found[b + 1].start, last=False) if b + 1 in inside else clause_hi
    others = body[head:chain_lo] + " " + body[chain_hi:clause_hi]
    glued = re.match(r"[-\u2010\u2011]\w+", body[found[last].end :])  # "30-day", "600-kilometre"
    sign = body[max(0, found[first].start - 3) : found[last].end + (glued.end() if glued else 0)]
    proper = body[max(chain_lo, head) : chain_hi]
    return _Scope(own=own, chain=body[clause_lo:head] + " " + proper, proper=proper, others=others, written=sign)


def _groups(lemmas: set[str], lows: set[str]) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for kind, groups in _GROUPS.items():
        for name, ws in groups.items():
            if lemmas & ws or lows & ws:
                out.setdefault(kind, set()).add(name)
    return out


def _group_nations(words: str) -> list[str]:
    """The nationality a text gives a group of people: "Russian soldiers", "Varnia's troops", "Ukrainian civilians"."""
    out = []
    toks = tokens(words)
    for i, t in enumerate(toks):
        if t.low in _PERSON_NOUNS or t.lemma in _PERSON_NOUNS:
            for before in toks[max(0, i - 3) : i]:
                bare = re.sub(r"['\u2019]s$", "", before.raw)
                if bare[:1].isupper() and bare.lower() not in TITLES and bare.lower() not in STOP and (
                    before.raw != bare or DEMONYM.search(bare)
                ):
                    out.append(bare)
    return out


def check_measures(item: BaseModel, text: str, r: Regions, english: bool) -> Iterator[FieldCheck]:
    """The checks of a figure's ``measure`` and ``unit`` against its number's scope; none when the number is not found."""
    measure = getattr(item, "measure", None)
    unit = getattr(item, "unit", None)
    scope = _scope(text, r, item)
    if scope is None:
        return
    if isinstance(measure, str) and measure.strip():
        yield _measure_check(measure, scope, text, r, english)
    if isinstance(unit, str) and unit.strip():
        yield _unit_check(unit, scope, english)


def _measure_check(measure: str, scope: _Scope, text: str, r: Regions, english: bool) -> FieldCheck:
    found = check_numbers("measure", "measure", measure, scope.chain + " " + scope.written, "number's scope")
    if found is not None:
        return found
    missing = unnamed(measure, r.wide, text)
    if missing:
        return failed("measure", f"the measure names {', '.join(missing)}, which its evidence does not", missing)
    theirs = _group_nations(scope.own) or _group_nations(scope.chain)
    for nation in _group_nations(measure):
        if theirs and not any(same_nation(nation, n) for n in theirs):
            return failed(
                "measure", f'the measure says "{nation}"; this number\'s scope says "{theirs[0]}"', [nation]
            )
    if not english:
        return passed("measure", "numbers and names checked; group words and support not checked (not English)")
    mine = tokens(measure)
    own_toks, chain_toks = tokens(scope.own), tokens(scope.chain)
    wanted = _groups({t.lemma for t in mine}, {t.low for t in mine})
    near = _groups({t.lemma for t in own_toks}, {t.low for t in own_toks})
    wide = _groups({t.lemma for t in chain_toks}, {t.low for t in chain_toks})
    for kind, groups in wanted.items():
        scope_groups = near.get(kind) or wide.get(kind)
        if scope_groups and not groups & scope_groups:
            said = next(w.raw for w in mine if any(w.lemma in _GROUPS[kind][g] or w.low in _GROUPS[kind][g] for g in groups))
            return failed(
                "measure",
                f'the measure says "{said}"; this number\'s scope says {" / ".join(sorted(scope_groups))}',
                [said],
            )
    ours, beside, elsewhere = lemma_keys(scope.chain), lemma_keys(scope.proper), lemma_keys(scope.others)
    content = [t for t in content_words(mine) if t.lemma not in _QUANTITY]
    borrowed = [t.raw for t in content if lemma_in(t.lemma, elsewhere) and not lemma_in(t.lemma, ours)]
    kept = [t for t in content if lemma_in(t.lemma, beside)]
    if borrowed and len(borrowed) > len(kept):  # a word shared with another number (a place, a noun) is context
        listed = ", ".join(f'"{w}"' for w in dict.fromkeys(borrowed))
        return failed("measure", f"the measure takes {listed} from another number of its sentence", borrowed)
    share, missing_words = support_of(measure, scope.chain + " " + r.paragraph, _QUANTITY)
    if share < SUPPORT:
        listed = ", ".join(f'"{w}"' for w in dict.fromkeys(missing_words))
        return failed("measure", f"the measure is not what this number counts: {listed} not in its evidence", missing_words)
    return passed("measure")


def _unit_check(unit: str, scope: _Scope, english: bool) -> FieldCheck:
    key = re.sub(r"^(?:us|u\.s\.)\s+(?=dollars?$)", "", " ".join(fold(unit).lower().split()))  # "US dollars"
    written = fold(scope.written).lower()
    if key in _PERCENT_UNITS:
        if "%" in written or "percent" in written or "per cent" in written:
            return passed("unit")
        return failed("unit", f'the unit is "{unit}", but the number is not a percentage', [unit])
    sign = _CURRENCY_WORDS.get(key) or _CURRENCY_WORDS.get(key.rstrip("s"))
    if sign is not None:
        own = fold(scope.own + " " + scope.written).lower()
        if sign in own or any(w in re.findall(r"[\w$€£¥]+", own) for w in _CURRENCIES[sign]):
            return passed("unit")
        return failed("unit", f'the unit is "{unit}", but this number is not in that currency', [unit])
    toks = tokens(re.sub(r"(?<=\w)-(?=\w)", " ", scope.chain + " " + scope.written))  # "30-day": "day"
    lemmas = {t.lemma for t in toks} | {t.low for t in toks}
    unit_lemmas = [lemma_of(w) for w in TOKEN.findall(unit)]
    if unit_lemmas and all(lemma_in(u, lemmas) for u in unit_lemmas):
        return passed("unit")
    for aliases in _UNIT_ALIASES:
        if key in aliases and (aliases & lemmas or any(a in fold(scope.written).lower() for a in aliases if len(a) > 2)):
            return passed("unit")
    if key in _GENERIC_UNITS and lemmas & (_PERSON_NOUNS | {lemma_of(w) for w in _PERSON_NOUNS}):
        return passed("unit")
    if not english:
        return passed("unit", "not checked: the evidence is not English")
    counted = ", ".join(t.raw for t in content_words(tokens(scope.own))[:3]) or "nothing"
    return failed("unit", f'the unit "{unit}" is not what this number counts (its scope has {counted})', [unit])
