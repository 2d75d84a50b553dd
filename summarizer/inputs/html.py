"""An HTML page as article text: every block a reader sees, or the main text alone, and what its markup declares.

The visible text comes from the standard library's parser (:class:`_TextExtractor`),
leaving out what the markup hides (:mod:`summarizer.inputs.visibility`); the main text
from trafilatura (the ``[html]`` extra) over the same page with the same parts removed.
The title and publication date are read from ``<meta>``, JSON-LD, ``<title>`` and
``<time pubdate>``: what the page declares, never guessed from its text.
"""

from __future__ import annotations

import functools
import json
import re
from dataclasses import dataclass
from html.parser import HTMLParser
from typing import Any

from ..errors import ConfigurationError
from ..schema import Extract, PageInfo
from .visibility import UNPAINTED, Paint, is_hidden, is_unseen, paint_of

__all__ = ["Extract", "Page", "html_to_page", "html_to_text"]


@dataclass(frozen=True)
class Page:
    """An article file as text, and what its markup declares (``info`` is None for a file that is not HTML).

    Summarize ``text``: spans are offsets into it.
    """

    text: str
    info: PageInfo | None = None


# Elements whose text is not part of what a reader reads as the article.
_DROP = frozenset({
    "head", "title", "script", "style", "noscript", "template", "nav", "aside", "footer", "form", "button",
    "select", "svg", "math", "iframe", "object", "embed", "canvas", "audio", "video", "map", "dialog",
})
_VOID = frozenset({
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source", "track", "wbr",
})
_PARAGRAPH_TAGS = frozenset({
    "p", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre", "article", "section", "header", "main",
    "figure", "table", "ul", "ol", "dl", "hr", "address", "details",
})
_LINE_TAGS = frozenset({
    "br", "div", "li", "dt", "dd", "tr", "caption", "figcaption", "summary", "tbody", "thead", "tfoot",
    "fieldset", "legend", "body", "html",
})
_CELL_TAGS = frozenset({"td", "th"})
# Elements whose end tag HTML lets a page leave out: the element ends at the next of these
# (or at its parent's end), and must not swallow the rest of the page when hidden.
_IMPLIED_END: dict[str, frozenset[str]] = {
    "p": _PARAGRAPH_TAGS | {"div", "p", "nav", "aside", "footer", "form", "dialog", "li", "dd", "dt"},
    "li": frozenset({"li"}),
    "dt": frozenset({"dt", "dd"}),
    "dd": frozenset({"dt", "dd"}),
    "tr": frozenset({"tr"}),
    "td": frozenset({"td", "th", "tr"}),
    "th": frozenset({"td", "th", "tr"}),
    "option": frozenset({"option", "optgroup"}),
}
_SPACES = re.compile(r"\s+")
_BLANK_LINES = re.compile(r"\n{3,}")


# What a page's markup may declare about it: <meta> keys (property, name or itemprop), first found wins.
_TITLE_KEYS = ("og:title", "twitter:title")
_DATE_KEYS = (
    "article:published_time", "og:article:published_time", "datepublished", "pubdate", "publishdate",
    "publish-date", "date", "dc.date", "dc.date.issued", "dcterms.created", "parsely-pub-date", "sailthru.date",
)
_LD_JSON_MAX = 256 * 1024  # a JSON-LD block larger than this is not read for metadata


def _clean(value: object) -> str | None:
    text = " ".join(str(value).split())[:300] if isinstance(value, (str, int, float)) else ""
    return text or None


def _ld_fields(data: Any, found: dict[str, str]) -> None:
    """``headline`` and ``datePublished`` from JSON-LD, wherever they sit (lists, ``@graph``)."""
    if isinstance(data, list):
        for item in data[:50]:
            _ld_fields(item, found)
    elif isinstance(data, dict):
        for key in ("headline", "datePublished"):
            value = _clean(data.get(key))
            if value and key not in found:
                found[key] = value
        _ld_fields(data.get("@graph"), found)


