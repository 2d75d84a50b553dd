"""What the library reads itself in a cited mode: who speaks, what a number counts, names, the headline.

Every text here is written for these tests (invented places and people).
"""

from __future__ import annotations

from summarizer import ArticleSummary
from summarizer.grounding import ground
from summarizer.grounding.cite import citable, cited_model, fill
from summarizer.grounding.counts import measure_of, unit_of
from summarizer.grounding.reading import full_name, headline_of, names, party
from summarizer.sentences import sentences

ARTICLE = (
    "Harbour talks stall as Varn counts its losses\n\n"
    "By Ines Moll, Coastal Wire\n\n"
    "Gen. Ana Ruiz, commander of the Varnese Northern Army, said on Monday that as many as 400 civilians and "
    "more than 900 soldiers had been killed since March.\n\n"
    "She said the enemy had amassed 2,000 to 3,000 troops in Pell. \u201cWe are ready to talk,\u201d Ruiz added.\n\n"
    "Tessian Foreign Minister Odo Brandt said talks could resume only if Varn withdrew its artillery.\n\n"
    "Tessia says it holds 300 prisoners; Varnese officials estimate about 500.\n\n"
    "Reconstruction will cost $4 million, and turnout fell to 35% in the port.\n"
)


def _sentence(text: str, words: str):
    return next(s for s in sentences(text).every() if words in text[s.start : s.end])


def _number(text: str, written: str) -> tuple[int, int]:
    at = text.index(written)
    return at, at + len(written)


def test_the_party_a_sentence_names_is_read_by_its_fullest_name_and_he_said_refers_back():
    s = _sentence(ARTICLE, "as many as 400")
    assert party(ARTICLE, s, s.start, s.end) == "Ana Ruiz"  # "Gen." aside
    s = _sentence(ARTICLE, "She said the enemy")
    assert party(ARTICLE, s, s.start, s.end) == "Ana Ruiz"  # refers back to the paragraph before
    s = _sentence(ARTICLE, "ready to talk")
    assert party(ARTICLE, s, s.start, s.end) == "Ana Ruiz"  # "Ruiz added", by the name the article gives in full
    s = _sentence(ARTICLE, "Odo Brandt said")
    assert party(ARTICLE, s, s.start, s.end) == "Odo Brandt"  # "Tessian Foreign Minister" aside


def test_clauses_with_different_sources_name_no_one_for_the_whole_sentence_but_each_its_own():
    s = _sentence(ARTICLE, "holds 300 prisoners")
    assert party(ARTICLE, s, s.start, s.end) is None
    lo = ARTICLE.index("Tessia says")
    assert party(ARTICLE, s, lo, ARTICLE.index(";")) == "Tessia"
    s = _sentence(ARTICLE, "Reconstruction")
    assert party(ARTICLE, s, s.start, s.end) is None  # the article's own voice: nobody to read


def test_the_unit_is_the_currency_the_percentage_or_a_plural_counted_noun():
    assert unit_of(ARTICLE, *_number(ARTICLE, "4 million")) == "USD"
    assert unit_of(ARTICLE, *_number(ARTICLE, "35%")) == "percent"
    assert unit_of(ARTICLE, *_number(ARTICLE, "400")) == "civilians"
    assert unit_of(ARTICLE, *_number(ARTICLE, "2,000 to 3,000")) == "troops"
    text = "Forty thousand flee the city. A 30-day truce began."
    assert unit_of(text, *_number(text, "Forty thousand")) is None  # "flee" is no counted noun
    assert unit_of(text, *_number(text, "30")) == "day"


def test_the_measure_is_read_from_the_numbers_scope():
    s = _sentence(ARTICLE, "as many as 400")
    end = s.end
    assert measure_of(ARTICLE, *_number(ARTICLE, "400"), end) == "civilians killed"
    assert measure_of(ARTICLE, *_number(ARTICLE, "900"), end) == "soldiers killed"
    s = _sentence(ARTICLE, "amassed")
    assert measure_of(ARTICLE, *_number(ARTICLE, "2,000 to 3,000"), s.end) == "troops amassed in Pell"
    assert measure_of(ARTICLE, *_number(ARTICLE, "35%"), len(ARTICLE)) is None  # nothing after it to read


