"""The statistics: hand-computed numbers, the exact interval against scipy.stats, and properties on random tables."""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy import stats as scipy_stats

from helpers import ANALYSIS, central_binomial_p, examples, fisher, independent_interval, make_cases
from tnr_pipeline.analysis import robustness, stats
from tnr_pipeline.analysis.tables import breakdown_categories
from tnr_pipeline.stages.compute_statistics import statistics_tables

TACTICS = ["assassination", "detention", "denial_of_entry", "digital_threat"]


def test_report_headline_numbers():
    result = stats.rate_ratio(29, 8, 89, 3)
    assert round(result["ratio"], 2) == 8.18
    assert (round(result["ci_low"], 2), round(result["ci_high"], 2)) == (5.33, 12.91)
    without_doe = stats.rate_ratio(29, 8, 46, 3)
    assert (round(without_doe["ratio"], 2), round(without_doe["ci_low"], 2), round(without_doe["ci_high"], 2)) == (
        4.23,
        2.60,
        6.98,
    )


def test_hand_computed_ratio():
    # 2 cases in 4 years vs 6 cases in 2 years: 0.5 vs 3 a year -> ratio 6
    assert stats.rate_ratio(2, 4, 6, 2)["ratio"] == pytest.approx(6.0)


def test_zero_baseline_gives_infinite_ratio_and_upper_bound():
    result = stats.rate_ratio(0, 8, 5, 3)
    assert result["ratio"] == math.inf and result["ci_high"] == math.inf
    assert 0 < result["ci_low"] < math.inf
    assert 0 < result["p_value"] < 1


def test_no_cases_at_all_gives_missing_ratio_and_p_one():
    result = stats.rate_ratio(0, 8, 0, 3)
    assert math.isnan(result["ratio"]) and math.isnan(result["ci_low"]) and math.isnan(result["ci_high"])
    assert result["p_value"] == 1.0


def test_zero_comparison_gives_zero_ratio():
    result = stats.rate_ratio(5, 8, 0, 3)
    assert result["ratio"] == 0 and result["ci_low"] == 0 and 0 < result["ci_high"] < math.inf


@given(
    x_base=st.integers(0, 400),
    x_comp=st.integers(0, 400),
    t_base=st.integers(1, 30),
    t_comp=st.integers(1, 30),
    level=st.sampled_from([0.8, 0.9, 0.95, 0.99]),
)
@settings(max_examples=examples(200), deadline=None)
def test_interval_matches_independent_implementation(x_base, x_comp, t_base, t_comp, level):
    if x_base + x_comp == 0:
        return
    ours = stats.rate_ratio(x_base, t_base, x_comp, t_comp, level)
    ratio, low, high, p_value = independent_interval(x_base, t_base, x_comp, t_comp, level)
    for mine, theirs in [(ours["ratio"], ratio), (ours["ci_low"], low), (ours["ci_high"], high)]:
        assert mine == theirs or mine == pytest.approx(theirs, rel=1e-9)
    assert ours["p_value"] == pytest.approx(p_value, rel=1e-6, abs=1e-12)
    assert ours["ci_low"] <= ours["ratio"] <= ours["ci_high"]


def test_annual_counts_grid_is_complete(periods):
    cases = make_cases(
        [("GEO", 2022, "denial_of_entry"), ("GEO", 2022, "denial_of_entry"), ("KAZ", 2010, "detention")], periods
    )
    counts = stats.count_annual(cases, TACTICS, periods)
    assert counts["year"].min() == 2010 and counts["year"].max() == 2024
    assert len(counts) == 15 * len(TACTICS)
    indexed = counts.set_index(["year", "tactic"])["cases"]
    assert indexed[(2022, "denial_of_entry")] == 2 and indexed[(2010, "detention")] == 1
    assert indexed.sum() == 3


