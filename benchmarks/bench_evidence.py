"""Evidence modes measured on the gold set: quote, sentence, sentence+numbers (see the README, "Cited evidence").

For each model and mode, the four gold articles in ``seeds/`` are summarized (cache
off, one at a time, the mode's own defaults otherwise) and the records saved; then
each records file is scored against the gold. Printed per run: F1 per list, figures
fully right (value, qualifier, unit), the share of the items the model returned that
the article supports, completion tokens in all and per returned item, wall time, and
the seed article's goals (a true figure grounded with its value and qualifier; one of
Zelensky's conditions grounded as set by him).

    python benchmarks/bench_evidence.py run --model local --out /tmp/ev            # three modes, about 10 min
    python benchmarks/bench_evidence.py run --model local --evidence sentence --out /tmp/ev
    python benchmarks/bench_evidence.py run --model local --evidence sentence+numbers --summary written \
        --measures written --out /tmp/ev                                               # the other readings
    python benchmarks/bench_evidence.py score /tmp/ev/*.jsonl                       # no model called
    python benchmarks/bench_evidence.py run --gold DIR ...    # another folder of gold (e.g. some of seeds/)
    python benchmarks/bench_evidence.py gold      # the gold as a perfect model's answer in each mode; no model

The records are those ``summarize_many(output=...)`` writes, so
``summarizer eval seeds --predictions FILE`` scores them the same way.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path
from typing import Any

from summarizer import ArticleSummary, Summarizer, summarize_many
from summarizer.evaluation import run_eval

SEEDS = Path(__file__).resolve().parent.parent / "seeds"
SEED = "ap-2022-11-milley-ukraine-casualties-peace-talks"
MODES = ("quote", "sentence", "sentence+numbers")
# The seed's true figures (value or bounds, and the qualifier its words give), from its gold file.
SEED_FIGURES = {(100000.0, None, None): "more_than", (40000.0, None, None): "at_most", (None, 20000.0, 30000.0): "range"}


def _run(model: str, evidence: str, out: Path, **reading: str | None) -> Path:
    chosen = "".join(f"-{k}_{v}" for k, v in reading.items() if v)
    name = f"{model.replace(':', '_')}-{evidence.replace('+', '_')}{chosen}"
    records = out / f"{name}.jsonl"
    records.unlink(missing_ok=True)
    golds = sorted(SEEDS.glob("*.gold.json"))
    articles = [(g.name.removesuffix(".gold.json"), g.with_name(g.name.replace(".gold.json", ".txt")).read_text("utf-8"))
                for g in golds]
    started = time.perf_counter()
    with Summarizer(model, evidence=evidence, **reading) as summarizer:
        summarize_many(articles, summarizer=summarizer, concurrency=1, cache=False, output=records)
    wall = time.perf_counter() - started
    (out / f"{name}.wall.json").write_text(json.dumps({"wall_s": round(wall, 1), "model": model, "evidence": evidence}))
    return records


def _seed_goals(summary: dict[str, Any], text: str) -> dict[str, Any]:
    """The seed's goals (issue 24), read from one summary: true figures right in every field, Zelensky's
    conditions set by him, the share of returned items grounded, the summary supported, the headline the article's."""
    from summarizer.evaluation.matching import MEASURE_THRESHOLD, similarity
    from summarizer.grounding.reading import headline_of

    gold = json.loads((SEEDS / f"{SEED}.gold.json").read_text("utf-8"))
    true = {(g["value"], g["low"], g["high"]): g for g in gold["figures"] if "hedged" not in g["measure"]}
    right = set()
    for f in summary.get("figures", []):
        g = true.get((f.get("value"), f.get("low"), f.get("high")))
        if f.get("grounding_error") is not None or g is None or f.get("qualifier") != g["qualifier"]:
            continue
        unit = str(f.get("unit") or "").lower()
        measure = str(f.get("measure") or "")
        if (unit == g["unit"] or unit in g["measure"].lower().split()) and similarity(measure, g["measure"]) >= (
            MEASURE_THRESHOLD
        ) and "milley" in str(f.get("reported_by") or "").lower():
            right.add((g["value"], g["low"], g["high"]))
    conditions = sum(
        1 for c in summary.get("peace_talk_conditions", [])
        if c.get("grounding_error") is None and "zelensk" in str(c.get("set_by", "")).lower()
    )
    grounding = summary.get("grounding") or {}
    grounded = sum(grounding.get(k, 0) for k in ("exact", "normalized", "fuzzy"))
    returned = grounded + grounding.get("ungrounded", 0) + grounding.get("dropped", 0)
    checks = grounding.get("summary") or []
    headline = summary.get("headline")
    return {
        "true_figures": len(right),
        "zelensky_conditions": conditions,
        "grounded": f"{grounded}/{returned}",
        "summary_supported": f"{sum(1 for c in checks if c.get('ok'))}/{len(checks)}",
        "headline_own_or_null": headline is None or headline == headline_of(text),
    }


