"""The ledger (summarizer/across/): what joins two figures, what makes sources disagree, what is entered.

The Brennik articles' gold (seeds/brennik/) is used as HAND-WRITTEN answers: the tests
check the library's rules on them, not a model's quality (that is benchmarks/bench_ledger.py).
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from summarizer import ArticleSummary, BatchResult, InputError, Summarizer, ledger, load_gold, render_html
from summarizer.across import interval, measure_key
from summarizer.across.conflicts import disagree
from summarizer.across.entries import LedgerEntry
from summarizer.cli import app
from summarizer.schema import When

from .conftest import ROOT
from .doubles.responses import completion, gold_answer

BRENNIK = ROOT / "seeds" / "brennik"


def brennik() -> list[tuple[str, ArticleSummary]]:
    """The four Brennik articles' gold as model answers (HAND-WRITTEN), parsed, grounded and dated by the library."""
    out = []
    with Summarizer("gpt-4.1-mini", api_key="sk-test-not-sent") as summ:
        for path in sorted(BRENNIK.glob("*.gold.json")):
            gold = load_gold(path)
            given = gold.gold.published if gold.gold.published_from == "argument" else None
            result = summ.parse(gold.text, completion(arguments=gold_answer(path)), published=given)
            out.append((gold.name, result))
    return out


@pytest.fixture(scope="module")
def summaries() -> list[tuple[str, ArticleSummary]]:
    return brennik()


def entry(text: str, value: float | None, qualifier: str = "exact", source: str | None = "A", day: str | None = "2026-03-16",
          low: float | None = None, high: float | None = None, article: str = "x") -> LedgerEntry:
    when = When(date=day, basis="relative") if day else None
    return LedgerEntry(article, source, when, value, low, high, qualifier, text, text, (0, 1), "m", None, 0)


# -- which figures are one measure -------------------------------------------------------------


def test_the_same_group_in_other_words_is_one_measure() -> None:
    key = measure_key("Russian troops killed or wounded", "troops")
    for measure, unit in [("Russian military casualties", None), ("Russian soldiers killed or injured", "soldiers"),
                          ("casualties among Russia's forces", "people")]:
        assert measure_key(measure, unit) == key, measure


def test_different_groups_are_never_one_measure() -> None:
    base = measure_key("Russian soldiers killed or wounded", "soldiers")
    for other, unit in [("Ukrainian soldiers killed or wounded", "soldiers"),  # another nation
                        ("Russian civilians killed or wounded", "civilians"),  # civilians, not soldiers
                        ("Russian soldiers killed", "soldiers"),  # the killed alone
                        ("Russian soldiers wounded", "soldiers"),
                        ("Russian soldiers killed or wounded in Kherson", "soldiers"),  # a place narrows it
                        ("Russian soldiers captured", "soldiers"),
                        ("soldiers killed or wounded in Russia", "soldiers"),  # a place, not a people
                        ("Russian soldiers killed or wounded", "USD")]:  # another unit
        assert measure_key(other, unit) != base, other


def test_measures_without_a_group_need_the_same_words() -> None:
    assert measure_key("annual inflation", "percent") == measure_key("inflation, annual", "%")
    assert measure_key("annual inflation", "percent") != measure_key("annual growth", "percent")
    assert measure_key("Russian troops amassed in Kherson", "troops") != measure_key("Russian troops deployed in Kherson",
                                                                                      "troops")


def test_the_displaced_are_one_count_whatever_the_people_are_called() -> None:
    assert measure_key("residents who have fled Brennik", "residents") == measure_key("people displaced from Brennik",
                                                                                       "people")


# -- what disagrees ------------------------------------------------------------------------------


def test_well_over_against_a_lower_number_disagrees_as_many_as_against_a_lower_does_not() -> None:
    assert disagree(entry("well over 100,000", 100_000, "more_than", "Milley"), entry("80,000", 80_000, source="B"))
    assert not disagree(entry("as many as 40,000", 40_000, "at_most", "Milley"), entry("30,000", 30_000, source="B"))


def test_a_disagreement_needs_two_sources_and_dates_at_most_three_days_apart() -> None:
    high, low = entry("more than 4,000", 4000, "more_than", "ministry"), entry("about 2,500", 2500, "approximately", "B")
    assert disagree(high, low)
    assert not disagree(high, entry("about 2,500", 2500, "approximately", "the Ministry"))  # one source
    assert disagree(high, entry("about 2,500", 2500, "approximately", "B", day="2026-03-19"))  # three days
    assert not disagree(high, entry("about 2,500", 2500, "approximately", "B", day="2026-03-20"))  # four
    assert not disagree(high, entry("about 2,500", 2500, "approximately", "B", day=None))  # undated
    assert not disagree(entry("2,000 to 3,000", None, "range", "B", low=2000, high=3000),
                        entry("about 2,500", 2500, "approximately", "C"))


