"""The scorer, on HAND-MADE predictions with known answers.

Every prediction here is written by hand in this file (or copied from the gold and then
changed by hand); none comes from a model. The gold files are the ones shipped in
``seeds/``, so these tests also check that the gold set itself stays valid.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from summarizer import ArticleSummary, SummarizerError
from summarizer.evaluation import (
    MEASURE_THRESHOLD,
    TEXT_THRESHOLD,
    GoldArticle,
    GoldError,
    ListScores,
    aggregate,
    evaluate,
    find_gold,
    load_gold,
    run_eval,
    similarity,
)
from summarizer.grounding import ground

from .conftest import ROOT, SEED

SEEDS = ROOT / "seeds"
LISTS = ("key_claims", "figures", "actors", "peace_talk_conditions")
KESTRIA = SEEDS / "fictional-kestria-drone-strikes-power-grid.gold.json"
PORT_SELDEN = SEEDS / "fictional-port-selden-talks-prisoners.gold.json"


@pytest.fixture(scope="module")
def seed_gold() -> GoldArticle:
    return load_gold(SEED)


def items_of(gold: GoldArticle, field: str) -> list[dict[str, Any]]:
    """The gold items of one list as a model would write them (no aliases, no spans)."""
    return [item.model_dump(mode="json", exclude={"aliases", "span", "grounding_error"}) for item in getattr(gold.gold, field)]


def prediction(gold: GoldArticle, **lists: list[dict[str, Any]]) -> ArticleSummary:
    """A hand-made prediction: the gold's own items unless a list is given."""
    data: dict[str, Any] = {"headline": None, "summary": "Hand-made prediction."}
    for field in LISTS:
        data[field] = lists.get(field, items_of(gold, field))
    return ArticleSummary.model_validate(data)


def figure(quote: str, value: float | None, measure: str, *, low: float | None = None, high: float | None = None,
           qualifier: str = "exact", unit: str | None = "people") -> dict[str, Any]:
    return {"quote": quote, "text": quote, "value": value, "low": low, "high": high, "qualifier": qualifier,
            "unit": unit, "measure": measure, "reported_by": None}


def actor(name: str, quote: str, kind: str = "person") -> dict[str, Any]:
    return {"quote": quote, "name": name, "kind": kind, "role": None, "affiliation": None}


# -- the gold set -----------------------------------------------------------------------


def test_the_gold_set_loads_and_every_gold_item_is_grounded():
    golds = find_gold(SEEDS)
    assert [g.name for g in golds] == sorted(p.name[: -len(".gold.json")] for p in SEEDS.glob("*.gold.json"))
    assert len(golds) >= 4
    for gold in golds:
        for field in LISTS:
            for item in getattr(gold.gold, field):
                assert item.span is not None and item.span.match in ("exact", "normalized")
        assert gold.gold.source  # fictional articles say so
        if gold.name.startswith("fictional-"):
            assert "Fictional" in gold.gold.source


def test_the_seed_gold_holds_what_the_issue_asks_for(seed_gold):
    figures = seed_gold.gold.figures
    assert any(f.low == 20000 and f.high == 30000 and f.qualifier.value == "range" for f in figures)
    hedged = [f for f in figures if "Same thing probably" in f.quote]
    assert len(hedged) == 1 and "Ukrainian" in hedged[0].measure
    assert any("Same thing probably" in c.quote and c.hedged for c in seed_gold.gold.key_claims)
    by = [c.set_by for c in seed_gold.gold.peace_talk_conditions]
    assert by.count("Volodymyr Zelensky") == 3 and by.count("Mark Milley") == 1
    assert {a.name for a in seed_gold.gold.actors} >= {"Mark Milley", "Volodymyr Zelensky", "Russia", "Ukraine"}


def test_one_article_has_no_peace_talk_content():
    assert load_gold(KESTRIA).gold.peace_talk_conditions == []


