"""Article files and bytes as text: decoding, refusing binary data, reducing HTML to its text.

Spans are offsets into the text that was summarized, so whatever turns a file into
text must hand that exact text back: :func:`read_article` and :func:`decode_article`
return it (summarize *that* string, and slice *that* string with ``item.span``), and a
batch records its sha256. ``summarize`` itself takes ``str`` only, for the same reason:
decoding behind the caller's back would leave them without the text the offsets index.

Decoding, in order: a byte-order mark (UTF-8, UTF-16, UTF-32); UTF-16 without a mark
(told apart from binary data by NUL bytes on every other position); strict UTF-8; the
charset an HTML page declares in ``<meta>``; charset-normalizer's guess for a non-Latin
script, when there are enough non-ASCII bytes to judge (Windows-1251, KOI8-U, ISO-8859-7,
Shift-JIS, GB18030, ...); Windows-1252, then Latin-1. Central European texts in
Windows-1250 or ISO-8859-2 are misread as Windows-1252, and a guess can be wrong on a
short text: ``encoding=`` settles it. Data with NUL
bytes that is not UTF-16, a known binary format (PDF, ZIP/Office, images), or text full
of control characters is refused with an :class:`~summarizer.errors.InputError` that
says what the file seems to be.
"""

from __future__ import annotations

import codecs
import colorsys
import functools
import json
import os
import re
import stat
import unicodedata
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from typing import Any, Literal

from .errors import ConfigurationError, EmptyInputError, InputError
from .schema import PageInfo
from .text import shows_nothing

__all__ = [
    "MAX_FILE_BYTES",
    "Extract",
    "Page",
    "check_text",
    "decode_article",
    "decode_page",
    "html_to_page",
    "html_to_text",
    "read_article",
    "read_page",
]

Extract = Literal["visible", "main"]
"""How an HTML page becomes text: every block a reader sees, or the main text alone (trafilatura)."""


@dataclass(frozen=True)
class Page:
    """An article file as text, and what its markup declares (``info`` is None for a file that is not HTML).

    Summarize ``text``: spans are offsets into it.
    """

    text: str
    info: PageInfo | None = None

MAX_FILE_BYTES = 64 * 1024 * 1024
"""Files larger than this are refused before they are read whole (``read_article(max_bytes=)``)."""

_HTML_SUFFIXES = frozenset({".html", ".htm", ".xhtml"})

# UTF-32 first: its little-endian mark starts with UTF-16's.
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)

_MAGIC = (
    (b"%PDF-", "a PDF document: extract its text first (for example with pdftotext)"),
    (b"PK\x03\x04", "a ZIP archive (or a .docx/.odt/.epub file): extract its text first"),
    (b"\xd0\xcf\x11\xe0", "an old Microsoft Office file: save it as plain text first"),
    (b"{\\rtf", "an RTF document: save it as plain text first"),
    (b"\x89PNG", "a PNG image, not text"),
    (b"\xff\xd8\xff", "a JPEG image, not text"),
    (b"GIF8", "a GIF image, not text"),
    (b"\x1f\x8b", "gzip-compressed data: decompress it first"),
)

