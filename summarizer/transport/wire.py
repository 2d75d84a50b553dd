"""The wire model: the twin of a response model that instructor is handed, holding only what the model fills.

A response model also carries what the library fills after parsing: each item's
``span``, ``checks`` and ``when``, the summary's ``provenance`` and ``grounding`` report
(fields hidden from the schema with ``SkipJsonSchema``). instructor walks every class a
response model reaches, several times per request (looking for async validators), and
those hidden fields reach a dozen classes the model never fills: most of the library's
cost per call, more than the request itself against a fast server.

:func:`wire_model` derives, once per class, a twin with the same name, docstring,
configuration, fields (descriptions, constraints and field validators included) and
model validators, minus the hidden fields, its nested models twinned the same way: the
JSON schema it gives is the caller's class's, byte for byte (checked when the twin is
built; a class whose schema a twin would change is sent as it is). instructor parses
and validates the answer into the twin, re-asks included; :func:`full` then builds the
caller's class from it, the hidden fields at their defaults, for the library to fill.

A model validator of the caller's class (``mode="after"``) runs on an instance of its
own class built from the twin's values, as it ran before: the hidden fields at their
defaults, its methods and properties there. The cited evidence modes derive such a
lean twin of their own (:func:`~summarizer.grounding.cite.cited_model`), which is
already what goes on the wire: :func:`wire_model` leaves it as it is.
"""

from __future__ import annotations

import functools
import inspect
import types
import typing
from collections.abc import Callable
from typing import Any

from pydantic import BaseModel, ValidationInfo, create_model, field_validator, model_validator
from pydantic_core import PydanticUndefined

from ..schema import library_fills

__all__ = ["full", "wire_model"]

_ORIGINAL: dict[type[BaseModel], type[BaseModel]] = {}  # twin -> the caller's class it stands for


def _wire_annotation(annotation: Any) -> Any:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return _twin(annotation)
    origin, args = typing.get_origin(annotation), typing.get_args(annotation)
    if not args:
        return annotation
    wired = tuple(_wire_annotation(a) for a in args)
    if wired == args:
        return annotation
    if origin is list and len(args) == 1:
        return list[wired[0]]  # type: ignore[valid-type]
    if origin in (typing.Union, types.UnionType):
        return functools.reduce(lambda a, b: a | b, wired)
    return annotation  # another container (dict, tuple, Annotated): sent as it is


def _raw(cls: type[BaseModel], name: str) -> Any:
    """A validator as its class declared it (a function or a classmethod), found along the class's bases."""
    for klass in cls.__mro__:
        if name in vars(klass):
            return vars(klass)[name]
    raise LookupError(name)  # pragma: no cover - pydantic found it there


def _on_original(cls: type[BaseModel], check: Callable[..., Any]) -> Callable[..., BaseModel]:
    """An ``after`` model validator of ``cls``, run on an instance of ``cls`` built from the twin's values."""

    def run(wire: BaseModel, info: ValidationInfo) -> BaseModel:
        own = _constructed(cls, dict(wire.__dict__), set(wire.model_fields_set))
        result = check(own, info) if takes_info else check(own)
        changed = result if isinstance(result, BaseModel) else own
        for name in type(wire).model_fields:  # a validator that normalized a value: the twin carries it
            if name in changed.__dict__ and changed.__dict__[name] is not wire.__dict__[name]:
                wire.__dict__[name] = changed.__dict__[name]
        return wire

    takes_info = len(inspect.signature(check).parameters) > 1
    return run


def _validators(cls: type[BaseModel]) -> dict[str, Any] | None:
    """``cls``'s validators for its twin, or None when it has some a twin cannot carry faithfully."""
    decorators = cls.__pydantic_decorators__
    if decorators.validators or decorators.root_validators:  # pydantic 1 style: left to the class itself
        return None
    out: dict[str, Any] = {}
    for name, declared in decorators.field_validators.items():
        info = declared.info
        extra = {} if info.mode == "after" or info.json_schema_input_type is PydanticUndefined else {
            "json_schema_input_type": info.json_schema_input_type
        }
        out[name] = field_validator(*info.fields, mode=info.mode, check_fields=False, **extra)(_raw(cls, name))
    for name, model_wide in decorators.model_validators.items():
        raw = _raw(cls, name)
        mode: Any = model_wide.info.mode
        declare: Any = model_validator(mode=mode)
        out[name] = declare(_on_original(cls, raw) if mode == "after" else raw)
    return out


