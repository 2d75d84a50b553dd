"""HAND-WRITTEN model responses for re-ask, retry and error tests.

Nothing here was produced by a model. These bodies imitate the OpenAI chat
completions format so that the library's own guarantees (parsing, re-asks, retries,
usage accounting, error translation) can be tested on loopback without a model.
Recorded, real model answers live only in the ``cassettes/`` folders beside their tests.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

# A hand-written, correct summary of the seed article (quotes copied from it).
SEED_SUMMARY: dict[str, Any] = {
    "headline": "100,000 Russian troops killed or injured in Ukraine, US says",
    "summary": (
        "Gen. Mark Milley said well over 100,000 Russian soldiers and as many as 40,000 "
        "Ukrainian civilians have been killed or wounded. He said Russia's retreat from "
        "Kherson and a winter stalemate could open a window for negotiation. Ukrainian "
        "President Volodymyr Zelensky set conditions for peace talks."
    ),
    "key_claims": [
        {
            "quote": "“Same thing probably on the Ukrainian side,” Milley added.",
            "statement": "Ukrainian military losses are probably similar to Russia's.",
            "speaker": "Mark Milley",
            "hedged": True,
        }
    ],
    "figures": [
        {
            "quote": "Russia had amassed 20,000 to 30,000 troops in Kherson",
            "text": "20,000 to 30,000",
            "value": None,
            "low": 20000,
            "high": 30000,
            "qualifier": "range",
            "unit": "troops",
            "measure": "Russian troops amassed in Kherson",
            "reported_by": "Mark Milley",
        }
    ],
    "actors": [
        {
            "quote": "Army Gen. Mark Milley, chairman of the Joint Chiefs of Staff",
            "name": "Mark Milley",
            "kind": "person",
            "role": "chairman of the Joint Chiefs of Staff",
            "affiliation": "United States",
        }
    ],
    "peace_talk_conditions": [
        {
            "quote": "only on the condition that Russia return all of Ukraine’s occupied lands",
            "set_by": "Volodymyr Zelensky",
            "condition": "Russia returns all occupied Ukrainian lands",
            "to_be_met_by": "Russia",
        }
    ],
}


def with_markup_claims(summary: dict[str, Any], statement: str, speaker: str) -> dict[str, Any]:
    """HAND-WRITTEN: two claims quoting markup the article holds, one grounded, one flagged for its speaker."""
    quote = "<script>window.__pwned=1</script>"
    summary["key_claims"].append({"quote": quote, "statement": statement, "speaker": None, "hedged": False})
    summary["key_claims"].append({"quote": quote, "statement": statement, "speaker": speaker, "hedged": False})
    return summary


def cite_answer(summary: dict[str, Any], text: str, numbers: bool = False) -> dict[str, Any]:
    """HAND-WRITTEN, cited form of a quoted answer: each quote becomes the number of the sentence holding it.

    With ``numbers``, a figure cites the id of the number the library lists for its text
    instead (and leaves out text, value, low and high). An actor cites the id of the
    name the library lists with the same last word. The headline is left out (the
    library reads it). The sentence numbers and ids are looked up, not typed in, so the
    answer follows the splitter and the readers.
    """
    from summarizer.grounding.cite import citable

    view = citable(text, numbers=numbers)
    out = copy.deepcopy(summary)
    out.pop("headline", None)
    for name in ("key_claims", "figures", "actors", "peace_talk_conditions"):
        for item in out[name]:
            at = text.index(item.pop("quote"))
            if name == "actors":
                last = item["name"].split()[-1]
                item["name"] = next(n.id for n in view.names if n.name.split()[-1] == last)
            elif numbers and name == "figures":
                written = item.pop("text")
                for field in ("value", "low", "high"):
                    item.pop(field)
                item["number"] = next(
                    n.id for n in view.numbers if n.start >= at and text[n.start : n.end] in written
                )
            else:
                item["sentence"] = next(i for i, s in enumerate(view.sentences, 1) if s.start <= at < s.end)
    return out


def gold_answer(gold_path: Path, summary: str | None = None) -> dict[str, Any]:
    """A gold annotation (``NAME.gold.json``, made by people, not a model) as a model's answer: its lists without
    what only gold holds (aliases, expected dates), and ``summary`` (else the gold's own)."""
    raw = json.loads(gold_path.read_text("utf-8"))
    answer: dict[str, Any] = {"headline": raw.get("headline"), "summary": summary or raw["summary"]}
    for name in ("key_claims", "figures", "actors", "peace_talk_conditions"):
        answer[name] = [{k: v for k, v in item.items() if k not in ("aliases", "when")} for item in raw[name]]
    return answer


def completion(
    *,
    arguments: dict[str, Any] | str | None = None,
    content: str | None = None,
    refusal: str | None = None,
    finish_reason: str = "tool_calls",
    prompt_tokens: int = 100,
    completion_tokens: int = 50,
    name: str = "ArticleSummary",
) -> dict[str, Any]:
    """A hand-written chat completion: a tool call with ``arguments``, or plain ``content``."""
    message: dict[str, Any] = {"role": "assistant", "content": content, "refusal": refusal}
    if arguments is not None:
        args = arguments if isinstance(arguments, str) else json.dumps(arguments)
        message["tool_calls"] = [
            {"id": "call_hand_written", "type": "function", "function": {"name": name, "arguments": args}}
        ]
    return {
        "id": "chatcmpl-hand-written",
        "object": "chat.completion",
        "created": 1700000000,
        "model": "hand-written",
        "choices": [{"index": 0, "message": message, "finish_reason": finish_reason, "logprobs": None}],
        "usage": {
            "prompt_tokens": prompt_tokens,
            "completion_tokens": completion_tokens,
            "total_tokens": prompt_tokens + completion_tokens,
        },
    }


def error(status: int, message: str, *, code: str | None = None, type_: str = "invalid_request_error") -> dict[str, Any]:
    """A hand-written OpenAI-style error body."""
    return {"error": {"message": message, "type": type_, "param": None, "code": code}}
