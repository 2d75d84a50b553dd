"""Markdown and HTML reports, and the notebook display, of summaries.

The summaries here are the HAND-WRITTEN seed summary (``tests/doubles/responses.py``), served
by the loopback fake or grounded directly, and items written below by hand; nothing
here came from a model.
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
import re
from html.parser import HTMLParser

import pytest

from summarizer import ArticleSummary, Summarizer
from summarizer.grounding import ground
from summarizer.report import render_html, render_html_fragment, render_markdown

from ..doubles.responses import SEED_SUMMARY, completion, with_markup_claims

EVIL = '<script>window.__pwned=1</script> and <img src=x onerror="window.__pwned=1"> | *bold* [link](x)'


def grounded(data: dict, text: str, policy: str = "flag") -> ArticleSummary:
    summary = ArticleSummary.model_validate(data)
    summary.grounding = ground(summary, text, policy=policy)  # type: ignore[arg-type]
    return summary


@pytest.fixture
def summarized(fake_llm, seed_text) -> ArticleSummary:
    """The hand-written seed summary, through the library (so it has provenance and the text)."""
    fake_llm.reply(completion(arguments=SEED_SUMMARY, prompt_tokens=1000, completion_tokens=234))
    with Summarizer("test-model", base_url=fake_llm.base_url) as s:
        return s.summarize(seed_text)


class Marks(HTMLParser):
    """The article's text as the browser would show it, and the pieces each item's marks cover."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.in_article = 0
        self.text: list[str] = []
        self.open: list[dict[str, str | None]] = []
        self.pieces: dict[str, list[tuple[int, str]]] = {}
        self.kinds: dict[str, set[str]] = {}
        self.scripts = 0
        self.buttons: list[str] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "article":
            self.in_article += 1
        if tag == "script":
            self.scripts += 1
        if tag == "button" and a.get("data-item"):
            self.buttons.append(a["data-item"])
        if tag == "mark" and self.in_article:
            assert not self.open, "marks must not nest"
            self.open.append(a)

    def handle_endtag(self, tag):
        if tag == "article":
            self.in_article -= 1
        if tag == "mark" and self.open:
            self.open.pop()

    def handle_data(self, data):
        if not self.in_article:
            return
        if self.open:
            attrs = self.open[-1]
            for key in (attrs["data-items"] or "").split():
                self.pieces.setdefault(key, []).append((len("".join(self.text)), data))
                self.kinds.setdefault(key, set()).update(c for c in (attrs["class"] or "").split())
        self.text.append(data)


def parse(page: str) -> Marks:
    parser = Marks()
    parser.feed(page)
    return parser


def test_markdown_report_has_a_table_per_kind_with_quotes(summarized, seed_text):
    md = render_markdown(summarized)
    assert md.startswith("# 100,000 Russian troops killed or injured in Ukraine, US says\n")
    for heading in ("## Key claims (1)", "## Figures (1)", "## Actors (1)", "## Peace-talk conditions (1)"):
        assert heading in md
    assert "| As written | Value | Measure | Source | When | The article says | Where and checks |" in md
    span = summarized.figures[0].span
    assert (
        f"| 20,000 to 30,000 | 20,000–30,000 troops (range) | Russian troops amassed in Kherson | Mark Milley "
        f"| undated (Wednesday) | *Russia had amassed 20,000 to 30,000 troops in Kherson* | exact, characters {span.start}–{span.end}; "
        "checked: quote ✓, text ✓, low ✓, high ✓, qualifier ✓, reported\\_by ✓, measure ✓, unit ✓ |"
    ) in md
    assert "## Uncovered numbers (5 of 7)" in md and "| 40,000 |" in md
    assert "| Mark Milley | person | chairman of the Joint Chiefs of Staff | United States |" in md
    assert "4/4 items grounded (4 exact" in md
    assert "| Tokens | 1,234 (1,000 in, 234 out) |" in md
    assert "| Attempts | 1 answer(s), 0 transient retry(ies) |" in md
    assert "test-model" in md
    assert "| Article's date | unknown: date words are kept, not resolved |" in md  # no published= given


def test_markdown_escapes_article_and_model_text(seed_text):
    data = json.loads(json.dumps(SEED_SUMMARY))
    data["summary"] = EVIL
    data["key_claims"][0]["statement"] = "Same thing | probably\non the Ukrainian side."
    md = render_markdown(grounded(data, seed_text))
    assert "<script>" not in md and "<img" not in md
    assert "&lt;script&gt;window.\\_\\_pwned=1&lt;/script&gt;" in md
    assert "\\| \\*bold\\* \\[link\\](x)" in md
    assert "| Same thing \\| probably on the Ukrainian side. |" in md  # one table row, no broken cell