# -- perfect, missing, invented ------------------------------------------------------------


@pytest.mark.parametrize("gold_path", sorted(SEEDS.glob("*.gold.json")), ids=lambda p: p.name.split(".")[0])
def test_a_perfect_prediction_scores_one(gold_path):
    gold = load_gold(gold_path)
    scores = evaluate(prediction(gold), gold)
    for field, ls in scores.lists().items():
        assert (ls.precision, ls.recall, ls.f1) == (1.0, 1.0, 1.0), field
        assert ls.pairs == [(i, i) for i in range(ls.gold)]  # each item paired with itself, none crossed
    assert scores.figure_accuracy == 1.0 or not gold.gold.figures
    assert scores.grounding_rate == 1.0 and scores.unsupported == 0


def test_a_missing_figure_lowers_recall_by_exactly_its_share(seed_gold):
    figures = items_of(seed_gold, "figures")
    assert len(figures) == 4
    scores = evaluate(prediction(seed_gold, figures=figures[1:]), seed_gold)
    assert scores.figures.recall == 0.75 and scores.figures.precision == 1.0
    assert scores.figures.missed == [0]
    assert scores.key_claims.f1 == scores.actors.f1 == 1.0  # the other lists are untouched

    kestria = load_gold(KESTRIA)
    eleven = items_of(kestria, "figures")
    scores = evaluate(prediction(kestria, figures=eleven[:5] + eleven[6:]), kestria)
    assert scores.figures.recall == 10 / 11 and scores.figures.missed == [5]


def test_an_invented_figure_lowers_precision_and_counts_as_unsupported(seed_gold):
    invented = figure("Russia has lost 500 tanks in Kherson", 500, "Russian tanks destroyed", unit="tanks")
    scores = evaluate(prediction(seed_gold, figures=[*items_of(seed_gold, "figures"), invented]), seed_gold)
    assert scores.figures.precision == 0.8 and scores.figures.recall == 1.0
    assert scores.figures.extra == [4]
    assert scores.unsupported == 1 and scores.figures.unsupported == 1
    total = sum(len(getattr(seed_gold.gold, f)) for f in LISTS) + 1
    assert scores.items == total and scores.grounding_rate == (total - 1) / total


def test_an_invented_figure_with_a_real_quote_still_lowers_precision(seed_gold):
    # The quote is in the article and states the range, but the measure is invented: not a figure the gold
    # holds, and (since the model's own words are checked) not grounded either, for naming Poland.
    invented = figure("20,000 to 30,000 troops", None, "Ukrainian refugees in Poland", low=20000, high=30000,
                      qualifier="range")
    scores = evaluate(prediction(seed_gold, figures=[*items_of(seed_gold, "figures"), invented]), seed_gold)
    assert scores.figures.precision == 0.8 and scores.unsupported == 1


def test_items_the_library_dropped_count_as_unsupported_and_ungrounded(seed_gold):
    summary = prediction(seed_gold, figures=[
        *items_of(seed_gold, "figures"),
        figure("Russia has lost 500 tanks in Kherson", 500, "Russian tanks destroyed", unit="tanks"),
    ])
    report = ground(summary, seed_gold.text, policy="drop")  # what grounding="drop" leaves a caller
    assert report.dropped == 1 and len(summary.figures) == 4
    summary.grounding = report
    scores = evaluate(summary, seed_gold)
    assert scores.figures.precision == 1.0  # the caller never received it
    assert scores.figures.unsupported == 1 and scores.unsupported == 1
    total = sum(len(getattr(seed_gold.gold, f)) for f in LISTS) + 1
    assert scores.items == total and scores.grounded == total - 1

    # A long article's report names the chunk an item was dropped in.
    summary.grounding = report.model_copy(
        update={"issues": [i.model_copy(update={"path": f"chunk 1: {i.path}"}) for i in report.issues]}
    )
    assert evaluate(summary, seed_gold).figures.unsupported == 1


