"""Assertions shared by the tests that replay or run a real model."""

from __future__ import annotations

from summarizer import ArticleSummary
from summarizer.grounding import grounding_of, locate


def check_grounded(result: ArticleSummary, text: str, policy: str = "drop") -> None:
    """Whatever the model said, only items whose quotes are in the article are left."""
    report = grounding_of(result)
    assert report is not None and report.policy == policy and report.ungrounded == 0
    kept = [*result.key_claims, *result.figures, *result.actors, *result.peace_talk_conditions]
    assert report.grounded == len(kept) and report.dropped == len(report.issues)
    for item in kept:
        assert item.span is not None and item.grounded
        found = text[item.span.start : item.span.end]
        if item.span.match == "exact":
            assert found in item.quote
        else:
            assert locate(found, item.quote) is not None
