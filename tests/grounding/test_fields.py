"""Every field check, both ways, on real sentences: the seed (in the repository) and ../shared/articles.

Each item below is built by hand from the article's own words; a right item must stay
grounded and a wrong one must fail that one check, with its reason.
"""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import BaseModel

from summarizer import Actor, ArticleSummary, Figure, KeyClaim, PeaceTalkCondition
from summarizer.grounding import check_quote, ground
from summarizer.grounding.attribution import REPORTING_VERBS, attributed_to, speakers_in
from summarizer.grounding.fields import check_fields

from ..conftest import SHARED

# The model's own words (statement, condition) repeat the quote here, so the checks of those words
# (tests/grounding/test_words.py) pass by construction and each test sees the field it is about.


def claim(quote: str, speaker: str | None = None, hedged: bool = False) -> KeyClaim:
    return KeyClaim(quote=quote, statement=quote, speaker=speaker, hedged=hedged)


def figure(quote: str, text: str, value: float | None, qualifier: str = "exact", *, low: float | None = None,
           high: float | None = None, reported_by: str | None = None) -> Figure:
    return Figure(quote=quote, text=text, value=value, low=low, high=high, qualifier=qualifier, unit=None,
                  measure="x", reported_by=reported_by)


def condition(quote: str, set_by: str) -> PeaceTalkCondition:
    return PeaceTalkCondition(quote=quote, set_by=set_by, condition=quote, to_be_met_by=None)


def checked(item: BaseModel, text: str) -> dict[str, Any]:
    """{field: None if it passed, else its reason} for one item grounded alone (policy flag)."""
    lists = {KeyClaim: "key_claims", Figure: "figures", Actor: "actors", PeaceTalkCondition: "peace_talk_conditions"}
    summary = ArticleSummary(headline=None, summary="x", key_claims=[], figures=[], actors=[], peace_talk_conditions=[])
    getattr(summary, lists[type(item)]).append(item)
    ground(summary, text, policy="flag")
    return {c.field: (None if c.ok else c.detail) for c in item.checks}


def passes(item: BaseModel, text: str) -> None:
    result = checked(item, text)
    assert all(reason is None for reason in result.values()), result
    assert item.grounded and item.evidence == text[item.span.start : item.span.end]


def fails(item: BaseModel, text: str, field: str, reason: str, alone: bool = True) -> None:
    result = checked(item, text)
    assert result.get(field) is not None and reason in result[field], result
    if alone:
        assert [f for f, r in result.items() if r is not None] == [field], result  # that check alone
    assert not item.grounded and item.grounding_error is not None and reason in item.grounding_error


# -- figures: text, value, qualifier ---------------------------------------------------------

SOLDIERS = "“well over” 100,000 Russian soldiers have been killed or wounded in the war"


def test_a_figures_text_is_found_in_its_quote_with_the_quotation_marks_aside(seed_text):
    passes(figure(SOLDIERS, "well over 100,000", 100000, "more_than", reported_by="Milley"), seed_text)
    fails(figure(SOLDIERS, "well over 110,000", 110000, "more_than", reported_by="Milley"), seed_text,
          "text", 'its text "well over 110,000" is not in its quote')


def test_two_figures_may_share_one_quote(seed_text):
    quote = "as many as 40,000 Ukrainian civilians and “well over” 100,000 Russian soldiers"
    both = [figure(quote, "as many as 40,000", 40000, "at_most"), figure(quote, "well over 100,000", 100000, "more_than")]
    said = "Milley said as many as 40,000 Ukrainian civilians have been killed or wounded."
    summary = ArticleSummary(headline=None, summary=said, key_claims=[], figures=both, actors=[], peace_talk_conditions=[])
    report = ground(summary, seed_text, policy="flag")
    assert report.grounded == 2 and not report.issues


def test_the_value_must_be_stated_in_the_text_itself_not_elsewhere_in_the_quote(seed_text):
    quote = "He said as many as 40,000 Ukrainian civilians and “well over” 100,000 Russian soldiers"
    fails(figure(quote, "as many as 40,000", 100000, "at_most"), seed_text,
          "value", 'its value 100000 is not stated in its text "as many as 40,000"')


def test_a_text_that_is_a_whole_sentence_is_not_a_figure(seed_text):
    quote = "He said as many as 40,000 Ukrainian civilians and “well over” 100,000 Russian soldiers"
    result = checked(figure(quote, quote, 100000, "more_than"), seed_text)
    assert "also states" in result["text"] and '"40,000"' in result["text"]