def test_period_summary_by_hand(periods, scopes):
    cases = make_cases(
        [("GEO", 2022, "denial_of_entry")] * 6
        + [("ARM", 2023, "detention")] * 3
        + [("KAZ", 2015, "detention")] * 4
        + [("KAZ", 2016, "digital_threat")] * 4,
        periods,
    )
    summary = stats.summarise_periods(cases, periods, scopes).set_index(["scope", "period"])
    assert summary.loc[("all", "pre_war"), "cases"] == 8
    assert summary.loc[("all", "pre_war"), "annual_mean"] == 1.0
    assert summary.loc[("all", "post_invasion"), "annual_mean"] == 3.0
    assert summary.loc[("excluding_denial_of_entry", "post_invasion"), "cases"] == 3
    assert summary.loc[("freedom_house_physical", "pre_war"), "cases"] == 4
    ratios = stats.compare_periods(summary.reset_index(), "pre_war", "post_invasion", 0.95).set_index("scope")
    assert ratios.loc["all", "ratio"] == pytest.approx(3.0)
    assert ratios.loc["excluding_denial_of_entry", "ratio"] == pytest.approx(1.0)


def test_country_summary_marks_new_countries_and_zeros(periods, scopes):
    cases = make_cases(
        [
            ("GEO", 2022, "denial_of_entry"),
            ("ARM", 2015, "detention"),
            ("ARM", 2023, "detention"),
            ("ESP", 2024, "assassination"),
        ],
        periods,
    )
    eu = pd.Series({"ESP": True, "ARM": False, "GEO": False})
    summary = stats.summarise_countries(cases, periods, scopes, periods[1], eu)
    assert len(summary) == 3 * len(scopes) * len(periods)
    new = summary[summary["new_in_comparison"]].groupby("scope")["host_country"].unique()
    assert sorted(new["all"]) == ["ESP", "GEO"]
    assert sorted(new["excluding_denial_of_entry"]) == ["ESP"]
    row = summary.set_index(["host_country", "scope", "period"])
    assert row.loc[("GEO", "excluding_denial_of_entry", "post_invasion"), "cases"] == 0
    assert row.loc[("ARM", "all", "pre_war"), "first_year"] == 2015
    assert row.loc[("ESP", "all", "pre_war"), "eu_member_at_end"]


def test_a_country_with_cases_before_the_baseline_is_not_new(periods, scopes):
    # POL: a case in 2012 (before any period), none in the baseline, one in the comparison: not new.
    cases = make_cases([("POL", 2012, "detention"), ("POL", 2023, "detention"), ("ESP", 2024, "detention")], periods)
    eu = pd.Series({"POL": True, "ESP": True})
    summary = stats.summarise_countries(cases, periods, scopes, periods[1], eu)
    new = summary[summary["new_in_comparison"] & (summary["scope"] == "all")]["host_country"].unique()
    assert list(new) == ["ESP"]


def test_counts_on_a_grid_are_the_cases_counted_one_by_one(periods, scopes):
    # 2012 lies in no period and USA is not among the countries asked for: neither is counted anywhere.
    rows = [
        ("GEO", 2022, "denial_of_entry"),
        ("GEO", 2016, "detention"),
        ("ARM", 2023, "detention"),
        ("ARM", 2023, "assassination"),
        ("ESP", 2012, "detention"),
        ("USA", 2023, "detention"),
    ]
    cases = make_cases(rows, periods)
    countries, period_names = ["ESP", "GEO", "ARM"], [p.name for p in periods]
    levels = {"host_country": countries, "scope": [s.name for s in scopes], "period": period_names}
    counts = stats.count_on_grid(cases, scopes, levels)

    def kept(scope, case) -> bool:
        return case.tactic not in scope.exclude_tactics and (case.fh_counted or not scope.fh_counted_only)

    expected = [
        sum(
            1
            for case in cases.itertuples()
            if case.host_country == country and case.period == period and kept(scope, case)
        )
        for country in countries
        for scope in scopes
        for period in period_names
    ]
    assert counts.tolist() == expected
    assert counts.reshape(len(countries), len(scopes), len(period_names))[:, 0].sum() == 4  # scope `all`: 4 of 6
    assert stats.count_on_grid(cases.iloc[:0], scopes, levels).tolist() == [0] * len(expected)


