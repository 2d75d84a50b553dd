"""Structured, verifiable summaries of news articles.

    >>> from summarizer import summarize
    >>> summary = summarize(article_text)          # doctest: +SKIP
    >>> summary.figures[0].text, summary.provenance.usage.total_tokens  # doctest: +SKIP
"""

from ._version import __version__
from .batch import (
    BatchError,
    BatchResult,
    OutputLockedError,
    asummarize_many,
    iter_summaries,
    summarize_many,
)
from .cache import Cache
from .chunking import Chunk, merge_summaries, split_text
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
    "BatchError",
    "BatchResult",
    "Cache",
    "Chunk",
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
    "OutputLockedError",
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
    "asummarize_many",
    "grounding_of",
    "iter_summaries",
    "locate",
    "merge_summaries",
    "provenance_of",
    "split_text",
    "summarize",
    "summarize_many",
    "ungrounded",
]