class _TextExtractor(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)  # entities arrive unescaped
        self.parts: list[str] = []
        self.meta: dict[str, str] = {}
        self.ld: dict[str, str] = {}
        self.title: str | None = None
        self.h1: str | None = None
        self._capture: str | None = None  # "title", "h1" or "ld": an element whose text is kept apart
        self._captured: list[str] = []
        self._skip_tag: str | None = None  # the outermost element being left out
        self._skip_depth = 0  # how many of its kind are open inside it
        self._pre = 0
        self._pending = 0  # line breaks owed before the next text: blocks never stack blank lines
        # The open elements shown (tag, paint, text unseen), outermost first: colours are inherited.
        self._open: list[tuple[str, Paint, bool]] = []
        self._open_tags: dict[str, int] = {}

    def _stop_skipping(self) -> None:
        self._skip_tag, self._skip_depth = None, 0

    def _pop(self) -> str:
        tag, _, _ = self._open.pop()
        self._open_tags[tag] -= 1
        return tag

    def _declared(self, tag: str, attrs: list[tuple[str, str | None]], shown: bool) -> None:
        """Metadata the markup declares: <meta>, <title>, JSON-LD, <time pubdate>, and the first visible <h1>."""
        found = dict(attrs)
        if tag == "meta":
            key = (found.get("property") or found.get("name") or found.get("itemprop") or "").strip().lower()
            value = _clean(found.get("content"))
            if key and value:
                self.meta.setdefault(key, value)
        elif tag == "time" and ("pubdate" in found or found.get("itemprop") == "datePublished"):
            value = _clean(found.get("datetime"))
            if value:
                self.meta.setdefault("pubdate", value)
        elif self._capture is None and (
            (tag == "title" and self.title is None)
            or (tag == "h1" and self.h1 is None and shown)
            or (tag == "script" and (found.get("type") or "").strip().lower() == "application/ld+json")
        ):
            self._capture, self._captured = ("ld" if tag == "script" else tag), []

    def _end_capture(self) -> None:
        text = "".join(self._captured)
        if self._capture == "ld":
            if len(text) <= _LD_JSON_MAX:
                try:
                    _ld_fields(json.loads(text), self.ld)
                except (ValueError, RecursionError):
                    pass  # not JSON: no metadata from it
        elif self._capture == "title":
            self.title = _clean(text)
        elif self._capture == "h1":
            self.h1 = _clean(text)
        self._capture, self._captured = None, []

    def info(self) -> PageInfo:
        """What the page declared: never guessed from its text."""
        title = next((self.meta[k] for k in _TITLE_KEYS if k in self.meta), None) or self.ld.get("headline")
        published = next((self.meta[k] for k in _DATE_KEYS if k in self.meta), None) or self.ld.get("datePublished")
        return PageInfo(title=title or self.title, published=published)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self._skip_tag is not None:
            self._declared(tag, attrs, shown=False)
            if tag == "body" and self._skip_tag == "head":  # a <head> never closed
                self._stop_skipping()
            elif self._skip_depth == 1 and tag in _IMPLIED_END.get(self._skip_tag, ()):
                self._stop_skipping()  # a hidden <p> ends at the next block, as HTML says
                self.handle_starttag(tag, attrs)
                return
            else:
                if tag == self._skip_tag and tag not in _VOID:
                    self._skip_depth += 1
                return
        while self._open and tag in _IMPLIED_END.get(self._open[-1][0], ()):
            self._pop()  # an open <p> ends at the next block, as HTML says
        hidden = tag in _DROP or is_hidden(tag, attrs)
        paint = paint_of(attrs, self._open[-1][1] if self._open else UNPAINTED)
        unseen = is_unseen(paint)
        self._declared(tag, attrs, shown=not hidden and not unseen)
        if hidden:
            if tag not in _VOID:
                self._skip_tag, self._skip_depth = tag, 1
            return
        if tag not in _VOID:
            self._open.append((tag, paint, unseen))
            self._open_tags[tag] = self._open_tags.get(tag, 0) + 1
        if tag == "pre":
            self._pre += 1
        self._block(tag, opening=True)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in _VOID:
            self.handle_endtag(tag)

    def handle_endtag(self, tag: str) -> None:
        if self._capture is not None and tag == ("script" if self._capture == "ld" else self._capture):
            self._end_capture()
        if self._skip_tag is not None:
            if tag == self._skip_tag:
                self._skip_depth -= 1
                if self._skip_depth == 0:
                    self._stop_skipping()
            elif tag in ("body", "html"):  # an element never closed must not swallow the page
                self._stop_skipping()
            elif self._skip_depth == 1 and self._skip_tag in _IMPLIED_END:  # its parent ended: so did it
                self._stop_skipping()
                self.handle_endtag(tag)
            return
        if self._open_tags.get(tag):  # an end tag with no open element is ignored, as browsers do
            while self._pop() != tag:
                pass
        if tag == "pre" and self._pre:
            self._pre -= 1
        self._block(tag, opening=False)

    def _block(self, tag: str, *, opening: bool) -> None:
        if tag in _PARAGRAPH_TAGS:
            self._pending = 2
        elif tag in _LINE_TAGS:
            self._pending = max(self._pending, 1)
        elif tag in _CELL_TAGS and not opening and not self._pending:
            self.parts.append(" ")

    def handle_data(self, data: str) -> None:
        # Left out: a hidden element's text, and text drawn in its background's colour (white on white).
        unseen = self._skip_tag is not None or (bool(self._open) and self._open[-1][2])
        if self._capture is not None and not (unseen and self._capture == "h1"):
            self._captured.append(data)
        if unseen:
            return
        if not self._pre:
            data = _SPACES.sub(" ", data)
            if self._pending and data == " ":
                return  # the indentation between two blocks
        if self._pending:
            if self.parts:
                self.parts.append("\n" * self._pending)
            self._pending = 0
            if not self._pre:
                data = data.lstrip(" ")
        self.parts.append(data)