# -- figures -----------------------------------------------------------------------------


def test_the_right_number_with_the_wrong_measure_does_not_count(seed_gold):
    figures = items_of(seed_gold, "figures")
    wrong = dict(figures[0], measure="Russian troops amassed in Kherson")  # 40,000, but not civilians
    scores = evaluate(prediction(seed_gold, figures=[wrong, *figures[1:]]), seed_gold)
    assert scores.figures.matched == 3 and scores.figures.precision == 0.75 and scores.figures.recall == 0.75
    assert scores.figures.missed == [0] and scores.figures.extra == [0]
    assert similarity(wrong["measure"], figures[0]["measure"]) < MEASURE_THRESHOLD


def test_a_paraphrased_measure_counts():
    assert similarity("Russian troops killed or injured", "Russian soldiers killed or wounded") >= MEASURE_THRESHOLD
    assert similarity("civilian casualties in Ukraine", "Ukrainian civilians killed or wounded") >= MEASURE_THRESHOLD
    assert similarity("Ukrainian civilians killed or wounded", "Russian soldiers killed or wounded") < MEASURE_THRESHOLD


def test_the_same_number_goes_to_the_gold_figure_with_the_closer_measure(seed_gold):
    # Gold has well over 100,000 Russian soldiers and the hedged "same thing" on the Ukrainian side.
    figures = items_of(seed_gold, "figures")
    ukrainian, russian = figures[2], figures[1]
    scores = evaluate(prediction(seed_gold, figures=[ukrainian, russian]), seed_gold)
    assert scores.figures.pairs == [(1, 1), (0, 2)]


def test_ranges_overlap_but_only_the_exact_bounds_are_right(seed_gold):
    figures = items_of(seed_gold, "figures")
    kherson = figures[3]  # 20,000 to 30,000 Russian troops
    inside = dict(kherson, value=25000, low=None, high=None, qualifier="approximately")
    overlapping = dict(kherson, low=25000, high=35000)
    apart = dict(kherson, value=35000, low=None, high=None, qualifier="exact")
    for variant, matched in ((inside, True), (overlapping, True), (apart, False)):
        scores = evaluate(prediction(seed_gold, figures=[*figures[:3], variant]), seed_gold)
        assert scores.figures.matched == 3 + matched
        assert scores.figures_correct == 3  # the value in range or the wrong bounds: matched, not right


def test_figure_fields_value_qualifier_and_unit(seed_gold):
    figures = items_of(seed_gold, "figures")
    cases = {
        "civilians count as people": (dict(figures[0], unit="civilians"), True),
        "unit folded": (dict(figures[1], unit="Troops"), True),
        "wrong qualifier": (dict(figures[0], qualifier="exact"), False),
        "wrong unit": (dict(figures[1], unit="percent"), False),
        "no unit": (dict(figures[1], unit=None), False),
    }
    for name, (variant, right) in cases.items():
        index = 0 if variant["value"] == 40000 else 1
        changed = [variant if i == index else f for i, f in enumerate(figures)]
        scores = evaluate(prediction(seed_gold, figures=changed), seed_gold)
        assert scores.figures.matched == 4, name
        assert scores.figures_correct == (4 if right else 3), name
        assert scores.figure_accuracy == (1.0 if right else 0.75), name


def test_a_percentage_may_be_written_as_a_fraction():
    kestria = load_gold(KESTRIA)
    figures = items_of(kestria, "figures")
    i = next(i for i, f in enumerate(figures) if f["unit"] == "percent")
    as_fraction = dict(figures[i], value=0.4, unit="%")  # "more than 40%"; the aligner reads 0.4 in it too
    scores = evaluate(prediction(kestria, figures=[as_fraction if j == i else f for j, f in enumerate(figures)]), kestria)
    assert scores.figures.matched == 11 and scores.figures_correct == 11 and scores.unsupported == 0


