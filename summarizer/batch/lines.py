"""One check of everything a batch reads back: results lines and the articles file.

The job file and a provider's batch are checked by the same rules and helpers, in
``batch/job_lines.py``.

These come from a provider, a download or an editor, so nothing in them is trusted.
Each is read here, bounded and checked, and comes out as values of the types the
rest of the batch code expects, or as a typed error saying what is wrong and where:

- what makes a whole file unusable (not a regular file, not JSON where it must be,
  an article line or a setting that is not what ``batch prepare`` writes, a job file
  field of the wrong type) raises :class:`~summarizer.errors.BatchFileError`;
- a results line that answers a request of the batch but cannot be an answer (a
  ``response`` that is a string, a ``status_code`` of ``"500"``, token counts below
  zero or past what the request allows, a line larger than ``max_tokens`` allows an
  answer, nested past :data:`MAX_DEPTH`) is that article's
  :class:`~summarizer.errors.BatchError`, as a live answer of that shape is:
  ``ProviderUnavailableError``, retryable;
- a results line that answers no request of the batch (unreadable, no
  ``custom_id``, a foreign one) is :class:`Skipped`: reported, never the batch's end.

Every text that came from outside (a provider's message, a custom_id, a model name,
a status) passes :func:`outside` before it is stored or shown: redacted by the one
:func:`~summarizer.transport.redact.redact`, stripped of control
characters, cut to a length.
"""

from __future__ import annotations

import json
import math
import re
import sys
from collections.abc import Container, Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, BinaryIO

from ..errors import BatchError, BatchFileError
from ..text import printable
from ..transport.limits import answer_limit
from ..transport.redact import redact

__all__ = [
    "ENVELOPE",
    "MAX_DEPTH",
    "MAX_PROMPT_TOKENS",
    "SAFE_ID",
    "SETTING_KINDS",
    "SHA256",
    "ResultLine",
    "Skipped",
    "article_fields",
    "error_fields",
    "header_fields",
    "is_count",
    "kind_of",
    "line_limit",
    "loads",
    "outside",
    "read_bounded",
    "regular_file",
    "result_line",
    "skipped_summary",
    "unreadable_line",
]

MAX_DEPTH = 64
"""How deep a line's JSON may nest: a chat completion needs about ten levels; deeper is not an answer."""
ENVELOPE = 16 * 1024
"""Room in a results line around the answer's body (custom_id, ids, an error object)."""
MAX_PROMPT_TOKENS = 10_000_000
"""More prompt tokens than any context window holds: a larger count is not a provider's bill."""
_ID_PREFIX = 4096  # how much of an unreadable line is searched for its custom_id
_TEXT_WINDOW = 16 * 1024  # how much of an outside text is redacted: more than is ever shown of it
SAFE_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.:\-]{0,199}")
"""An id a provider gives (a file, a batch): plain enough to put in a URL path."""
SHA256 = re.compile(r"[0-9a-f]{64}")
"""A sha256 as the files record it."""
_CUSTOM_ID = re.compile(rb'"custom_id"\s*:\s*("(?:[^"\\\n]|\\.){1,200}")')
_INT_BOUND = 2**63

SETTING_KINDS: Mapping[str, tuple[type, ...]] = {
    "model": (str,), "base_url": (str,), "mode": (str,), "prompt_version": (str,), "evidence": (str,),
    "summary": (str,), "measures": (str,),
    "temperature": (int, float), "max_tokens": (int,), "seed": (int,), "max_items": (int,), "grounding": (str,),
    "chunk_tokens": (int,), "context_window": (int,), "max_chars": (int,),
}
"""The settings an articles file records (each may be null), and the JSON types each may have: never the key."""

_STATUS = {400: "BadRequestError", 401: "AuthenticationError", 403: "AuthenticationError",
           404: "ModelNotFoundError", 413: "BadRequestError", 422: "BadRequestError", 429: "RateLimitError"}


# -- texts and values from outside ---------------------------------------------------------------


def outside(value: Any, secret: str | None, limit: int = 300) -> str:
    """A text that came from outside, fit to store and show: redacted (the key, anything key-shaped) before it
    is cut, control and direction characters replaced, at most ``limit`` characters."""
    if isinstance(value, str):
        text = value
    else:
        try:
            text = json.dumps(value, ensure_ascii=False, default=str)
        except (ValueError, RecursionError):  # nested past the stack, or circular: say what it is
            text = f"({kind_of(value)})"
    text = printable(redact(text[:_TEXT_WINDOW], secret))
    return text if len(text) <= limit else text[: limit - 1] + "…"


