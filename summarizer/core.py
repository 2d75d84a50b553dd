"""``summarize``, ``asummarize`` and ``Summarizer``: how an article becomes a typed summary.

The flow for one article: check the text (:func:`~summarizer.inputs.check_text`, once:
the steps after it take the checked text); split it if it is too long for one request (:mod:`summarizer.chunking`); build a
fresh message list from the versioned prompt; send it through one
:class:`~summarizer.transport.structured.StructuredCall` (instructor's parse, with
grounding inside it, over the raw create that retries transient faults and counts
tokens); attach provenance, the grounding report and the text
(:mod:`summarizer.results`); date every item against the article's date
(:mod:`summarizer.grounding.dating`, after a long article's parts are merged). The sync
and async methods are thin twins over the same steps: only the client and the awaiting differ.

``on_progress`` (see :mod:`summarizer.progress`) is set for the call in a context
variable by both twins alike; the transport streams the answer only then, on a client
of its own whose bound on the body read allows for the stream's framing. An article
split into chunks reports no progress: its parts run concurrently.
"""

from __future__ import annotations

import asyncio
import dataclasses
import hashlib
import json
import time
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from datetime import datetime, timezone
from typing import Any, TypeVar, overload

import openai
from pydantic import BaseModel

from ._version import __version__
from .chunking import Chunk, arun_chunks, merge_results, plan_chunks, run_chunks
from .config import Settings, Target
from .dates import DateLike
from .errors import ConfigurationError
from .grounding import GROUNDING_VERSION
from .grounding.cite import citable
from .grounding.dating import check_published, date_result
from .inputs import check_text
from .progress import ProgressCallback, current, reporting
from .prompts import PROMPTS, load_prompt
from .results import attach, provenance_of
from .schema import ArticleSummary, Evidence, Provenance, schema_sha256, schema_version_of
from .transport.http import RetryPolicy
from .transport.limits import HEADERS, answer_limit, async_hooks, sync_hooks
from .transport.local import local_server
from .transport.streaming import stream_limit
from .transport.structured import StructuredCall

__all__ = ["Summarizer", "asummarize", "provenance_of", "summarize"]

T = TypeVar("T", bound=BaseModel)


@contextmanager
def _listening(on_progress: ProgressCallback | None) -> Iterator[None]:
    """``on_progress`` for the call made inside; without one, whatever the caller's context set (the command line's)."""
    with reporting(on_progress) if on_progress is not None else nullcontext():
        yield


