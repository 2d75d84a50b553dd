"""Article files and bytes as text: decoding, refusing binary data; and the check of a text to summarize.

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
says what the file seems to be. Text that starts like an HTML page (any ``.html`` file)
is then reduced to its text by :mod:`summarizer.inputs.html`.
"""

from __future__ import annotations

import codecs
import os
import re
import stat
import unicodedata
from pathlib import Path

from ..errors import EmptyInputError, InputError
from ..text import shows_nothing
from .html import Extract, Page, html_to_page

__all__ = ["MAX_FILE_BYTES", "check_text", "decode_article", "decode_page", "read_article", "read_page"]

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


def _input_error(name: str, why: str) -> InputError:
    """The error for an input that cannot be read as an article: its name, then why and what to do."""
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
            raise _input_error(name, f"unknown encoding {encoding!r}; name a Python codec such as 'utf-8' or 'cp1251'") from None
        except UnicodeDecodeError as exc:
            raise _input_error(
                name, f"is not valid {encoding} (byte {exc.start}); check the encoding, or omit it to detect one"
            ) from None
    for bom, codec in _BOMS:
        if data.startswith(bom):
            try:
                return data[len(bom) :].decode(codec)
            except UnicodeDecodeError as exc:
                raise _input_error(
                    name, f"starts with a {codec} byte-order mark but is not valid {codec} (byte {exc.start}); "
                    "re-save it as UTF-8"
                ) from None
    for magic, what in _MAGIC:
        if data.startswith(magic):
            raise _input_error(name, f"is {what}")
    if b"\x00" in data:
        text = _utf16_without_bom(data)
        if text is None:
            raise _input_error(
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
        raise _input_error(name, "contains NUL characters, so it is binary data rather than text; convert it first")
    controls = len(_CONTROL.findall(text))
    if controls > max(2, len(text) // 100):
        raise _input_error(
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
            raise _input_error(name, "is a directory, not an article file; pass the files in it (for example its *.txt)")
        if not stat.S_ISREG(info.st_mode):
            raise _input_error(name, "is not a regular file (a pipe, socket or device); save the article to a file")
        if max_bytes is not None and info.st_size > max_bytes:
            raise _input_error(name, f"is {info.st_size:,} bytes, more than the {max_bytes:,} allowed; raise max_bytes= "
                        "if it really is one article")
        with open(name, "rb") as file:
            data = file.read() if max_bytes is None else file.read(max_bytes + 1)
    except FileNotFoundError:
        raise _input_error(name, "no such file; check the path") from None
    except PermissionError:
        raise _input_error(name, "permission denied; make the file readable") from None
    except OSError as exc:
        raise _input_error(name, f"cannot be read ({exc.strerror or exc}); check the path") from None
    if max_bytes is not None and len(data) > max_bytes:  # it grew while being read
        raise _input_error(name, f"is more than the {max_bytes:,} bytes allowed; raise max_bytes=")
    html = True if Path(name).suffix.lower() in _HTML_SUFFIXES else None
    return decode_page(data, name=name, encoding=encoding, html=html, extract=extract)


def read_article(
    path: str | os.PathLike[str], *, encoding: str | None = None, max_bytes: int | None = MAX_FILE_BYTES
) -> str:
    """The article text of a file (:func:`read_page`'s text, every visible block of an HTML page)."""
    return read_page(path, encoding=encoding, max_bytes=max_bytes).text


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
