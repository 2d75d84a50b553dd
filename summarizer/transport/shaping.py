"""The JSON schema sent with a request: instructor's wrapper class built once, then shaped per backend.

instructor builds the structured-output request from the response model (a forced
tool's ``parameters``, or ``response_format``'s schema). Before it is sent, the raw create
(:mod:`summarizer.transport.http`) hands it to :func:`shape_tools`, which adjusts a copy
for the backend: OpenAI's strict tool (every property required, no extra ones), or a
cap on every list for a small model that loops inside a list until ``max_tokens``. The
class given is the one the schema was built from (the wire model,
:mod:`summarizer.transport.wire`), whose schema is the caller's class's.
"""

from __future__ import annotations

import copy
import functools
from typing import Any

import instructor
import openai
from pydantic import BaseModel

from ..config import Target

__all__ = ["response_schema", "shape_tools"]


@functools.lru_cache(maxsize=64)
def response_schema(model: type[Any]) -> type[Any]:
    """instructor's wrapper class for ``model``, built once.

    Given a plain model, instructor builds a new wrapper class on every call, and with
    it a new JSON schema (its schema cache is keyed by class, so it never hits): about
    6 ms a call, more than the raw request itself. Given its own wrapper, it skips both.
    Results are instances of the wrapper, a subclass of ``model``, as before.
    """
    return instructor.openai_schema(model)


def _cap_lists(schema: Any, cap: int) -> Any:
    if isinstance(schema, dict):
        capped = {key: _cap_lists(value, cap) for key, value in schema.items()}
        if capped.get("type") == "array":
            capped["maxItems"] = min(cap, capped.get("maxItems", cap))
        return capped
    if isinstance(schema, list):
        return [_cap_lists(value, cap) for value in schema]
    return schema


@functools.lru_cache(maxsize=64)
def _strict_tool(response_model: type[BaseModel], name: str) -> Any:
    """openai's strict tool for a model, built once (about 2 ms each time; callers copy it)."""
    return openai.pydantic_function_tool(response_model, name=name)


def shape_tools(kwargs: dict[str, Any], target: Target, response_model: type[BaseModel]) -> dict[str, Any]:
    """Adjust the function schema (or the ``response_format`` schema) instructor built, per backend (on a copy)."""
    tools = kwargs.get("tools")
    response_format = kwargs.get("response_format")
    if not tools and isinstance(response_format, dict) and target.max_items is not None:
        # A small model loops inside a list until max_tokens unless the grammar caps it.
        return {**kwargs, "response_format": _cap_lists(response_format, target.max_items)}
    if not tools:
        return kwargs
    if target.strict_tools:
        # instructor sends a plain function schema; OpenAI's strict mode needs every
        # property required and no extra properties, which openai's helper produces.
        strict = copy.deepcopy(_strict_tool(response_model, tools[0]["function"]["name"]))
        return {**kwargs, "tools": [strict], "parallel_tool_calls": False}
    if target.max_items is not None:
        return {**kwargs, "tools": _cap_lists(tools, target.max_items)}
    return kwargs
