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
without an ``id`` (no column, or None or NaN in it) gets the sha256 of its text as its
id. A row's text is a string, or bytes decoded as files are (one bytes row turns a
Ray column binary, so every row may arrive as bytes); a row whose text is missing
(None, NaN), empty, undecodable or of another type is never sent: it comes out with
``ok`` False and its error (``EmptyInputError``, ``InputError``), and the batch goes on.
An optional ``published`` column gives each article's date (a date, a datetime or an ISO
string; missing: the dateline, if any), what its items are dated against; one that is no
date is that row's ``InputError``.

For a model served by Ray itself (``ray.data.llm`` and vLLM), :class:`VLLMSteps` gives
the processor's ``preprocess`` (the request a live call would send, its JSON schema
as vLLM's guided decoding) and ``postprocess`` (the generated text parsed, grounded
and checked as a live answer is). The library then only builds and reads; vLLM does
the generation. See the README, "Past one machine".
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Mapping
from typing import Any

from .batch import BatchResult, summarize_many
from .batch.records import ItemId, json_text
from .config import Settings
from .core import Summarizer
from .errors import BatchError, ConfigurationError, EmptyInputError, InputError, SummarizerError
from .grounding.dating import check_published
from .inputs import decode_article

__all__ = ["Summarize", "VLLMSteps", "row_of"]

_NOWHERE = "http://ray-data-llm.invalid/v1"  # VLLMSteps builds and reads requests; it never sends one
_ROW_ERROR = "summarizer_error"
"""The column :meth:`VLLMSteps.preprocess` leaves its row's error in (JSON; "" for a row it sent) for postprocess."""


def _plain(value: Any) -> Any:
    """A numpy or arrow scalar as the Python value it holds (ids go into JSON records)."""
    as_py = getattr(value, "as_py", None)  # pyarrow
    if callable(as_py):
        return as_py()
    item = getattr(value, "item", None)  # a numpy scalar (an array stays an array: it is no text and no id)
    return item() if callable(item) and getattr(value, "ndim", None) == 0 else value


def _missing(value: Any) -> bool:
    """None, NaN, or pandas' NA and NaT: how a dataset says a value is not there."""
    if value is None:
        return True
    if isinstance(value, float):
        return math.isnan(value)
    return type(value).__name__ in ("NAType", "NaTType")


def _digest(data: str | bytes) -> str:
    """The id of a row without one: the sha256 of its text (lone surrogates kept, so every string has one)."""
    return hashlib.sha256(data if isinstance(data, bytes) else data.encode("utf-8", "surrogatepass")).hexdigest()


def _row_name(raw_id: Any, index: int | None = None) -> str:
    """How a message names a row: by its id, else by its place in the batch."""
    raw_id = _plain(raw_id)
    if not _missing(raw_id):
        return f"row {raw_id!r}"
    return "a row without an id" if index is None else f"row {index} of the batch"


def _text_of(value: Any, name: str) -> str:
    """A row's text as the library reads articles: a string as it is, bytes decoded as files are (no HTML
    reduction: a row and its bytes give the same text). Anything else is that row's :class:`InputError`."""
    value = _plain(value)
    if isinstance(value, str):
        return value
    if isinstance(value, (bytes, bytearray, memoryview)):
        return decode_article(bytes(value), name=name, html=False)
    if _missing(value):
        raise EmptyInputError(f"{name}: the text is missing ({value!r}); nothing was sent")
    raise InputError(f"{name}: the text must be a string or bytes, not {type(value).__name__}; nothing was sent")


def _id_of(value: Any, text: str | bytes) -> ItemId:
    """A row's id: its own (a whole float, as pandas stores ints beside a gap, read back as an int), or the
    sha256 of its text when it has none (None, NaN) -- never the string "None"."""
    value = _plain(value)
    if _missing(value):
        return _digest(text)
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, (bytes, bytearray)):
        return bytes(value).decode("utf-8", "surrogateescape")
    return value if isinstance(value, (str, int)) and not isinstance(value, bool) else str(value)


def _raw(value: Any) -> bytes:
    """What a row that has no text is hashed by: its bytes, or nothing."""
    value = _plain(value)
    if isinstance(value, str):
        return value.encode("utf-8", "surrogatepass")
    return bytes(value) if isinstance(value, (bytes, bytearray, memoryview)) else b""


def _date_of(value: Any) -> Any:
    """A row's ``published`` as the library reads it: None for a missing one (None, NaN, NaT, "")."""
    value = _plain(value)
    if value is None or value == "" or (isinstance(value, float) and math.isnan(value)) or str(value) == "NaT":
        return None
    return value