class Summarizer:
    """Configuration held for repeated use, and the HTTP connection pools; see :class:`~summarizer.Settings`.

    ``Summarizer("gpt-4.1-mini", max_reasks=2)`` takes a model name and any
    :class:`~summarizer.Settings` field as a keyword; ``Summarizer(settings)`` takes a
    ``Settings`` value. Both are resolved once, here: arguments, then the environment,
    then the backend's defaults (``self.settings`` holds the result).
    """

    def __init__(self, model: str | Settings | None = None, **options: Any) -> None:
        given = Settings.of(model, **options)
        self._target: Target = given.target()  # resolved once: the resolved settings name the same backend
        self.settings = given.resolve(self._target)
        self._fingerprint = self.settings.fingerprint(self._target)
        self._evidence: Evidence = self.settings.evidence or "quote"
        self._prompt = load_prompt(self.settings.prompt_version or PROMPTS[self._evidence])
        self._prompt.check_evidence(self._evidence)
        # The time-out is per read; a whole request may take twice as long before it is cut (async only).
        timeout = self.settings.timeout or 0.0
        self._policy = RetryPolicy(
            max_retries=self.settings.max_retries, max_wait=self.settings.retry_max_wait, deadline=2 * timeout
        )
        # Keyed by "streamed": a streamed answer's client reads a larger body (each token in an event of its own).
        self._sync: dict[bool, openai.OpenAI] = {}
        self._async: dict[bool, openai.AsyncOpenAI] = {}

    def __repr__(self) -> str:
        t = self._target
        return f"Summarizer(model={t.model!r}, backend={t.backend!r}, endpoint={t.endpoint!r}, mode={t.mode.value!r})"

    # -- transport ---------------------------------------------------------

    def _endpoint(self) -> tuple[str | None, str]:
        """Base URL and model name to send; starts the local server on first use."""
        target = self._target
        if target.backend != "local":
            return target.base_url, target.model
        server = local_server(target.model, self.settings.local_context or 0, self.settings.local_slots or 1)
        if (target.base_url, target.api_key) != (server.base_url, server.api_key):
            # A restarted server has a new port and a new key (it answers no one else): rebuild the clients.
            self._target = dataclasses.replace(target, base_url=server.base_url, api_key=server.api_key)
            self._sync, self._async = {}, {}
        return server.base_url, server.alias

    def _offline_endpoint(self) -> tuple[str | None, str]:
        self.check_batchable()
        return self._target.base_url, self._target.model

    def check_batchable(self) -> None:
        """Raise :class:`ConfigurationError` unless these settings name a model a batch runner can serve."""
        if self._target.backend == "local":
            raise ConfigurationError(
                "batch requests are for a provider's Batch API or a server's batch runner (vLLM run_batch), "
                "which serve a named model: give {how:model_arg} (with {how:base_url_arg} for your own server), "
                "not the embedded model"
            )

    def _client_kwargs(self, base_url: str | None) -> dict[str, Any]:
        return {
            "api_key": self._target.api_key,
            "base_url": base_url,
            "max_retries": 0,  # retries are ours (see transport/http.py); never two layers
            "timeout": self.settings.timeout,
        }

    # Redirects are never followed: a 307 would send the article (and the key) to an address the user
    # never configured. The redirect comes back as a ProviderError naming where it pointed.
    # Bodies are read up to a bound derived from max_tokens (transport/limits.py), never whole whatever their size.
    # A streamed answer's body carries each token in an event of its own: its bound is larger (transport/http.py).
    def _body_limit(self, streamed: bool) -> int:
        max_tokens = self.settings.max_tokens or 0
        return stream_limit(max_tokens) if streamed else answer_limit(max_tokens)

    def _sync_client(self, base_url: str | None, streamed: bool = False) -> openai.OpenAI:
        if streamed not in self._sync:
            hooks = sync_hooks(self._body_limit(streamed))
            http = openai.DefaultHttpxClient(follow_redirects=False, headers=HEADERS, event_hooks=hooks)
            self._sync[streamed] = openai.OpenAI(**self._client_kwargs(base_url), http_client=http)
        return self._sync[streamed]

    def _async_client(self, base_url: str | None, streamed: bool = False) -> openai.AsyncOpenAI:
        if streamed not in self._async:
            hooks = async_hooks(self._body_limit(streamed))
            http = openai.DefaultAsyncHttpxClient(follow_redirects=False, headers=HEADERS, event_hooks=hooks)
            self._async[streamed] = openai.AsyncOpenAI(**self._client_kwargs(base_url), http_client=http)
        return self._async[streamed]

    def _prepare(
        self, text: str, response_model: type[BaseModel] | None, opening: bool = True, offline: bool = False
    ) -> tuple[StructuredCall, str | None]:
        """One request's call for ``text`` (already checked), and the base URL to send it to (starting a local
        server on first use).

        ``opening`` is false for a chunk after the first: it does not hold the article's headline.
        ``offline``: for a batch file, nothing is sent and nothing is started; no re-asks.
        """
        base_url, model_name = self._offline_endpoint() if offline else self._endpoint()
        digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
        s = self.settings
        cite = None if self._evidence == "quote" else citable(
            text,
            numbers=self._evidence == "sentence+numbers",
            summary=s.summary or "written",
            read_measures=s.measures == "read",
            opening=opening,
        )
        values = cite.prompt_values() if cite is not None else {}
        request: dict[str, Any] = {"model": model_name, "messages": self._prompt.messages(text, digest, **values)}
        if s.temperature is not None:
            request["temperature"] = s.temperature
        request["max_tokens"] = s.max_tokens
        if s.seed is not None:
            request["seed"] = s.seed
        call = StructuredCall(
            model_cls=response_model or ArticleSummary,
            target=self._target,
            text=text,
            text_sha256=digest,
            policy=s.grounding or "reask",
            max_reasks=0 if offline else s.max_reasks or 0,
            request=request,
            opening=opening,
            evidence=self._evidence,
            cite=cite,
        )
        return call, base_url

    def _finish(self, result: BaseModel, call: StructuredCall, started: float) -> BaseModel:
        stats = call.stats
        provenance = Provenance(
            model=str(call.request["model"]),
            endpoint=self._target.endpoint,
            backend=self._target.backend,
            mode=self._target.mode.value,
            prompt_version=self._prompt.version,
            prompt_sha256=self._prompt.sha256,
            schema_version=schema_version_of(call.model_cls),
            evidence=call.evidence,
            summary_style=call.cite.summary if call.cite is not None else None,
            measure_style=(("read" if call.cite.read_measures else "written")
                           if call.cite is not None and call.evidence == "sentence+numbers" else None),
            input_sha256=call.text_sha256,
            usage=stats.usage,
            attempts=stats.attempts,
            transient_retries=stats.transient_retries,
            latency_s=round(time.perf_counter() - started, 4),
            created_at=datetime.now(timezone.utc),
            library_version=__version__,
        )
        attach(result, provenance=provenance, grounding=call.report, source_text=call.text)
        return result

    def _chunks(self, text: str, response_model: type[BaseModel] | None) -> list[Chunk]:
        """The chunks of ``text`` (already checked); only ``ArticleSummary`` is merged, a user's own model is sent whole."""
        s = self.settings
        whole = response_model not in (None, ArticleSummary)
        return plan_chunks(text, s.chunk_tokens or 0, s.max_chars, whole)

    # -- batch files: the request a live call sends, and its answer parsed the same way ----

    def plan(self, text: str, *, response_model: type[BaseModel] | None = None) -> list[Chunk]:
        """The parts this article is sent in: itself alone when it fits one request, else its chunks."""
        checked = check_text(text)
        return self._chunks(checked, response_model) or [Chunk(0, 0, len(checked), checked)]

    def request(
        self, text: str, *, response_model: type[BaseModel] | None = None, opening: bool = True
    ) -> dict[str, Any]:
        """The body a live call sends first for ``text`` (one part of :meth:`plan`): model, messages,
        the structured-output request and the sampling settings. Nothing is sent."""
        call, _ = self._prepare(check_text(text), response_model, opening, offline=True)
        return call.capture()

    def parse(
        self,
        text: str,
        completion: dict[str, Any],
        *,
        response_model: type[BaseModel] | None = None,
        opening: bool = True,
        published: DateLike | None = None,
    ) -> Any:
        """A recorded chat completion answering :meth:`request` for ``text``, parsed as a live answer is:
        the schema, grounding and the field checks, with no re-ask (an item that fails is
        dropped or flagged as ``grounding`` says), and dated (``published``: as for :meth:`summarize`).
        Raises as :meth:`summarize` does."""
        check_published(published)  # a date that is none fails before the answer is read
        call, _ = self._prepare(check_text(text), response_model, opening, offline=True)
        started = time.perf_counter()
        result = self._finish(call.replay(completion), call, started)
        date_result(result, call.text, published)
        return result

    # -- public API: thin sync and async twins -------------------------------

    @overload
    def summarize(
        self, text: str, *, response_model: None = None, published: DateLike | None = None,
        on_progress: ProgressCallback | None = None,
    ) -> ArticleSummary: ...
    @overload
    def summarize(
        self, text: str, *, response_model: type[T], published: DateLike | None = None,
        on_progress: ProgressCallback | None = None,
    ) -> T: ...

    def summarize(
        self, text: str, *, response_model: type[BaseModel] | None = None, published: DateLike | None = None,
        on_progress: ProgressCallback | None = None,
    ) -> Any:
        """Summarize one article; raises a :class:`~summarizer.SummarizerError` subclass on failure.

        ``published``: the article's date (a ``date``, a ``datetime`` or an ISO string), what
        its date words ("said Wednesday") are read against; without it, a dateline in the
        text, if any (see :mod:`summarizer.grounding.dating`). ``on_progress`` is called with
        a :class:`~summarizer.Progress` as the answer streams in (see :mod:`summarizer.progress`),
        from this thread.
        """
        check_published(published)  # a date that is none fails before any request
        return self._summarize(check_text(text), response_model, published, on_progress)

    def _summarize(
        self, text: str, response_model: type[BaseModel] | None, published: DateLike | None,
        on_progress: ProgressCallback | None,
    ) -> Any:
        """:meth:`summarize` of a text already checked."""
        chunks = self._chunks(text, response_model)
        if not chunks:
            with _listening(on_progress):
                result = self._summarize_one(text, response_model)
        else:
            started = time.perf_counter()
            base_url, _ = self._endpoint()  # start a local server, and the client, once: not from each thread
            self._sync_client(base_url)
            with reporting(None):  # the chunks' parts run concurrently: none reports progress
                parts = run_chunks(chunks, lambda c: self._summarize_one(check_text(c.text), opening=c.index == 0))
            result = merge_results(text, chunks, parts, self.settings.grounding or "reask", started)
        date_result(result, text, published)
        return result

    @overload
    async def asummarize(
        self, text: str, *, response_model: None = None, published: DateLike | None = None,
        on_progress: ProgressCallback | None = None,
    ) -> ArticleSummary: ...
    @overload
    async def asummarize(
        self, text: str, *, response_model: type[T], published: DateLike | None = None,
        on_progress: ProgressCallback | None = None,
    ) -> T: ...

    async def asummarize(
        self, text: str, *, response_model: type[BaseModel] | None = None, published: DateLike | None = None,
        on_progress: ProgressCallback | None = None,
    ) -> Any:
        """Async twin of :meth:`summarize`, on the async openai client (``on_progress`` is called from the loop)."""
        check_published(published)
        return await self._asummarize(check_text(text), response_model, published, on_progress)

    async def _asummarize(
        self, text: str, response_model: type[BaseModel] | None, published: DateLike | None,
        on_progress: ProgressCallback | None,
    ) -> Any:
        """:meth:`asummarize` of a text already checked."""
        chunks = self._chunks(text, response_model)
        if not chunks:
            with _listening(on_progress):
                result = await self._asummarize_one(text, response_model)
        else:
            started = time.perf_counter()
            with reporting(None):  # the chunks' parts run concurrently: none reports progress
                parts = await arun_chunks(
                    chunks, lambda c: self._asummarize_one(check_text(c.text), opening=c.index == 0)
                )
            result = merge_results(text, chunks, parts, self.settings.grounding or "reask", started)
        date_result(result, text, published)
        return result

    def _summarize_one(self, text: str, response_model: type[BaseModel] | None = None, opening: bool = True) -> Any:
        call, base_url = self._prepare(text, response_model, opening)
        started = time.perf_counter()
        result = call.run(self._sync_client(base_url, streamed=current() is not None), self._policy)
        return self._finish(result, call, started)

    async def _asummarize_one(self, text: str, response_model: type[BaseModel] | None = None, opening: bool = True) -> Any:
        if self._target.backend == "local":  # may start the server: keep the event loop free
            call, base_url = await asyncio.to_thread(self._prepare, text, response_model, opening)
        else:
            call, base_url = self._prepare(text, response_model, opening)
        started = time.perf_counter()
        result = await call.arun(self._async_client(base_url, streamed=current() is not None), self._policy)
        return self._finish(result, call, started)

    def cache_key(self, text: str, response_model: type[BaseModel] | None = None) -> str:
        """sha256 naming this article under every setting that can change its answer (see cache.py)."""
        model_cls = response_model or ArticleSummary
        parts = {
            "input_sha256": hashlib.sha256(check_text(text).encode("utf-8")).hexdigest(),
            "settings": self._fingerprint,
            "prompt": [self._prompt.version, self._prompt.sha256],
            "schema": [schema_version_of(model_cls), schema_sha256(model_cls)],
            "response_model": f"{model_cls.__module__}.{model_cls.__qualname__}",
            "grounding": GROUNDING_VERSION,
        }
        return hashlib.sha256(json.dumps(parts, sort_keys=True).encode("utf-8")).hexdigest()

    def close(self) -> None:
        for client in self._sync.values():
            client.close()
        self._sync = {}

    async def aclose(self) -> None:
        for aclient in self._async.values():
            await aclient.close()
        self._async = {}
        self.close()

    def __enter__(self) -> Summarizer:  # noqa: PYI034
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    async def __aenter__(self) -> Summarizer:  # noqa: PYI034
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()