_ASCII = bytes(range(128))
_GUESS_SAMPLE = 256 * 1024
_GUESS_MIN_NON_ASCII = 16
_META_CHARSET = re.compile(rb"""<meta[^>]*?charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE)
_HTML_START = re.compile(r"<(?:!doctype\s+html|html|head|body|article|main|section|div|p|h[1-6])[\s>/]", re.IGNORECASE)
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f\x80-\x9f]")  # not \t \n \v \f \r


def _fail(name: str, why: str) -> InputError:
    return InputError(f"{name}: {why}")


def _looks_like_html(text: str) -> bool:
    head = text[:4096].lstrip()
    return head.startswith("<") and _HTML_START.search(head) is not None


def _utf16_without_bom(data: bytes) -> str | None:
    """UTF-16 text without a mark: mostly-ASCII text puts its NULs on one parity only."""
    if len(data) % 2:
        return None
    even, odd = data[0::2].count(0), data[1::2].count(0)
    if max(even, odd) < max(4, len(data) // 8) or min(even, odd) > max(even, odd) // 20:
        return None
    try:
        return data.decode("utf-16-le" if odd > even else "utf-16-be")
    except UnicodeDecodeError:
        return None


def _declared_charset(data: bytes) -> str | None:
    match = _META_CHARSET.search(data[:8192])
    if match is None:
        return None
    try:
        return codecs.lookup(match.group(1).decode("ascii")).name
    except (LookupError, UnicodeDecodeError):
        return None


def _guessed_charset(data: bytes) -> str | None:
    """charset-normalizer's guess, trusted for non-Latin scripts only, with enough bytes to judge by.

    A Russian, Greek or Japanese file in a legacy encoding is recognised reliably. Among
    Latin-script encodings the guess is often wrong (French Latin-1 read as Windows-1250
    turns "à" into "ŕ"), so those are left to Windows-1252, right for Western Europe.
    """
    sample = data[:_GUESS_SAMPLE]
    if len(sample) - len(sample.translate(None, _ASCII)) < _GUESS_MIN_NON_ASCII:
        return None
    from charset_normalizer import from_bytes  # 23 ms to import: only for a legacy non-Latin file

    best = from_bytes(sample).best()
    if best is None:
        return None
    letters = [c for c in str(best) if ord(c) > 127 and c.isalpha()]
    latin = sum(unicodedata.name(c, "").startswith("LATIN") for c in letters)
    return best.encoding if letters and latin * 2 < len(letters) else None


def _decode(data: bytes, name: str, encoding: str | None) -> str:
    if encoding is not None:
        try:
            return data.decode(encoding).removeprefix("\ufeff")
        except LookupError:
            raise _fail(name, f"unknown encoding {encoding!r}; name a Python codec such as 'utf-8' or 'cp1251'") from None
        except UnicodeDecodeError as exc:
            raise _fail(
                name, f"is not valid {encoding} (byte {exc.start}); check the encoding, or omit it to detect one"
            ) from None
    for bom, codec in _BOMS:
        if data.startswith(bom):
            try:
                return data[len(bom) :].decode(codec)
            except UnicodeDecodeError as exc:
                raise _fail(
                    name, f"starts with a {codec} byte-order mark but is not valid {codec} (byte {exc.start}); "
                    "re-save it as UTF-8"
                ) from None
    for magic, what in _MAGIC:
        if data.startswith(magic):
            raise _fail(name, f"is {what}")
    if b"\x00" in data:
        text = _utf16_without_bom(data)
        if text is None:
            raise _fail(
                name, "contains NUL bytes, so it is binary data rather than text (an image, a PDF, an "
                "archive or a word-processor file?); convert it to plain text first"
            )
        return text
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    candidates = [_declared_charset(data), _guessed_charset(data), "cp1252"]
    for codec in filter(None, candidates):
        try:
            return data.decode(codec)
        except (UnicodeDecodeError, LookupError):
            continue
    return data.decode("latin-1")  # every byte is a character: never fails


def decode_page(
    data: bytes, *, name: str = "<bytes>", encoding: str | None = None, html: bool | None = None,
    extract: Extract = "visible",
) -> Page:
    """The article in ``data``: decoded (see the module notes), reduced to text if it is HTML, with what its markup declares.

    ``encoding`` skips detection; ``html`` forces (True) or skips (False) the reduction
    of HTML to text, which is otherwise applied when the text starts like an HTML page;
    ``extract`` says how (see :func:`html_to_page`). Raises :class:`InputError` naming
    ``name`` for binary or undecodable data, and :class:`EmptyInputError` when no text is
    left. Summarize ``page.text``: spans are offsets into it.
    """
    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise TypeError(f"data must be bytes, not {type(data).__name__}")
    text = _decode(bytes(data), name, encoding)
    if "\x00" in text:
        raise _fail(name, "contains NUL characters, so it is binary data rather than text; convert it first")
    controls = len(_CONTROL.findall(text))
    if controls > max(2, len(text) // 100):
        raise _fail(
            name, f"holds {controls} control characters in {len(text)}, so it is binary data or in an "
            "encoding that was not recognised; convert it to UTF-8 text first, or pass encoding="
        )
    page = html_to_page(text, extract) if html or (html is None and _looks_like_html(text)) else Page(text)
    if shows_nothing(page.text):
        raise EmptyInputError(
            f"{name}: has no article text (empty, white space or invisible characters, or an HTML page without "
            "visible text)"
        )
    return page


def decode_article(
    data: bytes, *, name: str = "<bytes>", encoding: str | None = None, html: bool | None = None
) -> str:
    """The article text in ``data`` (:func:`decode_page`'s text, every visible block of an HTML page)."""
    return decode_page(data, name=name, encoding=encoding, html=html).text


def read_page(
    path: str | os.PathLike[str], *, encoding: str | None = None, max_bytes: int | None = MAX_FILE_BYTES,
    extract: Extract = "visible",
) -> Page:
    """An article file as a :class:`Page` (see :func:`decode_page`); ``.html``/``.htm`` files are always HTML.

    Every failure is an :class:`InputError` with a one-line message naming the path and
    what to do. Only regular files are read: a pipe or a device would block or never end.
    """
    name = os.fspath(path)
    try:
        info = os.stat(name)
        if stat.S_ISDIR(info.st_mode):
            raise _fail(name, "is a directory, not an article file; pass the files in it (for example its *.txt)")
        if not stat.S_ISREG(info.st_mode):
            raise _fail(name, "is not a regular file (a pipe, socket or device); save the article to a file")
        if max_bytes is not None and info.st_size > max_bytes:
            raise _fail(name, f"is {info.st_size:,} bytes, more than the {max_bytes:,} allowed; raise max_bytes= "
                        "if it really is one article")
        with open(name, "rb") as file:
            data = file.read() if max_bytes is None else file.read(max_bytes + 1)
    except FileNotFoundError:
        raise _fail(name, "no such file; check the path") from None
    except PermissionError:
        raise _fail(name, "permission denied; make the file readable") from None
    except OSError as exc:
        raise _fail(name, f"cannot be read ({exc.strerror or exc}); check the path") from None
    if max_bytes is not None and len(data) > max_bytes:  # it grew while being read
        raise _fail(name, f"is more than the {max_bytes:,} bytes allowed; raise max_bytes=")
    html = True if Path(name).suffix.lower() in _HTML_SUFFIXES else None
    return decode_page(data, name=name, encoding=encoding, html=html, extract=extract)


def read_article(
    path: str | os.PathLike[str], *, encoding: str | None = None, max_bytes: int | None = MAX_FILE_BYTES
) -> str:
    """The article text of a file (:func:`read_page`'s text, every visible block of an HTML page)."""
    return read_page(path, encoding=encoding, max_bytes=max_bytes).text


# -- HTML ------------------------------------------------------------------------

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


_HIDDEN_STYLE = re.compile(
    r"display\s*:\s*none|visibility\s*:\s*(?:hidden|collapse)"  # content-visibility too
    r"|font-size\s*:\s*0(?:\.0+)?(?:px|em|rem|pt|%)?\s*(?:;|$|!)"
    r"|(?:^|;)\s*font\s*:\s*0(?:\.0+)?(?:px|em|rem|pt|%)?\s*/"  # "font: 0/0 a", the old text-hiding trick
    r"|opacity\s*:\s*0(?:\.0+)?%?\s*(?:;|$|!)|filter\s*:[^;]*\bopacity\(\s*0(?:\.0+)?%?\s*\)"
    r"|(?:left|top|right|text-indent)\s*:\s*-\d{3,}(?:\.\d+)?(?:px|em|rem)"  # pushed off-screen
    r"|translate(?:x|y|3d)?\(\s*-\d{4,}(?:\.\d+)?px"
    r"|clip\s*:\s*rect\(\s*0[^)]*\)|clip-path\s*:\s*inset\(\s*50%",
    re.IGNORECASE,
)
_ZERO_BOX = re.compile(r"(?:^|;)\s*(?:max-)?(?:height|width)\s*:\s*0(?:px|em|rem|%)?\s*(?:;|$|!)", re.IGNORECASE)
_CLIPPED = re.compile(r"overflow(?:-[xy])?\s*:\s*(?:hidden|clip)", re.IGNORECASE)
_SCALE = re.compile(r"\b(scale(?:3d|x|y)?|matrix)\(([^)]*)\)|(?:^|;)\s*scale\s*:\s*([^;!]+)", re.IGNORECASE)
_FONT_SIZE = re.compile(r"(?:^|;)\s*font-size\s*:\s*(\d*\.?\d+)\s*(px|pt|em|rem|%)", re.IGNORECASE)
_TINY_FONT = {"px": 2.0, "pt": 1.5, "em": 0.125, "rem": 0.125, "%": 12.5}
"""Font sizes below these draw text no reader can make out (one or two pixels)."""

_Colour = tuple[float, float, float, float]  # red, green and blue from 0 to 255; alpha from 0 to 1
_Paint = tuple[_Colour | None, _Colour | None]  # an element's text colour and the opaque colour behind it, if known
_UNPAINTED: _Paint = (None, None)
_SAME_COLOUR = 8  # channels this close (of 255) look the same: #f8f8f8 on white is not read
_NAMED_COLOURS: dict[str, tuple[int, int, int]] = {
    "white": (255, 255, 255), "black": (0, 0, 0), "silver": (192, 192, 192), "gray": (128, 128, 128),
    "grey": (128, 128, 128), "red": (255, 0, 0), "maroon": (128, 0, 0), "yellow": (255, 255, 0),
    "olive": (128, 128, 0), "lime": (0, 255, 0), "green": (0, 128, 0), "aqua": (0, 255, 255), "cyan": (0, 255, 255),
    "teal": (0, 128, 128), "blue": (0, 0, 255), "navy": (0, 0, 128), "fuchsia": (255, 0, 255),
    "magenta": (255, 0, 255), "purple": (128, 0, 128), "orange": (255, 165, 0), "whitesmoke": (245, 245, 245),
    "snow": (255, 250, 250), "ivory": (255, 255, 240), "ghostwhite": (248, 248, 255),
}
"""CSS's basic colours and the near-whites a page paints white text on; any other name is left unjudged."""
_COLOUR_WORD = re.compile(r"(?:rgba?|hsla?)\([^)]*\)|#[0-9a-f]{3,8}\b|[a-z-]+", re.IGNORECASE)
_BACKGROUND_IMAGE = re.compile(r"url\(|gradient\(|image-set\(|element\(|var\(", re.IGNORECASE)


def _number(value: str, scale: float = 1.0) -> float:
    """A CSS number, or a percentage of ``scale``; raises ValueError for anything else."""
    value = value.strip().lower()
    return float(value[:-1]) * scale / 100 if value.endswith("%") else float(value)


def _colour(value: str) -> _Colour | None:
    """A CSS colour (a name of :data:`_NAMED_COLOURS`, ``transparent``, ``#rgb[a]``, ``#rrggbb[aa]``, ``rgb()``,
    ``rgba()``, ``hsl()``, ``hsla()``), or None for one it cannot judge (``var()``, ``currentcolor``, other names)."""
    v = value.replace("!important", "").strip().lower()
    if v == "transparent":
        return (0.0, 0.0, 0.0, 0.0)
    if v in _NAMED_COLOURS:
        r, g, b = _NAMED_COLOURS[v]
        return (float(r), float(g), float(b), 1.0)
    if re.fullmatch(r"#[0-9a-f]{3,8}", v) and len(v) in (4, 5, 7, 9):
        digits = v[1:] if len(v) > 5 else "".join(c * 2 for c in v[1:])
        alpha = int(digits[6:8], 16) / 255 if len(digits) == 8 else 1.0
        return (float(int(digits[0:2], 16)), float(int(digits[2:4], 16)), float(int(digits[4:6], 16)), alpha)
    match = re.fullmatch(r"(rgba?|hsla?)\(([^)]*)\)", v)
    if match is None:
        return None
    parts = [p for p in re.split(r"[\s,/]+", match[2].strip()) if p]
    if len(parts) not in (3, 4):
        return None
    try:
        alpha = min(1.0, max(0.0, _number(parts[3]))) if len(parts) == 4 else 1.0
        if match[1].startswith("rgb"):
            red, green, blue = (min(255.0, max(0.0, _number(p, 255))) for p in parts[:3])
        else:
            hue = _number(parts[0].removesuffix("deg")) / 360 % 1
            light, saturation = (min(1.0, max(0.0, _number(p, 1) if p.endswith("%") else float(p) / 100))
                                 for p in (parts[2], parts[1]))
            red, green, blue = (c * 255 for c in colorsys.hls_to_rgb(hue, light, saturation))
    except ValueError:
        return None
    return (red, green, blue, alpha)


def _over(top: _Colour, below: _Colour) -> _Colour:
    """``top`` drawn over the opaque ``below``."""
    a = top[3]
    return (top[0] * a + below[0] * (1 - a), top[1] * a + below[1] * (1 - a), top[2] * a + below[2] * (1 - a), 1.0)


_PAINT_KEYS = frozenset({"style", "color", "text", "bgcolor"})
_Rule = tuple[str, _Colour | None]


@functools.lru_cache(maxsize=4096)
def _rules(key: str, value: str) -> tuple[_Rule, ...]:
    """What one attribute says of colours, in order: ("color", the text colour) and ("behind", the background),
    None for a colour that cannot be judged. A page repeats its attributes: each is read once."""
    if key in ("color", "text"):  # <font color>, <body text>
        declared = [("color", value)]
    elif key == "bgcolor":
        declared = [("background-color", value)]
    elif "color" in (low := value.lower()) or "background" in low:  # most styles say neither
        declared = [(n.strip(), v) for n, sep, v in (part.partition(":") for part in low.split(";")) if sep]
    else:
        return ()
    rules: list[_Rule] = []
    for name, setting in declared:
        word = setting.replace("!important", "").strip().lower()
        if word in ("inherit", "unset", "revert"):
            continue
        if name in ("color", "-webkit-text-fill-color"):
            rules.append(("color", _colour(setting)))
        elif name in ("background", "background-color"):
            if _BACKGROUND_IMAGE.search(word):
                rules.append(("behind", None))  # an image, or a value a style sheet sets: what is behind is unknown
                continue
            found = _colour(setting) if name == "background-color" else next(
                (c for w in _COLOUR_WORD.findall(word) if (c := _colour(w)) is not None), None
            )
            if found is None and name == "background-color" and word not in ("none", "initial"):
                rules.append(("behind", None))  # a colour this reader cannot judge
            elif found is not None and found[3] > 0:  # else transparent: the parent's shows through
                rules.append(("behind", found))
    return tuple(rules)


def _paint(attrs: list[tuple[str, str | None]], inherited: _Paint) -> _Paint:
    """The text colour an element draws with and the colour behind it: its own (legacy attributes, then its
    inline style) over those it inherits. None where a page's style sheet or an image may decide."""
    colour, behind = inherited
    for key, value in attrs:
        if value is None or key not in _PAINT_KEYS:
            continue
        for what, setting in _rules(key, value):
            if what == "color":
                colour = setting
            elif setting is None or setting[3] >= 1:
                behind = setting
            else:  # a translucent background over the one behind it
                behind = None if behind is None else _over(setting, behind)
    return colour, behind


def _unseen(paint: _Paint) -> bool:
    """Text drawn in a transparent colour, or in (about) the colour behind it: white on white reads as nothing."""
    colour, behind = paint
    if colour is None:
        return False
    if colour[3] <= 0:
        return True
    if behind is None:
        return False
    drawn = _over(colour, behind)
    return all(abs(drawn[i] - behind[i]) <= _SAME_COLOUR for i in range(3))


def _zero(value: str) -> bool:
    try:
        return _number(value) == 0
    except ValueError:
        return False


def _scaled_away(style: str) -> bool:
    """``transform: scale(0)``, ``scaleX(0)``, ``scale(1, 0)``, ``scale3d(0, ...)``, ``matrix(0, 0, 0, 0, ...)`` or
    ``scale: 0``: an axis drawn at no size, so its text takes no room and is never seen."""
    if "scale" not in style and "matrix" not in style:
        return False
    for m in _SCALE.finditer(style):
        name = (m[1] or "scale").lower()
        values = [v for v in re.split(r"[\s,]+", (m[2] if m[1] else m[3]).strip()) if v]
        if name == "matrix":  # matrix(a, b, c, d, e, f): an axis vanishes when its column is zero
            if len(values) >= 4 and any(_zero(values[i]) and _zero(values[i + 1]) for i in (0, 2)):
                return True
        elif any(_zero(v) for v in values[: 1 if name in ("scalex", "scaley") else 2]):
            return True
    return False


def _tiny_font(style: str) -> bool:
    return "font-size" in style and any(float(m[1]) < _TINY_FONT[m[2].lower()] for m in _FONT_SIZE.finditer(style))


def _hidden(tag: str, attrs: list[tuple[str, str | None]]) -> bool:
    """Hidden from a reader by the markup itself: never rendered (``<template>``, a ``<dialog>`` not open),
    or hidden by an attribute or an inline style. Hidden text is a classic place to plant instructions;
    both extractors ask this, and :func:`_unseen` for text drawn in its background's colour."""
    if tag == "template" or (tag == "dialog" and not any(key == "open" for key, _ in attrs)):
        return True
    for key, value in attrs:
        if key == "hidden":
            return True
        if key == "aria-hidden" and (value or "").strip().lower() == "true":
            return True
        if key == "style" and value and _style_hides(value):
            return True
    return False


@functools.lru_cache(maxsize=4096)
def _style_hides(style: str) -> bool:
    """An inline style that hides its element (see :func:`html_to_text`); a page repeats its styles."""
    style = style.lower()  # CSS names are case-insensitive: SCALE(0) hides as scale(0) does
    return bool(
        _HIDDEN_STYLE.search(style) or (_ZERO_BOX.search(style) and _CLIPPED.search(style))
        or _scaled_away(style) or _tiny_font(style)
    )


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
        self._open: list[tuple[str, _Paint, bool]] = []
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
        hidden = tag in _DROP or _hidden(tag, attrs)
        paint = _paint(attrs, self._open[-1][1] if self._open else _UNPAINTED)
        unseen = _unseen(paint)
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


_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
"""What XML 1.0 cannot hold, so lxml refuses it in a text it sets: controls, lone surrogates, U+FFFE, U+FFFF."""


def _strip_unseen(tree: Any) -> None:
    """What a reader never sees, taken out of an lxml tree as :class:`_TextExtractor` leaves it out: hidden
    elements whole (:func:`_hidden`), and the text of elements drawn in their background's colour (:func:`_unseen`)."""
    paints: dict[Any, _Paint] = {}
    hidden, unseen = [], []
    for element in tree.iter():
        if not isinstance(element.tag, str):
            continue  # a comment or a processing instruction
        attrs = list(element.attrib.items())
        parent = element.getparent()
        paint = paints[element] = _paint(attrs, paints.get(parent, _UNPAINTED) if parent is not None else _UNPAINTED)
        if _hidden(element.tag.lower(), attrs):
            hidden.append(element)
        elif _unseen(paint):
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
        tree = lxml.html.fromstring(_NOT_XML.sub("", html))
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


def check_text(text: object) -> str:
    """``text`` if it can be summarized: a non-empty ``str`` that can be sent as UTF-8; nothing is sent otherwise."""
    if isinstance(text, (bytes, bytearray)):
        raise TypeError(
            "text must be str, not bytes: decode it first with summarizer.decode_article(data), which also "
            "reduces an HTML page to its text, and summarize the string it returns (spans are offsets into it)"
        )
    if not isinstance(text, str):
        raise TypeError(f"text must be str, not {type(text).__name__}")
    if not text.strip():
        raise EmptyInputError("the article text is empty or only white space; nothing was sent")
    if shows_nothing(text):  # the one definition of "invisible": summarizer.text
        raise EmptyInputError(
            "the article text has nothing visible (only white space, byte-order marks, zero-width, bidi, "
            "filler or control characters, or combining marks); nothing was sent"
        )
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise InputError(
            f"the article text holds an unpaired surrogate at position {exc.start}, which cannot be sent "
            "(text decoded with errors='surrogateescape', or broken UTF-16): decode the bytes with "
            "summarizer.decode_article; nothing was sent"
        ) from None
    return text