def test_words_and_percentages_in_the_gold_ground():
    dorvik = load_gold(SEEDS / "fictional-dorvik-exodus-aid-survey.gold.json")
    values = {f.text: f.value for f in dorvik.gold.figures}
    assert values["Forty thousand"] == 40000 and values["one hundred and twenty thousand"] == 120000
    assert values["about sixty percent"] == 60 and values["85 per cent"] == 85


# -- actors ------------------------------------------------------------------------------


def test_name_variants_match(seed_gold):
    actors = [
        actor("Milley", "Milley added"),  # a surname alone
        actor("ZELENSKYY", "Zelensky has warned"),  # case, and a spelling the gold lists as an alias
        actor("the United States", "US says", "country"),  # an alias, with "the"
        actor("Russia's", "Russia has said", "country"),  # a possessive
        actor("ukraine", "southern Ukraine", "country"),
    ]
    scores = evaluate(prediction(seed_gold, actors=actors), seed_gold)
    assert scores.actors.precision == 1.0 and scores.actors.recall == 1.0


def test_accents_do_not_count_in_names():
    kestria = load_gold(KESTRIA)
    actors = [actor("Daria Kovacova", "regional governor Daria Kováčová"), actor("HORAK", "Energy Minister Pavel Horák"),
              actor("Col. Tomas Vrana", "Its spokesman, Col. Tomáš Vrána")]
    scores = evaluate(prediction(kestria, actors=actors), kestria)
    assert scores.actors.matched == 3 and scores.actors.precision == 1.0


def test_name_traps_do_not_match(seed_gold):
    actors = [
        actor("Russian", "Russian soldiers", "country"),  # a demonym is not the state
        actor("Mark", "Army Gen. Mark Milley"),  # a first name alone is not the person
        actor("Ukrainian President", "Ukrainian President Volodymyr Zelensky"),
        actor("States", "US says", "country"),  # a tail of a name matches people only
    ]
    scores = evaluate(prediction(seed_gold, actors=actors), seed_gold)
    assert scores.actors.matched == 0


# -- claims and conditions ----------------------------------------------------------------

ZELENSKY_SENTENCE = (
    "he was open to peace talks with Russia to end the war but only on the condition that Russia return all of "
    "Ukraine’s occupied lands, provide compensation for war damage and face prosecution for war crimes"
)


def condition(quote: str, text: str, set_by: str = "Volodymyr Zelensky") -> dict[str, Any]:
    return {"quote": quote, "set_by": set_by, "condition": text, "to_be_met_by": "Russia"}


def test_one_quote_for_three_conditions_matches_each_by_what_it_says(seed_gold):
    gold = items_of(seed_gold, "peace_talk_conditions")
    predicted = [
        condition(ZELENSKY_SENTENCE, "Russia faces prosecution for war crimes"),
        condition(ZELENSKY_SENTENCE, "Russia returns the occupied lands"),
        condition(ZELENSKY_SENTENCE, "Russia pays compensation for war damage"),
        gold[3],
    ]
    scores = evaluate(prediction(seed_gold, peace_talk_conditions=predicted), seed_gold)
    assert scores.peace_talk_conditions.pairs == [(1, 0), (2, 1), (0, 2), (3, 3)]
    assert scores.peace_talk_conditions.f1 == 1.0


def test_a_wide_quote_does_not_make_an_unrelated_condition_right(seed_gold):
    predicted = [condition(ZELENSKY_SENTENCE, "A winter stalemate must set in first")] * 3
    scores = evaluate(prediction(seed_gold, peace_talk_conditions=predicted), seed_gold)
    assert scores.peace_talk_conditions.matched == 0