def is_count(value: Any, lowest: int = 0, highest: int = _INT_BOUND) -> bool:
    """Whether ``value`` is a whole number (never a bool) from ``lowest`` to ``highest``."""
    return isinstance(value, int) and not isinstance(value, bool) and lowest <= value <= highest


def kind_of(value: Any) -> str:
    """What a JSON value is, in words for a message (\"a string\", \"null\")."""
    return "null" if value is None else {dict: "an object", list: "a list", str: "a string", bool: "a boolean",
                                         int: "a number", float: "a number"}.get(type(value), type(value).__name__)


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


def _finite(text: str) -> float:
    number = float(text)
    if not math.isfinite(number):
        raise ValueError(f"the number {text[:24]} is out of range")
    return number


def _too_deep(value: Any) -> bool:
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if depth > MAX_DEPTH:
            return True
        children = item.values() if isinstance(item, dict) else item
        stack.extend((child, depth + 1) for child in children if isinstance(child, (dict, list)))
    return False


def loads(raw: bytes | str) -> Any:
    """One JSON value, or ``ValueError`` saying why not: not UTF-8, not JSON, NaN or a number past a float,
    an integer of thousands of digits, nested past :data:`MAX_DEPTH` (or past Python's stack)."""
    try:
        value = json.loads(raw, parse_constant=_no_constant, parse_float=_finite)
    except RecursionError:
        raise ValueError(f"nested deeper than {MAX_DEPTH} levels") from None
    except UnicodeDecodeError:
        raise ValueError("not UTF-8") from None
    except json.JSONDecodeError as exc:
        raise ValueError(f"not JSON ({exc.msg})") from None
    except ValueError as exc:  # _no_constant, _finite, an integer past Python's digit limit
        raise ValueError(f"not JSON ({str(exc)[:80]})") from None
    if isinstance(value, (dict, list)) and _too_deep(value):
        raise ValueError(f"nested deeper than {MAX_DEPTH} levels")
    return value


def regular_file(path: Path, what: str) -> None:
    """Refuse what reading would hang on or never finish (a FIFO, a device, a folder) before it is opened."""
    try:
        if not path.is_file():
            why = "it is not a regular file" if path.exists() else "no such file"
            raise BatchFileError(f"{what} {path}: cannot be read ({why})")
    except OSError as exc:
        raise BatchFileError(f"{what} {path}: cannot be read ({exc.strerror or exc})") from None


def read_bounded(handle: BinaryIO, limit: int) -> tuple[bytes, bool]:
    """The next line, at most ``limit`` bytes of it, and whether it was longer (the rest is read past, never held)."""
    limit = min(limit, sys.maxsize - 1)
    raw = handle.readline(limit + 1)
    if len(raw) <= limit or raw.endswith(b"\n"):
        return raw, False
    while True:  # past the bound: skip to the end of the line a block at a time
        block = handle.readline(1 << 20)
        if not block or block.endswith(b"\n"):
            return raw[:limit], True


# -- results lines ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ResultLine:
    """One results line for a request of the batch: its answer (``body``, a chat completion) or why it failed."""

    custom_id: str
    body: dict[str, Any] | None = None
    model: str | None = None  # the model the answer names, as stored (see outside)
    error: BatchError | None = None

    @property
    def answered(self) -> bool:
        return self.body is not None


@dataclass(frozen=True)
class Skipped:
    """A results line that answers no request of the batch; ``reason`` is fit to show."""

    reason: str


def line_limit(max_tokens: int) -> int:
    """The most bytes a results line may take: the live bound on an answer (transport/limits.py) and its envelope."""
    return answer_limit(max_tokens) + ENVELOPE


def _malformed(custom_id: str, reason: str) -> ResultLine:
    return ResultLine(custom_id, error=BatchError(
        "ProviderUnavailableError",
        f"the batch's line for request {custom_id} is not an answer: {reason}; another try may pass", True,
    ))


def _failed(custom_id: str, status: int | None, error: Any, secret: str | None) -> ResultLine:
    """An error line (or a non-200 response) as that request's error, its message and code redacted."""
    if isinstance(error, dict):
        message, code = error.get("message"), error.get("code")
    else:
        message, code = error, None
    said = outside(message, secret) if message not in (None, "") else "no message"
    code_text = outside(code, secret, 60) if code not in (None, "") else None
    kind = _STATUS.get(status or 0, "ProviderUnavailableError" if not status or status >= 500 else "ProviderError")
    retryable = status is None or status >= 500 or status in (408, 409) or (
        status == 429 and code_text != "insufficient_quota")
    where = f"{status} from the batch" if status else "the batch"
    return ResultLine(custom_id, error=BatchError(
        kind, f"{where} for request {custom_id}: {said}" + (f" ({code_text})" if code_text else ""), retryable))