@pytest.mark.parametrize(
    ("quote", "text", "right", "wrong"),
    [
        (SOLDIERS, "100,000", "more_than", "exact"),  # "well over" sits right before the text
        ("as many as 40,000 Ukrainian civilians", "as many as 40,000", "at_most", "approximately"),
    ],
)
def test_the_qualifier_agrees_with_the_words_of_the_text_and_those_before_it(seed_text, quote, text, right, wrong):
    value = float(text.split()[-1].replace(",", ""))
    passes(figure(quote, text, value, right), seed_text)
    fails(figure(quote, text, value, wrong), seed_text, "qualifier", f"its qualifier is {wrong}")


def test_a_range_needs_the_range_qualifier_and_both_bounds(seed_text):
    quote = "Russia had amassed 20,000 to 30,000 troops in Kherson"
    passes(figure(quote, "20,000 to 30,000", None, "range", low=20000, high=30000, reported_by="Milley"), seed_text)
    fails(figure(quote, "20,000 to 30,000", 25000, "range", reported_by="Milley"), seed_text, "value",
          "its value 25000 is not stated", alone=False)
    fails(figure(quote, "30,000", 30000, "exact", reported_by="Milley"), seed_text, "qualifier", "(range)")


def test_a_headline_without_filler_words_is_still_judged_as_the_english_it_is(seed_text):
    headline = "100,000 Russian troops killed or injured in Ukraine, US says"
    passes(figure(headline, "100,000", 100000, "exact"), seed_text)
    fails(figure(headline, "100,000", 100000, "more_than"), seed_text, "qualifier", "no qualifying words")


def test_a_short_sentence_of_an_article_in_another_language_is_not_judged_by_english_words():
    text = "Le ministre a dit que 40 000 soldats sont morts.\n\nPlus de 100 blessés selon la police.\n"
    checks = checked(figure("Plus de 100 blessés selon la police.", "100", 100, "more_than"), text)
    assert "qualifier" not in checks and checks["value"] is None


def test_infinity_and_nan_are_refused_at_validation():
    for bad in (float("inf"), float("nan"), "1e309"):
        with pytest.raises(ValueError, match="finite"):
            Figure.model_validate({"quote": "q", "text": "t", "value": bad, "low": None, "high": None,
                                   "qualifier": "exact", "unit": None, "measure": "m", "reported_by": None})


# -- who: speaker, reported_by, set_by -------------------------------------------------------

ZELENSKY_TERMS = "only on the condition that Russia return all of Ukraine’s occupied lands"


def test_a_speaker_named_in_the_quotes_sentence_by_surname_or_full_name(seed_text):
    quote = "“Same thing probably on the Ukrainian side,” Milley added."
    for name in ("Milley", "Mark Milley", "Gen. Mark Milley"):
        passes(claim(quote, name, hedged=True), seed_text)


def test_he_said_refers_back_to_the_paragraph_before(seed_text):
    quote = "“There has been a tremendous amount of suffering, human suffering,” he said at The Economic Club of New York."
    passes(claim(quote, "Mark Milley"), seed_text)


def test_a_name_found_only_elsewhere_is_misattributed(seed_text):
    fails(condition(ZELENSKY_TERMS, "Mark Milley"), seed_text, "set_by", 'misattributed: the article names "Mark Milley"')
    quote = "Russia has said it is open to talks, and this week announced it had begun a retreat from Kherson."
    fails(claim(quote, "Volodymyr Zelensky"), seed_text, "speaker", "misattributed")


def test_a_party_mentioned_in_a_sentence_that_attributes_it_to_another_is_misattributed(seed_text):
    quote = "Russia had amassed 20,000 to 30,000 troops in Kherson"
    fails(figure(quote, "20,000 to 30,000", None, "range", low=20000, high=30000, reported_by="Russia"), seed_text,
          "reported_by", "it attributes the words to Milley")
    fails(condition("provide compensation for war damage", "Russia"), seed_text, "set_by",
          "attributes the words to Ukrainian President Volodymyr Zelensky")
    passes(condition("provide compensation for war damage", "Ukraine"), seed_text)  # his country sets it