def test_markdown_lists_dropped_and_flagged_items_apart(seed_text):
    data = json.loads(json.dumps(SEED_SUMMARY))
    data["figures"].append({**data["figures"][0], "quote": "Russia had amassed 90,000 troops in Kherson",
                            "text": "90,000", "value": 90000, "low": None, "high": None, "qualifier": "exact"})
    flagged = render_markdown(grounded(data, seed_text, "flag"))
    assert "## Figures (1)" in flagged  # the flagged one is not in the table of supported items
    assert "## Not supported by the article" in flagged
    assert "- **Figure 2**: its quote is not in the article (kept, flagged). Quote: *Russia had amassed 90,000" in flagged
    dropped = render_markdown(grounded(data, seed_text, "drop"))
    assert "its quote is not in the article (dropped)" in dropped


def test_html_report_highlights_every_item_in_the_article(summarized, seed_text):
    page = render_html(summarized)
    parsed = parse(page)
    assert "".join(parsed.text) == seed_text  # the whole article, unchanged once unescaped
    for kind, items in (("claim", summarized.key_claims), ("figure", summarized.figures),
                        ("actor", summarized.actors), ("condition", summarized.peace_talk_conditions)):
        for i, item in enumerate(items):
            key = f"{kind}-{i}"
            pieces = parsed.pieces[key]
            start = pieces[0][0]
            assert (start, start + sum(len(p) for _, p in pieces)) == (item.span.start, item.span.end)
            assert "".join(p for _, p in pieces) == seed_text[item.span.start : item.span.end]
            assert f"k-{kind}" in parsed.kinds[key]
            assert key in parsed.buttons
    assert parsed.scripts == 1


def test_overlapping_quotes_are_split_not_nested(seed_text):
    data = json.loads(json.dumps(SEED_SUMMARY))
    # A claim quoting the whole sentence that holds the figure's and the actor's quotes.
    sentence = "Milley, the highest-ranking U.S. military officer, said Russia had amassed 20,000 to 30,000 troops"
    data["key_claims"].append({"quote": sentence, "statement": "Russia massed troops in Kherson.",
                               "speaker": "Mark Milley", "hedged": False})
    data["actors"].append({"quote": "Milley, the highest-ranking U.S. military officer", "name": "Milley",
                           "kind": "person", "role": None, "affiliation": None})
    summary = grounded(data, seed_text)
    assert summary.grounding.grounded == 6
    parsed = parse(render_html(summary, seed_text))  # the parser asserts that no mark nests
    assert "".join(parsed.text) == seed_text
    for key, item in (("claim-1", summary.key_claims[1]), ("figure-0", summary.figures[0]),
                      ("actor-1", summary.actors[1])):
        assert "".join(p for _, p in parsed.pieces[key]) == seed_text[item.span.start : item.span.end]
    # Where the claim and the figure overlap, the piece carries both kinds.
    assert {"k-claim", "k-figure"} <= parsed.kinds["figure-0"]
    assert re.search(r'<mark class="k-claim k-figure" data-items="claim-1 figure-0"', render_html(summary, seed_text))


def test_html_escapes_markup_from_the_article_and_the_model(seed_text):
    text = seed_text + "\n\n" + EVIL + "\n"
    data = json.loads(json.dumps(SEED_SUMMARY))
    data["headline"] = "</title><script>window.__pwned=1</script>"
    with_markup_claims(data, EVIL, '"><img src=x onerror=alert(1)>')  # claim-1 grounded, claim-2 flagged
    page = render_html(grounded(data, text), text)
    assert page.count("<script") == 1 and page.count("</script>") == 1  # ours alone
    assert "<img" not in page and "onerror=\"window" not in page
    assert "&lt;script&gt;window.__pwned=1&lt;/script&gt;" in page
    assert 'data-items="claim-1"' in page  # the quoted markup is highlighted, as text
    assert "".join(parse(page).text) == text


def test_html_is_self_contained_with_a_hash_based_csp(summarized):
    page = render_html(summarized)
    assert not re.search(r"""\b(?:src|href)\s*=|@import|url\(""", page)  # nothing is loaded
    csp = html.unescape(re.search(r'http-equiv="Content-Security-Policy" content="([^"]+)"', page).group(1))
    assert "default-src 'none'" in csp and "unsafe-inline" not in csp
    for tag, directive in (("style", "style-src"), ("script", "script-src")):
        body = re.search(rf"<{tag}>(.*?)</{tag}>", page, re.DOTALL).group(1)
        digest = base64.b64encode(hashlib.sha256(body.encode()).digest()).decode()
        assert f"{directive} 'sha256-{digest}'" in csp