def test_names_are_listed_once_each_with_the_role_and_affiliation_written_beside_them():
    found = {n.name: n for n in names(ARTICLE)}
    ruiz = found["Ana Ruiz"]
    assert ruiz.person and ruiz.role == "commander of the Varnese Northern Army"
    brandt = found["Odo Brandt"]
    assert brandt.person and brandt.role == "Foreign Minister" and brandt.affiliation == "Tessia"  # the country named
    assert ruiz.affiliation == "Varn"  # "Varnese" in the apposition, and the article names Varn
    assert "Ruiz" not in found and "Brandt" not in found  # a surname joins its full name
    assert not {"Varnese", "Tessian", "She", "Reconstruction"} & set(found)  # demonyms and opening words
    assert {"Varn", "Pell"} <= set(found)
    assert full_name(ARTICLE, "Ruiz") == "Ana Ruiz"


def test_the_headline_is_the_first_line_only_when_it_reads_as_one():
    assert headline_of(ARTICLE) == "Harbour talks stall as Varn counts its losses"
    assert headline_of("Talks stalled on Monday, officials said.\n\nMore followed.") is None  # a sentence
    assert headline_of("Only one paragraph here") is None


def _index(view, words: str) -> int:
    return next(i for i, s in enumerate(view.sentences, 1) if words in ARTICLE[s.start : s.end])


def _answer(view_summary: str = "written", **lists):
    data = {"summary": "Talks stalled.", "key_claims": [], "figures": [], "actors": [], "peace_talk_conditions": []}
    data.update(lists)
    return cited_model(ArticleSummary, "sentence+numbers", view_summary).model_validate(data)  # type: ignore[arg-type]


def test_fill_reads_who_the_unit_the_measure_the_names_and_the_headline_and_keeps_the_models_labels_elsewhere():
    view = citable(ARTICLE, numbers=True, read_measures=True)
    n400 = next(n.id for n in view.numbers if ARTICLE[n.start : n.end] == "400")
    ruiz = next(n.id for n in view.names if n.name == "Ana Ruiz")
    answer = _answer(
        figures=[{"number": n400, "qualifier": "at_most", "unit": "people", "measure": "deaths", "reported_by": "Varn"}],
        actors=[{"name": ruiz, "kind": "military", "role": "general", "affiliation": "Tessia"}],
        key_claims=[{"sentence": _index(view, "Reconstruction"), "statement": "Reconstruction will cost $4 million.", "speaker": None, "hedged": False}],
    )
    result = fill(answer, view, ArticleSummary).result
    figure = result.figures[0]
    assert (figure.unit, figure.measure, figure.reported_by) == ("civilians", "civilians killed", "Ana Ruiz")
    actor = result.actors[0]
    assert (actor.name, actor.role, actor.affiliation) == ("Ana Ruiz", "commander of the Varnese Northern Army", "Varn")
    assert actor.kind.value == "person"  # the model said "military": a listed person is a person
    assert "Ruiz" in actor.quote
    assert result.key_claims[0].speaker is None  # the article's own voice: the model's null kept
    assert result.headline == "Harbour talks stall as Varn counts its losses"
    assert ground(result, ARTICLE, policy="flag", cited=True).issues == []  # what the library read passes its checks


def test_measures_are_the_models_unless_read_and_a_cited_summary_is_the_articles_sentences_in_order():
    view = citable(ARTICLE, numbers=True, summary="cited")
    n400 = next(n.id for n in view.numbers if ARTICLE[n.start : n.end] == "400")
    answer = _answer(
        "cited", summary=[_index(view, "She said"), _index(view, "Gen. Ana Ruiz")],
        figures=[{"number": n400, "qualifier": "at_most", "unit": "people", "measure": "civilians killed",
                  "reported_by": None}],
    )
    result = fill(answer, view, ArticleSummary).result
    assert result.figures[0].measure == "civilians killed"  # written by the model (read_measures off)
    every = view.sentences
    picked = (every[_index(view, "Gen. Ana Ruiz") - 1], every[_index(view, "She said") - 1])
    assert result.summary == " ".join(ARTICLE[s.start : s.end] for s in picked)
    assert all(c.ok for c in ground(result, ARTICLE, policy="flag", cited=True).summary)


def test_an_actor_citing_a_name_the_list_does_not_have_is_set_aside():
    view = citable(ARTICLE, numbers=True)
    answer = _answer(actors=[{"name": "A99", "kind": "person", "role": None, "affiliation": None}])
    filled = fill(answer, view, ArticleSummary)
    assert filled.result.actors == [] and [(i.path, i.fields) for i in filled.set_aside] == [("actors[0]", ["name"])]


def test_parties_named_by_what_they_are_are_listed_with_their_owner():
    text = ("Talks\n\nThe Tessian air force said it flew 40 sorties. Varn\u2019s defence ministry said nothing. "
            "Ruiz said his government would wait.\n")
    listed = [n.name for n in names(text)]
    assert "Tessian air force" in listed and "Varn\u2019s defence ministry" in listed
    assert not any("said" in n or n.startswith("The ") for n in listed)


