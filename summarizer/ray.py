"""Ray Data: summaries over a cluster, one :class:`Summarizer` per actor (the ``[ray]`` extra).

:class:`Summarize` is a callable class for ``Dataset.map_batches``: each actor builds one
``Summarizer`` from the options it is given and summarizes the rows of each batch
concurrently (``concurrency`` requests in flight per actor) through
:func:`~summarizer.summarize_many`, against whatever server the options name::

    ds = ray.data.read_json("articles.jsonl")            # columns: text (and id)
    out = ds.map_batches(Summarize, fn_constructor_kwargs={"model": "gpt-4.1-mini", "concurrency": 8},
                         concurrency=4, batch_size=32)
    out.write_json("summaries/")                          # columns: id, ok, summary (JSON), error (JSON)

Rows keep their order within a batch; across batches they come in the order Ray
gives (``ctx.execution_options.preserve_order = True`` keeps the input order). A row
without an ``id`` column gets the sha256 of its text as its id.

For a model served by Ray itself (``ray.data.llm`` and vLLM), :class:`VLLMSteps` gives
the processor's ``preprocess`` (the request a live call would send, its JSON schema
as vLLM's guided decoding) and ``postprocess`` (the generated text parsed, grounded
and checked as a live answer is). The library then only builds and reads; vLLM does
the generation. See the README, "Past one machine".
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from typing import Any

from .batch import BatchResult, summarize_many
from .batch.records import BatchError, json_text
from .config import Settings
from .core import Summarizer
from .errors import SummarizerError

__all__ = ["Summarize", "VLLMSteps", "row_of"]

_NOWHERE = "http://ray-data-llm.invalid/v1"  # VLLMSteps builds and reads requests; it never sends one


def _plain(value: Any) -> Any:
    """A numpy or arrow scalar as the Python value it holds (ids go into JSON records)."""
    item = getattr(value, "item", None)
    return item() if callable(item) else value


def row_of(result: BatchResult) -> dict[str, Any]:
    """One output row: ``id``, ``ok``, ``summary`` (the summary as JSON) and ``error`` (the error as JSON), or None."""
    record = result.to_record()
    return {
        "id": result.id,
        "ok": result.ok,
        "summary": json_text(record["summary"]) if "summary" in record else None,
        "error": json_text(record["error"]) if "error" in record else None,
    }


class Summarize:
    """``ds.map_batches(Summarize, fn_constructor_kwargs={...})``: see the module.

    ``fn_constructor_kwargs`` are :class:`~summarizer.Settings` fields, plus
    ``concurrency`` (requests in flight per actor, default 8) and ``cache`` (default
    False: a cluster's workers do not share a disk; a path gives each its cache there).
    """

    def __init__(self, *, concurrency: int = 8, cache: bool | str = False, **options: Any) -> None:
        self.summarizer = Summarizer(Settings.of(**options))
        self.concurrency = concurrency
        self.cache = cache

    def __call__(self, batch: Mapping[str, Any]) -> dict[str, list[Any]]:
        texts = [str(_plain(t)) for t in batch["text"]]
        if "id" in batch:
            ids = [_plain(i) for i in batch["id"]]
        else:
            ids = [hashlib.sha256(t.encode("utf-8", "surrogatepass")).hexdigest() for t in texts]
        results = summarize_many(list(zip(ids, texts, strict=True)), summarizer=self.summarizer,
                                 concurrency=self.concurrency, cache=self.cache, progress=False)
        rows = [row_of(r) for r in results]
        return {name: [row[name] for row in rows] for name in ("id", "ok", "summary", "error")}


class VLLMSteps:
    """``preprocess`` and ``postprocess`` for ``ray.data.llm.build_llm_processor`` (vLLM on the cluster).

    ``options`` are :class:`~summarizer.Settings` fields; ``model`` names the model as
    the processor serves it. Requests ask for JSON by schema (vLLM's guided decoding);
    an article is sent whole, in one request, so give the engine a context for it.
    """

    def __init__(self, **options: Any) -> None:
        options.setdefault("base_url", _NOWHERE)
        options["mode"] = "json_schema"
        self.summarizer = Summarizer(Settings.of(**options))

    def preprocess(self, row: Mapping[str, Any]) -> dict[str, Any]:
        """The row's request: messages and sampling parameters, with its text and id carried along."""
        text = str(_plain(row["text"]))
        body = self.summarizer.request(text)
        schema = body["response_format"]["json_schema"]["schema"]
        sampling = {"max_tokens": body["max_tokens"], "guided_decoding": {"json": schema}}
        for name in ("temperature", "seed"):
            if name in body:
                sampling[name] = body[name]
        return {"messages": body["messages"], "sampling_params": sampling, "text": text,
                "id": _plain(row["id"]) if "id" in row else hashlib.sha256(text.encode()).hexdigest()}

    def postprocess(self, row: Mapping[str, Any]) -> dict[str, Any]:
        """The generated text read as a live answer: an output row as :class:`Summarize` gives."""
        text = str(_plain(row["text"]))
        prompt = int(_plain(row.get("num_input_tokens", 0)) or 0)
        generated = int(_plain(row.get("num_generated_tokens", 0)) or 0)
        completion = {
            "id": "ray-data-llm", "object": "chat.completion", "created": 0, "model": self.summarizer.settings.model,
            "choices": [{"index": 0, "finish_reason": "stop",
                         "message": {"role": "assistant", "content": str(_plain(row["generated_text"]))}}],
            "usage": {"prompt_tokens": prompt, "completion_tokens": generated, "total_tokens": prompt + generated},
        }
        digest = hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()
        result = BatchResult(_plain(row["id"]), 0, digest)
        try:
            result.summary = self.summarizer.parse(text, completion)
        except SummarizerError as exc:
            result.error = BatchError.from_exception(exc)
        return row_of(result)
