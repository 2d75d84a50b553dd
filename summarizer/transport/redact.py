"""Secrets taken out of text a server sent: the configured key (whole, masked or in pieces) and key-shaped tokens.

A server holds the key it was sent (as the Authorization header), so whatever it says
back can carry it: an error message, a redirect's ``Location``, a refusal, even a
valid answer. :func:`redact` is applied to every text that can carry server content
before it is cut, stored or logged; :func:`strip_secret` and :func:`strip_key` take out
only the configured key, for text (an answer) that may rightly hold other tokens.
"""

from __future__ import annotations

import functools
import re
from typing import Any

from pydantic import BaseModel

__all__ = ["redact", "strip_key", "strip_secret"]

_KEY_LIKE = re.compile(
    r"\b(?:sk|pk|rk|gsk|xai|key|api|token|hf)[-_][A-Za-z0-9*_\-.]{8,}"  # sk-proj-..., gsk_..., hf_...
    r"|\bAIza[0-9A-Za-z_\-]{20,}"  # Google
    r"|\b[Bb]earer\s+\S{8,}"  # an Authorization header, whatever the token's shape
    r"|\b[Aa]uthorization:\s*\S+(?:\s+\S{8,})?"
    r"|\b(?=[A-Za-z0-9_\-]*\d)(?=[A-Za-z0-9_\-]*[A-Za-z])[A-Za-z0-9_\-]{32,}\b"  # any long random token
)
_MASK = r"(?:[*.x•\-_ ]{2,}|\s?\u2026\s?)"  # what providers put between the first and last characters they show


def redact(text: str, secret: str | None) -> str:
    """Remove the configured key, in whole or masked ("sk-proj-****abcd"), and anything shaped like a key.

    Applied to every text that can carry server content before it is cut, stored or logged.
    """
    return _KEY_LIKE.sub("[redacted]", strip_secret(text, secret))


_PIECE = 10  # a run of this many characters of the key, anywhere in it, is a piece of it


def strip_secret(text: str, secret: str | None) -> str:
    """Only the configured key taken out, whole, masked or in pieces: for text that may rightly hold other tokens.

    A piece is any run of at least ten consecutive characters of the key (a server that
    echoes "your key placeholder-h4-key-0..." cut short): each is removed with whatever
    of the key continues it.
    """
    if not secret or len(secret) < 4:
        return text
    piece = _has_piece(text, secret)
    if not piece and secret[:4] not in text and secret[-4:] not in text:
        return text  # every form shows the first or the last four characters, or a piece
    text = text.replace(secret, "[redacted]")
    if len(secret) >= 12:  # a masked copy keeps a few of the first and last characters
        head, tail = re.escape(secret[:4]), re.escape(secret[-4:])
        text = re.sub(rf"{head}[A-Za-z0-9_\-]*{_MASK}[A-Za-z0-9_\-]*{tail}", "[redacted]", text)
        text = re.sub(rf"{_MASK}{tail}\b", "[redacted]", text)
    return _without_pieces(text, secret) if piece else text


@functools.lru_cache(maxsize=8)
def _pieces(secret: str) -> re.Pattern[str]:
    """Every run of ten characters of the key, as one pattern: built once per key, not once per text."""
    return re.compile("|".join(sorted({re.escape(secret[i:i + _PIECE]) for i in range(len(secret) - _PIECE + 1)})))


def _has_piece(text: str, secret: str) -> bool:
    # Any run of ten characters of the key holds one of its five-character blocks that start at a
    # multiple of five: a few substring tests rule most texts out before the pattern is run.
    if len(secret) < _PIECE + 2:
        return False
    half = _PIECE // 2
    if not any(secret[i:i + half] in text for i in range(0, len(secret) - half + 1, half)):
        return False
    return _pieces(secret).search(text) is not None


def _without_pieces(text: str, secret: str) -> str:
    """Each run of the key's characters that holds a piece, grown both ways while it still reads as the key."""
    out: list[str] = []
    position = 0
    for found in _pieces(secret).finditer(text):
        if found.start() < position:
            continue
        start, end = found.start(), found.end()
        at = secret.find(found.group())
        before, after = at, at + _PIECE
        while start > 0 and before > 0 and text[start - 1] == secret[before - 1]:
            start, before = start - 1, before - 1
        while end < len(text) and after < len(secret) and text[end] == secret[after]:
            end, after = end + 1, after + 1
        out += [text[position:start], "[redacted]"]
        position = end
    out.append(text[position:])
    return "".join(out)


_REAL_KEY = 16  # shorter "keys" ("local", "none") are placeholders for servers that want none: never text to strip


def strip_key(value: Any, key: str | None) -> Any:
    """``value`` with the configured key taken out of every string, models changed in place.

    The server has the key (it was sent as the Authorization header), so a hostile one
    can echo it inside a valid answer, which would then be stored and shown.
    """
    if not key or len(key) < _REAL_KEY:
        return value
    if isinstance(value, str):
        return strip_secret(value, key)
    if isinstance(value, list):
        cleaned = [strip_key(item, key) for item in value]
        return cleaned if any(a is not b for a, b in zip(cleaned, value)) else value
    if isinstance(value, BaseModel):
        for name in type(value).model_fields:
            current = getattr(value, name, None)
            cleaned = strip_key(current, key)
            if cleaned is not current and cleaned != current:
                value.__dict__[name] = cleaned
    return value
