"""What an endpoint's failure means, said as one of our errors: the cause, and what to do.

Provider messages can echo the key (a 401 often does), so every text taken from a
provider passes :func:`~summarizer.transport.redact.redact` before it reaches a message.
"""

from __future__ import annotations

from typing import Any

import openai

from .. import errors
from ..config import Target, safe_url
from ..errors import NotACompletion, Stalled
from .redact import redact
from .stats import CallStats

__all__ = ["error_code", "is_transient", "provider_error"]


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