def test_the_byline_is_not_a_speaker(seed_text):
    quote = "a potential stalemate in fighting over the winter could provide both countries an opportunity to negotiate peace"
    passes(claim(quote, "Mark Milley", hedged=True), seed_text)
    fails(claim(quote, "Tara Copp", hedged=True), seed_text, "speaker", "misattributed")


def test_a_name_the_article_never_gives_fails(seed_text):
    fails(condition(ZELENSKY_TERMS, "Lloyd Austin"), seed_text, "set_by", '"Lloyd Austin" is not named in the article')


def test_a_title_the_article_gives_that_person_names_them(seed_text):
    quote = "Milley, the highest-ranking U.S. military officer, said Russia had amassed 20,000 to 30,000 troops in Kherson"
    item = figure(quote, "20,000 to 30,000", None, "range", low=20000, high=30000,
                  reported_by="chairman of the Joint Chiefs of Staff")
    passes(item, seed_text)


def test_a_clause_between_two_commas_is_no_apposition():
    # "Brennik, the Red Cross said this week, adding ...": the commas hold a clause with its own reporting verb,
    # so the place before them is no speaker; a real apposition still names one.
    sentence = ("As many as 150 civilians have died in Brennik, the Kestrian Red Cross said this week, adding that "
                "it had recovered bodies.")
    assert attributed_to(sentence, 0, 40) == ["Kestrian Red Cross"]
    assert speakers_in(sentence) == ["Kestrian Red Cross"]
    assert attributed_to("Milley, the highest-ranking U.S. military officer, said Russia had amassed troops", 55, 70) == [
        "Milley"]


def test_one_persons_title_given_to_another_fails(seed_text):
    fails(condition(ZELENSKY_TERMS, "Joint Chiefs Chairman Volodymyr Zelensky"), seed_text, "set_by",
          'the article does not call Zelensky "Joint", "Chiefs", "Chairman"')
    passes(condition(ZELENSKY_TERMS, "Ukrainian President Volodymyr Zelensky"), seed_text)
    passes(condition(ZELENSKY_TERMS, "Ukraine"), seed_text)  # the country his title names


@pytest.mark.skipif(not (SHARED / "articles").is_dir(), reason="../shared/articles is not here")
def test_an_organisation_named_by_its_acronym():
    text = (SHARED / "articles" / "dailysabah-zaporizhzhia-ceasefire-iaea.txt").read_text(encoding="utf-8")
    quote = "Another IAEA-brokered local ceasefire is now in effect"
    passes(claim(quote, "International Atomic Energy Agency"), text)
    fails(claim(quote, "World Health Organization"), text, "speaker", "not named in the article")


@pytest.mark.skipif(not (SHARED / "articles").is_dir(), reason="../shared/articles is not here")
def test_speakers_in_a_real_talks_report():
    text = (SHARED / "articles" / "time-geneva-talks-2026.txt").read_text(encoding="utf-8")
    quote = "By contrast, Zelensky said his conversations with Kushner and Witkoff do not involve that kind of pressure."
    passes(claim(quote, "Volodymyr Zelensky"), text)
    fails(claim(quote, "Karoline Leavitt"), text, "speaker", "misattributed")


# -- actors, hedges -------------------------------------------------------------------------


def test_an_actor_is_named_in_its_own_quote(seed_text):
    quote = "Army Gen. Mark Milley, chairman of the Joint Chiefs of Staff"
    passes(Actor(quote=quote, name="Mark Milley", kind="person", role=None, affiliation=None), seed_text)
    zelensky = Actor(quote=quote, name="Volodymyr Zelensky", kind="person", role=None, affiliation=None)
    fails(zelensky, seed_text, "name", 'the name "Volodymyr Zelensky" is not in its quote')


def test_an_actor_cannot_take_another_persons_title(seed_text):
    quote = "Ukrainian President Volodymyr Zelensky"
    right = Actor(quote=quote, name="Volodymyr Zelensky", kind="person", role="President of Ukraine", affiliation=None)
    passes(right, seed_text)
    wrong = right.model_copy(update={"role": "chairman of the Joint Chiefs of Staff"})
    fails(wrong, seed_text, "role", 'the article gives "chairman of the Joint Chiefs of Staff" to')


def test_hedged_agrees_with_the_hedging_words_of_the_quote(seed_text):
    hedged = "“Same thing probably on the Ukrainian side,” Milley added."
    fails(claim(hedged, "Milley", hedged=False), seed_text, "hedged", 'its quote hedges ("probably")')
    plain = "Russia has said it is open to talks, and this week announced it had begun a retreat from Kherson."
    fails(claim(plain, None, hedged=True), seed_text, "hedged", "has no hedging word")
    passes(claim(plain, None, hedged=False), seed_text)


