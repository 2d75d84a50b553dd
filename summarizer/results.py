"""What the library attaches to a result, and how it is read back: one protocol for core, cache and batch.

A result carries three things the model never fills: its :class:`Provenance`, its
:class:`GroundingReport` and the article text its spans index. Where the result's
class declares a field of that type (``ArticleSummary.provenance``, ``.grounding``),
the value goes there; otherwise (a user's own model) it is set beside the fields,
where :func:`provenance_of` and :func:`grounding_of` find it and where neither the
schema nor ``model_dump()`` sees it. The source text is always kept beside.
"""

from __future__ import annotations

from typing import TypeVar, get_args

from pydantic import BaseModel, ValidationError

from .schema import GroundingReport, Provenance

__all__ = ["attach", "declares", "grounding_of", "provenance_of", "source_text_of"]

T = TypeVar("T")

_BESIDE = {
    "provenance": "_summarizer_provenance",
    "grounding": "_summarizer_grounding",
    "source_text": "_summarizer_source_text",
}


def declares(model_cls: type[BaseModel], name: str, kind: type) -> bool:
    """Whether ``model_cls`` has a field ``name`` that holds a ``kind`` (alone or in a union)."""
    declared = model_cls.model_fields.get(name)
    return declared is not None and kind in (declared.annotation, *get_args(declared.annotation))


def _put(result: BaseModel, name: str, value: object) -> None:
    if value is not None and name != "source_text" and declares(type(result), name, type(value)):
        try:
            setattr(result, name, value)
        except ValidationError:  # a frozen model: the value is the library's, set it anyway
            object.__setattr__(result, name, value)
    else:
        object.__setattr__(result, _BESIDE[name], value)


def attach(
    result: BaseModel,
    *,
    provenance: Provenance | None = None,
    grounding: GroundingReport | None = None,
    source_text: str | None = None,
) -> None:
    """Attach what is given (None leaves that part as it is)."""
    for name, value in (("provenance", provenance), ("grounding", grounding), ("source_text", source_text)):
        if value is not None:
            _put(result, name, value)


def _read(result: BaseModel, name: str, kind: type[T]) -> T | None:
    """The field ``name`` if it holds a ``kind``, else what was set beside the fields, else None."""
    for value in (getattr(result, name, None), getattr(result, _BESIDE[name], None)):
        if isinstance(value, kind):
            return value
    return None


def provenance_of(result: BaseModel) -> Provenance | None:
    """Provenance of any result, including a user's own response model without that field."""
    return _read(result, "provenance", Provenance)


def grounding_of(result: BaseModel) -> GroundingReport | None:
    """The grounding report of a result, including a user's own model without a ``grounding`` field."""
    return _read(result, "grounding", GroundingReport)


def source_text_of(result: BaseModel) -> str | None:
    """The article text the library kept with a result it returned; None for one read back from JSON."""
    value = getattr(result, _BESIDE["source_text"], None)
    return value if isinstance(value, str) else None
