"""The HTML report in a real headless browser (Debian's chromium, driven by playwright).

The summaries are the HAND-WRITTEN seed summary (``tests/doubles/responses.py``) served by the
loopback fake, plus hand-written items below; no model is run. Without chromium or
playwright these tests skip, except under CI (``CI`` set), where they fail: a missing
browser must not pass CI silently. ``.ci/run`` installs chromium.

``SUMMARIZER_SCREENSHOT=path.png`` also saves the seed report's screenshot there.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from summarizer import ArticleSummary, Summarizer
from summarizer.grounding import ground
from summarizer.report import render_html, render_html_fragment

from ..doubles.responses import SEED_SUMMARY, completion, with_markup_claims

CHROMIUM = os.environ.get("SUMMARIZER_CHROMIUM", "/usr/bin/chromium")
# As root chromium needs --no-sandbox; the rest keep it off the (closed) network.
ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--no-first-run", "--disable-quic", "--disable-dev-shm-usage",
]
VIEWPORT = {"width": 1100, "height": 560}
EVIL = '<script>window.__pwned=1</script> then <img src=x onerror="window.__pwned=1"> and <b onclick=alert(1)>x</b>'

IN_VIEW = """key => {
  const r = document.querySelector(`mark[data-items~="${key}"]`).getBoundingClientRect();
  return r.top >= 0 && r.bottom <= window.innerHeight;
}"""


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    reason = None
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        reason = 'playwright is not installed (pip install -e ".[dev]")'
    if reason is None and not (os.path.exists(CHROMIUM) or shutil.which(CHROMIUM)):
        reason = f"{CHROMIUM} is not installed (apt-get install chromium)"
    if reason is not None:
        if os.environ.get("CI"):
            pytest.fail(f"{reason}: the browser tests must run in CI")
        pytest.skip(reason)
    with sync_playwright() as p:
        launched = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        try:
            yield launched
        finally:
            launched.close()


class Page:
    """A report opened from a file, with what the page said and asked along the way."""

    def __init__(self, browser: Any, path: Path) -> None:
        self.errors: list[str] = []
        self.dialogs: list[str] = []
        self.page = browser.new_page(viewport=VIEWPORT)
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("dialog", lambda d: (self.dialogs.append(d.message), d.dismiss()))
        self.page.goto(path.as_uri())

    def click_item(self, key: str) -> None:
        button = self.page.locator(f'button[data-item="{key}"]')
        button.scroll_into_view_if_needed()
        assert not self.page.evaluate(IN_VIEW, key), f"{key} was already in view before the click"
        button.click()


@pytest.fixture
def open_page(browser, tmp_path) -> Iterator[Any]:
    pages: list[Page] = []

    def open_(page_html: str, name: str = "report.html") -> Page:
        path = tmp_path / name
        path.write_text(page_html, encoding="utf-8")
        pages.append(Page(browser, path))
        return pages[-1]

    yield open_
    for p in pages:
        p.page.close()


@pytest.fixture
def seed_summary(fake_llm, seed_text) -> ArticleSummary:
    fake_llm.reply(completion(arguments=SEED_SUMMARY, prompt_tokens=1000, completion_tokens=234))
    with Summarizer("test-model", base_url=fake_llm.base_url) as s:
        return s.summarize(seed_text)


def test_every_kind_is_highlighted_in_place(open_page, seed_summary, seed_text):
    view = open_page(render_html(seed_summary))
    page = view.page
    for kind, items in (("claim", seed_summary.key_claims), ("figure", seed_summary.figures),
                        ("actor", seed_summary.actors), ("condition", seed_summary.peace_talk_conditions)):
        assert page.locator(f"article mark.k-{kind}").count() >= 1
        colour = page.eval_on_selector(f"article mark.k-{kind}", "e => getComputedStyle(e).backgroundColor")
        assert colour not in ("rgba(0, 0, 0, 0)", "transparent")  # the style was allowed by the CSP
        for i, item in enumerate(items):
            shown = page.eval_on_selector_all(f'mark[data-items~="{kind}-{i}"]', "es => es.map(e => e.textContent).join('')")
            assert shown == seed_text[item.span.start : item.span.end]
    assert page.locator("article").inner_text().split() == seed_text.split()
    assert view.errors == [] and view.dialogs == []


def test_clicking_an_item_scrolls_to_its_quote_and_flashes_it(open_page, seed_summary):
    view = open_page(render_html(seed_summary))
    page = view.page
    # The item quoted furthest down the article starts out of view.
    entries = [(item.span.start, f"{kind}-{i}") for kind, items in (
        ("claim", seed_summary.key_claims), ("figure", seed_summary.figures), ("actor", seed_summary.actors),
        ("condition", seed_summary.peace_talk_conditions)) for i, item in enumerate(items)]
    key = max(entries)[1]
    view.click_item(key)
    flashed = page.eval_on_selector_all(f'mark[data-items~="{key}"]', "es => es.map(e => e.classList.contains('flash'))")
    assert flashed and all(flashed)
    page.wait_for_function(IN_VIEW, arg=key, timeout=5000)
    assert page.get_attribute(".smz-item.current", "data-item") == key
    assert view.errors == []


def test_clicking_a_highlight_selects_its_item(open_page, seed_summary):
    view = open_page(render_html(seed_summary))
    view.page.locator('mark[data-items~="actor-0"]').first.click()
    assert view.page.get_attribute(".smz-item.current", "data-item") == "actor-0"


def test_markup_in_the_article_runs_nothing_and_shows_as_text(open_page, seed_text):
    text = seed_text + "\n\n" + EVIL + "\n"
    data = json.loads(json.dumps(SEED_SUMMARY))
    data["headline"] = "<script>window.__pwned=1</script>"
    with_markup_claims(data, EVIL, '"><img src=x onerror="window.__pwned=1">')  # claim-1 grounded, claim-2 flagged
    summary = ArticleSummary.model_validate(data)
    summary.grounding = ground(summary, text, policy="flag")
    view = open_page(render_html(summary, text))
    page = view.page
    assert page.evaluate("typeof window.__pwned") == "undefined"
    assert view.dialogs == []
    article = page.locator("article")
    assert EVIL in article.inner_text()
    assert article.locator("script, img, b").count() == 0
    assert page.locator("img").count() == 0 and page.locator("script").count() == 1  # ours
    assert page.title() == "<script>window.__pwned=1</script>"
    # The page's own script still works: the CSP allows it and nothing else.
    page.locator('mark[data-items~="claim-1"]').first.click()  # split where an uncovered number is underlined
    assert page.get_attribute(".smz-item.current", "data-item") == "claim-1"
    assert view.errors == []


def test_the_csp_stops_markup_even_if_escaping_failed(open_page, seed_summary):
    # Simulate an escaping bug: raw markup pasted into the page after rendering.
    page_html = render_html(seed_summary).replace(
        "<article", '<script>window.__pwned=1</script><img src=x onerror="window.__pwned=2"><article', 1
    )
    view = open_page(page_html)
    assert view.page.evaluate("typeof window.__pwned") == "undefined"
    assert any("Content Security Policy" in e for e in view.errors)  # chromium reports what it blocked


def test_the_notebook_fragment_works_inside_another_page(open_page, seed_summary):
    # As in Jupyter: no CSP of its own, other content around it, two reports on one page.
    fragment = render_html_fragment(seed_summary)
    page_html = f"<!DOCTYPE html><html><body><p>before</p>{fragment}<p>between</p>{fragment}</body></html>"
    view = open_page(page_html, "notebook.html")
    roots = view.page.locator(".smz")
    assert roots.count() == 2
    roots.nth(1).locator('button[data-item="figure-0"]').click()
    assert roots.nth(1).locator(".smz-item.current").count() == 1
    assert roots.nth(0).locator(".smz-item.current").count() == 0
    assert view.errors == []


def test_screenshot_of_the_seed_report(open_page, seed_summary, tmp_path):
    view = open_page(render_html(seed_summary))
    shot = tmp_path / "seed-report.png"
    view.page.set_viewport_size({"width": 1280, "height": 900})
    view.page.screenshot(path=str(shot), full_page=True)
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 20_000
    if target := os.environ.get("SUMMARIZER_SCREENSHOT"):
        shutil.copyfile(shot, target)


# -- the ledger's page (summarizer ledger --format html) ----------------------------------------


def test_the_ledger_page_draws_its_charts_loads_nothing_and_links_to_each_quote(open_page, browser, tmp_path):
    from summarizer import ledger

    from ..test_ledger import brennik

    summaries = brennik()
    reports = tmp_path / "reports"
    reports.mkdir()
    for name, summary in summaries:
        (reports / f"{name}.html").write_text(render_html(summary), encoding="utf-8")
    built = ledger(summaries)
    requests: list[str] = []
    view = open_page(built.to_html(reports="reports/{stem}.html"), "ledger.html")
    page = view.page
    page.on("request", lambda r: requests.append(r.url))
    page.reload()
    assert [u for u in requests if not u.startswith("file://")] == []  # nothing from a network or a CDN
    charts = page.locator("svg")
    assert charts.count() == len(built.rows)
    box = charts.first.bounding_box()
    assert box is not None and box["width"] > 300 and box["height"] > 100  # drawn, at its size
    assert page.locator("svg").first.locator("circle, line[stroke-width='5']").count() >= len(built.rows[0].entries)
    disagreeing = page.locator("section:has(.flag)")
    assert disagreeing.count() == sum(r.disagree for r in built.rows)
    assert page.locator("tr.conflict").count() >= 3
    # An entry's link opens its article's report at the quote: the item is selected and its quote flashed in view.
    link = page.locator("section").first.locator("a").first
    href = link.get_attribute("href")
    assert href is not None and "#figure-" in href
    link.click()
    page.wait_for_url(f"**/{href}")
    key = href.split("#")[1]
    page.wait_for_function(IN_VIEW, arg=key, timeout=5000)
    assert page.get_attribute(".smz-item.current", "data-item") == key
    if target := os.environ.get("SUMMARIZER_LEDGER_SCREENSHOT"):
        again = open_page(built.to_html(reports="reports/{stem}.html"), "ledger-shot.html")
        again.page.set_viewport_size({"width": 1280, "height": 900})
        again.page.screenshot(path=target, full_page=True)
    assert view.errors == []