def _usage_problem(usage: Any, max_tokens: int) -> str | None:
    if usage is None:
        return None
    if not isinstance(usage, dict):
        return f"usage is {kind_of(usage)}, not an object"
    bounds = {"prompt_tokens": MAX_PROMPT_TOKENS, "completion_tokens": max_tokens,
              "total_tokens": MAX_PROMPT_TOKENS + max_tokens}
    for name, highest in bounds.items():
        value = usage.get(name)
        if value is not None and not is_count(value, 0, highest):
            shown = value if is_count(value, -_INT_BOUND) else kind_of(value)
            return f"usage.{name} is {shown}, not a count from 0 to {highest:,}"
    return None


def result_line(value: Any, known: Container[str], max_tokens: int, secret: str | None) -> ResultLine | Skipped:
    """One parsed results line: an answer or an error for a request of the batch, or a line to skip.

    Raises :class:`BatchFileError` for a line of a requests file: the wrong file was given.
    """
    if not isinstance(value, dict):
        return Skipped(f"{kind_of(value)}, not a JSON object")
    custom_id = value.get("custom_id")
    if not isinstance(custom_id, str):
        return Skipped("no custom_id" if custom_id is None else f"its custom_id is {kind_of(custom_id)}")
    if custom_id not in known:
        return Skipped(f"custom_id {outside(custom_id, secret, 80)!r} is not a request of this batch")
    if "response" not in value and "error" not in value and "body" in value and "method" in value:
        raise BatchFileError("is a request, not an answer: give the Batch API's output (and error) files")
    response, error = value.get("response"), value.get("error")
    if response is not None and not isinstance(response, dict):
        return _malformed(custom_id, f"its response is {kind_of(response)}, not an object")
    status = response.get("status_code") if response is not None else None
    if status is not None and not is_count(status, 100, 599):
        return _malformed(custom_id, f"its status_code is {outside(json.dumps(status), secret, 40)}, not an HTTP status")
    body = response.get("body") if response is not None else None
    if error:
        return _failed(custom_id, status, error, secret)
    if response is None:
        return _malformed(custom_id, "it has neither a response nor an error")
    if status != 200:
        return _failed(custom_id, status, body.get("error") if isinstance(body, dict) else None, secret)
    if not isinstance(body, dict):
        return _malformed(custom_id, f"its body is {kind_of(body)}, not a chat completion")
    model = body.get("model")
    if not isinstance(model, str) or not model.strip():
        return _malformed(custom_id, "its body names no model")
    problem = _usage_problem(body.get("usage"), max_tokens)
    if problem is not None:
        return _malformed(custom_id, problem)
    return ResultLine(custom_id, body=body, model=outside(model, secret, 120))


def unreadable_line(raw: bytes, reason: str, known: Container[str], secret: str | None) -> ResultLine | Skipped:
    """A line that cannot be parsed (too large, not JSON, too deep): that request's error when the start of
    the line names a request of the batch (a later answer for it still wins), else a line to skip."""
    found = _CUSTOM_ID.search(raw[:_ID_PREFIX])
    custom_id: Any = None
    if found:
        try:
            custom_id = json.loads(found.group(1))
        except ValueError:
            custom_id = None
    if isinstance(custom_id, str) and custom_id in known:
        return _malformed(custom_id, reason)
    return Skipped(reason)


# -- the articles file ------------------------------------------------------------------------------------


def _setting(name: str, value: Any) -> Any:
    kinds = SETTING_KINDS.get(name)
    if kinds is None:
        raise ValueError(f"unknown setting {outside(name, None, 60)!r} (a file of a newer version?)")
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, kinds):
        raise ValueError(f"setting {name} is {kind_of(value)}")
    highest = MAX_PROMPT_TOKENS if name == "max_tokens" else _INT_BOUND  # max_tokens bounds what is read
    if isinstance(value, int) and not is_count(value, -_INT_BOUND, highest):
        raise ValueError(f"setting {name} is out of range")
    return value


