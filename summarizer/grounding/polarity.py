"""Whether the model's words turn what the evidence says: a negation, an opposite, or a hedge stated as fact.

A negation reaches the first content word after it ("refused to" and "has yet to" negate
too); opposites are pairs of lemmas (:data:`_ANTONYMS`: "keeps" for "returns", "steps up"
for "halts"). A condition reads its evidence's refusal the other way round ("will not talk
while troops remain": the condition is that they leave), so its opposites are read against
what the evidence demands. "X said" is an attribution, not a hedge. English word lists: the
callers check these only where the evidence is English.
"""

from __future__ import annotations

import re

from ..schema import FieldCheck
from ..text import fold
from .checks import failed
from .fields import HEDGE_PHRASES, HEDGES
from .lemmas import NEGATION, STOP, Token, tokens

__all__ = [
    "check_hedges",
    "check_polarity",
]

_MODEL_HEDGES = HEDGES | frozenset(
    {"would", "suspected", "suspect", "unconfirmed", "unverified", "alleged", "expected", "expect", "expects",
     "chance", "risk", "assess", "assessed", "assesses", "assessment", "think", "thought", "believed", "perhaps",
     "uncertain", "unclear", "tentative", "tentatively", "potential"}
)
"""What carries a hedge over in the model's words. "X said" is an attribution, not a hedge, and "if" is a condition."""
_EVIDENCE_MODALS = frozenset({"could", "may", "might"})
_ANTONYMS = (
    ("accept", "reject"), ("agree", "refuse"), ("agree", "reject"), ("approve", "reject"), ("approve", "veto"),
    ("confirm", "deny"), ("admit", "deny"), ("win", "lose"), ("increase", "decrease"), ("increase", "cut"),
    ("increase", "reduce"), ("raise", "cut"), ("raise", "lower"), ("raise", "reduce"), ("allow", "ban"),
    ("allow", "forbid"), ("allow", "block"), ("permit", "ban"), ("open", "close"), ("open", "shut"),
    ("support", "oppose"), ("back", "oppose"), ("welcome", "condemn"), ("praise", "condemn"), ("include", "exclude"),
    ("start", "end"), ("begin", "end"), ("start", "stop"), ("resume", "suspend"), ("resume", "halt"),
    ("lift", "impose"), ("ease", "tighten"), ("return", "keep"), ("return", "retain"), ("return", "seize"),
    ("return", "annex"), ("leave", "remain"), ("leave", "stay"), ("leave", "enter"), ("withdraw", "remain"),
    ("withdraw", "stay"), ("withdraw", "reinforce"), ("withdraw", "deploy"), ("withdraw", "advance"),
    ("withdraw", "send"), ("retreat", "advance"), ("release", "hold"), ("release", "keep"), ("release", "detain"),
    ("release", "arrest"), ("free", "detain"), ("free", "hold"), ("stop", "continue"), ("stop", "intensify"),
    ("stop", "escalate"), ("halt", "continue"), ("halt", "intensify"), ("halt", "escalate"), ("halt", "expand"),
    ("end", "continue"), ("end", "extend"), ("end", "prolong"), ("cease", "continue"), ("succeed", "fail"),
    ("victory", "defeat"), ("guilty", "innocent"), ("legal", "illegal"), ("prosecute", "pardon"),
    ("prosecution", "amnesty"), ("prosecution", "pardon"), ("punish", "pardon"), ("punishment", "amnesty"),
    ("hand", "keep"), ("hand", "retain"), ("give", "keep"), ("give", "take"), ("pay", "receive"),
    ("disarm", "rearm"), ("demilitarise", "militarise"), ("demilitarize", "militarize"), ("ceasefire", "offensive"),
    ("rise", "fall"), ("gain", "lose"), ("attack", "defend"), ("sign", "reject"), ("recognise", "reject"),
    ("recognize", "reject"), ("join", "leave"), ("join", "quit"), ("arrive", "leave"), ("expand", "shrink"),
)
"""Pairs of lemmas that say opposite things: one in the model's words where the evidence has only the other."""
_OPPOSITE: dict[str, frozenset[str]] = {}
for _a, _b in _ANTONYMS:
    _OPPOSITE[_a] = _OPPOSITE.get(_a, frozenset()) | {_b}
    _OPPOSITE[_b] = _OPPOSITE.get(_b, frozenset()) | {_a}


_IMPLICIT_NEGATION = frozenset({"refuse", "decline", "fail", "unable", "unwilling", "lack", "absent"})
"""Words that negate the verb after them ("refused to sign" denies signing) without a "not"."""
_CONDITIONAL = frozenset({"unless", "until", "only", "if", "while", "before", "after", "once", "without"})