def score(records: Path) -> dict[str, Any]:
    report = run_eval(SEEDS, predictions=records)
    o = report.overall
    completion = 0
    evidence = "?"
    goals: dict[str, Any] = {}
    for line in records.read_text("utf-8").splitlines():
        record = json.loads(line)
        summary = record.get("summary")
        if not summary:  # a failed article still cost its tokens
            completion += ((record.get("error") or {}).get("usage") or {}).get("completion_tokens", 0)
            continue
        provenance = summary.get("provenance") or {}
        completion += provenance.get("usage", {}).get("completion_tokens", 0)
        evidence = provenance.get("evidence", "quote")
        if record["id"] == SEED:
            text = (SEEDS / f"{SEED}.txt").read_text("utf-8")
            goals = _seed_goals(ArticleSummary.model_validate(summary).model_dump(mode="json"), text)
    wall_file = records.with_name(records.name.replace(".jsonl", ".wall.json"))
    wall = json.loads(wall_file.read_text())["wall_s"] if wall_file.exists() else None
    return {
        "run": records.stem,
        "evidence": evidence,
        "f1": {k: getattr(o, k).f1 for k in ("key_claims", "figures", "actors", "peace_talk_conditions")},
        "figures_matched": o.figures.matched,
        "figures_gold": o.figures.gold,
        "figures_correct": o.figures_correct,
        "grounded": o.grounded,
        "returned": o.items,
        "completion_tokens": completion,
        "tokens_per_item": round(completion / o.items, 1) if o.items else None,
        "wall_s": wall,
        "seed": goals,
    }


def _seed_cell(goals: dict[str, Any]) -> str:
    if not goals:
        return "-"
    return (f"{goals['true_figures']}/3, {goals['zelensky_conditions']}/3, {goals['grounded']}, "
            f"{goals['summary_supported']}, {'yes' if goals['headline_own_or_null'] else 'no'}")


