"""Robustness: the quasi-Poisson interval against statsmodels' GLM, every leave-one-year-out ratio and the region
comparison against independent computations, and the edge cases (a zero year, a one-year period, no verified case)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import assume, example, given, settings
from hypothesis import strategies as st
from scipy import stats as scipy_stats

from helpers import ANALYSIS, SHIPPED, conditional_odds_ratio_by_hand, examples, fisher, make_cases
from tnr_pipeline.analysis import stats
from tnr_pipeline.analysis.claims import measures, notation, verdicts
from tnr_pipeline.model.reference import Reference
from tnr_pipeline.model.settings import parse_analysis
from tnr_pipeline.stages.compute_statistics import statistics_tables


def glm_quasi_poisson(baseline_counts, comparison_counts, level):
    """The same model fitted by statsmodels: Poisson GLM of the yearly counts on a period indicator, Pearson scale
    (X² / (n − 2)), t quantiles; the scale is floored at 1 as the variant specifies."""
    import statsmodels.api as sm

    counts = np.array(baseline_counts + comparison_counts, dtype=float)
    indicator = np.array([0] * len(baseline_counts) + [1] * len(comparison_counts), dtype=float)
    design = sm.add_constant(indicator)
    fitted = sm.GLM(counts, design, family=sm.families.Poisson()).fit(scale="X2")
    unscaled = fitted.bse[1] / math.sqrt(fitted.scale)
    error = unscaled * math.sqrt(max(1.0, fitted.scale))
    t = scipy_stats.t.ppf((1 + level) / 2, fitted.df_resid)
    beta = fitted.params[1]
    p_value = 2 * scipy_stats.t.sf(abs(beta) / error, fitted.df_resid)
    return math.exp(beta), math.exp(beta - t * error), math.exp(beta + t * error), fitted.scale, p_value


@given(
    baseline=st.lists(st.integers(0, 40), min_size=2, max_size=9),
    comparison=st.lists(st.integers(0, 80), min_size=1, max_size=5),
    level=st.sampled_from([0.9, 0.95]),
)
@example(baseline=[0, 27], comparison=[1], level=0.9)  # one degree of freedom: an interval up to 2.4e13
@settings(max_examples=examples(60), deadline=None)
def test_quasi_poisson_matches_statsmodels_glm(baseline, comparison, level):
    if sum(baseline) == 0 or sum(comparison) == 0:
        result = stats.quasi_poisson_ratio(baseline, comparison, level)
        assert math.isnan(result["ci_low"]) and "no interval" in result["why"]
        return
    result = stats.quasi_poisson_ratio(baseline, comparison, level)
    assume(len(set(baseline)) > 1 or len(set(comparison)) > 1)  # X² = 0 is a boundary statsmodels cannot fit
    ratio, low, high, scale, p_value = glm_quasi_poisson(baseline, comparison, level)
    assert result["ratio"] == pytest.approx(ratio, rel=1e-6)
    assert result["dispersion"] == pytest.approx(scale, rel=1e-6)
    # the interval is exp(log ratio ± t·se): compared on that scale, to statsmodels' own fitting precision
    assert math.log(result["ci_low"]) == pytest.approx(math.log(low), abs=1e-5)
    assert math.log(result["ci_high"]) == pytest.approx(math.log(high), abs=1e-5)
    assert result["p_value"] == pytest.approx(p_value, rel=1e-5, abs=1e-300)


def test_shipped_yearly_counts_have_the_dispersion_the_issue_measured():
    result = stats.quasi_poisson_ratio([2, 3, 3, 4, 3, 4, 4, 6], [42, 28, 19], 0.95)
    assert round(result["dispersion"], 2) == 1.31 and result["n_years"] == 11


@given(a=st.integers(0, 60), b=st.integers(0, 60), c=st.integers(0, 60), d=st.integers(0, 60))
@settings(max_examples=examples(150), deadline=None)
def test_fisher_exact_matches_scipy(a, b, c, d):
    assert stats.fisher_exact_central(a, b, c, d) == pytest.approx(fisher(a, b, c, d), rel=1e-6, abs=1e-12)


def _exact_interval(x_b, t_b, x_c, t_c, level):
    """Clopper–Pearson by scipy's binomtest, mapped to the rate ratio: independent of stats.rate_ratio."""
    n = x_b + x_c
    interval = scipy_stats.binomtest(x_c, n).proportion_ci(confidence_level=level, method="exact")
    to_ratio = lambda p: math.inf if p >= 1 else p / (1 - p) * t_b / t_c  # noqa: E731
    return to_ratio(x_c / n), to_ratio(interval.low), to_ratio(interval.high)