_BUILDING: set[type[BaseModel]] = set()  # a model that contains itself is sent as it is


@functools.lru_cache(maxsize=128)
def _twin(cls: type[BaseModel]) -> type[BaseModel]:
    if cls in _BUILDING:
        return cls
    _BUILDING.add(cls)
    try:
        return _twin_of(cls)
    finally:
        _BUILDING.discard(cls)


def _twin_of(cls: type[BaseModel]) -> type[BaseModel]:
    fields: dict[str, Any] = {}
    changed = False
    for name, info in cls.model_fields.items():
        if library_fills(info):
            if info.is_required():  # only what the model sends could fill it: the class is sent as it is
                return cls
            changed = True
            continue
        annotation = _wire_annotation(info.annotation)
        changed = changed or annotation is not info.annotation
        fields[name] = (annotation, info)
    validators = _validators(cls) if changed else None
    if validators is None:
        return cls
    twin: type[BaseModel] = create_model(
        cls.__name__,
        __doc__=cls.__doc__,
        __module__=cls.__module__,
        __config__=cls.model_config,
        __validators__=validators,
        **fields,
    )
    _ORIGINAL[twin] = cls
    return twin


@functools.lru_cache(maxsize=64)
def wire_model(model_cls: type[BaseModel]) -> type[BaseModel]:
    """The class instructor is handed for ``model_cls`` (built once): its lean twin, or itself.

    Itself when it has no hidden field at any depth, or when a twin would not give the
    same JSON schema (a class that shapes its own schema).
    """
    twin = _twin(model_cls)
    if twin is not model_cls and twin.model_json_schema() != model_cls.model_json_schema():
        return model_cls
    return twin


def _built(value: Any) -> Any:
    if isinstance(value, BaseModel):
        original = _ORIGINAL.get(type(value))
        return value if original is None else full(value, original)
    if isinstance(value, list):
        return [_built(v) for v in value]
    if isinstance(value, tuple):
        return tuple(_built(v) for v in value)
    if isinstance(value, dict):
        return {k: _built(v) for k, v in value.items()}
    return value


@functools.lru_cache(maxsize=128)
def _defaults(model_cls: type[BaseModel]) -> tuple[tuple[str, Callable[[], Any]], ...]:
    """How each hidden field's default is made, worked out once per class: ``model_construct`` asks every
    time whether a default factory takes the validated data, by reading its signature."""
    out: list[tuple[str, Callable[[], Any]]] = []
    for name, info in model_cls.model_fields.items():
        if not library_fills(info):
            continue
        if info.default_factory is None:
            out.append((name, functools.partial(info.get_default, call_default_factory=False)))
        elif not info.default_factory_takes_validated_data:  # one that does is left to model_construct
            out.append((name, typing.cast("Callable[[], Any]", info.default_factory)))
    return tuple(out)


def full(answer: BaseModel, model_cls: type[BaseModel]) -> BaseModel:
    """``answer`` (parsed into the wire model, or a subclass of it) as ``model_cls``, with every nested twin
    its own class again; the hidden fields at their defaults. Already validated: nothing is validated again."""
    if type(answer) is model_cls:
        return answer
    fields = model_cls.model_fields
    values = {name: _built(value) for name, value in answer.__dict__.items() if name in fields}
    return _constructed(model_cls, values, set(answer.model_fields_set) & set(values))


def _constructed(model_cls: type[BaseModel], values: dict[str, Any], given: set[str]) -> BaseModel:
    """``model_cls`` built from ``values`` (``given``: those the answer gave), the hidden fields at their defaults."""
    for name, default in _defaults(model_cls):
        if name not in values:
            values[name] = default()
    return model_cls.model_construct(_fields_set=given, **values)