# -- degenerate evidence --------------------------------------------------------------------


@pytest.mark.parametrize(("quote", "reason"), [(",", "too short"), ("Milley", "too short"), ("40,000", "too short")])
def test_a_scrap_is_not_evidence(seed_text, quote, reason):
    fails(claim(quote), seed_text, "quote", reason)


def test_a_page_is_not_evidence(seed_text):
    fails(claim(seed_text[:900]), seed_text, "quote", "more than 600", alone=False)
    three = seed_text[seed_text.index("He said as many") : seed_text.index("“There has been")].strip()
    assert len(three) < 600
    three_sentences = three + "\n\n“There has been a tremendous amount of suffering, human suffering,” he said"
    fails(claim(three_sentences, "Milley"), seed_text, "quote", "runs over 3 sentences", alone=False)


# -- a user's own model gets the checks its fields allow ---------------------------------------


class Casualty(BaseModel):
    quote: str
    text: str
    value: float
    reported_by: str | None


class Casualties(BaseModel):
    items: list[Casualty]


def test_a_users_model_is_checked_by_its_field_names(seed_text):
    right = Casualty(quote=SOLDIERS, text="well over 100,000", value=100000, reported_by="Milley")
    wrong = Casualty(quote=SOLDIERS, text="well over 100,000", value=100000, reported_by="Zelensky")
    report = ground(Casualties(items=[right, wrong]), seed_text, policy="flag")
    assert [(i.path, i.fields) for i in report.issues] == [("items[1]", ["reported_by"])]
    assert report.checks["items.value"].passed == 2 and report.checks["items.reported_by"].failed == 1


# -- issue 22: attribution, titles, qualifiers on invented articles -----------------------------

DAM = (
    "Talks stall over the Orvel dam\n"
    "\n"
    "The plan for a river commission was rejected on Monday by the Varnian minister of foreign affairs, Tomas Reliq.\n"
    "\n"
    "“We will not sign a plan that leaves the guns on the river,” Reliq told reporters in the capital.\n"
    "\n"
    "“Nobody will open the sluices before the ice melts,” said the Kessian minister of water, Ilse Marn.\n"
    "\n"
    "The Halden Institute published its survey of the border towns on Tuesday.\n"
    "\n"
    "“The region cannot recover while the shelling goes on,” the Varnian think-tank concluded.\n"
    "\n"
    "Kessia demanded that Lusarra withdraw its artillery from the river banks.\n"
    "\n"
    "At a rally in the capital President Anna Vell said Lusarra must pay for the flooded farms.\n"
    "\n"
    "Kessia's envoy urged Lusarra to reopen the northern crossing within a week.\n"
    "\n"
    "The water agency in Orvel said the reservoir would be drained by May, and Lusarra's own estimates put the loss "
    "at a season of crops.\n"
    "\n"
    "Mira Olsen is a reporter and the head of the foreign desk at the Kessin Courier. Piet Dahl, a photographer, "
    "travelled with her to the front.\n"
)


def check(item: BaseModel, text: str, field: str) -> str | None:
    """The reason ``field`` of ``item`` fails against ``text`` (None when it passes), by the field checks alone."""
    span, quote = check_quote(text, str(item.quote))
    assert span is not None and quote.ok, quote
    found = [c for c in check_fields(item, text, span) if c.field == field]
    assert len(found) == 1, found
    return None if found[0].ok else found[0].detail


@pytest.mark.parametrize(
    ("quote", "speaker"),
    [
        ("We will not sign a plan that leaves the guns on the river", "Varnian minister of foreign affairs"),
        ("We will not sign a plan that leaves the guns on the river", "Tomas Reliq"),
        ("Nobody will open the sluices before the ice melts", "Ilse Marn"),
        ("Nobody will open the sluices before the ice melts", "Kessian minister of water"),
        ("Nobody will open the sluices before the ice melts", "minister of water Ilse Marn"),
    ],
)
def test_a_title_then_a_comma_then_the_name_gives_that_person_the_title(quote, speaker):
    assert check(claim(quote, speaker), DAM, "speaker") is None


