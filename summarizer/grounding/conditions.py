"""Who must meet a condition (``to_be_met_by``): named in its evidence, and the party the demand is on.

"Russia return all of Ukraine's occupied lands" is met by Russia: the agent of a demand is
read from the evidence ("X must ...", "a Russian withdrawal") and from the condition's subject.
"""

from __future__ import annotations

import re

from ..schema import FieldCheck
from .checks import failed, passed
from .parties import names_written, same_nation, unnamed
from .statements import Regions

__all__ = [
    "check_party",
]

_MODAL_AGENT = re.compile(
    r"\b(must|should|would have to|will have to|has to|have to|had to|needs? to|is to|are to|first)\b", re.IGNORECASE
)


def _agents(evidence: str) -> list[str]:
    """The parties the evidence makes the agent of a demand: "X must ...", "a Russian withdrawal", "X first released"."""
    found = []
    for m in _MODAL_AGENT.finditer(evidence):
        before = evidence[: m.start()].rstrip()
        names = re.findall(r"([A-Z][\w'\u2019-]+(?:\s+[A-Z][\w'\u2019-]+)*)(?:\s+(?:forces|troops|army|government))?$", before)
        if names:
            found.append(names[-1])
    for m in re.finditer(r"\b(?:a|an|the|full|complete)\s+([A-Z][a-z]+(?:ian|ean|ese|ish|an|i))\s+([a-z]+)", evidence):
        if re.search(r"(?:al|ion|ment|ure|ance|out)$", m[2]) or m[2] in ("retreat", "ceasefire", "pullback"):
            found.append(m[1])  # "a Russian withdrawal": Russia withdraws
    return found


def check_party(party: str, condition: str | None, text: str, r: Regions) -> FieldCheck:
    """Who must meet a condition: named in its evidence, and the party the evidence and the condition put it on."""
    parties = [p.strip() for p in re.split(r",|\band\b|&", party) if p.strip()]
    for p in parties:
        if unnamed(p, r.window + " " + r.paragraph, text, r.wide):
            return failed("to_be_met_by", f'"{p}" is not named in its evidence', [p])
    agents = _agents(r.evidence) + (_subjects(condition, text) if condition else [])
    if agents and not any(same_nation(a, p) for a in agents for p in parties):
        return failed("to_be_met_by", f"the demand is on {agents[0]}, not {party}", parties)
    return passed("to_be_met_by")


def _subjects(condition: str, text: str) -> list[str]:
    """The parties a condition opens with, its subject: "Russia returns ...", "Both Russia and Ukraine recognise"."""
    m = re.match(r"\s*(?:both\s+|the\s+)?((?:[A-Z][\w'\u2019.-]*\s*)+(?:(?:and|or|,)\s+(?:[A-Z][\w'\u2019.-]*\s*)+)*)",
                 condition)
    if not m:
        return []
    return [n for n in names_written(m[1], text)]
