"""One HAND-WRITTEN answer on the seed mixing right and wrong items of every kind, through ``summarize()``.

Nothing here came from a model: the answer is written for this test, each wrong item
wrong in one way a model gets things wrong. Served on loopback, it must come back with
every right item grounded and every wrong one failing the check it breaks, under
``flag`` (kept, with reasons), ``drop`` (removed) and ``reask`` (named to the model).
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from summarizer import Summarizer
from summarizer.report import render_html, render_markdown

from .doubles.responses import completion

TALKS = "Russia has said it is open to talks, and this week announced it had begun a retreat from Kherson."
SOLDIERS = "“well over” 100,000 Russian soldiers have been killed or wounded in the war"
TERMS = "only on the condition that Russia return all of Ukraine’s occupied lands"
MILLEY = "Army Gen. Mark Milley, chairman of the Joint Chiefs of Staff"


def claim(quote: str, speaker: str | None, hedged: bool, statement: str) -> dict[str, Any]:
    """A hand-written claim whose own words are right: each case fails only the check it names."""
    return {"quote": quote, "statement": statement, "speaker": speaker, "hedged": hedged}


def figure(quote: str, text: str, value: float | None, qualifier: str, by: str | None = "Milley",
           low: float | None = None, high: float | None = None, measure: str = "Russian soldiers killed or wounded",
           unit: str = "soldiers") -> dict[str, Any]:
    return {"quote": quote, "text": text, "value": value, "low": low, "high": high, "qualifier": qualifier,
            "unit": unit, "measure": measure, "reported_by": by}


OPEN = "Russia has said it is open to talks."
SAME = "Same thing probably on the Ukrainian side."
CIVILIANS = {"measure": "Ukrainian civilians killed or wounded", "unit": "civilians"}
RETURN = "Russia returns all of Ukraine's occupied lands."


# (list, item, None if it must stay grounded else the check it must fail)
CASES: list[tuple[str, dict[str, Any], str | None]] = [
    ("key_claims", claim("“Same thing probably on the Ukrainian side,” Milley added.", "Mark Milley", True, SAME), None),
    ("key_claims", claim("“There has been a tremendous amount of suffering, human suffering,” he said at The Economic "
                         "Club of New York.", "Milley", False, "There has been tremendous human suffering."), None),
    ("key_claims", claim(TALKS.replace("is open", "is not open"), None, False, OPEN), "quote"),  # negation added
    ("key_claims", claim(TALKS.replace("Russia", "Ukraine"), None, False, OPEN), "quote"),  # a name swapped
    ("key_claims", claim("“Same thing certainly on the Ukrainian side,” Milley added.", "Milley", False, SAME), "quote"),
    ("key_claims", claim(TALKS, "Volodymyr Zelensky", False, OPEN), "speaker"),  # misattributed
    ("key_claims", claim("a potential stalemate in fighting over the winter could provide both countries an "
                         "opportunity to negotiate peace", "Tara Copp", True,
                         "A stalemate over the winter could give both countries an opportunity to negotiate peace."),
     "speaker"),  # the byline
    ("key_claims", claim(TALKS, None, True, OPEN), "hedged"),
    ("key_claims", claim(",", None, False, OPEN), "quote"),  # a scrap
    ("figures", figure(SOLDIERS, "well over 100,000", 100000, "more_than"), None),
    ("figures", figure("Russia had amassed 20,000 to 30,000 troops in Kherson", "20,000 to 30,000", None, "range",
                       low=20000, high=30000, measure="Russian troops amassed in Kherson", unit="troops"), None),
    ("figures", figure("as many as 40,000 Ukrainian civilians", "as many as 40,000", 40000, "exact", **CIVILIANS),
     "qualifier"),
    ("figures", figure("as many as 40,000 Ukrainian civilians", "as many as 40,000", 4000, "at_most", **CIVILIANS),
     "value"),
    ("figures", figure("as many as 40,000 Ukrainian civilians", "as many as 50,000", 50000, "at_most", **CIVILIANS),
     "text"),
    ("figures", figure(SOLDIERS, "well over 100,000", 100000, "more_than", by="Volodymyr Zelensky"), "reported_by"),
    ("actors", {"quote": MILLEY, "name": "Mark Milley", "kind": "person", "role": None, "affiliation": None}, None),
    ("actors", {"quote": MILLEY, "name": "Lloyd Austin", "kind": "person", "role": None, "affiliation": None}, "name"),
    ("peace_talk_conditions", {"quote": TERMS, "set_by": "Volodymyr Zelensky", "condition": RETURN, "to_be_met_by": "Russia"},
     None),
    ("peace_talk_conditions", {"quote": TERMS, "set_by": "Mark Milley", "condition": RETURN, "to_be_met_by": None}, "set_by"),
    ("peace_talk_conditions", {"quote": TERMS, "set_by": "chairman of the Joint Chiefs of Staff", "condition": RETURN,
                               "to_be_met_by": None}, "set_by"),  # one person's title given to another's words
]


def answer(headline: str | None) -> dict[str, Any]:
    lists: dict[str, list[dict[str, Any]]] = {"key_claims": [], "figures": [], "actors": [], "peace_talk_conditions": []}
    for name, item, _ in CASES:
        lists[name].append(item)
    lists["figures"].append(figure(SOLDIERS, "well over 100,000", 1e309, "more_than"))  # infinity: invalid
    summary = "Gen. Mark Milley said well over 100,000 Russian soldiers have been killed or wounded in the war."
    return {"headline": headline, "summary": summary, **lists}


def expected() -> dict[str, list[str | None]]:
    out: dict[str, list[str | None]] = {}
    for name, _, failing in CASES:
        out.setdefault(name, []).append(failing)
    return out


@pytest.mark.parametrize("use_async", [False, True], ids=["sync", "async"])
def test_flag_keeps_every_item_with_the_check_it_failed(fake_llm, seed_text, use_async):
    raw = json.dumps(answer("Russia wins the war")).replace("1e+309", "1e309")
    fake_llm.reply(completion(arguments=raw))
    with Summarizer("test-model", base_url=fake_llm.base_url, grounding="flag") as s:
        if use_async:
            import asyncio

            result = asyncio.run(s.asummarize(seed_text))
        else:
            result = s.summarize(seed_text)
    assert len(fake_llm.requests) == 1
    for name, wanted in expected().items():
        items = getattr(result, name)
        assert len(items) == len(wanted), name
        for i, (item, failing) in enumerate(zip(items, wanted, strict=True)):
            failed = [c.field for c in item.checks if not c.ok]
            if failing is None:
                assert item.grounded and not failed, (name, i, item.checks)
                assert item.evidence == seed_text[item.span.start : item.span.end]
            else:
                assert not item.grounded and failing in failed, (name, i, item.checks)
                assert item.grounding_error
    report = result.grounding
    assert report.grounded == sum(f is None for *_, f in CASES)
    assert report.ungrounded == sum(f is not None for *_, f in CASES)
    assert report.dropped == 1 and any("finite" in i.reason for i in report.issues)  # the infinite figure
    assert result.headline == "Russia wins the war" and report.headline is not None and not report.headline.ok
    assert report.checks["figures.qualifier"].failed == 1 and report.checks["peace_talk_conditions.set_by"].failed == 2
    # the two grounded figures cover 100,000 (once), 20,000 and 30,000 of the seven numbers that count
    assert report.numbers == 7 and len(report.uncovered) == 4
    md, page = render_markdown(result), render_html(result)
    assert "misattributed" in md and "misattributed" in page and "Uncovered numbers" in md
    assert 'class="uncovered"' in page


def test_drop_removes_every_wrong_item_and_the_wrong_headline(fake_llm, seed_text):
    fake_llm.reply(completion(arguments=answer("Russia wins the war")))
    with Summarizer("test-model", base_url=fake_llm.base_url, grounding="drop") as s:
        result = s.summarize(seed_text)
    for name, wanted in expected().items():
        assert len(getattr(result, name)) == wanted.count(None), name
        assert all(item.grounded for item in getattr(result, name))
    assert result.headline is None and result.grounding.dropped == sum(f is not None for *_, f in CASES) + 1


def test_reask_names_each_failed_check_to_the_model(fake_llm, seed_text):
    right = answer("100,000 Russian troops killed or injured in Ukraine, US says")
    for name in ("key_claims", "figures", "actors", "peace_talk_conditions"):
        right[name] = [item for (n, item, failing) in CASES if n == name and failing is None]
    fake_llm.reply(completion(arguments=answer("Russia wins the war")))
    fake_llm.reply(completion(arguments=right))
    with Summarizer("test-model", base_url=fake_llm.base_url, grounding="reask", max_reasks=1) as s:
        result = s.summarize(seed_text)
    assert len(fake_llm.requests) == 2 and result.grounding.grounded == 6 and not result.grounding.issues
    told = json.dumps(fake_llm.requests[1]["messages"][2:], ensure_ascii=False)
    for fragment in ("(qualifier)", "(reported_by)", "(set_by)", "(hedged)", "(speaker)", "(name)", "(text)",
                     "(value)", "headline (headline)", 'the quote says \\"not open\\"'):
        assert fragment in told, fragment