def html_to_text(html: str) -> str:
    """The text a reader sees in an HTML page, one block per line, paragraphs apart.

    Scripts, styles, templates, the head, navigation, asides, footers, forms, comments and
    elements hidden by ``hidden``, ``aria-hidden="true"`` or an inline style (``display:none``,
    ``visibility:hidden``, ``font-size:0`` or a font a pixel or two high, ``opacity:0``, pushed
    off-screen, clipped away, scaled to nothing (``transform: scale(0)``), or a zero height or
    width with its overflow hidden) are left out, and so is text drawn in a transparent colour
    or in the colour behind it (``color:#fff`` on ``background:white``, in the element's own
    inline style or an ancestor's, or in ``<font color>`` and ``bgcolor``); a hidden element
    whose end tag HTML lets a page omit (``<p>``, ``<li>``, ...) ends where HTML says it
    does. Entities are unescaped; white space is collapsed except inside ``<pre>``.
    Elements hidden by a style sheet cannot be seen from the markup and are kept.
    """
    return _parsed(html)[0]


def _without_open_comment(html: str) -> str:
    """The page without a comment left open at its end, which a browser hides to the end of the page.

    Python's parser rescans an unclosed ``<!--`` at every later one: 10,000 of them took
    1.4 s, 1.6 MB more than a minute. One inside a script or style that closes later is kept.
    """
    opened = html.find("<!--", html.rfind("-->") + 1)
    if opened < 0:
        return html
    rest = html[opened:].lower()
    return html if "</script" in rest or "</style" in rest else html[:opened]


def _parsed(html: str) -> tuple[str, _TextExtractor]:
    parser = _TextExtractor()
    parser.feed(_without_open_comment(html))
    parser.close()
    lines = (line.rstrip(" \t\r\f\v") for line in "".join(parser.parts).split("\n"))
    return _BLANK_LINES.sub("\n\n", "\n".join(lines)).strip(), parser


def html_to_page(html: str, extract: Extract = "visible") -> Page:
    """An HTML page as a :class:`Page`: its text, and the title and publication date its markup declares.

    ``extract="visible"`` keeps every block a reader sees (:func:`html_to_text`): menus
    and link lists that are not in ``<nav>``, ``<aside>`` or ``<footer>`` stay.
    ``extract="main"`` keeps the main text alone, found by trafilatura (the ``[html]``
    extra) after every hidden element and every text drawn in its background's colour is
    removed (as :func:`html_to_text` leaves them out), with the page's first ``<h1>`` as its
    first line; it can leave out short posts of a live blog. When it finds no main text,
    the visible text is used, and ``info.extractor`` says which one the text is.
    """
    visible, parser = _parsed(html)
    info = parser.info()
    if extract == "visible":
        return Page(visible, info)
    if extract != "main":
        raise ConfigurationError(f'extract must be "visible" or "main", not {extract!r}')
    main = _main_text(html, parser.h1)
    if main is None:
        return Page(visible, info)
    return Page(main, info.model_copy(update={"extractor": "main"}))


@functools.cache
def _not_xml() -> re.Pattern[str]:
    """What XML 1.0 cannot hold, so lxml refuses it in a text it sets: controls, lone surrogates, U+FFFE, U+FFFF.

    Compiled on first use: it takes 6 ms, and only ``extract="main"`` needs it.
    """
    return re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _strip_unseen(tree: Any) -> None:
    """What a reader never sees, taken out of an lxml tree as :class:`_TextExtractor` leaves it out: hidden
    elements whole (:func:`.visibility.is_hidden`), and the text of elements drawn in their background's
    colour (:func:`.visibility.is_unseen`)."""
    paints: dict[Any, Paint] = {}
    hidden, unseen = [], []
    for element in tree.iter():
        if not isinstance(element.tag, str):
            continue  # a comment or a processing instruction
        attrs = list(element.attrib.items())
        parent = element.getparent()
        paint = paints[element] = paint_of(attrs, paints.get(parent, UNPAINTED) if parent is not None else UNPAINTED)
        if is_hidden(element.tag.lower(), attrs):
            hidden.append(element)
        elif is_unseen(paint):
            unseen.append(element)
    for element in unseen:  # its own text, and the text after each child (which is its text too)
        element.text = None
        for child in element:
            child.tail = None
    for element in hidden:
        if element.getparent() is not None:
            element.drop_tree()


def _main_text(html: str, headline: str | None) -> str | None:
    """trafilatura's main text of a page whose hidden elements were removed first (trafilatura keeps some)."""
    try:
        import lxml.etree
        import lxml.html
        import trafilatura
    except ImportError:
        raise ConfigurationError(
            'extract="main" needs trafilatura: pip install "summarizer[html]" (or use extract="visible")'
        ) from None
    try:  # characters XML cannot hold (controls, lone surrogates) would fail lxml when a hidden element goes
        tree = lxml.html.fromstring(_not_xml().sub("", html))
        _strip_unseen(tree)
    except (lxml.etree.ParserError, ValueError):  # an empty document, or bytes-only declarations
        return None
    text = trafilatura.extract(
        tree, output_format="txt", include_comments=False, include_tables=True, favor_precision=True,
        deduplicate=False,
    )
    if not text or not text.strip():
        return None
    paragraphs = [line.strip() for line in text.splitlines() if line.strip()]
    if headline and paragraphs[0] != headline:
        paragraphs.insert(0, headline)
    return "\n\n".join(paragraphs)  # paragraphs apart, as chunking expects