def test_html_shows_unsupported_items_apart_and_provenance(fake_llm, seed_text):
    data = json.loads(json.dumps(SEED_SUMMARY))
    data["figures"].append({**data["figures"][0], "quote": "Russia had amassed 90,000 troops in Kherson",
                            "text": "90,000", "value": 90000, "low": None, "high": None, "qualifier": "exact"})
    fake_llm.reply(completion(arguments=data, prompt_tokens=900, completion_tokens=100))
    with Summarizer("test-model", base_url=fake_llm.base_url, grounding="flag") as s:
        summary = s.summarize(seed_text)
    page = render_html(summary)
    apart = page.split('<section class="smz-apart">', 1)[1].split("</section>", 1)[0]
    assert "Not supported by the article (1)" in apart
    assert "Russia had amassed 90,000 troops in Kherson" in apart and "its quote is not in the article" in apart
    assert 'data-items="figure-1"' not in page and 'data-item="figure-1"' not in page
    foot = page.split("<footer>", 1)[1]
    assert "test-model" in foot and "1,000 (900 in, 100 out)" in foot and "1 answer(s)" in foot
    assert "matches the text shown" in foot


def test_a_text_that_is_not_the_article_is_refused(summarized, seed_text):
    with pytest.raises(ValueError, match="not the article"):
        render_html(summarized, seed_text + " changed")


def test_without_the_text_the_items_are_shown_alone(summarized):
    summary = ArticleSummary.model_validate_json(summarized.model_dump_json())  # JSON does not carry the text
    page = render_html(summary)
    assert "The article text is not available" in page
    parsed = parse(page)
    assert not parsed.pieces and not parsed.buttons  # nothing to highlight, nothing to click
    assert "Russia had amassed 20,000 to 30,000 troops in Kherson" in page


def test_notebook_display_uses_the_text_kept_by_the_library(summarized, seed_text):
    fragment = summarized._repr_html_()
    assert fragment == render_html_fragment(summarized, seed_text)
    assert fragment.startswith("<style>") and '<div class="smz smz-embedded">' in fragment
    assert 'data-items="figure-0"' in fragment
    assert summarized._repr_markdown_() == render_markdown(summarized, seed_text)
    # The text is private: not in a dump, not in the schema the model sees.
    assert "Economic Club of New York" in seed_text and "Economic Club" not in summarized.model_dump_json()
    assert "_source_text" not in json.dumps(ArticleSummary.model_json_schema())


def test_a_long_article_summarized_in_chunks_keeps_the_whole_text(fake_llm, seed_text):
    for _ in range(12):  # one HAND-WRITTEN answer per chunk; its quotes outside a chunk are dropped
        fake_llm.reply(completion(arguments=SEED_SUMMARY))
    with Summarizer("test-model", base_url=fake_llm.base_url, chunk_tokens=200, grounding="drop") as s:
        summary = s.summarize(seed_text)
    assert summary.provenance.chunks > 1
    parsed = parse(summary._repr_html_())
    assert "".join(parsed.text) == seed_text  # the whole article, not a chunk
    assert parsed.pieces  # and the merged items highlighted in it
    for key, pieces in parsed.pieces.items():
        kind, i = key.split("-")
        field = {"claim": "key_claims", "figure": "figures", "actor": "actors", "condition": "peace_talk_conditions"}
        item = getattr(summary, field[kind])[int(i)]
        assert "".join(p for _, p in pieces) == seed_text[item.span.start : item.span.end]


# -- text that would change what a reader sees (HAND-WRITTEN model answers) -------------------

RLO = "\u202e"


def test_bidi_controls_are_shown_not_obeyed_in_both_reports(seed_text):
    data = json.loads(json.dumps(SEED_SUMMARY))
    data["summary"] = f"Milley said {RLO}000,001{chr(0x202C)} soldiers died."  # reads "100,000" reversed
    data["key_claims"][0]["statement"] = "Same thing \u2066probably\u2069 on the Ukrainian side."
    summary = grounded(data, seed_text)
    md, page = render_markdown(summary, seed_text), render_html(summary, seed_text)
    for report in (md, page):
        assert not any(c in report for c in "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
        assert "⟦U+202E⟧" in report and "⟦U+202C⟧" in report and "⟦U+2066⟧" in report


@pytest.mark.parametrize(
    ("summary", "shown"),
    [("---", "\\---"), ("=== heading", "\\=== heading"), ("> a quote", "&gt; a quote"), ("1. a list", "1\\. a list"),
     ("- item", "\\- item"), ("see https://evil.example/login", "see https\\[:\\]//evil.example/login"),
     ("www.evil.example", "www\\[.\\]evil.example")],
)
def test_model_text_cannot_change_the_markdowns_structure_or_make_links(seed_text, summary, shown):
    data = json.loads(json.dumps(SEED_SUMMARY))
    data["summary"] = summary
    md = render_markdown(grounded(data, seed_text), seed_text)
    assert f"\n\n{shown}\n\n" in md
    assert "https://" not in md.split("## Provenance")[0] and "www.evil" not in md
