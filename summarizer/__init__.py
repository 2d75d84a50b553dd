"""Structured, verifiable summaries of news articles.

    >>> from summarizer import summarize
    >>> summary = summarize(article_text)          # doctest: +SKIP
    >>> summary.figures[0].text, summary.provenance.usage.total_tokens  # doctest: +SKIP
"""

from ._version import __version__
from .client import DEFAULT_OPENAI_MODEL
from .core import Summarizer, asummarize, provenance_of, summarize
from .errors import (
    AuthenticationError,
    BadRequestError,
    ConfigurationError,
    ContextLengthError,
    EmptyInputError,
    ModelNotFoundError,
    ModelOutputError,
    OutputValidationError,
    ProviderError,
    ProviderUnavailableError,
    RateLimitError,
    RefusalError,
    SummarizerError,
    TruncationError,
)
from .grounding import (
    GroundingIssue,
    GroundingReport,
    Span,
    grounding_of,
    locate,
    ungrounded,
)
from .local import LocalModelWarning
from .prompts import DEFAULT_PROMPT_VERSION
from .schema import (
    SCHEMA_VERSION,
    Actor,
    ActorKind,
    ArticleSummary,
    Figure,
    KeyClaim,
    PeaceTalkCondition,
    Provenance,
    Qualifier,
    Usage,
)

__all__ = [
    "DEFAULT_OPENAI_MODEL",
    "DEFAULT_PROMPT_VERSION",
    "SCHEMA_VERSION",
    "Actor",
    "ActorKind",
    "ArticleSummary",
    "AuthenticationError",
    "BadRequestError",
    "ConfigurationError",
    "ContextLengthError",
    "EmptyInputError",
    "Figure",
    "GroundingIssue",
    "GroundingReport",
    "KeyClaim",
    "LocalModelWarning",
    "ModelNotFoundError",
    "ModelOutputError",
    "OutputValidationError",
    "PeaceTalkCondition",
    "Provenance",
    "ProviderError",
    "ProviderUnavailableError",
    "Qualifier",
    "RateLimitError",
    "RefusalError",
    "Span",
    "Summarizer",
    "SummarizerError",
    "TruncationError",
    "Usage",
    "__version__",
    "asummarize",
    "grounding_of",
    "locate",
    "provenance_of",
    "summarize",
    "ungrounded",
]