@pytest.fixture(scope="module")
def shipped_tables():
    from tnr_pipeline.inputs import cases as case_sheet
    from tnr_pipeline.model.settings import parse_periods

    reference = Reference()
    analysis = parse_analysis(ANALYSIS)
    read = case_sheet.load_case_sheet(SHIPPED / "cases.csv")
    validated = case_sheet.validate_case_sheet(
        read, reference, 1991, 2026, "cases.csv", SHIPPED / "cases.csv", origin_country="RUS"
    )
    cases = case_sheet.normalise_cases(validated, reference, parse_periods(ANALYSIS["periods"]))
    return cases, statistics_tables(cases, reference, analysis), analysis


def test_every_leave_one_year_out_ratio_matches_an_independent_computation(shipped_tables):
    cases, tables, analysis = shipped_tables
    robustness = tables["robustness"].set_index(["scope", "variant"])
    yearly = cases.groupby("year").size()
    base_years = range(2014, 2022)
    comp_years = range(2022, 2025)
    x_b, x_c = int(yearly.reindex(base_years, fill_value=0).sum()), int(yearly.reindex(comp_years, fill_value=0).sum())
    for year in [*base_years, *comp_years]:
        n = int(yearly.get(year, 0))
        args = (x_b - n, 7, x_c, 3) if year < 2022 else (x_b, 8, x_c - n, 2)
        ratio, low, high = _exact_interval(*args, 0.95)
        row = robustness.loc[("all", f"drop_{year}")]
        assert (row["baseline_cases"], row["baseline_years"], row["comparison_cases"], row["comparison_years"]) == args
        assert row["ratio"] == pytest.approx(ratio, rel=1e-9)
        assert row["ci_low"] == pytest.approx(low, rel=1e-7) and row["ci_high"] == pytest.approx(high, rel=1e-7)


def test_shipped_variants_and_regions_match_independent_computations(shipped_tables):
    cases, tables, _ = shipped_tables
    robustness = tables["robustness"].set_index(["scope", "variant"])
    assert robustness.loc[("all", "exact_poisson"), "ratio"] == pytest.approx(89 / 3 / (29 / 8))
    ratio, low, high, _, _ = glm_quasi_poisson([2, 3, 3, 4, 3, 4, 4, 6], [42, 28, 19], 0.95)
    quasi = robustness.loc[("all", "quasi_poisson")]
    assert (quasi["ci_low"], quasi["ci_high"]) == (pytest.approx(low, rel=1e-6), pytest.approx(high, rel=1e-6))
    later = robustness.loc[("all", "baseline_from_2016")]
    base_2016 = int(cases["year"].between(2016, 2021).sum())
    assert (later["baseline_cases"], later["baseline_years"]) == (base_2016, 6)
    verified = cases[cases["verification"] == "verified"]
    row = robustness.loc[("all", "verified_only")]
    assert row["baseline_cases"] == int(verified["year"].between(2014, 2021).sum())
    regions = tables["region_ratios"].set_index(["scope", "region_group"])
    near = ["ARM", "AZE", "BLR", "GEO", "KAZ", "KGZ", "MDA", "TJK", "TKM", "UKR", "UZB"]
    in_near = cases["host_country"].isin(near)
    in_eu = ~in_near & cases["eu_member"]
    table = [
        [int((group & cases["year"].between(2014, 2021)).sum()), int((group & cases["year"].between(2022, 2024)).sum())]
        for group in (in_near, in_eu)
    ]
    versus = regions.loc[("all", "near_abroad_vs_eu")]
    assert versus["p_value"] == pytest.approx(fisher(*table[0], *table[1]), rel=1e-9)
    assert versus["ratio"] == pytest.approx((table[0][1] / table[0][0]) / (table[1][1] / table[1][0]))
    interval = conditional_odds_ratio_by_hand(table[0][1], table[0][0], table[1][1], table[1][0])[1:]
    assert (versus["ci_low"], versus["ci_high"]) == pytest.approx(interval, rel=1e-6)
    assert regions.loc[("all", "near_abroad"), "comparison_cases"] == table[0][1]
    by_group = tables["region_ratios"][tables["region_ratios"]["region_group"] != "near_abroad_vs_eu"]
    assert by_group.groupby("scope")["comparison_cases"].sum()["all"] == 89  # every case in exactly one group