def header_fields(value: Any) -> dict[str, Any]:
    """The header of an articles file, checked; ``ValueError`` says what is wrong. Other keys are kept as they are."""
    if not isinstance(value, dict):
        raise ValueError("its header is not a JSON object")
    settings = value.get("settings", {})
    if not isinstance(settings, dict):
        raise ValueError(f"its settings are {kind_of(settings)}, not an object")
    for name in ("response_model", "schema_version"):
        if not isinstance(value.get(name), str):
            raise ValueError(f"its header's {name} is {kind_of(value.get(name))}, not a string")
    return {**value, "settings": {name: _setting(name, v) for name, v in settings.items()}}


def error_fields(value: Any) -> dict[str, Any]:
    """A recorded :class:`BatchError`, checked (``ValueError`` if not): what ``BatchError(**fields)`` takes."""
    if not isinstance(value, dict):
        raise ValueError(f"its error is {kind_of(value)}, not an object")
    extra = sorted(set(value) - {"type", "message", "retryable", "attempts", "requests", "usage"})
    if extra:
        raise ValueError(f"its error has unknown field(s) {outside(', '.join(map(str, extra)), None, 80)}")
    if not isinstance(value.get("type"), str) or not isinstance(value.get("message"), str):
        raise ValueError("its error has no type or message")
    if not isinstance(value.get("retryable"), bool):
        raise ValueError("its error's retryable is not true or false")
    for name in ("attempts", "requests"):
        if name in value and not is_count(value[name]):
            raise ValueError(f"its error's {name} is not a count")
    usage = value.get("usage")
    if usage is not None and (not isinstance(usage, dict) or not all(
            isinstance(k, str) and is_count(v) for k, v in usage.items())):
        raise ValueError("its error's usage is not token counts")
    return dict(value)


def article_fields(value: Any) -> dict[str, Any]:
    """One article line, checked: the fields of a ``BatchArticle`` (``page`` and ``error`` still as JSON).

    ``ValueError`` says what is wrong: an id that is not a string or a number, a hash
    that is not sha256, parts that are not ``[custom_id, start, end]`` inside the text,
    an article with neither requests nor a recorded error.
    """
    if not isinstance(value, dict):
        raise ValueError(f"{kind_of(value)}, not a JSON object")
    article_id = value.get("id")
    if isinstance(article_id, bool) or not isinstance(article_id, (str, int)):
        raise ValueError(f"its id is {kind_of(article_id)}, not a string or a number")
    digest, text = value.get("input_sha256"), value.get("text", "")
    if digest is not None and not (isinstance(digest, str) and SHA256.fullmatch(digest)):
        raise ValueError("its input_sha256 is not a sha256")
    if not isinstance(text, str):
        raise ValueError(f"its text is {kind_of(text)}, not a string")
    raw_parts = value.get("parts", [])
    if not isinstance(raw_parts, list):
        raise ValueError(f"its parts are {kind_of(raw_parts)}, not a list")
    parts = []
    for part in raw_parts:
        if not (isinstance(part, list) and len(part) == 3 and isinstance(part[0], str) and 0 < len(part[0]) <= 200
                and is_count(part[1], 0, len(text)) and is_count(part[2], part[1], len(text))):
            raise ValueError(f"a part is not [custom_id, start, end] within its text of {len(text):,} characters")
        parts.append((part[0], part[1], part[2]))
    error = value.get("error")
    if error is not None:
        error = error_fields(error)
    page = value.get("page")
    if page is not None and not isinstance(page, dict):
        raise ValueError(f"its page is {kind_of(page)}, not an object")
    if bool(parts) == (error is not None):
        raise ValueError("an article has either requests (parts) or a recorded error, and this one has "
                         + ("both" if parts else "neither"))
    if parts and digest is None:
        raise ValueError("an article with requests must have its input_sha256")
    published = value.get("published")
    if published is not None:
        try:
            published = date.fromisoformat(published) if isinstance(published, str) else None
        except ValueError:
            published = None
        if published is None:
            raise ValueError("its published is not an ISO date (YYYY-MM-DD)")
    return {"id": article_id, "input_sha256": digest, "text": text, "parts": tuple(parts), "page": page,
            "error": error, "published": published}


def skipped_summary(path: Path, skipped: Iterable[tuple[int, str]], count: int) -> str:
    """One message for the lines of a results file that were skipped: how many, and the first few, by line."""
    shown = "; ".join(f"line {number}: {reason}" for number, reason in skipped)
    more = f"; and {count - 3} more" if count > 3 else ""
    return (f"results file {path}: {count} line(s) answer no request of this batch and were skipped ({shown}{more}); "
            "every other answer was read")