@st.composite
def case_tables(draw):
    rows = draw(
        st.lists(
            st.tuples(
                st.sampled_from(["GEO", "ARM", "KAZ", "POL", "ESP"]), st.integers(2012, 2026), st.sampled_from(TACTICS)
            ),
            min_size=0,
            max_size=80,
        )
    )
    return rows


@given(rows=case_tables())
@settings(max_examples=examples(60), deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_properties_on_generated_tables(periods, scopes, reference, analysis, rows):
    cases = make_cases(rows, periods)
    tables = statistics_tables(cases, reference, analysis)
    summary = tables["period_summary"].set_index(["scope", "period"])
    # annual_mean x years = cases
    assert np.allclose(summary["annual_mean"] * summary["years"], summary["cases"])
    # country counts sum to period counts
    by_country = tables["country_summary"].groupby(["scope", "period"])["cases"].sum()
    for key, value in summary["cases"].items():
        assert by_country.get(key, 0) == value
    # a narrower scope never has more cases
    for period in [p.name for p in periods]:
        total = summary.loc[("all", period), "cases"]
        assert summary.loc[("excluding_denial_of_entry", period), "cases"] <= total
        assert summary.loc[("freedom_house_physical", period), "cases"] <= total
    # the interval contains the ratio
    for row in tables["period_ratios"].itertuples():
        if not math.isnan(row.ratio):
            assert row.ci_low <= row.ratio <= row.ci_high
    # the annual grid counts every case of the tactics it lists
    assert tables["annual_counts"]["cases"].sum() == len(cases)
    # breakdown shares of a period sum to one in each dimension
    breakdowns = tables["period_breakdowns"]
    shares = breakdowns.dropna(subset=["share"]).groupby(["dimension", "scope", "period"])["share"].sum()
    assert np.allclose(shares, 1.0)


def test_breakdown_categories_come_from_reference(reference):
    categories = breakdown_categories(reference)
    assert list(categories["tactic"]) == reference.tactic_codes
    assert categories["tactic_family"]["mobility_controls"] == "Mobility controls"
    assert set(categories) == set(stats.BREAKDOWN_DIMENSIONS)


@pytest.mark.parametrize("cases, years", [(0, 8), (1, 1), (29, 8), (89, 3), (500, 11)])
def test_poisson_mean_interval_matches_chi_square(cases, years):
    low, high = stats.poisson_mean_interval(cases, years, 0.95)
    expected_low = scipy_stats.chi2.ppf(0.025, 2 * cases) / 2 / years if cases else 0.0
    expected_high = scipy_stats.chi2.ppf(0.975, 2 * cases + 2) / 2 / years
    assert low == pytest.approx(expected_low, rel=1e-9) and high == pytest.approx(expected_high, rel=1e-9)
    assert low <= cases / years <= high


@given(rows=case_tables())
@settings(max_examples=examples(25), deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_generated_tables_pass_their_output_schemas(periods, scopes, reference, analysis, rows):
    from tnr_pipeline.inputs.schemas import validate_output

    tables = statistics_tables(make_cases(rows, periods), reference, analysis)
    for name, frame in tables.items():
        validate_output(frame, name)


def test_no_case_at_all_still_gives_valid_tables(periods, scopes, reference, analysis):
    from tnr_pipeline.inputs.schemas import validate_output

    tables = statistics_tables(make_cases([], periods), reference, analysis)
    for name, frame in tables.items():
        validate_output(frame, name)
    assert tables["period_ratios"]["p_value"].eq(1.0).all()


def test_tables_with_intervals_carry_their_confidence_level(periods, reference):
    from tnr_pipeline.model.settings import parse_analysis

    analysis = parse_analysis({**ANALYSIS, "confidence_level": 0.9})
    tables = statistics_tables(
        make_cases([("GEO", 2022, "detention"), ("ARM", 2015, "detention")], periods), reference, analysis
    )
    assert tables["period_summary"]["confidence_level"].eq(0.9).all()
    assert tables["period_ratios"]["confidence_level"].eq(0.9).all()


# ---- against a really independent method: root-finding on the distributions themselves -----------------------


def _root(function, low, high):
    from scipy.optimize import brentq

    return brentq(function, low, high, xtol=1e-14, rtol=1e-13, maxiter=500)


def root_found_ratio_interval(x_base, t_base, x_comp, t_comp, level):
    """The exact conditional interval found by solving the binomial tail equations for the rate ratio r directly:
    P(X >= x | r_low) = alpha/2 and P(X <= x | r_high) = alpha/2, X ~ Binomial(n, r t_c / (r t_c + t_b))."""
    n, alpha = x_base + x_comp, 1 - level
    share = lambda r: r * t_comp / (r * t_comp + t_base)  # noqa: E731
    upper_tail = lambda r: scipy_stats.binom.sf(x_comp - 1, n, share(r)) - alpha / 2  # noqa: E731
    lower_tail = lambda r: scipy_stats.binom.cdf(x_comp, n, share(r)) - alpha / 2  # noqa: E731
    low = 0.0 if x_comp == 0 else _root(upper_tail, 1e-12, 1e12)
    high = math.inf if x_comp == n else _root(lower_tail, 1e-12, 1e12)
    return low, high


@given(
    x_base=st.integers(1, 200),
    x_comp=st.integers(0, 200),
    t_base=st.integers(1, 20),
    t_comp=st.integers(1, 20),
    level=st.sampled_from([0.8, 0.9, 0.95, 0.99]),
)
@settings(max_examples=examples(150), deadline=None)
def test_ratio_interval_matches_root_finding(x_base, x_comp, t_base, t_comp, level):
    result = stats.rate_ratio(x_base, t_base, x_comp, t_comp, level)
    low, high = root_found_ratio_interval(x_base, t_base, x_comp, t_comp, level)
    assert result["ci_low"] == pytest.approx(low, rel=1e-6, abs=1e-12)
    assert result["ci_high"] == pytest.approx(high, rel=1e-6)


@given(cases=st.integers(0, 300), years=st.integers(1, 15), level=st.sampled_from([0.8, 0.9, 0.95, 0.99]))
@settings(max_examples=examples(100), deadline=None)
def test_mean_interval_matches_root_finding_on_the_poisson(cases, years, level):
    """Garwood's interval solves P(X >= x | mu_low) = alpha/2 and P(X <= x | mu_high) = alpha/2 for X ~ Poisson."""
    alpha = 1 - level
    low, high = stats.poisson_mean_interval(cases, years, level)
    expected_low = (
        0.0
        if cases == 0
        else _root(lambda mu: scipy_stats.poisson.sf(cases - 1, mu) - alpha / 2, 1e-12, 10 * cases + 50)
    )
    expected_high = _root(lambda mu: scipy_stats.poisson.cdf(cases, mu) - alpha / 2, 1e-12, 10 * cases + 50)
    assert low * years == pytest.approx(expected_low, rel=1e-7, abs=1e-12)
    assert high * years == pytest.approx(expected_high, rel=1e-7)


@given(x=st.integers(0, 120), n_extra=st.integers(0, 120), probability=st.floats(0.02, 0.98))
@settings(max_examples=examples(150), deadline=None)
def test_p_value_is_twice_the_smaller_tail_summed_from_the_binomial_pmf(x, n_extra, probability):
    """The central exact test, by summing scipy's pmf over each tail."""
    n = x + n_extra
    pmf = scipy_stats.binom.pmf(np.arange(n + 1), n, probability)
    expected = min(1.0, 2 * min(pmf[: x + 1].sum(), pmf[x:].sum()))
    observed = stats.binomial_central_p(x, n, probability)
    assert observed == pytest.approx(expected, rel=1e-6, abs=1e-300)


@given(n=st.integers(20_001, 3_000_000), probability=st.floats(0.02, 0.98), spread=st.floats(-30, 30))
@settings(max_examples=examples(80), deadline=None)
def test_p_value_for_many_trials_matches_scipy_binomtest(n, probability, spread):
    """Millions of trials: scipy's one-sided binomtests are the independent reference."""
    x = int(min(n, max(0, n * probability + spread * math.sqrt(n * probability * (1 - probability)))))
    observed = stats.binomial_central_p(x, n, probability)
    assert observed == pytest.approx(central_binomial_p(x, n, probability), rel=1e-5, abs=1e-290)


@pytest.mark.parametrize("level", [0.8, 0.95, 0.99])
def test_the_p_value_agrees_with_the_interval_for_every_pair_of_counts_up_to_30(level):
    """The central test is the one Clopper-Pearson inverts: p < 1 - level exactly when the interval excludes 1, for
    every pair of counts up to 30 (and periods of 8 and 3 years, and of equal length)."""
    for t_b, t_c in ((8, 3), (2, 2)):
        for x_b in range(31):
            for x_c in range(31):
                if x_b + x_c == 0:
                    continue
                row = stats.rate_ratio(x_b, t_b, x_c, t_c, level)
                excludes_one = row["ci_low"] > 1 or row["ci_high"] < 1
                assert (row["p_value"] < 1 - level) == excludes_one, (x_b, x_c, t_b, t_c, row)


@pytest.mark.parametrize("level", [0.8, 0.95, 0.99])
def test_fishers_p_value_agrees_with_its_odds_ratio_interval(level):
    """The central Fisher test is the one the conditional (Cornfield) interval inverts: p < 1 - level exactly when the
    interval excludes 1, over small tables."""
    for a in range(0, 13, 2):
        for b in range(1, 13, 3):
            for c in range(0, 13, 3):
                for d in range(1, 13, 2):
                    row = stats.conditional_odds_ratio(a, b, c, d, level)
                    if row["ratio"] != row["ratio"]:
                        continue
                    excludes_one = row["ci_low"] > 1 or row["ci_high"] < 1
                    assert (row["p_value"] < 1 - level) == excludes_one, (a, b, c, d, row)


# ---- the survey's proportions: Wilson intervals and the summary table (stats.py's, so mutation testing sees them) --


@pytest.mark.parametrize("successes, trials", [(13, 40), (0, 40), (40, 40), (1, 1), (7, 38)])
def test_wilson_matches_scipy(successes, trials):
    low, high = stats.wilson_interval(successes, trials)
    expected = scipy_stats.binomtest(successes, trials).proportion_ci(method="wilson")
    assert low == pytest.approx(expected.low, abs=1e-12) and high == pytest.approx(expected.high, abs=1e-12)


@given(trials=st.integers(1, 500), data=st.data())
@settings(max_examples=examples(100), deadline=None)
def test_wilson_contains_share_and_matches_scipy(trials, data):
    successes = data.draw(st.integers(0, trials))
    low, high = stats.wilson_interval(successes, trials)
    expected = scipy_stats.binomtest(successes, trials).proportion_ci(method="wilson")
    assert low <= successes / trials <= high
    assert low == pytest.approx(expected.low, abs=1e-9) and high == pytest.approx(expected.high, abs=1e-9)


def test_no_respondents_gives_missing_interval():
    assert all(math.isnan(x) for x in stats.wilson_interval(0, 0))


@pytest.mark.parametrize("level", [0.8, 0.9, 0.99])
def test_wilson_at_other_confidence_levels_matches_scipy(level):
    low, high = stats.wilson_interval(7, 38, level)
    expected = scipy_stats.binomtest(7, 38).proportion_ci(confidence_level=level, method="wilson")
    assert low == pytest.approx(expected.low, abs=1e-12) and high == pytest.approx(expected.high, abs=1e-12)


def test_the_survey_summary_counts_answers_tactics_and_countries():
    responses = pd.DataFrame(
        {
            "reduced_presence": [True, False, True, None],
            "tactics_experienced": ["detention;assault", "", "detention", "assault"],
            "country_of_residence": ["GEO", "ARM", "GEO", "DEU"],
        }
    )
    summary = stats.summarise_survey(responses, ("reduced_presence",), ["detention", "assault", "rendition"], 0.9)
    rows = summary[["question", "answer", "n", "respondents"]].values.tolist()
    assert rows == [
        ["reduced_presence", "yes", 2, 3],  # the unanswered question is left out of its respondents
        ["reduced_presence", "no", 1, 3],
        ["tactics_experienced", "detention", 2, 4],
        ["tactics_experienced", "assault", 2, 4],
        ["tactics_experienced", "rendition", 0, 4],  # every tactic of the typology, listed or not
        ["country_of_residence", "ARM", 1, 4],
        ["country_of_residence", "DEU", 1, 4],
        ["country_of_residence", "GEO", 2, 4],
    ]
    assert summary["share"].tolist() == [2 / 3, 1 / 3, 0.5, 0.5, 0.0, 0.25, 0.25, 0.5]
    expected = [scipy_stats.binomtest(n, total).proportion_ci(0.9, "wilson") for *_, n, total in rows]
    assert summary["ci_low"].tolist() == pytest.approx([e.low for e in expected], abs=1e-12)
    assert summary["ci_high"].tolist() == pytest.approx([e.high for e in expected], abs=1e-12)
    assert (summary["confidence_level"] == 0.9).all() and summary["n"].dtype == "int64"


# ---- the binomial test summed by its tails, at every outcome of small samples and at the edges of p -------------


@pytest.mark.parametrize("trials", [1, 2, 7, 50])
@pytest.mark.parametrize("probability", [0.0, 0.01, 0.3, 0.5, 0.77, 1.0])
def test_the_binomial_test_matches_scipy_at_every_outcome(trials, probability):
    """Every outcome of small samples, the ties of p = 0.5 and the certain outcomes of p = 0 and 1, against twice the
    smaller of scipy's one-sided binomtests."""
    for successes in range(trials + 1):
        expected = central_binomial_p(successes, trials, probability)
        observed = stats.binomial_central_p(successes, trials, probability)
        assert observed == pytest.approx(expected, rel=1e-9, abs=1e-300), (successes, trials, probability)
        assert 0.0 <= observed <= 1.0


# ---- computed in each test's own body (a module fixture's work is seen by mutation testing in one test only) -------


def test_breakdowns_list_every_category_with_its_share_of_the_period(periods, scopes):
    cases = make_cases([("GEO", 2015, "detention"), ("GEO", 2022, "detention"), ("ARM", 2023, "assault")], periods)
    categories = {"tactic": {"detention": "Detention", "assault": "Assault", "rendition": "Rendition"}}
    breakdown = stats.break_down_periods(cases, periods, [scopes[0]], categories)
    rows = breakdown[["period", "category", "cases", "share"]].values.tolist()
    nan = [row for row in rows if row[3] != row[3]]
    assert nan == []  # every period has cases here, so every share is a number
    assert sorted(map(tuple, rows)) == sorted(
        [
            ("pre_war", "detention", 1, 1.0),  # the only case of its period: a share of exactly 1
            ("pre_war", "assault", 0, 0.0),
            ("pre_war", "rendition", 0, 0.0),  # a category without any case is listed, with 0
            ("post_invasion", "detention", 1, 0.5),
            ("post_invasion", "assault", 1, 0.5),
            ("post_invasion", "rendition", 0, 0.0),
        ]
    )
    assert list(breakdown["category_label"].drop_duplicates()) == ["Detention", "Assault", "Rendition"]


def test_a_period_without_cases_has_no_breakdown_share_and_no_division_warning(periods, scopes):
    import warnings

    cases = make_cases([("GEO", 2022, "detention")], periods)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        breakdown = stats.break_down_periods(cases, periods, [scopes[0]], {"tactic": {"detention": "Detention"}})
    shares = dict(zip(breakdown["period"], breakdown["share"]))
    assert math.isnan(shares["pre_war"]) and shares["post_invasion"] == 1.0


def test_an_exact_row_is_the_rate_ratio_at_the_given_level_and_missing_without_years():
    row = stats.exact_row(3, 1, 4, 2, 0.8)
    assert {k: row[k] for k in ("ratio", "ci_low", "ci_high", "p_value")} == stats.rate_ratio(3, 1, 4, 2, 0.8)
    assert row["baseline_years"] == 1 and row["comparison_cases"] == 4
    for years in ((0, 2), (2, 0)):
        empty = stats.exact_row(3, years[0], 4, years[1], 0.95)
        assert all(math.isnan(empty[k]) for k in ("ratio", "ci_low", "ci_high", "p_value"))


def test_a_later_baseline_counts_only_its_own_years(periods, analysis):
    cases = make_cases([("GEO", year, "detention") for year in (2014, 2015, 2016, 2019, 2022, 2023)], periods)
    later_start = dataclasses.replace(analysis, baseline_starts=(2016,))
    variants = robustness.robustness_variants(cases, later_start).set_index(["scope", "variant"])
    later = variants.loc[("all", "baseline_from_2016")]
    assert (later["baseline_cases"], later["baseline_years"]) == (2, 6)  # 2016 and 2019, in 2016-2021
    expected = stats.rate_ratio(2, 6, 2, 3, analysis.confidence_level)
    assert later["ratio"] == pytest.approx(expected["ratio"]) and later["ci_low"] == pytest.approx(expected["ci_low"])


@pytest.mark.parametrize(
    "counts, growth",
    [([0, 4], math.inf), ([4, 0], 0.0), ([0, 0, 5], math.inf), ([5, 0, 0], 0.0)],
)
def test_a_trend_with_every_case_in_its_first_or_last_year(counts, growth):
    """The maximum is at beta = -inf or +inf; the likelihood ratio is then its limit, the saturated fit's."""
    fitted = stats.fit_trend(counts, 0.95)
    observed, p_value = fitted["ratio"], fitted["p_value"]
    total, n = sum(counts), len(counts)
    statistic = 2 * (total * math.log(total) - total * math.log(total / n))  # saturated against the flat mean
    assert observed == growth
    assert p_value == pytest.approx(scipy_stats.chi2.sf(statistic, 1), rel=1e-9)


def test_region_groups_and_the_near_abroad_against_the_eu_by_hand(periods, analysis, reference):
    rows = [("GEO", 2015, "detention"), ("ARM", 2022, "detention"), ("KAZ", 2023, "detention")]
    rows += [("ESP", 2016, "detention"), ("ESP", 2017, "detention"), ("POL", 2022, "detention")]
    rows += [("USA", 2023, "detention")]
    cases = make_cases(rows, periods)  # ESP and POL are EU members here
    table = stats.compare_region_groups(cases, analysis, reference.region_groups)
    table = table[table["scope"] == "all"].set_index("region_group")
    counts = table[["baseline_cases", "comparison_cases"]].astype(int).to_dict("index")
    assert counts == {
        "near_abroad": {"baseline_cases": 1, "comparison_cases": 2},
        "eu": {"baseline_cases": 2, "comparison_cases": 1},
        "rest_of_world": {"baseline_cases": 0, "comparison_cases": 1},
        "near_abroad_vs_eu": {"baseline_cases": 3, "comparison_cases": 3},
    }
    near = stats.rate_ratio(1, 8, 2, 3, analysis.confidence_level)
    assert table.loc["near_abroad", "ratio"] == pytest.approx(near["ratio"])
    assert table.loc["near_abroad", "ci_high"] == pytest.approx(near["ci_high"])
    assert table.loc["near_abroad_vs_eu", "ratio"] == pytest.approx((2 / 1) / (1 / 2))  # (near_c/near_b)/(eu_c/eu_b)
    assert table.loc["near_abroad_vs_eu", "p_value"] == pytest.approx(fisher(1, 2, 2, 1))
    # its interval: scipy's exact conditional interval of the odds ratio of [[near_c, near_b], [eu_c, eu_b]]
    exact = scipy_stats.contingency.odds_ratio([[2, 1], [1, 2]], kind="conditional").confidence_interval(0.95)
    assert (table.loc["near_abroad_vs_eu", "ci_low"], table.loc["near_abroad_vs_eu", "ci_high"]) == pytest.approx(
        (exact.low, exact.high), rel=1e-9
    )
    from tnr_pipeline.render.i18n import describe_region_rows  # the statistics store codes; render names them

    records = table.reset_index().to_dict("records")
    labels, _ = describe_region_rows(records, reference.region_groups.to_dict("records"))
    assert dict(zip(table.index, labels))["near_abroad"] == "Near abroad"


@pytest.mark.parametrize(
    "near, eu, ratio",
    [((0, 2), (1, 1), math.inf), ((0, 0), (1, 1), math.nan), ((1, 1), (1, 0), math.inf), ((1, 1), (0, 0), math.nan)],
)
def test_the_ratio_of_ratios_where_a_count_is_zero(periods, analysis, reference, near, eu, ratio):
    rows = [("GEO", 2015, "detention")] * near[0] + [("GEO", 2022, "detention")] * near[1]
    rows += [("ESP", 2015, "detention")] * eu[0] + [("ESP", 2022, "detention")] * eu[1]
    table = stats.compare_region_groups(make_cases(rows, periods), analysis, reference.region_groups)
    observed = table.set_index(["scope", "region_group"]).loc[("all", "near_abroad_vs_eu"), "ratio"]
    assert (math.isnan(observed) and math.isnan(ratio)) or observed == ratio


def test_verified_only_counts_only_verified_cases(periods, analysis):
    cases = make_cases([("GEO", 2015, "detention"), ("GEO", 2016, "detention"), ("GEO", 2022, "detention")], periods)
    cases["verification"] = ["verified", "unverified", "verified"]
    variants = robustness.robustness_variants(cases, dataclasses.replace(analysis, baseline_starts=()))
    row = variants.set_index(["scope", "variant"]).loc[("all", "verified_only")]
    assert (row["baseline_cases"], row["comparison_cases"]) == (1, 1)


def test_wilson_ends_are_exactly_zero_and_one():
    assert stats.wilson_interval(0, 40)[0] == 0.0 and stats.wilson_interval(40, 40)[1] == 1.0
    assert stats.wilson_interval(0, 1)[0] == 0.0 and stats.wilson_interval(1, 1)[1] == 1.0


def test_a_question_nobody_answered_has_no_share_and_the_level_defaults_to_95():
    responses = pd.DataFrame(
        {"asked": [None, None], "tactics_experienced": ["", ""], "country_of_residence": ["GEO", "GEO"]}
    )
    summary = stats.summarise_survey(responses, ("asked",), ["detention"])
    asked = summary[summary["question"] == "asked"]
    assert asked["respondents"].tolist() == [0, 0] and asked["share"].isna().all()
    assert summary.loc[summary["question"] == "tactics_experienced", "n"].tolist() == [0]
    assert (summary["confidence_level"] == 0.95).all()


def test_clopper_pearson_ends_are_exactly_zero_and_one():
    assert stats.clopper_pearson(0, 5, 0.95)[0] == 0.0 and stats.clopper_pearson(5, 5, 0.95)[1] == 1.0
