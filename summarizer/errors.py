"""Every exception (and every warning) this library raises, so callers catch ``SummarizerError`` and nothing else.

::

    SummarizerError
    ├── ConfigurationError         no model configured, a bad option, a missing extra
    ├── InputError (ValueError)    the input cannot be read as article text; nothing was sent
    │   ├── EmptyInputError
    │   └── InputTooLongError
    ├── OutputError                a file this library writes cannot be used or written
    │   ├── OutputPathError           not a new path or a file of the kind it writes, or an input; nothing was sent
    │   ├── OutputLockedError         another run is writing the same output file
    │   └── OutputWriteError          a write failed (nothing half-written left); a batch: paid answers in ``results``
    ├── EvaluationError            gold or predictions cannot be used
    │   └── GoldError
    ├── BatchFileError             a batch's requests, results or job file is not what it must be
    └── CallError                  raised after requests were sent: carries usage, attempts, requests
        ├── BudgetExhaustedError   the run's max_requests / max_total_tokens is spent: nothing more was sent
        ├── ProviderError          the endpoint failed or refused (status_code, code, retryable)
        │   ├── AuthenticationError          401, 403
        │   ├── BadRequestError              400, 413, 422
        │   │   └── ContextLengthError
        │   ├── ModelNotFoundError           404
        │   ├── RateLimitError               429 after the retries, or out of quota
        │   └── ProviderUnavailableError     5xx, time-outs, lost connections after the retries
        └── ModelOutputError       the model answered, but the answer cannot be used (raw_output)
            ├── OutputValidationError        every attempt failed the schema (errors)
            ├── TruncationError              the output limit was hit
            └── RefusalError                 the model or the provider's filter declined (refusal)

    LocalModelWarning (UserWarning)   the embedded model is tiny
    CacheWarning (UserWarning)        the cache cannot be used: the batch goes on without it
    OutputWarning (UserWarning)       the output file was deleted during the run and was written again
    BatchFileWarning (UserWarning)    results lines that answer no request of the batch were skipped

    BatchError                        not an exception: the record of one input's failure in a batch

Every error says what went wrong and what to do. A message that names a setting
writes it as ``{how:NAME}``; ``str(error)`` names it as Python code does
(``model=``), and :meth:`SummarizerError.describe` can name it otherwise: the command
line says ``--model``. So front ends never rewrite messages by substring.

``NotACompletion`` and ``Stalled`` at the bottom are signals inside the transport,
retried there and translated into a :class:`ProviderError`; ``RequestCaptured``
carries a request built but not sent (batch files). None of them reaches a caller.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .schema import Usage

__all__ = [
    "PYTHON_NAMES",
    "AuthenticationError",
    "BadRequestError",
    "BatchError",
    "BatchFileError",
    "BatchFileWarning",
    "BudgetExhaustedError",
    "CacheWarning",
    "CallError",
    "ConfigurationError",
    "ContextLengthError",
    "EmptyInputError",
    "EvaluationError",
    "GoldError",
    "InputError",
    "InputTooLongError",
    "LocalModelWarning",
    "ModelNotFoundError",
    "ModelOutputError",
    "NotACompletion",
    "OutputError",
    "OutputLockedError",
    "OutputPathError",
    "OutputValidationError",
    "OutputWarning",
    "OutputWriteError",
    "ProviderError",
    "ProviderUnavailableError",
    "RateLimitError",
    "RefusalError",
    "RequestCaptured",
    "Stalled",
    "SummarizerError",
    "TruncationError",
    "render",
]

PYTHON_NAMES: Mapping[str, str] = {
    "model": "model= or SUMMARIZER_MODEL",
    "model_arg": "model=...",
    "base_url": "base_url= or OPENAI_BASE_URL",
    "base_url_arg": "base_url",
    "api_key": "OPENAI_API_KEY (or api_key=)",
    "local": 'model="local"',
    "capable": "OPENAI_API_KEY, or base_url= with model=",
}
"""How messages name settings for Python callers (``{how:model}`` -> ``model= or SUMMARIZER_MODEL``)."""

_TOKEN = re.compile(r"\{how:(\w+)\}")


def render(template: str, names: Mapping[str, str] = PYTHON_NAMES) -> str:
    """A message with every ``{how:NAME}`` written as ``names`` spells it (Python's names for any it lacks)."""
    return _TOKEN.sub(lambda m: names.get(m[1]) or PYTHON_NAMES.get(m[1], m[1]), template)


class _Templated(Exception):
    """A message kept as written (``template``) and shown with Python's names for settings."""

    def __init__(self, message: str = "") -> None:
        self.template = message
        super().__init__(render(message))

    def describe(self, names: Mapping[str, str] = PYTHON_NAMES) -> str:
        """The message, naming settings as ``names`` does (the CLI passes its option names)."""
        return render(self.template, names)


class SummarizerError(_Templated):
    """Base class of every error raised by this library."""


class ConfigurationError(SummarizerError):
    """The library cannot tell which model to call, or how."""


class InputError(SummarizerError, ValueError):
    """The input cannot be read as article text (missing, binary, undecodable, too long); no request was made."""


class EmptyInputError(InputError):
    """The article text is empty or only white space; no request was made."""


class InputTooLongError(InputError):
    """The article is longer than ``max_chars``; refused before any request, since every chunk costs a request."""


class OutputError(SummarizerError):
    """A file this library writes (an output, a report, scores, a batch or job file) cannot be used or written;
    ``path`` is the file."""

    def __init__(self, message: str, *, path: str = "") -> None:
        super().__init__(message)
        self.path = path


class OutputPathError(OutputError):
    """The output path cannot hold the output, or is not this library's to write; refused before any request.

    It must be a regular file or a new name in an existing folder: not a device, a
    FIFO, a socket, a terminal or (for JSON Lines) a folder. An existing file is
    written over only if it is of the kind being written (this library's JSON Lines,
    report, summary or scores; see :func:`summarizer.files.check_ours`), and never
    when it is one of the command's inputs; anything else is refused, left as it is.
    """


class OutputLockedError(OutputError):
    """Another run is writing the same output file; one run per file."""


class OutputWriteError(OutputError):
    """Writing a file failed (disk full, read-only, file replaced); nothing half-written is left in its place.

    For a batch's output the run stopped; every record written before is intact on disk. ``unwritten`` lists the ids of the
    results that are not in the file, ``not_started`` counts the inputs never sent, and
    ``results`` (filled by :func:`~summarizer.summarize_many`) holds every result the
    run received, paid answers included, in the batch's order.
    """

    def __init__(
        self, message: str, *, path: str = "", unwritten: Sequence[Any] = (), not_started: int = 0
    ) -> None:
        super().__init__(message, path=path)
        self.unwritten = list(unwritten)
        self.not_started = not_started
        self.results: list[Any] = []


class EvaluationError(SummarizerError):
    """An evaluation cannot run: its gold or its predictions cannot be used."""


class GoldError(EvaluationError):
    """A gold file cannot be read, does not fit the format, or quotes what its article does not say."""

    def __init__(self, message: str, problems: Sequence[str] = ()) -> None:
        super().__init__(message + "".join(f"\n  - {p}" for p in problems))
        self.problems = list(problems)


class BatchFileError(SummarizerError):
    """A batch's requests file, results file, articles file or job file is missing, malformed or does not match."""


class CallError(SummarizerError):
    """Raised after requests were sent, so it carries what they spent.

    ``usage`` is the tokens the provider reported, summed over the call; ``attempts``
    counts model answers received (re-asks included); ``requests`` every HTTP request
    sent, failed ones and retries included: what the provider saw.
    """

    def __init__(self, message: str, *, usage: Usage | None = None, attempts: int = 0, requests: int = 0) -> None:
        super().__init__(message)
        self.usage = usage
        self.attempts = attempts
        self.requests = requests


class BudgetExhaustedError(CallError):
    """The run's spending limit (``max_requests``, ``max_total_tokens``) would be passed by the next request.

    Nothing more was sent for this article; ``usage`` and ``requests`` are what it
    spent before (zero when it never started). It is retryable: a later run with the
    same output file resumes from here, and sends only what is still missing.
    """

    retryable = True


class ProviderError(CallError):
    """The model endpoint failed or refused the request.

    ``retryable`` tells whether the library considered the failure transient; when it
    did, the error is raised only after the configured retries ran out.
    """

    def __init__(
        self,
        message: str,
        *,
        status_code: int | None = None,
        code: str | None = None,
        retryable: bool = False,
        **spent: Any,
    ) -> None:
        super().__init__(message, **spent)
        self.status_code = status_code
        self.code = code
        self.retryable = retryable


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


class ModelOutputError(CallError):
    """The model answered, but the answer cannot be used; ``raw_output`` is the last text or tool-call arguments."""

    def __init__(self, message: str, *, raw_output: str | None = None, **spent: Any) -> None:
        super().__init__(message, **spent)
        self.raw_output = raw_output


class OutputValidationError(ModelOutputError):
    """Every attempt returned JSON that failed the schema; ``errors`` lists the last ones."""

    def __init__(self, message: str, *, errors: list[str] | None = None, **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.errors = errors or []


class TruncationError(ModelOutputError):
    """The model hit its output limit (``finish_reason == "length"``); not retried."""


class RefusalError(ModelOutputError):
    """The model declined to answer; ``refusal`` holds its stated reason."""

    def __init__(self, message: str, *, refusal: str = "", **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.refusal = refusal


class LocalModelWarning(_Templated, UserWarning):
    """The bundled model is tiny: fine for trying the library offline, poor for analysis."""


class CacheWarning(UserWarning):
    """The cache could not be opened, read or written: the batch goes on without it (once per batch)."""


class OutputWarning(UserWarning):
    """The output file was deleted during the run: it was written again from the run's open copy."""


class BatchFileWarning(UserWarning):
    """Lines of a results file that answer no request of this batch (unreadable, no or a foreign custom_id) were
    skipped: one stray line must not make every paid answer of a batch unreadable."""


# -- a failure as a batch records it ------------------------------------------------------


@dataclass(frozen=True)
class BatchError:
    """Why one input of a batch failed: the exception's type name, its message, and whether trying again may help.

    Not an exception (a batch never raises for one input): the record of one, kept here
    beside the classes it is made from, so what an error is lives in one module.
    ``usage`` (prompt, completion and total tokens), ``attempts`` (model answers) and
    ``requests`` (HTTP requests, retries included) are what the failed call spent.
    """

    type: str
    message: str
    retryable: bool
    attempts: int = 0
    requests: int = 0
    usage: dict[str, int] | None = None
    template: str = field(default="", repr=False, compare=False)  # the message before settings were named

    def describe(self, names: Mapping[str, str] = PYTHON_NAMES) -> str:
        """The message, naming settings as ``names`` does (see :meth:`SummarizerError.describe`)."""
        return render(self.template, names) if self.template else self.message

    @classmethod
    def from_exception(cls, exc: BaseException) -> BatchError:
        if isinstance(exc, ProviderError):
            retryable = exc.retryable
        else:  # another sample may validate, a later run has budget; file and input errors will not change
            retryable = isinstance(exc, (OutputValidationError, BudgetExhaustedError))
        spent = exc if isinstance(exc, CallError) else None
        return cls(
            type(exc).__name__,
            str(exc),
            retryable,
            attempts=spent.attempts if spent else 0,
            requests=spent.requests if spent else 0,
            usage=spent.usage.model_dump() if spent and spent.usage is not None else None,
            template=exc.template if isinstance(exc, SummarizerError) else "",
        )


# -- signals inside the transport (never raised to a caller) ------------------------------


class NotACompletion(Exception):
    """A 200 whose body is not a chat completion with choices: a gateway's error page, a glitch."""

    def __init__(self, response: Any) -> None:
        # Kept whole up to 4 KiB and cut only where it is shown, after redaction: a cut made
        # first can leave a piece of the key that no longer looks like one.
        self.text = response[:4096] if isinstance(response, str) else f"{type(response).__name__} without choices"
        super().__init__(self.text[:80])


class Stalled(Exception):
    """A request that kept receiving bytes, each within the time-out, past its whole deadline."""


class RequestCaptured(Exception):
    """The request a call would send, stopped before sending: what a batch file holds (see ``batch/files.py``)."""

    def __init__(self, request: dict[str, Any]) -> None:
        super().__init__("request captured, not sent")
        self.request = request