def test_intervals_read_the_qualifier() -> None:
    assert interval(entry("at least 112", 112, "at_least")) == (112, float("inf"))
    assert interval(entry("as many as 150", 150, "at_most")) == (float("-inf"), 150)
    assert interval(entry("1,200 to 1,500", None, "range", low=1200, high=1500)) == (1200, 1500)
    low, high = interval(entry("about 2,500", 2500, "approximately"))
    assert low < 2500 < high and (high - low) == pytest.approx(500)


# -- the ledger of the Brennik articles ------------------------------------------------------------


def test_the_brennik_ledger_lines_up_the_outlets(summaries) -> None:
    built = ledger(summaries)
    assert built.articles == 4 and built.figures == sum(len(s.figures) for _, s in summaries)
    casualties = next(r for r in built.rows
                      if r.key == measure_key("Varnian soldiers killed or wounded in the battle for Brennik", "soldiers"))
    assert [e.text for e in casualties.entries] == ["More than 4,000", "around 2,500", "Between 2,000 and 3,000",
                                                    "More than 6,500"]
    days = [e.day for e in casualties.entries]
    assert days == sorted(days)
    assert casualties.disagree
    pairs = {(a.text, b.text) for a, b in casualties.conflicts}
    assert pairs == {("More than 4,000", "around 2,500"), ("More than 4,000", "Between 2,000 and 3,000")}
    assert casualties.conservative is not None and casualties.conservative.value == 2000
    assert casualties.conservative.entry.text == "Between 2,000 and 3,000"
    civilians = next(r for r in built.rows if r.key == measure_key("Kestrian civilians killed in Brennik", "civilians"))
    assert not civilians.disagree  # 190 on the 25th and "as many as 150" on the 16th-18th are a week apart


def test_a_figure_an_article_gives_twice_is_one_entry(summaries) -> None:
    name, summary = summaries[0]
    twice = summary.model_copy(deep=True)
    twice.figures.append(twice.figures[0].model_copy())
    assert ledger([(name, twice)]).figures == len(summary.figures)
    assert ledger([(name, summary), (f"{name}-again", summary)]).figures == 2 * len(summary.figures)  # two articles


def test_only_grounded_figures_are_entered(summaries) -> None:
    name, summary = summaries[0]
    broken = summary.model_copy(deep=True)
    broken.figures[0].grounding_error = "hand-made: flagged"
    built = ledger([(name, broken)])
    assert built.figures == len(summary.figures) - 1
    assert all(e.text != broken.figures[0].text for row in built.rows for e in row.entries)


def test_records_files_batch_results_and_summaries_give_the_same_ledger(summaries, tmp_path: Path) -> None:
    records = tmp_path / "records.jsonl"
    results = [BatchResult(name, i, "0" * 64, summary=s) for i, (name, s) in enumerate(summaries)]
    failed = {"id": "broken", "ok": False, "error": {"type": "InputError", "message": "x", "retryable": False}}
    records.write_text("".join(json.dumps(r.to_record()) + "\n" for r in results) + json.dumps(failed) + "\nnot json\n",
                       encoding="utf-8")
    from_file, from_results, from_pairs = ledger(records), ledger(results), ledger(summaries)
    assert from_file.to_list() == from_results.to_list() == from_pairs.to_list()
    assert from_file.skipped == 2 and from_results.skipped == 0


def test_a_records_file_that_cannot_be_read_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="cannot read the records file"):
        ledger(tmp_path / "missing.jsonl")
    with pytest.raises(InputError):
        ledger(tmp_path)  # a folder


def test_the_json_csv_and_markdown_forms(summaries) -> None:
    built = ledger(summaries)
    rows = json.loads(built.to_json())
    assert rows == built.to_list()
    assert all({"measure", "unit", "entries", "disagree", "conservative"} <= set(row) for row in rows)
    disagreeing = next(row for row in rows if row["disagree"])
    assert disagreeing["conservative"]["entry"]["text"] == "Between 2,000 and 3,000"
    assert [pair[0]["text"] for pair in disagreeing["conflicts"]] == ["More than 4,000", "More than 4,000"]
    first = rows[0]["entries"][0]
    assert {"article", "source", "when", "value", "low", "high", "qualifier", "text", "quote", "span"} <= set(first)
    lines = list(csv.reader(io.StringIO(built.to_csv())))
    assert len(lines) == 1 + built.figures
    assert lines[0][:4] == ["measure", "unit", "disagree", "conservative"]
    markdown = built.to_markdown()
    assert markdown.count("\n## ") == len(built.rows) and "Disagreement:" in markdown


def test_to_pandas_has_one_line_per_entry(summaries) -> None:
    import pandas as pd  # in the [dev] extra; the library itself only needs it for to_pandas()
    frame = ledger(summaries).to_pandas()
    assert isinstance(frame, pd.DataFrame) and len(frame) == ledger(summaries).figures