def _column(batch: Any, name: str) -> list[Any] | None:
    """One column of a batch as a list: a dict of arrays or lists, a pandas DataFrame or a pyarrow Table."""
    names = getattr(batch, "column_names", None)
    if names is None:
        names = list(batch.keys())
    return list(batch[name]) if name in names else None


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
        texts = _column(batch, "text")
        if texts is None:
            raise ConfigurationError(
                "Summarize needs a column named text (and, optionally, id and published) in the dataset"
            )
        ids = _column(batch, "id") or [None] * len(texts)
        dates = _column(batch, "published") or [None] * len(texts)
        items: list[tuple[ItemId, str, Any]] = []
        refused: dict[int, BatchResult] = {}  # rows never sent, by their place in the batch
        for index, (raw_text, raw_id, raw_date) in enumerate(zip(texts, ids, dates, strict=True)):
            try:
                text = _text_of(raw_text, _row_name(raw_id, index))
            except InputError as exc:
                refused[index] = BatchResult(_id_of(raw_id, _raw(raw_text)), index, None,
                                             error=BatchError.from_exception(exc))
                continue
            items.append((_id_of(raw_id, text), text, _date_of(raw_date)))  # a date that is none: that row's error
        sent = iter(summarize_many(items, summarizer=self.summarizer, concurrency=self.concurrency,
                                   cache=self.cache, progress=False) if items else [])
        rows = [row_of(refused[i] if i in refused else next(sent)) for i in range(len(texts))]
        return {name: [row[name] for row in rows] for name in ("id", "ok", "summary", "error")}


class VLLMSteps:
    """``preprocess`` and ``postprocess`` for ``ray.data.llm.build_processor`` (vLLM on the cluster; named
    ``build_llm_processor`` before Ray 2.60).

    ``options`` are :class:`~summarizer.Settings` fields; ``model`` names the model as
    the processor serves it. Requests ask for JSON by schema (vLLM's guided decoding);
    an article is sent whole, in one request, so give the engine a context for it.
    """

    def __init__(self, **options: Any) -> None:
        options.setdefault("base_url", _NOWHERE)
        options["mode"] = "json_schema"
        self.summarizer = Summarizer(Settings.of(**options))
        self._stand_in: dict[str, Any] | None = None

    def _request(self, text: str) -> dict[str, Any]:
        body = self.summarizer.request(text)
        schema = body["response_format"]["json_schema"]["schema"]
        sampling = {"max_tokens": body["max_tokens"], "guided_decoding": {"json": schema}}
        for name in ("temperature", "seed"):
            if name in body:
                sampling[name] = body[name]
        return {"messages": body["messages"], "sampling_params": sampling}

    def _smallest(self) -> dict[str, Any]:
        """What a row that is not sent asks the engine for: one token, to two one-character messages. The
        engine stage takes a request from every row; this one is shaped as the others, so Ray's blocks agree."""
        if self._stand_in is None:
            shape = self._request("-")
            self._stand_in = {
                "messages": [{**m, "content": "-"} for m in shape["messages"]],
                "sampling_params": {**shape["sampling_params"], "max_tokens": 1},
            }
        return self._stand_in

    def preprocess(self, row: Mapping[str, Any]) -> dict[str, Any]:
        """The row's request: messages and sampling parameters, with its text and id carried along.

        Never raises for a bad row (text missing, empty, undecodable, too long): the row
        carries its error to :meth:`postprocess` and asks the engine for one token only.
        """
        raw_text, raw_id = row.get("text"), row.get("id")
        text = ""
        try:
            text = _text_of(raw_text, _row_name(raw_id))
            published = check_published(_date_of(row.get("published")))
            request = self._request(text)
        except SummarizerError as exc:
            failed = BatchResult(_id_of(raw_id, text or _raw(raw_text)), 0, None, error=BatchError.from_exception(exc))
            return {**self._smallest(), "text": text, "id": failed.id, "published": "",
                    _ROW_ERROR: row_of(failed)["error"]}
        day = published.isoformat() if published is not None else ""
        return {**request, "text": text, "id": _id_of(raw_id, text), "published": day, _ROW_ERROR: ""}

    def postprocess(self, row: Mapping[str, Any]) -> dict[str, Any]:
        """The generated text read as a live answer: an output row as :class:`Summarize` gives (a row
        :meth:`preprocess` did not send gives its error, whatever the engine generated)."""
        refused = _plain(row.get(_ROW_ERROR))
        if isinstance(refused, str) and refused:
            return {"id": _plain(row.get("id")), "ok": False, "summary": None, "error": refused}
        text = _plain(row.get("text"))
        text = text if isinstance(text, str) else ""
        prompt, generated = _count(row.get("num_input_tokens")), _count(row.get("num_generated_tokens"))
        content = _plain(row.get("generated_text"))
        completion = {
            "id": "ray-data-llm", "object": "chat.completion", "created": 0, "model": self.summarizer.settings.model,
            "choices": [{"index": 0, "finish_reason": "stop",
                         "message": {"role": "assistant", "content": content if isinstance(content, str) else ""}}],
            "usage": {"prompt_tokens": prompt, "completion_tokens": generated, "total_tokens": prompt + generated},
        }
        result = BatchResult(_id_of(row.get("id"), text), 0, _digest(text))
        try:
            result.summary = self.summarizer.parse(text, completion, published=_date_of(row.get("published")))
        except SummarizerError as exc:
            result.error = BatchError.from_exception(exc)
        return row_of(result)


def _count(value: Any) -> int:
    """A token count from the engine's row (0 when it is missing or not a number)."""
    value = _plain(value)
    try:
        return max(0, int(value))
    except (TypeError, ValueError, OverflowError):
        return 0