def test_a_condition_listing_three_demands_becomes_three_on_the_same_evidence():
    view = citable(ARTICLE, numbers=True)
    cited = _index(view, "Odo Brandt said")
    listed = "Varn withdraws its artillery, frees the prisoners and pays for the damage"
    answer = _answer(peace_talk_conditions=[
        {"sentence": cited, "set_by": "Varn", "condition": listed, "to_be_met_by": "Varn"},
        {"sentence": cited, "set_by": "Varn", "condition": "talks and a truce", "to_be_met_by": None},
    ])
    filled = fill(answer, view, ArticleSummary)
    conditions = filled.result.peace_talk_conditions
    assert [c.condition for c in conditions] == [
        "Varn withdraws its artillery", "frees the prisoners", "pays for the damage", "talks and a truce"
    ]
    assert len({c.quote for c in conditions}) == 1 and all(c.span is not None for c in conditions)
    assert {c.set_by for c in conditions} == {"Odo Brandt"}  # read from the sentence, not the model's "Varn"
    assert filled.kept == {"peace_talk_conditions": [0, 0, 0, 1]}  # each traced back to the answer's item


def test_hedged_is_read_from_the_evidence():
    view = citable(ARTICLE, numbers=True)
    claim = {"statement": "Talks could resume if Varn withdrew its artillery.", "speaker": None, "hedged": False}
    answer = _answer(key_claims=[{**claim, "sentence": _index(view, "Odo Brandt said")}])
    result = fill(answer, view, ArticleSummary).result
    assert result.key_claims[0].hedged is True  # "could": the model's False is not kept


def test_numbers_the_opening_lines_repeat_are_listed_after_the_bodys():
    text = ("Varn says 400 civilians killed\n\nBy Ines Moll, Coastal Wire\n\n"
            "Officials said as many as 400 civilians were killed. Another 20 people were still missing there.\n")
    view = citable(text, numbers=True)
    listed = [(n.id, text[n.start : n.end], n.sentence) for n in view.numbers]
    assert listed == [("N1", "400", 3), ("N2", "20", 4), ("N3", "400", 1)]
    assert view.summary_candidates() == [3, 4]  # neither the headline nor the byline


def test_a_source_the_article_does_not_give_is_null_and_a_country_holds_no_post():
    view = citable(ARTICLE, numbers=True)
    n4 = next(n.id for n in view.numbers if ARTICLE[n.start : n.end] == "4 million")
    varn = next(n.id for n in view.names if n.name == "Varn")
    answer = _answer(
        figures=[{"number": n4, "qualifier": "exact", "unit": "USD", "measure": "reconstruction cost",
                  "reported_by": "Ana Ruiz"}],  # the article says it in its own voice
        actors=[{"name": varn, "kind": "country", "role": "commander", "affiliation": None}],
    )
    result = fill(answer, view, ArticleSummary).result
    assert result.figures[0].reported_by is None
    assert (result.actors[0].role, result.actors[0].affiliation) == (None, "Varn")
    # Where a sentence does report someone's words but names no one the reader can settle, the model's label stays.
    s = _sentence(ARTICLE, "Varnese officials estimate")
    lo = ARTICLE.index("Varnese officials")
    from summarizer.grounding.reading import own_voice
    assert not own_voice(ARTICLE, lo, s.end) and own_voice(ARTICLE, *_number(ARTICLE, "4 million"))


def test_units_and_scopes_are_read_only_in_english():
    text = "Pertes\n\nSelon le ministère, 400 soldats ont été tués et 90 blessés dans la ville de Varn.\n"
    view = citable(text, numbers=True)
    assert view.numbers and all(n.unit is None and n.measure is None for n in view.numbers)


def test_an_item_citing_the_sentence_next_to_the_one_that_says_it_is_moved_there_and_reported():
    view = citable(ARTICLE, numbers=True)
    says = _index(view, "Odo Brandt said")
    claim = {"statement": "Talks could resume only if Varn withdrew its artillery.", "speaker": None, "hedged": True}
    filled = fill(_answer(key_claims=[{**claim, "sentence": says - 1}]), view, ArticleSummary)
    (moved,) = filled.result.key_claims
    assert "Odo Brandt said" in moved.quote and moved.speaker == "Odo Brandt"
    assert filled.recited == [f"key_claims[0]: [{says - 1}] -> [{says}]"]
    # Two sentences away is not a numbering slip: the item stays where it was cited (and fails its checks there).
    far = fill(_answer(key_claims=[{**claim, "sentence": says - 2}]), view, ArticleSummary)
    assert far.recited == [] and "Odo Brandt said" not in far.result.key_claims[0].quote
