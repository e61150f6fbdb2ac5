"""The verdicts of the claims ledger: each rule at its edges (an interval touching the claimed range, straddling
it, wholly inside or outside), a test by its Holm-adjusted p and its effect's direction, Holm against statsmodels,
the relative metrics against counts by hand and statsmodels, the mended rows of the shipped sheet, and the ledger on
a sheet with its tactics shuffled."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from helpers import (
    SHIPPED,
    conditional_odds_ratio_by_hand,
    examples,
    holm_by_statsmodels,
    make_cases,
    shipped_survey_summary,
    statsmodels_share_trend,
)
from helpers import shipped_cases as read_shipped_cases
from tnr_pipeline.analysis.claims import measures, notation, verdicts
from tnr_pipeline.analysis.claims import sheet as claims_sheet
from tnr_pipeline.analysis.claims.measures import Estimate
from tnr_pipeline.analysis.claims.notation import CONTRADICTED, NOT_ESTABLISHED, SUPPORTED

# ---- an estimate's interval against the range its check claims ----------------------------------------------------


@pytest.mark.parametrize(
    "check, expected, low, high, verdict",
    [
        ("above", "2", 2.5, 9.0, SUPPORTED),  # wholly above
        ("above", "2", 2.0, 9.0, NOT_ESTABLISHED),  # touching: 2 is not above 2
        ("above", "2", 1.5, 9.0, NOT_ESTABLISHED),  # straddling
        ("above", "2", 0.5, 2.0, CONTRADICTED),  # touching from below: no value of it is above 2
        ("above", "2", 0.5, 1.5, CONTRADICTED),
        ("at_least", "0.5", 0.5, 0.7, SUPPORTED),  # touching: 0.5 is at least 0.5
        ("at_least", "0.5", 0.44, 0.64, NOT_ESTABLISHED),
        ("at_least", "0.5", 0.2, 0.49, CONTRADICTED),
        ("at_least", "0.5", 0.2, 0.5, NOT_ESTABLISHED),  # its top is at least 0.5
        ("at_most", "0.25", 0.12, 0.25, SUPPORTED),
        ("at_most", "0.25", 0.12, 0.28, NOT_ESTABLISHED),
        ("at_most", "0.25", 0.25, 0.4, NOT_ESTABLISHED),  # its bottom is at most 0.25
        ("at_most", "0.25", 0.26, 0.4, CONTRADICTED),
        ("below", "1", 0.1, 0.99, SUPPORTED),
        ("below", "1", 0.1, 1.0, NOT_ESTABLISHED),  # touching: 1 is not below 1
        ("below", "1", 1.0, 3.0, CONTRADICTED),
        ("rounds_to", "8", 7.5, 8.49, SUPPORTED),  # [7.5, 8.5)
        ("rounds_to", "8", 7.6, 8.5, NOT_ESTABLISHED),  # 8.5 rounds to 9
        ("rounds_to", "8", 5.33, 12.91, NOT_ESTABLISHED),  # the headline's interval
        ("rounds_to", "8", 8.5, 12.0, CONTRADICTED),
        ("rounds_to", "8", 5.0, 7.49, CONTRADICTED),
        ("between", "3.5..8.5", 3.5, 8.5, SUPPORTED),  # both ends included
        ("between", "3.5..8.5", 2.6, 6.98, NOT_ESTABLISHED),
        ("between", "3.5..8.5", 8.51, 9.0, CONTRADICTED),
        ("between", "3.5..8.5", 1.0, 3.49, CONTRADICTED),
        ("above", "1", math.nan, math.nan, NOT_ESTABLISHED),  # no interval: nothing established
        ("above", "1", 1.2, math.inf, SUPPORTED),  # no baseline case: the top is infinite
    ],
)
def test_an_estimate_is_judged_by_where_its_interval_lies(check, expected, low, high, verdict):
    assert verdicts.judge_interval(low, high, check, expected) == verdict


@pytest.mark.parametrize(
    "effect, adjusted, verdict",
    [
        (Estimate(3.2, 1.1, 8.9, 0.02, "up"), 0.05, SUPPORTED),  # Holm-adjusted p at the level: enough
        (Estimate(3.2, 1.1, 8.9, 0.02, "up"), 0.064, NOT_ESTABLISHED),  # near_abroad_sharper after Holm
        (Estimate(0.3, 0.1, 0.9, 0.001, "up"), 0.01, CONTRADICTED),  # significant, the other way
        (Estimate(0.3, 0.1, 1.0, 0.04, "up"), 0.04, NOT_ESTABLISHED),  # the other way, interval touching 1
        (Estimate(0.3, 0.1, 0.9, 0.001, "down"), 0.01, SUPPORTED),  # "replaced": a fall is the sentence's way
        (Estimate(2.0, 1.2, 3.0, 0.001, "down"), 0.01, CONTRADICTED),
        (Estimate(1.0, 0.5, 2.0, 0.001, "up"), 0.001, NOT_ESTABLISHED),  # no effect, whatever the p
    ],
)
def test_a_test_needs_its_holm_adjusted_p_and_the_sentences_direction(effect, adjusted, verdict):
    assert verdicts.judge_test(effect, adjusted, 0.05) == verdict


@settings(max_examples=examples(60), deadline=None)
@given(st.lists(st.floats(min_value=0.0, max_value=1.0, allow_nan=False), min_size=1, max_size=12))
def test_holm_agrees_with_statsmodels(p_values):
    assert verdicts.holm(p_values) == pytest.approx(holm_by_statsmodels(p_values), abs=1e-12)


def test_the_near_abroad_row_moves_above_its_level_under_holm_over_the_shipped_tests():
    # the shipped ledger's seven p-values as the review recomputed them: 0.021 becomes 0.064
    p_values = [0.00939, 0.02136, 0.6254, 8.67e-05, 3.19e-06, 2.14e-27, 0.2205]
    assert verdicts.holm(p_values)[1] == pytest.approx(holm_by_statsmodels(p_values)[1])
    assert verdicts.holm(p_values)[1] == pytest.approx(0.0641, abs=1e-4)


# ---- the relative metrics against counts made here ---------------------------------------------------------------


@pytest.fixture()
def relative_tables(periods, reference):
    """Digital threats: 4 of 10 cases before 2022, 2 of 20 after (their share falls, their number rises)."""
    rows = (
        [("DEU", 2016, "digital_threat")] * 4
        + [("KAZ", 2017, "detention")] * 6
        + [("DEU", 2023, "digital_threat")] * 2
        + [("GEO", 2022, "denial_of_entry")] * 12
        + [("ARM", 2024, "detention")] * 6
    )
    cases = make_cases(rows, periods)
    return {"cases": measures.prepare_cases(cases, reference.region_groups)}


def test_a_share_change_is_the_odds_ratio_of_the_share_between_the_periods(relative_tables, analysis):
    change = measures.measure(
        "share_change tactic=digital_threat among period=pre_war,post_invasion", relative_tables, analysis
    )
    by_hand = conditional_odds_ratio_by_hand(2, 18, 4, 6)  # after: 2 of 20; before: 4 of 10
    assert (change.estimate, change.ci_low, change.ci_high) == pytest.approx(by_hand, rel=1e-6)
    # the digital threats' own rate ratio is above 1 (2 a year... vs 0.5): the overall rise carries it
    own = measures.measure("rate_ratio tactic=digital_threat", relative_tables, analysis)
    assert own.estimate == pytest.approx((2 / 3) / (4 / 8))
    assert verdicts.judge_interval(change.ci_low, change.ci_high, "above", "1") != SUPPORTED


def test_a_group_against_the_rest_is_the_odds_ratio_of_its_share_against_every_other_case(relative_tables, analysis):
    # near abroad among detentions: 12 of 12; among the other cases (digital, denial of entry): 12 of 18
    against = measures.measure(
        "share_against_rest region_group=near_abroad among tactic=detention", relative_tables, analysis
    )
    assert (against.estimate, against.ci_low, against.ci_high) == pytest.approx(
        conditional_odds_ratio_by_hand(12, 0, 12, 6), rel=1e-6
    )


def test_a_share_trend_matches_statsmodels_binomial_glm(relative_tables, analysis):
    trend = measures.measure("share_trend tactic=digital_threat among year=2014..2024", relative_tables, analysis)
    years = range(2014, 2025)
    rows = relative_tables["cases"]
    hits = [int(((rows["year"] == y) & (rows["tactic"] == "digital_threat")).sum()) for y in years]
    trials = [int((rows["year"] == y).sum()) for y in years]
    growth, low, high, _ = statsmodels_share_trend(hits, trials)
    assert (trend.estimate, trend.ci_low, trend.ci_high) == pytest.approx((growth, low, high), rel=1e-6)


def test_a_share_trend_takes_its_years_after_among():
    from helpers import ANALYSIS_JSON
    from tnr_pipeline.model.reference import Reference
    from tnr_pipeline.model.settings import parse_analysis

    analysis = parse_analysis(ANALYSIS_JSON)
    survey = pd.DataFrame({"question": [], "answer": []})
    words = claims_sheet.Vocabulary.of(analysis, Reference(), survey)
    ok = notation.parse_metric("share_trend eu_member=true among period=post_invasion")
    assert claims_sheet.argument_problems(ok, words, analysis) == []
    missing = notation.parse_metric("share_trend eu_member=true among tactic=detention")
    assert any("needs its years (after 'among')" in p for p in claims_sheet.argument_problems(missing, words, analysis))
    wrong = notation.parse_metric("share_change_p tactic=detention direction=sideways among period=pre_war")
    assert any("direction 'sideways' is not known" in p for p in claims_sheet.argument_problems(wrong, words, analysis))


# ---- the shipped sheet: every mended row, the kinds, the repeats ------------------------------------------------


@pytest.fixture(scope="module")
def shipped_sheet():
    return claims_sheet.read_claims(SHIPPED / "claims.csv").set_index("claim_id")


@pytest.mark.parametrize(
    "claim_id, metric, check, expected",
    [
        ("digital_rising", "share_change tactic=digital_threat among period=pre_war,post_invasion", "above", "1"),
        (
            "removals_escalating",
            "share_change tactic=extradition_request,rendition,unlawful_deportation among period=pre_war,post_invasion",
            "above",
            "1",
        ),
        ("eu_trend_rising", "share_trend eu_member=true among year=2014..2024", "above", "1"),
        ("increasingly_affecting_eu", "share_trend eu_member=true among period=post_invasion", "above", "1"),
        (
            "removals_most_prevalent_near_abroad",
            "share_against_rest region_group=near_abroad among "
            "tactic=extradition_request,rendition,unlawful_deportation",
            "above",
            "1",
        ),
        ("eu_escalation_more_moderate", "share_change eu_member=true among period=pre_war,post_invasion", "below", "1"),
        ("each_case_cross_referenced", "n_cases verification=single_source,unverified", "equals", "0"),
        ("based_on_verified_data", "n_cases verification=single_source,unverified", "equals", "0"),
        ("armenia_no_forced_removal", "", "not_checkable", ""),
        ("kyrgyzstan_handovers", "n_cases host_country=KGZ tactic=unlawful_deportation", "at_least", "2"),
        ("robust_under_every_variant", "variant_ratios scope=all", "above", "1"),
        ("hotspots_remain_central", "top_countries n=3 period=pre_war", "equals_set", "ARM GEO KAZ"),
        ("passport_refusals_rising", "share_change tactic=denial_of_services among eu_member=true", "above", "1"),
        ("spreading_westward", "share_change eu_member=true among period=pre_war,post_invasion", "above", "1"),
    ],
)
def test_each_mended_row_reads_its_sentence_as_written(shipped_sheet, claim_id, metric, check, expected):
    row = shipped_sheet.loc[claim_id]
    assert (row["metric"], row["check"], row["expected"]) == (metric, check, expected)


def test_the_mended_rows_keep_their_ids_and_mark_what_they_are(shipped_sheet):
    assert shipped_sheet.loc["near_abroad_sharper_without_denial_of_entry", "source"] == "pipeline"
    assert shipped_sheet.loc["based_on_verified_data", "repeats"] == "each_case_cross_referenced"
    for redundant in ("eu_incidents_named", "sample_countries", "none_before_2022", "four_to_eight_all"):
        assert shipped_sheet.loc[redundant, "repeats"], redundant
    assert "four to eight" not in shipped_sheet.loc["robust_under_every_variant", "claim"]
    assert "violence" in shipped_sheet.loc["violence_replaced", "claim"]
    assert "direction=down" in shipped_sheet.loc["violence_replaced", "metric"]
    assert (shipped_sheet["section"] == "Conclusion").sum() >= 5


def test_a_repeat_must_name_a_first_row(tmp_path):
    from helpers import CLAIMS_FILE_COLUMNS

    rows = [
        ["a", "F", "12 cases.", "n_cases", "equals", "12", "report", "", "", ""],
        ["b", "F", "12 cases.", "n_cases", "equals", "12", "report", "", "", "a"],
        ["c", "F", "12 cases.", "n_cases", "equals", "12", "report", "", "", "b"],
        ["d", "F", "12 cases.", "n_cases", "equals", "12", "report", "", "", "zzz"],
    ]
    claims = pd.DataFrame(rows, columns=[*CLAIMS_FILE_COLUMNS, "repeats"], index=range(2, 6))
    problems = [p.message for p in claims_sheet._repeat_problems(claims)]
    assert problems == [
        'row 4 (claim "c"), column "repeats": "b" itself repeats "a"; name the row it repeats, "a".',
        'row 5 (claim "d"), column "repeats": "zzz" is not the claim_id of another row of the claims file.',
    ]


# ---- the ledger on perturbed sheets ------------------------------------------------------------------------------


def _ledger_on(cases: pd.DataFrame, reference, analysis, built=frozenset()) -> pd.DataFrame:
    """The ledger of the frozen shipped claims sheet on these cases (and the frozen questionnaire)."""
    from tnr_pipeline.stages.compute_statistics import statistics_tables

    tables = statistics_tables(cases, reference, analysis)
    tables["cases"] = measures.prepare_cases(cases, reference.region_groups)
    tables["survey_summary"] = SURVEY_SUMMARY()
    claims = claims_sheet.read_claims(SHIPPED / "claims.csv")
    return verdicts.check_claims(claims, tables, analysis, built).set_index("claim_id")


@pytest.fixture(scope="module")
def shipped_cases():
    return read_shipped_cases()


SURVEY_SUMMARY = shipped_survey_summary
RELATIVE_TACTIC_ROWS = ("digital_rising", "removals_escalating", "digital_intensified", "removals_growing_risks")


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_with_tactics_shuffled_the_relative_rows_are_not_supported(shipped_cases, reference, analysis, seed):
    shuffled = shipped_cases.copy()
    shuffled["tactic"] = np.random.default_rng(seed).permutation(shuffled["tactic"].to_numpy())
    typology = reference.typology.set_index("code")
    shuffled["tactic_family"] = shuffled["tactic"].map(typology["family"])  # what validation derives from the tactic
    shuffled["fh_counted"] = shuffled["tactic"].map(typology["fh_counted"].astype(str).str.lower().eq("true"))
    ledger = _ledger_on(shuffled, reference, analysis)
    assert (ledger.loc[list(RELATIVE_TACTIC_ROWS), "verdict"] != SUPPORTED).all(), ledger.loc[
        list(RELATIVE_TACTIC_ROWS), ["estimate", "ci_low", "ci_high", "verdict"]
    ]


def test_the_shipped_ledger_gives_the_verdicts_the_review_asked_for(shipped_cases, reference, analysis):
    ledger = _ledger_on(shipped_cases, reference, analysis)
    assert ledger.loc[["accelerated", "expanded_dramatically"], "verdict"].eq(SUPPORTED).all()
    for claim_id in ("eightfold", "fourfold_without_denial_of_entry", "digital_rising", "two_methods_central"):
        assert ledger.loc[claim_id, "verdict"] != SUPPORTED, claim_id
    assert ledger.loc[["pre_war_cases", "post_invasion_cases"], "kind"].eq(notation.DESCRIPTIVE).all()
    assert ledger.loc[["pre_war_cases", "post_invasion_cases"], "verdict"].eq(notation.HOLDS).all()
    # eightfold: the exact interval 5.33-12.91 straddles [7.5, 8.5)
    assert ledger.loc["eightfold", ["ci_low", "ci_high"]].tolist() == pytest.approx([5.3288, 12.9114], abs=1e-4)
    # Holm over every row with a p-value, as statsmodels adjusts them
    tested = ledger[ledger["p_value"].notna()]
    assert tested["p_adjusted"].tolist() == pytest.approx(holm_by_statsmodels(tested["p_value"].tolist()))
    assert ledger.loc["near_abroad_sharper", "verdict"] == NOT_ESTABLISHED  # 0.021 becomes about 0.064


def test_by_construction_marks_only_the_rows_the_description_lists(shipped_cases, reference, analysis):
    ledger = _ledger_on(shipped_cases, reference, analysis, frozenset({"pre_war_cases", "no_such_row"}))
    assert ledger.index[ledger["by_construction"]].tolist() == ["pre_war_cases"]
    assert not _ledger_on(shipped_cases, reference, analysis)["by_construction"].any()


def test_the_rows_built_to_hold_come_only_from_inputs_described_as_reconstructions(tmp_path):
    import json

    from tnr_pipeline.inputs.descriptions import DescriptionError, built_to_satisfy

    (tmp_path / "cases.csv").write_text("case_id\n", encoding="utf-8")
    package = tmp_path / "datapackage.json"
    resource = {"name": "cases", "path": "cases.csv", "tnr:reconstruction": {"built_to_satisfy": ["pre_war_cases"]}}
    package.write_text(json.dumps({"resources": [resource]}), encoding="utf-8")
    path = str(tmp_path / "cases.csv")
    assert built_to_satisfy(str(package), {path: {"reconstruction": True}}) == {"pre_war_cases"}
    assert built_to_satisfy(str(package), {path: {"reconstruction": False}}) == frozenset()
    assert built_to_satisfy(None, {path: {"reconstruction": True}}) == frozenset()
    resource["tnr:reconstruction"]["built_to_satisfy"] = "pre_war_cases"  # not a list
    package.write_text(json.dumps({"resources": [resource]}), encoding="utf-8")
    with pytest.raises(DescriptionError, match="is not a list of claim_ids"):
        built_to_satisfy(str(package), {path: {"reconstruction": True}})
