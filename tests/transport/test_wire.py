"""The wire model instructor is handed: the same schema, the same validation, fewer classes; the caller's class after."""

from __future__ import annotations

import json
import typing
from typing import Any

import instructor
import openai
import pytest
from pydantic import BaseModel, Field, ValidationError, field_validator, model_validator
from pydantic.json_schema import SkipJsonSchema

from summarizer import ArticleSummary, Figure, KeyClaim
from summarizer.grounding.cite import cited_model
from summarizer.transport.wire import full, wire_model

from ..doubles.responses import SEED_SUMMARY


def _classes(model: Any, seen: set[type[BaseModel]] | None = None) -> set[type[BaseModel]]:
    """Every model class ``model`` reaches through its fields: what instructor walks on each request."""
    seen = set() if seen is None else seen
    if isinstance(model, type) and issubclass(model, BaseModel) and model not in seen:
        seen.add(model)
        for info in model.model_fields.values():
            _classes(info.annotation, seen)
    for arg in typing.get_args(model):
        _classes(arg, seen)
    return seen


class Note(BaseModel):
    text: str = Field(description="What is noted.")
    pages: list[int] = Field(default_factory=list)
    seen: SkipJsonSchema[list[str]] = Field(default_factory=list)

    @field_validator("text")
    @classmethod
    def _trimmed(cls, value: str) -> str:
        return value.strip()


class Notes(BaseModel):
    """A user's own model with a hidden field, a field validator and model validators."""

    title: str
    notes: list[Note] = Field(max_length=3)
    audit: SkipJsonSchema[str | None] = None

    @model_validator(mode="after")
    def _titled(self) -> Notes:
        if self.audit is None and self.title == "untitled":  # reads a hidden field, as ArticleSummary's does
            raise ValueError("a title is needed")
        return self

    @model_validator(mode="before")
    @classmethod
    def _renamed(cls, data: Any) -> Any:
        if isinstance(data, dict) and "heading" in data:
            data = {**data, "title": data.pop("heading")}
        return data


@pytest.mark.parametrize("model", [ArticleSummary, Notes])
def test_the_schema_sent_is_the_callers_byte_for_byte(model):
    wire = wire_model(model)
    assert wire is not model and wire.__name__ == model.__name__ and wire.__doc__ == model.__doc__
    assert json.dumps(wire.model_json_schema()) == json.dumps(model.model_json_schema())
    assert json.dumps(instructor.openai_schema(wire).openai_schema) == json.dumps(
        instructor.openai_schema(model).openai_schema
    )
    name = model.__name__
    strict = openai.pydantic_function_tool(wire, name=name), openai.pydantic_function_tool(model, name=name)
    assert json.dumps(strict[0]) == json.dumps(strict[1])


def test_instructor_walks_only_the_classes_the_model_fills():
    assert len(_classes(ArticleSummary)) > 10  # spans, checks, dates, the report, provenance...
    assert {c.__name__ for c in _classes(wire_model(ArticleSummary))} == {
        "ArticleSummary", "KeyClaim", "Figure", "Actor", "PeaceTalkCondition"
    }


def test_built_once_per_class_and_left_alone_when_there_is_nothing_to_leave_out():
    assert wire_model(ArticleSummary) is wire_model(ArticleSummary)
    cited = cited_model(ArticleSummary, "sentence")
    assert wire_model(cited) is cited  # a cited twin is already lean

    class Plain(BaseModel):
        name: str

    assert wire_model(Plain) is Plain


def test_a_class_that_shapes_its_own_schema_is_sent_as_it_is():
    class Shaped(BaseModel):
        name: str
        hidden: SkipJsonSchema[int] = 0

        @classmethod
        def model_json_schema(cls, *args: Any, **kwargs: Any) -> dict[str, Any]:
            return {**super().model_json_schema(*args, **kwargs), "x-shaped": True}

    assert wire_model(Shaped) is Shaped


def _errors(model: type[BaseModel], data: dict[str, Any]) -> str:
    with pytest.raises(ValidationError) as caught:
        model.model_validate_json(json.dumps(data))
    return str(caught.value)


def test_an_answer_fails_the_wire_model_exactly_as_it_fails_the_callers_class():
    figure = SEED_SUMMARY["figures"][0]
    bad_items = {**SEED_SUMMARY, "figures": [{**figure, "value": None, "low": 5, "high": 1}, {**figure, "quote": " "}]}
    bad_root = {**SEED_SUMMARY, "summary": "  "}  # ArticleSummary's own validator, which reads a hidden field
    for data in (bad_items, bad_root):
        assert _errors(wire_model(ArticleSummary), data) == _errors(ArticleSummary, data)
    untitled = {"title": "untitled", "notes": []}
    assert _errors(wire_model(Notes), untitled) == _errors(Notes, untitled)


def test_the_callers_class_is_built_after_with_the_hidden_fields_at_their_defaults():
    answer = wire_model(ArticleSummary).model_validate_json(json.dumps(SEED_SUMMARY))
    built = full(answer, ArticleSummary)
    assert type(built) is ArticleSummary and built == ArticleSummary.model_validate(SEED_SUMMARY)
    assert all(type(c) is KeyClaim for c in built.key_claims) and all(type(f) is Figure for f in built.figures)
    assert built.provenance is None and built.grounding is None and built.figures[0].span is None
    assert built.figures[0].checks == [] and built.figures[0].checks is not built.key_claims[0].checks
    assert built.model_fields_set == set(SEED_SUMMARY)

    notes = full(wire_model(Notes).model_validate({"heading": "N", "notes": [{"text": " a "}]}), Notes)
    assert type(notes) is Notes and type(notes.notes[0]) is Note
    assert notes.title == "N" and notes.notes[0].text == "a" and notes.notes[0].seen == [] and notes.audit is None