def _polarity(toks: list[Token]) -> tuple[set[str], set[str], bool]:
    """(asserted, negated, any negation) content lemmas: a negation reaches the first content word after it."""
    asserted: set[str] = set()
    negated: set[str] = set()
    pending = False
    seen = False
    for i, t in enumerate(toks):
        yet_to = t.low == "yet" and i + 1 < len(toks) and toks[i + 1].low == "to"  # "has yet to sign"
        if t.low in NEGATION or t.lemma in _IMPLICIT_NEGATION or yet_to:
            pending = seen = True
            continue
        if (t.low in STOP or t.lemma in STOP or t.low[:1].isdigit()) and t.low != "against":
            continue
        if pending:
            negated.add(t.lemma)
            pending = False
        else:
            asserted.add(t.lemma)
    return asserted, negated, seen


def check_polarity(
    field: str, label: str, words: str, evidence: str, condition: bool, opposites: bool = True
) -> FieldCheck | None:
    """A flip of polarity: one side negates a predicate the other only asserts, or says its opposite.

    A condition reads its evidence's refusal the other way round ("will not talk while
    troops remain": the condition is that they leave), so for a condition only the
    model's own negation of what the evidence asserts counts, and opposites are read
    against what the evidence demands (after "only if", "unless", "must", ...).
    """
    toks, their_toks = tokens(words), tokens(evidence)
    mine_pos, mine_neg, _ = _polarity(toks)
    their_pos, their_neg, their_any = _polarity(their_toks)
    for lemma in sorted(mine_neg):
        if lemma in their_pos and lemma not in their_neg and not (condition and their_any):
            return failed(field, f'the {label} negates "{lemma}", which its evidence asserts', [_raw(toks, lemma)])
    if not condition:
        for lemma in sorted(mine_pos):
            if lemma in their_neg and lemma not in their_pos and lemma not in mine_neg:
                return failed(field, f'the {label} asserts "{lemma}", which its evidence negates', [_raw(toks, lemma)])
    if not opposites:
        return None
    said = {t.lemma for t in their_toks}
    if condition:
        demand = _demand(evidence)
        if demand is None and (their_any or any(t.low in _CONDITIONAL for t in their_toks)):
            return None  # a refusal ("will not talk while troops remain"), which the condition reads the other way
        their_pos = _polarity(tokens(demand if demand is not None else evidence))[0]
    for lemma in sorted(mine_pos - said):
        opposite = _OPPOSITE.get(lemma, frozenset())
        hit = sorted(o for o in opposite if o in their_pos and o not in mine_pos)
        if hit:
            return failed(field, f'the {label} says "{_raw(toks, lemma)}"; its evidence says "{hit[0]}"', [_raw(toks, lemma)])
    return None


_DEMAND = re.compile(
    r"\b(?:only if|unless|on (?:the )?condition that|provided(?: that)?|as long as|demand(?:s|ed)? that|"
    r"insist(?:s|ed)? that|call(?:s|ed)? for|must|should|would have to|will have to|has to|have to|needs? to|"
    r"first|in exchange for|in return for)\b",
    re.IGNORECASE,
)


def _demand(evidence: str) -> str | None:
    """What a condition's evidence demands: the words after "only if", "unless", "must", ...; None if it says none."""
    m = _DEMAND.search(evidence)
    return evidence[m.end() :] if m else None


def _raw(toks: list[Token], lemma: str) -> str:
    """The word as the model wrote it, for a lemma of its words."""
    return next((t.raw for t in toks if t.lemma == lemma), lemma)


def _hedges(toks: list[Token], text: str, words: frozenset[str]) -> list[str]:
    found = [
        t.low for i, t in enumerate(toks)
        if (t.low in words or t.lemma in words) and not (i and t.raw[:1].isupper())  # "in May": the month
    ]
    return found + HEDGE_PHRASES.findall(" ".join(fold(text).split()))


def check_hedges(field: str, label: str, words: str, evidence: str) -> FieldCheck | None:
    """A hedge stated as fact: the evidence hedges ("could", "estimate") and the model's words do not; else None."""
    theirs = _hedges(tokens(evidence), evidence, HEDGES | _EVIDENCE_MODALS)
    if not theirs:
        return None
    if _hedges(tokens(words), words, _MODEL_HEDGES | _EVIDENCE_MODALS):
        return None
    listed = ", ".join(f'"{w}"' for w in dict.fromkeys(theirs))
    return failed(field, f"the {label} states as fact what its evidence hedges ({listed})", [])
