"""Does a quote say what the article says where it was found? :func:`compare` answers with the differences.

:func:`~summarizer.grounding.align.locate` finds where a near-miss quote sits; this
module decides whether the miss is harmless. The two texts are compared word by word
(case, accents and typography folded, so those never count) and every difference is
judged. Harmless, and accepted:

- an ellipsis in the quote standing for words it leaves out;
- a word of :data:`FILLER` ("the", "of", "has", ...) added or dropped, or "a"/"an"/"the" swapped;
- a compound written apart or together ("ceasefire", "cease-fire", "cease fire");
- one number written with other separators ("100,000", "100000"), "%" for "percent";
- a British spelling for an American one, or the reverse ("defence"/"defense",
  "organisation"/"organization", "centre"/"center", "travelled"/"traveled"): a house
  style, not a change of meaning, so it is accepted.

Anything else is a change of meaning and is returned: a negation, a name, a number (in
digits or in words, ordinals too), a hedge or modal, any other content word added,
dropped or replaced, a clause inserted.

An ellipsis may leave out words inside a paragraph, but not join what the article keeps
apart (:func:`splice`): a quote whose ellipsis joins two paragraphs, or joins the start
of one sentence to the end of another (the ellipsis falls mid-sentence on both sides, in
different sentences: one sentence's subject given another's predicate), says something
the article does not, and is refused. An ellipsis next to a sentence's end ("point. ...
Zelensky said") only leaves whole sentences or their ends out, and is accepted.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from rapidfuzz.distance import Levenshtein

from ..schema import Span
from ..sentences import sentences
from ..text import fold

__all__ = ["FILLER", "Difference", "compare", "describe", "omissions", "splice"]

FILLER = frozenset(
    {"a", "an", "the", "of", "that", "and", "has", "have", "had", "is", "are", "was", "were", "be", "been", "do"}
    | {"does", "did", "also"}
)
"""Words whose loss or addition changes no meaning (never a negation, a name, a number or a hedge)."""
_ARTICLES = frozenset({"a", "an", "the"})
_ELLIPSIS = "\u2026"
_TOKEN = re.compile(r"\.\.\.|\. \. \.|\u2026|%|\w+(?:[.,'\u2019\u2018]\w+)*")


@dataclass(frozen=True)
class Difference:
    """Words the quote has where the article has others (either side may be empty)."""

    quote: str
    article: str

    def __str__(self) -> str:
        return f'the quote says "{self.quote}", the article says "{self.article}"'


@dataclass(frozen=True)
class _Word:
    raw: str
    key: str
    start: int = 0  # where the word is in the text it was read from
    end: int = 0


def _words(text: str) -> list[_Word]:
    out: list[_Word] = []
    for m in _TOKEN.finditer(text):
        raw = m[0]
        if raw == "%":
            key = "percent"
        elif raw[0] == "." or raw == _ELLIPSIS:
            key = _ELLIPSIS
        else:
            key = fold(raw).replace("\u2019", "'")
            if key.endswith("'s"):  # Russia's / Russias' / Russia’s alike
                key = key[:-2] + "'s"
        if key == "cent" and out and out[-1].key == "per":  # "per cent"
            out[-1] = _Word(out[-1].raw + " " + raw, "percent", out[-1].start, m.end())
            continue
        out.append(_Word(raw, key, m.start(), m.end()))
    return out


_SPELLING = (
    (re.compile(r"(\w{3,})our(s|ed|ing|ite|ites|able)?$"), r"\1or\2"),
    (re.compile(r"(\w{2,})is(e|es|ed|ing|ation|ations)$"), r"\1iz\2"),
    (re.compile(r"(\w{2,})ys(e|es|ed|ing)$"), r"\1yz\2"),
    (re.compile(r"(\w{3,})tre(s)?$"), r"\1ter\2"),
    (re.compile(r"(\w{3,})ence(s)?$"), r"\1ense\2"),
    (re.compile(r"(\w{3,})ogue(s)?$"), r"\1og\2"),
    (re.compile(r"(\w{3,}[aeiou])ll(ed|ing|er|ers)$"), r"\1l\2"),
)


def _american(word: str) -> str:
    for pattern, replacement in _SPELLING:
        word = pattern.sub(replacement, word)
    return word


def _same(a: str, b: str) -> bool:
    if a == b:
        return True
    if any(c.isdigit() for c in a + b):  # one number, other separators
        digits = re.sub(r"[^\d.]", "", a).strip("."), re.sub(r"[^\d.]", "", b).strip(".")
        return digits[0] == digits[1] and re.sub(r"[\d.,']", "", a) == re.sub(r"[\d.,']", "", b)
    if a in _ARTICLES and b in _ARTICLES:
        return True
    return len(a) >= 5 and len(b) >= 5 and _american(a) == _american(b)


def _harmless(quote: list[_Word], article: list[_Word]) -> bool:
    """One block of the alignment: the quote's words against the article's."""
    q = [w.key for w in quote if w.key != _ELLIPSIS]
    a = [w.key for w in article]
    omits = len(q) < len(quote)  # the quote marks these words as left out
    if omits and not q:
        return True
    if "".join(q).replace("-", "") == "".join(a).replace("-", ""):  # a compound apart or together
        return True
    if len(q) == len(a) and all(_same(x, y) for x, y in zip(q, a)):
        return True
    q_content = [x for x in q if x not in FILLER]
    a_content = [y for y in a if y not in FILLER]
    if len(q_content) != len(a_content) or not all(_same(x, y) for x, y in zip(q_content, a_content)):
        return False
    q_filler = {x for x in q if x in FILLER}
    a_filler = {y for y in a if y in FILLER}
    return q_filler <= a_filler or a_filler <= q_filler or (q_filler | a_filler) <= _ARTICLES


def _context(words: list[_Word], i: int, j: int) -> str:
    return " ".join(w.raw for w in words[i:j])


def _blocks(q: list[_Word], a: list[_Word]) -> list[list[int]]:
    """The runs of unequal words of the word alignment, adjacent edits merged: ``[i1, i2, j1, j2]`` each."""
    blocks: list[list[int]] = []
    for op in Levenshtein.opcodes([w.key for w in q], [w.key for w in a]):
        if op.tag == "equal":
            continue
        i1, i2, j1, j2 = op.src_start, op.src_end, op.dest_start, op.dest_end
        if blocks and blocks[-1][1] == i1 and blocks[-1][3] == j1:
            blocks[-1][1], blocks[-1][3] = i2, j2
        else:
            blocks.append([i1, i2, j1, j2])
    return blocks


def compare(quote: str, evidence: str, *, harmless: bool = False) -> list[Difference]:
    """The differences of meaning between ``quote`` and the article's ``evidence``; empty when it says the same.

    With ``harmless=True``, the differences that were accepted instead (for showing a reader).
    """
    q, a = _words(quote), _words(evidence)
    out: list[Difference] = []
    for i1, i2, j1, j2 in _blocks(q, a):
        if _harmless(q[i1:i2], a[j1:j2]) != harmless:
            continue
        if i1 == i2 or j1 == j2:  # only one side has words: show a neighbour, as a reader would quote it
            if i2 < len(q) and j2 < len(a):
                i2, j2 = i2 + 1, j2 + 1
            elif i1 > 0 and j1 > 0:
                i1, j1 = i1 - 1, j1 - 1
        out.append(Difference(_context(q, i1, i2), _context(a, j1, j2)))
    return out


def describe(differences: list[Difference], limit: int = 3) -> str:
    """The first few differences, for a reason a reader (or the model, when re-asked) can act on."""
    text = "; ".join(map(str, differences[:limit]))
    if len(differences) > limit:
        text += f"; and {len(differences) - limit} more"
    return text


def _has_ellipsis(quote: str) -> bool:
    return "..." in quote or "\u2026" in quote or ". . ." in quote


def omissions(quote: str, evidence: str) -> list[tuple[int, int]]:
    """The stretches of ``evidence`` (offsets into it) that the quote's inner ellipses stand for, in order.

    Each runs from the end of the nearest word before the ellipsis that the evidence
    has too, to the start of the nearest such word after it: so an ellipsis the
    evidence itself writes ("recruits … they lacked") does not hide the words around
    it. An ellipsis at either end of the quote stands for nothing inside the evidence.
    """
    return [(lo, hi) for _, lo, hi in _omissions(quote, evidence)]


def _omissions(quote: str, evidence: str) -> list[tuple[int, int, int]]:
    """(which ellipsis of the quote, from 0; start; end) of each stretch :func:`omissions` lists."""
    if not _has_ellipsis(quote):
        return []
    q, a = _words(quote), _words(evidence)
    aligned: dict[int, int] = {}  # quote word -> the evidence word equal to it in the alignment
    for op in Levenshtein.opcodes([w.key for w in q], [w.key for w in a]):
        if op.tag == "equal":
            aligned.update(zip(range(op.src_start, op.src_end), range(op.dest_start, op.dest_end), strict=True))
    out: list[tuple[int, int, int]] = []
    ellipses = [i for i, w in enumerate(q) if w.key == _ELLIPSIS]
    for k, i in enumerate(ellipses):
        before = next((aligned[j] for j in range(i - 1, -1, -1) if j in aligned and q[j].key != _ELLIPSIS), None)
        after = next((aligned[j] for j in range(i + 1, len(q)) if j in aligned and q[j].key != _ELLIPSIS), None)
        if before is not None and after is not None and before < after:
            out.append((k, a[before].end, a[after].start))
    return out


_WORDY = re.compile(r"\w")
_ELLIPSES = re.compile(r"\.\.\.|\. \. \.|\u2026")
_CLOSING = "\"'\u201d\u2019)] "


def _flat(text: str) -> str:
    return " ".join(fold(text).split()).strip(_CLOSING + "\"\u201c\u2018(")


def splice(quote: str, text: str, span: Span) -> str | None:
    """Why the quote's ellipsis joins what ``text`` keeps apart (two paragraphs, two sentences mid-way), or None.

    A side of an ellipsis is mid-sentence when the article's sentence goes on past the
    words kept on that side; the quote's own words decide where they end, so a word the
    alignment could not pair ("U." of "U.S.") does not make a sentence's end look like its middle.
    """
    if not _has_ellipsis(quote):
        return None
    s = sentences(text)
    parts = _ELLIPSES.split(quote)
    for k, lo, hi in _omissions(quote, text[span.start : span.end]):
        before, after = span.start + lo, span.start + hi  # the kept word before ends at ``before``; the next starts at ``after``
        if s.paragraph_at(before - 1) != s.paragraph_at(after):
            return "its quote's ellipsis joins two paragraphs of the article; quote each on its own"
        one, two = s.at(before - 1), s.at(after)
        if one is None or two is None or one == two or not _WORDY.search(text[before:after]):
            continue  # one sentence, or nothing left out
        ends = _flat(text[one.start : one.end]).endswith(_flat(parts[k])) if _flat(parts[k]) else False
        starts = _flat(text[two.start : two.end]).startswith(_flat(parts[k + 1])) if _flat(parts[k + 1]) else False
        if _WORDY.search(text[before : one.end]) and _WORDY.search(text[two.start : after]) and not (ends or starts):
            return (
                "its quote's ellipsis joins the start of one sentence of the article to the end of another; "
                "quote each on its own"
            )
    return None
