"""What an endpoint's failure means, said as one of our errors: the cause, and what to do.

Provider messages can echo the key (a 401 often does), so every text taken from a
provider passes :func:`redact` before it reaches a message.
"""

from __future__ import annotations

import functools
import re
from typing import TYPE_CHECKING, Any

import openai

from .. import errors
from ..config import Target, safe_url
from ..errors import NotACompletion, Stalled

if TYPE_CHECKING:
    from .http import CallStats

__all__ = ["error_code", "is_transient", "provider_error", "redact", "strip_secret"]

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


def error_code(exc: BaseException) -> str | None:
    """The provider's error code (``insufficient_quota``, ``context_length_exceeded``), if it gave one."""
    body = getattr(exc, "body", None)
    if isinstance(body, dict):
        inner = body.get("error", body)
        if isinstance(inner, dict) and isinstance(inner.get("code"), str):
            return str(inner["code"])
    code = getattr(exc, "code", None)
    return code if isinstance(code, str) else None


def is_transient(exc: BaseException) -> bool:
    """Whether trying the same request again may succeed: a time-out, a lost connection, 408, 409, 429, 5xx."""
    if isinstance(exc, (openai.APITimeoutError, openai.APIConnectionError, NotACompletion, Stalled)):
        return True
    if isinstance(exc, openai.APIStatusError):
        status = exc.status_code
        if status == 429:
            return error_code(exc) != "insufficient_quota"
        return status in (408, 409) or status >= 500
    return False


def _provider_message(exc: openai.APIError) -> str:
    body = getattr(exc, "body", None)
    if isinstance(body, dict):
        inner = body.get("error", body)
        if isinstance(inner, dict) and inner.get("message"):
            return str(inner["message"])
        if isinstance(inner, str):
            return inner
    return str(getattr(exc, "message", None) or exc)


def provider_error(
    exc: openai.APIError | NotACompletion | Stalled, target: Target, stats: CallStats
) -> errors.ProviderError:
    """Translate an openai exception into ours, naming the cause and what to do."""
    where = target.endpoint
    status: int | None = getattr(exc, "status_code", None)
    code = error_code(exc)
    tries = f"{stats.tries} {'try' if stats.tries == 1 else 'tries'}"
    common: dict[str, Any] = {
        "status_code": status,
        "code": code,
        "retryable": is_transient(exc),
        **stats.spent(),
    }
    if isinstance(exc, Stalled):
        return errors.ProviderUnavailableError(
            f"{where} sent its answer too slowly after {tries}: {exc}; raise timeout= if answers are that slow",
            **common,
        )
    if isinstance(exc, NotACompletion):
        return errors.ProviderUnavailableError(
            f"{where} answered with something that is not a chat completion after {tries} "
            f"({redact(exc.text, target.api_key)[:80]!r}): is a proxy or gateway in between? check base_url",
            **common,
        )
    detail = redact(_provider_message(exc), target.api_key)
    if isinstance(exc, (openai.APITimeoutError, openai.APIConnectionError)):
        hint = (
            "is the server running? check {how:base_url}"
            if target.backend != "openai"
            else "check the network, or raise timeout="
        )
        if isinstance(exc, openai.APITimeoutError):
            kind = "timed out waiting for"
        elif type(exc.__cause__).__name__ in ("ConnectError", "ConnectTimeout"):
            kind = "could not connect to"
        else:  # connected, then the answer broke off or never came
            kind, hint = "lost the connection to", "the server closed it before its answer was complete"
        return errors.ProviderUnavailableError(f"{kind} {where} after {tries}: {hint}", **common)
    # OpenAI's messages end with a full stop; do not double it before our hint.
    said = detail.rstrip(".")
    if status in (401, 403):
        return errors.AuthenticationError(f"{status} from {where}: {said}. Check {{how:api_key}}.", **common)
    if status == 404:
        return errors.ModelNotFoundError(
            f"404 from {where}: {said}. Check the model name ({target.model!r}; "
            "{how:model}) and that the base URL ends in /v1.",
            **common,
        )
    if status in (400, 413, 422):
        lowered = detail.lower()
        if code == "context_length_exceeded" or ("context" in lowered and (
            "length" in lowered or "window" in lowered or "exceed" in lowered
        )):
            return errors.ContextLengthError(
                f"{status} from {where}: {said}. The article and prompt do not fit the "
                "model's context: shorten the article or use a model with a larger context.",
                **common,
            )
        return errors.BadRequestError(
            f"{status} from {where}: {said}. The endpoint rejected the request as sent: check the options this "
            "model supports (temperature=None for models that refuse 0, or another mode=).",
            **common,
        )
    if status == 429:
        hint = (
            "the account is out of quota; retrying will not help"
            if code == "insufficient_quota"
            else f"still rate limited after {tries}; lower the request rate (rpm=, concurrency=) or raise max_retries="
        )
        return errors.RateLimitError(f"429 from {where}: {detail} ({hint})", **common)
    if status is not None and 300 <= status < 400:
        response = getattr(exc, "response", None)
        location = response.headers.get("location", "") if response is not None else ""
        location = safe_url(location) if "://" in location else location.split("?")[0]
        location = redact(location, target.api_key)  # a hostile server can put the key it received in the path
        return errors.ProviderError(
            f"{status} from {where}: a redirect to {location or 'elsewhere'}, which is not "
            "followed (the article would go to an address nobody configured); point {how:base_url} at the API itself",
            **common,
        )
    if status is not None and status >= 500:
        return errors.ProviderUnavailableError(
            f"{status} from {where} after {tries}: {detail} (the provider is failing; try again later)", **common
        )
    return errors.ProviderError(
        f"{status} from {where}: {detail} (an unexpected answer; check base_url and the provider's status)", **common
    )
