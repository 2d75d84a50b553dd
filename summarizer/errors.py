"""One exception hierarchy, so callers can catch ``SummarizerError`` and nothing else.

Every error says what went wrong and what to do about it. Errors raised after the
model was called carry the token usage and attempts already spent, because that is
money a caller may need to account for.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .schema import Usage

__all__ = [
    "AuthenticationError",
    "BadRequestError",
    "ConfigurationError",
    "ContextLengthError",
    "EmptyInputError",
    "InputError",
    "InputTooLongError",
    "ModelNotFoundError",
    "ModelOutputError",
    "OutputValidationError",
    "ProviderError",
    "ProviderUnavailableError",
    "RateLimitError",
    "RefusalError",
    "SummarizerError",
    "TruncationError",
]


class SummarizerError(Exception):
    """Base class of every error raised by this library."""


class ConfigurationError(SummarizerError):
    """The library cannot tell which model to call, or how."""


class InputError(SummarizerError, ValueError):
    """The input cannot be read as article text (missing, binary, undecodable, too long); no request was made."""


class EmptyInputError(InputError):
    """The article text is empty or only white space; no request was made."""


class InputTooLongError(InputError):
    """The article is longer than ``max_chars``; refused before any request, since every chunk costs a request."""


class ProviderError(SummarizerError):
    """The model endpoint failed or refused the request.

    ``retryable`` tells whether the library considered the failure transient; when it
    did, the error is raised only after the configured retries ran out. ``attempts``
    counts model answers received in this call (re-asks included), ``requests`` every
    HTTP request sent, failed ones and retries included: what the provider saw.
    """

    def __init__(
        self,
        message: str,
        *,
        status_code: int | None = None,
        code: str | None = None,
        retryable: bool = False,
        usage: Usage | None = None,
        attempts: int = 0,
        requests: int = 0,
    ) -> None:
        super().__init__(message)
        self.status_code = status_code
        self.code = code
        self.retryable = retryable
        self.usage = usage
        self.attempts = attempts
        self.requests = requests


class AuthenticationError(ProviderError):
    """401 or 403: the key is missing, wrong, or lacks access."""


class BadRequestError(ProviderError):
    """400 or 422: the endpoint rejected the request as malformed or unsupported."""


class ContextLengthError(BadRequestError):
    """The article and prompt do not fit the model's context window."""


class ModelNotFoundError(ProviderError):
    """404: the endpoint does not serve the requested model (or path)."""


class RateLimitError(ProviderError):
    """429 after every retry, or a quota that retrying cannot fix."""


class ProviderUnavailableError(ProviderError):
    """5xx, time-outs and connection failures that outlasted the retries."""


class ModelOutputError(SummarizerError):
    """The model answered, but the answer cannot be used.

    Carries the last raw output (the text or tool-call arguments), the token usage
    summed over every attempt, the number of attempts (model answers) and of HTTP
    requests (answers plus retried failures).
    """

    def __init__(
        self,
        message: str,
        *,
        raw_output: str | None = None,
        usage: Usage | None = None,
        attempts: int = 0,
        requests: int = 0,
    ) -> None:
        super().__init__(message)
        self.raw_output = raw_output
        self.usage = usage
        self.attempts = attempts
        self.requests = requests


class OutputValidationError(ModelOutputError):
    """Every attempt returned JSON that failed the schema; ``errors`` lists the last ones."""

    def __init__(self, message: str, *, errors: list[str] | None = None, **kwargs: object) -> None:
        super().__init__(message, **kwargs)  # type: ignore[arg-type]
        self.errors = errors or []


class TruncationError(ModelOutputError):
    """The model hit its output limit (``finish_reason == "length"``); not retried."""


class RefusalError(ModelOutputError):
    """The model declined to answer; ``refusal`` holds its stated reason."""

    def __init__(self, message: str, *, refusal: str = "", **kwargs: object) -> None:
        super().__init__(message, **kwargs)  # type: ignore[arg-type]
        self.refusal = refusal