@overload
def summarize(
    text: str, *, response_model: type[T], model: str | None = ..., base_url: str | None = ...,
    published: DateLike | None = ..., on_progress: ProgressCallback | None = ..., **options: Any
) -> T: ...
@overload
def summarize(
    text: str, *, response_model: None = None, model: str | None = ..., base_url: str | None = ...,
    published: DateLike | None = ..., on_progress: ProgressCallback | None = ..., **options: Any
) -> ArticleSummary: ...


def summarize(
    text: str,
    *,
    response_model: type[BaseModel] | None = None,
    model: str | None = None,
    base_url: str | None = None,
    published: DateLike | None = None,
    on_progress: ProgressCallback | None = None,
    **options: Any,
) -> Any:
    """Summarize one article. ``options`` are :class:`~summarizer.Settings` fields; ``published`` and
    ``on_progress``: see :meth:`Summarizer.summarize`."""
    checked = check_text(text)  # fail before any configuration or server start-up
    check_published(published)
    with Summarizer(model, base_url=base_url, **options) as summarizer:
        return summarizer._summarize(checked, response_model, published, on_progress)


@overload
async def asummarize(
    text: str, *, response_model: type[T], model: str | None = ..., base_url: str | None = ...,
    published: DateLike | None = ..., on_progress: ProgressCallback | None = ..., **options: Any
) -> T: ...
@overload
async def asummarize(
    text: str, *, response_model: None = None, model: str | None = ..., base_url: str | None = ...,
    published: DateLike | None = ..., on_progress: ProgressCallback | None = ..., **options: Any
) -> ArticleSummary: ...


async def asummarize(
    text: str,
    *,
    response_model: type[BaseModel] | None = None,
    model: str | None = None,
    base_url: str | None = None,
    published: DateLike | None = None,
    on_progress: ProgressCallback | None = None,
    **options: Any,
) -> Any:
    """Async twin of :func:`summarize`."""
    checked = check_text(text)
    check_published(published)
    async with Summarizer(model, base_url=base_url, **options) as summarizer:
        return await summarizer._asummarize(checked, response_model, published, on_progress)