def test_the_html_loads_nothing_and_links_each_entry_to_its_report_at_the_quote(summaries) -> None:
    built = ledger(summaries)
    page = built.to_html(reports="reports/{stem}.html")
    assert page.count("<svg") == sum(1 for r in built.rows if any(e.day for e in r.entries))
    assert "<script" not in page and "http://" not in page.replace("http://www.w3.org/2000/svg", "")
    assert "https://" not in page
    assert 'href="reports/fictional-brennik-1-meridian-siege-toll.html#figure-0"' in page
    assert "Sources disagree" in page


def test_past_the_spill_point_entries_go_to_a_temporary_file_and_come_back_the_same(summaries, tmp_path, monkeypatch):
    records = tmp_path / "many.jsonl"
    lines = [json.dumps({"id": f"{name}-{k}", "ok": True, "summary": s.model_dump(mode="json")})
             for k in range(10) for name, s in summaries]
    records.write_text("\n".join(lines) + "\n", encoding="utf-8")
    in_memory = ledger(records)
    assert in_memory.figures == 10 * sum(len(s.figures) for _, s in summaries)
    monkeypatch.setattr("summarizer.across.build.SPILL_AT", 25)
    with ledger(records) as spilled:
        assert spilled._store is not None and spilled._store.spilled
        assert spilled.to_list() == in_memory.to_list()
        assert spilled.to_csv() == in_memory.to_csv() and spilled.to_html() == in_memory.to_html()
        folder = spilled._store._folder
        assert folder is not None and Path(folder.name).is_dir()
    assert not Path(folder.name).exists()  # closed: the temporary file is gone


# -- the command ------------------------------------------------------------------------------------


def records_file(summaries, path: Path) -> Path:
    results = [BatchResult(name, i, "0" * 64, summary=s) for i, (name, s) in enumerate(summaries)]
    path.write_text("".join(json.dumps(r.to_record()) + "\n" for r in results), encoding="utf-8")
    return path


@pytest.mark.parametrize("fmt", ["json", "csv", "md", "html"])
def test_the_command_writes_each_format_and_writes_over_only_its_own(summaries, tmp_path: Path, fmt: str) -> None:
    records = records_file(summaries, tmp_path / "records.jsonl")
    out = tmp_path / f"ledger.{fmt}"
    runner = CliRunner()
    done = runner.invoke(app, ["ledger", str(records), "--out", str(out)])
    assert done.exit_code == 0, done.output
    assert "measures from 19 grounded figures of 4 articles" in done.output
    first = out.read_text("utf-8")
    assert runner.invoke(app, ["ledger", str(records), "--out", str(out)]).exit_code == 0  # its own: written over
    assert out.read_text("utf-8") == first
    mine = tmp_path / f"mine.{fmt}"
    mine.write_text("a file of the user's\n", encoding="utf-8")
    refused = runner.invoke(app, ["ledger", str(records), "--out", str(mine)])
    assert refused.exit_code == 2 and mine.read_text("utf-8") == "a file of the user's\n"


def test_the_command_prints_json_by_default_and_refuses_to_write_over_its_input(summaries, tmp_path: Path) -> None:
    records = records_file(summaries, tmp_path / "records.jsonl")
    runner = CliRunner()
    done = runner.invoke(app, ["ledger", str(records)])
    assert done.exit_code == 0
    assert json.loads(done.stdout)[0]["entries"]
    before = records.read_bytes()
    refused = runner.invoke(app, ["ledger", str(records), "--out", str(records), "--format", "json"])
    assert refused.exit_code == 2 and records.read_bytes() == before
    missing = runner.invoke(app, ["ledger", str(tmp_path / "nope.jsonl")])
    assert missing.exit_code == 1 and "cannot read the records file" in missing.output


def test_a_report_has_an_item_for_every_figure_the_ledger_links(summaries) -> None:
    name, summary = summaries[0]
    page = render_html(summary, load_gold(BRENNIK / f"{name}.gold.json").text)
    for i, _ in enumerate(summary.figures):
        assert f'data-item="figure-{i}"' in page  # what report.js shows for "#figure-{i}"



def test_the_docs_example_runs(summaries, tmp_path: Path, monkeypatch, capsys) -> None:
    readme = (ROOT / "docs" / "how-to" / "ledger.md").read_text("utf-8")
    block = next(b for b in readme.split("```python\n")[1:] if "book = ledger(" in b).split("```")[0]
    half = len(summaries) // 2
    records_file(summaries[:half], tmp_path / "monday.jsonl")
    records_file(summaries[half:], tmp_path / "tuesday.jsonl")
    monkeypatch.chdir(tmp_path)
    exec(compile(block, "docs/how-to/ledger.md", "exec"), {})  # the docs' own example
    shown = capsys.readouterr().out
    assert "Varnian soldiers killed or wounded in the battle for Brennik people DISAGREE 2000.0" in shown