def test_an_ungrounded_claim_matches_by_its_text_only_when_close(seed_gold):
    claims = items_of(seed_gold, "key_claims")
    hedge = claims[2]  # "Same thing probably on the Ukrainian side," Milley added.
    close = dict(hedge, quote="Same thing, probably, on the Ukrainian side of the front, Milley said")
    scores = evaluate(prediction(seed_gold, key_claims=[close]), seed_gold)
    assert scores.key_claims.pairs == [(0, 2)] and scores.key_claims.unsupported == 1

    # Like the embedded model's real answers: a quote stitched from article words and others.
    stitched = {
        "quote": "Russia has been supplying satellite targeting data for Iran-backed Houthi attacks, and this week "
        "announced it had begun a retreat from Kherson.",
        "statement": "The Russian army has deployed several tanks into southern Ukraine.",
        "speaker": None,
        "hedged": False,
    }
    scores = evaluate(prediction(seed_gold, key_claims=[stitched]), seed_gold)
    assert scores.key_claims.matched == 0 and scores.key_claims.unsupported == 1
    assert similarity(stitched["quote"], claims[4]["quote"], whole=True) < TEXT_THRESHOLD


def test_a_claim_quoting_a_repetition_matches_by_its_statement(seed_gold):
    claims = items_of(seed_gold, "key_claims")
    # The line under the headline repeats the casualty claim; the gold quotes the body.
    repeated = dict(
        claims[1],
        quote="40,000 Ukrainian civilians and ‘well over’ 100,000 Russian soldiers have been killed or wounded",
    )
    scores = evaluate(prediction(seed_gold, key_claims=[repeated]), seed_gold)
    assert scores.key_claims.pairs == [(0, 1)] and scores.key_claims.unsupported == 0


# -- ratios and aggregation ---------------------------------------------------------------


def test_ratios_with_nothing_to_divide_by():
    assert (ListScores(gold=0, predicted=0, matched=0).precision, ListScores(gold=0, predicted=0, matched=0).f1) == (1.0, 1.0)
    missed = ListScores(gold=3, predicted=0, matched=0)
    assert (missed.precision, missed.recall, missed.f1) == (None, 0.0, 0.0)
    invented = ListScores(gold=0, predicted=2, matched=0)
    assert (invented.precision, invented.recall, invented.f1) == (0.0, None, 0.0)


def test_aggregate_is_a_micro_average(seed_gold):
    kestria = load_gold(KESTRIA)
    a = evaluate(prediction(seed_gold, figures=items_of(seed_gold, "figures")[:1]), seed_gold)  # 1 of 4
    b = evaluate(prediction(kestria), kestria)  # 11 of 11
    total = aggregate([a, b])
    assert total.articles == 2 and total.figures.gold == 15 and total.figures.matched == 12
    assert total.figures.recall == 12 / 15  # the mean of 0.25 and 1.0 would be 0.625
    assert total.peace_talk_conditions.gold == 4 and total.figures_correct == 12


# -- gold validation ---------------------------------------------------------------------


def write_gold(folder: Path, gold: dict[str, Any], name: str = "seed") -> Path:
    shutil.copy(SEED, folder / f"{name}.txt")
    path = folder / f"{name}.gold.json"
    path.write_text(json.dumps(gold, ensure_ascii=False), encoding="utf-8")
    return path


def seed_gold_dict() -> dict[str, Any]:
    return json.loads(SEED.with_name(SEED.stem + ".gold.json").read_text(encoding="utf-8"))


def test_a_gold_quote_not_in_the_article_is_a_typed_error(tmp_path):
    gold = seed_gold_dict()
    gold["figures"][0]["quote"] = "as many as 45,000 Ukrainian civilians"
    with pytest.raises(GoldError) as caught:
        load_gold(write_gold(tmp_path, gold))
    assert isinstance(caught.value, SummarizerError)
    # found where it is, and refused for the number it changed
    assert any(p.startswith('figures[0]: the quote says "45,000", the article says "40,000"') for p in caught.value.problems)