def _table(rows: list[dict[str, Any]]) -> str:
    def f(x: float | None) -> str:
        return "-" if x is None else f"{x:.2f}"

    lines = [
        "| run | claims F1 | figures F1 | actors F1 | conditions F1 | figures matched / right / gold | grounded "
        "| completion tok | tok / item | wall | seed: true figures, Zelensky conditions, grounded, summary, headline |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        share = f"{r['grounded']}/{r['returned']} ({r['grounded'] / r['returned']:.0%})" if r["returned"] else "0/0"
        lines.append(
            f"| {r['run']} | {f(r['f1']['key_claims'])} | {f(r['f1']['figures'])} | {f(r['f1']['actors'])} | "
            f"{f(r['f1']['peace_talk_conditions'])} | {r['figures_matched']} / {r['figures_correct']} / "
            f"{r['figures_gold']} | {share} | {r['completion_tokens']:,} | {r['tokens_per_item']} | "
            f"{'-' if r['wall_s'] is None else str(r['wall_s']) + ' s'} | "
            f"{_seed_cell(r['seed'])} |"
        )
    return "\n".join(lines)


def gold_through_modes() -> str:
    """The gold itself as the model's answer, in each mode: what a perfect model gets, and what it writes.

    The quoted gold is grounded as it is; its cited forms (each quote replaced by the
    number of the sentence holding it, each figure by the id of its number) are filled
    and grounded. Answer size is the JSON the model would write (about four characters
    a token); time is the library's own work per article, best of 5.
    """
    from summarizer.grounding import ground
    from summarizer.grounding.cite import citable, cited_model, fill

    rows = ["| mode | gold items grounded | answer characters | characters per item | library time per article |",
            "|---|---|---|---|---|"]
    golds = sorted(SEEDS.glob("*.gold.json"))
    for mode in MODES:
        grounded = items = chars = 0
        seconds = 0.0
        for path in golds:
            text = path.with_name(path.name.replace(".gold.json", ".txt")).read_text("utf-8")
            raw = json.loads(path.read_text("utf-8"))
            answer: dict[str, Any] = {"headline": raw.get("headline"), "summary": raw.get("summary") or "x"}
            if mode != "quote":
                answer.pop("headline")  # the library reads it in a cited mode
            for name in ("key_claims", "figures", "actors", "peace_talk_conditions"):
                answer[name] = [{k: v for k, v in item.items() if k not in ("span", "aliases", "when")} for item in raw[name]]
            sent = _cited_form(answer, text, mode)
            chars += len(json.dumps(sent, ensure_ascii=False))
            best = float("inf")
            for _ in range(5):
                started = time.perf_counter()
                if mode == "quote":
                    result = ArticleSummary.model_validate(sent)
                    report = ground(result, text, policy="flag")
                else:
                    view = citable(text, numbers=mode == "sentence+numbers")
                    filled = fill(cited_model(ArticleSummary, mode).model_validate(sent), view, ArticleSummary)  # type: ignore[arg-type]
                    report = ground(filled.result, text, policy="flag", cited=True)
                    report.ungrounded += len(filled.set_aside)
                best = min(best, time.perf_counter() - started)
            seconds += best
            grounded += report.grounded
            items += report.checked
        rows.append(f"| {mode} | {grounded}/{items} | {chars:,} | {chars / items:.0f} | {seconds / len(golds) * 1000:.1f} ms |")
    return "\n".join(rows)


def _cited_form(answer: dict[str, Any], text: str, mode: str) -> dict[str, Any]:
    """The answer a model would write in ``mode`` for the same items (``quote``: as it is)."""
    if mode == "quote":
        return answer
    from summarizer.grounding.cite import citable

    view = citable(text, numbers=mode == "sentence+numbers")
    out = json.loads(json.dumps(answer))
    for name in ("key_claims", "figures", "actors", "peace_talk_conditions"):
        for item in out[name]:
            quote = item.pop("quote")
            at = text.find(quote)
            at = at if at >= 0 else 0
            if name == "actors":  # an actor cites the listed name with the same last word
                last = item["name"].split()[-1]
                item["name"] = next((n.id for n in view.names if n.name.split()[-1] == last), "A0")
            elif mode == "sentence+numbers" and name == "figures":
                written = item.pop("text")
                for field in ("value", "low", "high"):
                    item.pop(field, None)
                held = [n for n in view.numbers if text[n.start : n.end] in written and n.start >= at]
                item["number"] = held[0].id if held else "N0"
            else:
                item["sentence"] = next((i for i, s in enumerate(view.sentences, 1) if s.start <= at < s.end), 0)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run")
    run.add_argument("--model", default="local")
    run.add_argument("--evidence", choices=MODES, action="append")
    run.add_argument("--out", type=Path, required=True)
    run.add_argument("--summary", choices=("cited", "written"), help="cited modes: picked sentences or written")
    run.add_argument("--measures", choices=("read", "written"), help="sentence+numbers: read from the scope or written")
    scored = sub.add_parser("score")
    scored.add_argument("records", type=Path, nargs="+")
    for command in (run, scored):
        command.add_argument("--gold", type=Path, help="a folder of gold articles to run and score (default: seeds/)")
    sub.add_parser("gold")
    args = parser.parse_args()
    if getattr(args, "gold", None) is not None:
        global SEEDS
        SEEDS = args.gold
    if args.command == "gold":
        print(gold_through_modes())
        return
    if args.command == "run":
        args.out.mkdir(parents=True, exist_ok=True)
        reading = {"summary": args.summary, "measures": args.measures}
        files = [_run(args.model, mode, args.out, **reading) for mode in (args.evidence or MODES)]
    else:
        files = args.records
    print(_table([score(path) for path in files]))


if __name__ == "__main__":
    main()
