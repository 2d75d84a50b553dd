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
    InputError,
    InputTooLongError,
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
from .evaluation import (
    EvalReport,
    EvaluationError,
    Gold,
    GoldArticle,
    GoldError,
    ListScores,
    Scores,
    aggregate,
    evaluate,
    find_gold,
    load_gold,
    run_eval,
)
from .grounding import (
    GroundingIssue,
    GroundingReport,
    Span,
    grounding_of,
    locate,
    ungrounded,
)
from .inputs import decode_article, html_to_text, read_article
from .local import LocalModelWarning
from .prompts import DEFAULT_PROMPT_VERSION
from .report import render_html, render_markdown
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
    "EvalReport",
    "EvaluationError",
    "Figure",
    "Gold",
    "GoldArticle",
    "GoldError",
    "GroundingIssue",
    "GroundingReport",
    "InputError",
    "InputTooLongError",
    "KeyClaim",
    "ListScores",
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
    "Scores",
    "Span",
    "Summarizer",
    "SummarizerError",
    "TruncationError",
    "Usage",
    "__version__",
    "aggregate",
    "asummarize",
    "asummarize_many",
    "decode_article",
    "evaluate",
    "find_gold",
    "grounding_of",
    "html_to_text",
    "iter_summaries",
    "load_gold",
    "locate",
    "merge_summaries",
    "provenance_of",
    "read_article",
    "render_html",
    "render_markdown",
    "run_eval",
    "split_text",
    "summarize",
    "summarize_many",
    "ungrounded",
]