def test_edge_cases_a_zero_year_a_one_year_period_and_no_verified_case(reference):
    periods = {
        "before": {"label": "Before", "first_year": 2019, "last_year": 2021},
        "after": {"label": "After", "first_year": 2022, "last_year": 2022},
    }
    analysis = parse_analysis(
        {**ANALYSIS, "periods": periods, "baseline": "before", "comparison": "after", "baseline_starts": [2020]}
    )
    cases = make_cases(
        [
            ("GEO", 2019, "detention"),
            ("GEO", 2021, "detention"),
            ("ARM", 2022, "detention"),
            ("ARM", 2022, "denial_of_entry"),
        ],
        list(analysis.periods),
    )
    cases["verification"] = "single_source"
    tables = statistics_tables(cases, reference, analysis)
    rows = tables["robustness"].set_index(["scope", "variant"])
    zero_year = rows.loc[("all", "drop_2020")]  # 2020 had no case: dropping it only shortens the baseline
    assert (zero_year["baseline_cases"], zero_year["baseline_years"]) == (2, 2)
    one_year = rows.loc[("all", "drop_2022")]  # the comparison has one year: dropping it leaves no period
    assert math.isnan(one_year["ratio"]) and "no other year" in one_year["description"]
    assert math.isnan(rows.loc[("all", "verified_only"), "ratio"])
    assert "none is" in rows.loc[("all", "verified_only"), "description"]
    assert rows.loc[("all", "quasi_poisson"), "ratio"] == pytest.approx(2 / (2 / 3))
    from tnr_pipeline.inputs.schemas import validate_output

    for name in ("robustness", "region_ratios"):
        validate_output(tables[name], name)


def test_a_period_with_no_case_gives_no_quasi_poisson_interval_and_says_why():
    result = stats.quasi_poisson_ratio([0, 0, 0], [4, 5], 0.95)
    assert math.isinf(result["ratio"]) and math.isnan(result["ci_low"]) and "a period has no case" in result["why"]


def test_the_two_robustness_claims(shipped_tables):
    _, tables, analysis = shipped_tables
    variants = tables["robustness"].query("scope == 'all'")
    # the variants of the headline's own assumptions: the model, a year left out, a later baseline, verified only
    variants = variants[
        variants["variant"].str.fullmatch(r"exact_poisson|quasi_poisson|drop_\d{4}|baseline_from_\d{4}|verified_only")
    ]
    assert len(variants) == 2 + 11 + 2 + 1
    every = measures.measure("variant_ratios scope=all", tables, analysis)
    assert (every.estimate, every.ci_low, every.ci_high) == pytest.approx(
        (variants["ratio"].min(), variants["ci_low"].min(), variants["ci_high"].max())
    )
    # wholly above 1 exactly when every variant's interval is
    above = verdicts.judge_interval(every.ci_low, every.ci_high, "above", "1")
    assert (above == notation.SUPPORTED) is bool((variants["ci_low"] > 1).all())
    excess = measures.measure("near_abroad_excess_p scope=all", tables, analysis)
    rows = tables["region_ratios"].set_index(["scope", "region_group"])
    assert excess.p_value == pytest.approx(rows.loc[("all", "near_abroad_vs_eu"), "p_value"])
    versus = rows.loc[("all", "near_abroad_vs_eu")]
    assert (excess.estimate, excess.ci_low, excess.ci_high) == (versus["ratio"], versus["ci_low"], versus["ci_high"])
    # where the EU's increase is the larger, a small p cannot support "sharper in the near abroad"
    flipped = tables["region_ratios"].copy()
    flipped.loc[flipped["region_group"] == "near_abroad_vs_eu", ["ratio", "ci_low", "ci_high"]] = [0.5, 0.3, 0.9]
    reversed_effect = measures.measure("near_abroad_excess_p scope=all", {**tables, "region_ratios": flipped}, analysis)
    assert reversed_effect.estimate < 1
    assert verdicts.judge_test(reversed_effect, 0.0, 0.05) == notation.CONTRADICTED


def test_baseline_starts_outside_the_baseline_are_refused():
    from tnr_pipeline.model.settings import SettingsError

    with pytest.raises(SettingsError, match="baseline_starts: 2014 is not a later start"):
        parse_analysis({**ANALYSIS, "baseline_starts": [2014]})
    with pytest.raises(SettingsError, match="baseline_starts: 2023 is not a later start"):
        parse_analysis({**ANALYSIS, "baseline_starts": [2023]})