def test_gold_problems_of_every_kind_are_named(tmp_path):
    gold = seed_gold_dict()
    gold["figures"][1]["value"] = 120000  # not stated in its quote
    gold["actors"][0]["name"] = "Mike Milley-Smithers"  # not in the article
    gold["key_claims"][0]["span"] = {"start": 0, "end": 10, "match": "exact"}  # not where the quote is
    with pytest.raises(GoldError) as caught:
        load_gold(write_gold(tmp_path, gold))
    problems = "\n".join(caught.value.problems)
    assert "figures[1]: its value 120000 is not stated" in problems
    assert 'actors[0]: the name "Mike Milley-Smithers" is not in its quote' in problems
    assert "key_claims[0]: the span in the file (0, 10)" in problems


def test_a_misspelt_key_is_an_error_not_a_missing_field(tmp_path):
    gold = seed_gold_dict()
    gold["figures"][0]["qualifer"] = "at_most"
    with pytest.raises(GoldError, match="not in the gold format"):
        load_gold(write_gold(tmp_path, gold))


def test_find_gold_reports_every_broken_file_at_once(tmp_path):
    for name in ("a", "b"):
        gold = seed_gold_dict()
        gold["actors"][1]["quote"] = "President Zelensky of Ukraine"
        write_gold(tmp_path, gold, name)
    (tmp_path / "orphan.gold.json").write_text("{}", encoding="utf-8")  # no orphan.txt beside it
    with pytest.raises(GoldError) as caught:
        find_gold(tmp_path)
    assert len(caught.value.problems) == 3
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(GoldError, match="no gold files"):
        find_gold(empty)


# -- predictions files ---------------------------------------------------------------------


def test_predictions_are_matched_to_articles_by_the_hash_of_their_text(tmp_path, seed_gold):
    folder = tmp_path / "gold"
    folder.mkdir()
    write_gold(folder, seed_gold_dict())
    half = prediction(seed_gold, figures=items_of(seed_gold, "figures")[:2])
    records = [
        {"id": "elsewhere/other-name.txt", "input_sha256": "0" * 64, "ok": True, "summary": prediction(seed_gold).model_dump(mode="json")},
        {"id": "x", "input_sha256": seed_gold.sha256, "ok": False, "error": {"type": "RateLimitError", "message": "429", "retryable": True}},
        {"id": "moved/seed.txt", "input_sha256": seed_gold.sha256, "ok": True, "summary": half.model_dump(mode="json")},
    ]
    path = tmp_path / "predictions.jsonl"
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    report = run_eval(folder, predictions=path)
    assert report.missing == [] and len(report.articles) == 1
    assert report.articles[0].figures.recall == 0.5 and report.articles[0].error is None


# -- the embedded model's real answer ------------------------------------------------------

DATA = ROOT / "tests" / "data"


def test_the_embedded_models_recorded_answer_on_the_seed(seed_gold):
    # Real model output (tests/data/README.md): every quote the tiny model gave is invented,
    # so grounding="drop" leaves nothing, and under "flag" nothing it kept matches the gold.
    dropped = run_eval(SEEDS, predictions=DATA / "local-gemma3-270m-seed.drop.jsonl")
    # The other five gold articles have no prediction in that file.
    assert [s.article for s in dropped.articles] == [seed_gold.name] and len(dropped.missing) == 5
    scores = dropped.overall
    assert all(ls.predicted == 0 and ls.recall == 0.0 and ls.precision is None for ls in scores.lists().values())
    assert scores.items == 12 and scores.grounded == 0 and scores.unsupported == 12

    flagged = run_eval(SEEDS, predictions=DATA / "local-gemma3-270m-seed.flag.jsonl").overall
    assert all(ls.predicted == 3 and ls.matched == 0 and ls.precision == 0.0 for ls in flagged.lists().values())
    assert flagged.grounding_rate == 0.0 and flagged.unsupported == 12 and flagged.figure_accuracy is None