def test_a_title_given_to_one_person_does_not_name_another():
    quote = "We will not sign a plan that leaves the guns on the river"
    assert "misattributed" in (check(claim(quote, "Kessian minister of water"), DAM, "speaker") or "")
    assert "misattributed" in (check(claim(quote, "Ilse Marn"), DAM, "speaker") or "")


def test_a_description_referring_back_names_the_party_of_the_paragraph_before():
    quote = "The region cannot recover while the shelling goes on"
    assert check(claim(quote, "Halden Institute"), DAM, "speaker") is None
    assert "misattributed" in (check(claim(quote, "Tomas Reliq"), DAM, "speaker") or "")  # two paragraphs back


@pytest.mark.parametrize(
    ("quote", "setter", "mentioned"),
    [
        ("Lusarra withdraw its artillery from the river banks", "Kessia", "Lusarra"),  # "demanded that": an object
        ("Lusarra must pay for the flooded farms", "Anna Vell", "Lusarra"),  # "X said" mid-sentence
        ("Lusarra to reopen the northern crossing within a week", "Kessia", "Lusarra"),  # "urged": an object
    ],
)
def test_the_setter_is_the_party_the_sentence_attributes_the_demand_to(quote, setter, mentioned):
    assert check(condition(quote, setter), DAM, "set_by") is None
    reason = check(condition(quote, mentioned), DAM, "set_by")
    assert reason is not None and "misattributed" in reason and "attributes the words to" in reason


def test_a_place_in_the_subject_or_a_noun_after_a_possessive_is_not_the_speaker():
    assert check(claim("the reservoir would be drained by May", "water agency"), DAM, "speaker") is None
    assert check(condition("the reservoir would be drained by May", "water agency in Orvel"), DAM, "set_by") is None


def test_reporting_verbs_are_one_list_in_all_their_forms():
    for verb in ("demanded", "urged", "insists", "conceded", "denied", "concluded", "called for", "acknowledged"):
        assert verb in REPORTING_VERBS
    assert not {"claim", "demand", "report", "estimate"} & REPORTING_VERBS  # as often nouns: "the claim", "a report"


def test_a_role_the_article_gives_the_subject_of_its_sentence_is_not_anothers():
    dahl = Actor(quote="Piet Dahl, a photographer", name="Piet Dahl", kind="person", role="head of the foreign desk",
                 affiliation=None)
    assert 'gives "head of the foreign desk" to Mira Olsen' in (check(dahl, DAM, "role") or "")
    olsen = Actor(quote="Mira Olsen is a reporter", name="Mira Olsen", kind="person", role="head of the foreign desk",
                  affiliation=None)
    assert check(olsen, DAM, "role") is None
    assert check(dahl.model_copy(update={"role": "photographer"}), DAM, "role") is None


COSTS = (
    "Repairs to the dam will cost more than $4.3bn, the engineers said, with the wider bill exceeding $200bn. "
    "The fund may lend up to €5 million to each town, and about £12m has already been spent. "
    "Up to one-third of the grain exports are stuck, and nearly two-thirds of the villages have no power. "
    "Only a third of the wells work."
)


@pytest.mark.parametrize(
    ("text", "value", "right", "wrong"),
    [
        ("$4.3bn", 4.3e9, "more_than", "exact"),
        ("more than $4.3bn", 4.3e9, "more_than", "exact"),
        ("$200bn", 200e9, "more_than", "exact"),
        ("€5 million", 5e6, "at_most", "exact"),
        ("£12m", 12e6, "approximately", "exact"),
        ("one-third", 1 / 3, "at_most", "exact"),
        ("two-thirds", 0.67, "approximately", "exact"),
        ("a third", 0.33, "exact", "at_most"),
    ],
)
def test_a_currency_between_the_qualifying_words_and_the_number_does_not_hide_them(text, value, right, wrong):
    sentence = next(s for s in COSTS.split(". ") if text in s)
    assert check(figure(sentence, text, value, right), COSTS, "qualifier") is None
    assert f"its qualifier is {wrong}" in (check(figure(sentence, text, value, wrong), COSTS, "qualifier") or "")


@pytest.mark.parametrize(("text", "value"), [("two-thirds", 2), ("two-thirds", 0.7), ("one-third", 1), ("one-third", 3)])
def test_a_fraction_never_states_its_numerator_or_another_number(text, value):
    sentence = next(s for s in COSTS.split(". ") if text in s)
    assert "is not stated" in (check(figure(sentence, text, value, "exact"), COSTS, "value") or "")
