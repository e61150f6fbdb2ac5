"""How the cases were found: the like-for-like scope, growth in documentation, the model with a shared trend against
statsmodels, each host country and tactic left out against scipy and hand counts, the countries resampled
(deterministic, containing the estimate), and the settings and the reasons file a person can get wrong."""

from __future__ import annotations

import dataclasses
import math
import warnings

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from scipy import stats as scipy_stats

from helpers import ANALYSIS, SHIPPED, central_binomial_p, examples, make_cases, shipped_cases
from tnr_pipeline.analysis import robustness, stats
from tnr_pipeline.model.reference import Reference
from tnr_pipeline.model.settings import SettingsError, bootstrap_problems, growth_problems, parse_analysis
from tnr_pipeline.render.readers import read_recording_reasons
from tnr_pipeline.stages.compute_statistics import statistics_tables


def exact_by_scipy(x_b, t_b, x_c, t_c, level=0.95):
    """The exact rate ratio and interval from scipy's Clopper-Pearson (binomtest), independent of stats."""
    n = x_b + x_c
    interval = scipy_stats.binomtest(x_c, n).proportion_ci(confidence_level=level, method="exact")
    to_ratio = lambda p: math.inf if p >= 1 else p / (1 - p) * t_b / t_c  # noqa: E731
    return to_ratio(x_c / n), to_ratio(interval.low), to_ratio(interval.high)


def segmented_by_statsmodels(counts, first_comparison, level=0.95):
    """The Poisson GLM log μ = a + b·year + c·[comparison] by statsmodels, its standard errors scaled by
    √max(1, X²/(n − 3)) and Student's t on n − 3 degrees of freedom."""
    import statsmodels.api as sm

    n = len(counts)
    year = np.arange(n, dtype=float)
    design = np.column_stack([np.ones(n), year, (year >= first_comparison).astype(float)])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # statsmodels flags a year fitted exactly as separation; the fit is still exact
        # converged to the last digits: the default tolerance leaves the standard error off in the fifth
        fit = sm.GLM(np.asarray(counts, dtype=float), design, family=sm.families.Poisson()).fit(tol=1e-14, maxiter=500)
    dispersion = fit.pearson_chi2 / (n - 3)
    error = fit.bse[2] * math.sqrt(max(1.0, dispersion))
    t = scipy_stats.t.ppf((1 + level) / 2, n - 3)
    c = fit.params[2]
    return {
        "ratio": math.exp(c),
        "ci_low": math.exp(c - t * error),
        "ci_high": math.exp(c + t * error),
        "p_value": 2 * scipy_stats.t.sf(abs(c) / error, n - 3),
        "trend": math.exp(fit.params[1]),
        "dispersion": dispersion,
    }


@pytest.fixture(scope="module")
def shipped():
    analysis = parse_analysis(ANALYSIS)
    cases = shipped_cases()
    return cases, statistics_tables(cases, Reference(), analysis), analysis


# ---- growth in documentation -------------------------------------------------------------------------------------


@given(
    x_b=st.integers(0, 60),
    x_c=st.integers(0, 120),
    t_b=st.integers(1, 10),
    t_c=st.integers(1, 5),
    growth=st.sampled_from([1.5, 2.0, 3.0, 0.5, 7.25]),
    level=st.sampled_from([0.8, 0.95]),
)
@settings(max_examples=examples(120), deadline=None)
def test_documentation_growth_divides_the_exact_ratio_and_tests_at_the_weighted_share(
    x_b, x_c, t_b, t_c, growth, level
):
    assume(x_b + x_c > 0)
    row = robustness.divide_out_documentation(x_b, t_b, x_c, t_c, growth, level)
    ratio, low, high = exact_by_scipy(x_b, t_b, x_c, t_c, level)
    for mine, theirs in (
        (row["ratio"], ratio / growth),
        (row["ci_low"], low / growth),
        (row["ci_high"], high / growth),
    ):
        assert mine == theirs or mine == pytest.approx(theirs, rel=1e-8)
    null_share = growth * t_c / (t_b + growth * t_c)
    assert row["p_value"] == pytest.approx(central_binomial_p(x_c, x_b + x_c, null_share), rel=1e-6, abs=1e-300)
    assert (row["baseline_years"], row["comparison_years"]) == (t_b, t_c)  # the years as they are


def test_each_growth_has_its_row_named_with_g_and_the_tipping_point_is_the_exact_lower_bound(shipped):
    _, tables, _ = shipped
    rows = tables["robustness"].set_index(["scope", "variant"])
    for scope in ("all", "excluding_denial_of_entry", "freedom_house_physical", "like_for_like"):
        exact = rows.loc[(scope, "exact_poisson")]
        for growth, name in (
            (1.5, "documentation_growth_1.5"),
            (2, "documentation_growth_2"),
            (3, "documentation_growth_3"),
        ):
            row = rows.loc[(scope, name)]
            assert row["ratio"] == pytest.approx(exact["ratio"] / growth, rel=1e-12)
            # the increase survives a growth exactly when the growth is below the tipping point
            assert (row["ci_low"] > 1) == (growth < exact["ci_low"])
            assert (row["p_value"] < 0.05) == (growth < exact["ci_low"])
    # on the frozen shipped cases: 29 against 89, 46 without Denial of Entry, 41 like for like (counted by hand)
    assert rows.loc[("all", "exact_poisson"), "ci_low"] == pytest.approx(exact_by_scipy(29, 8, 89, 3)[1], rel=1e-9)
    assert rows.loc[("like_for_like", "exact_poisson"), "comparison_cases"] == 41


def test_the_like_for_like_scope_leaves_out_both_study_additions(shipped):
    cases, tables, _ = shipped
    kept = cases[~cases["tactic"].isin(["denial_of_entry", "denial_of_services"])]
    row = tables["period_ratios"].set_index("scope").loc["like_for_like"]
    x_b = int(kept["year"].between(2014, 2021).sum())
    x_c = int(kept["year"].between(2022, 2024).sum())
    assert (row["baseline_cases"], row["comparison_cases"]) == (x_b, x_c)
    ratio, low, high = exact_by_scipy(x_b, 8, x_c, 3)
    assert (row["ratio"], row["ci_low"], row["ci_high"]) == pytest.approx((ratio, low, high), rel=1e-9)
    for table in ("period_summary", "country_summary", "period_breakdowns", "robustness", "region_ratios"):
        assert "like_for_like" in set(tables[table]["scope"]), table


# ---- the model with a shared trend and a jump ----------------------------------------------------------------------


@given(
    baseline=st.lists(st.integers(0, 30), min_size=2, max_size=8),
    comparison=st.lists(st.integers(0, 60), min_size=1, max_size=4),
    level=st.sampled_from([0.9, 0.95]),
)
@settings(max_examples=examples(60), deadline=None)
def test_the_segmented_trend_matches_statsmodels_glm(baseline, comparison, level):
    counts = baseline + comparison
    assume(len(counts) >= 4 and sum(baseline) > 0 and sum(comparison) > 0)
    assume(sum(1 for c in counts if c > 0) >= 3)  # statsmodels' fit is unstable where the counts sit at zero
    ours = stats.fit_segmented_trend(
        list(range(len(counts))), counts, [False] * len(baseline) + [True] * len(comparison), level
    )
    theirs = segmented_by_statsmodels(counts, len(baseline), level)
    assume(all(math.isfinite(v) for v in theirs.values()))
    assert math.log(ours["ratio"]) == pytest.approx(math.log(theirs["ratio"]), abs=1e-6)
    assert math.log(ours["ci_low"]) == pytest.approx(math.log(theirs["ci_low"]), abs=1e-6)
    assert math.log(ours["ci_high"]) == pytest.approx(math.log(theirs["ci_high"]), abs=1e-6)
    assert ours["p_value"] == pytest.approx(theirs["p_value"], rel=1e-4, abs=1e-12)
    assert ours["trend"] == pytest.approx(theirs["trend"], rel=1e-6)
    assert ours["dispersion"] == pytest.approx(theirs["dispersion"], rel=1e-6)


def test_the_shipped_jump_and_the_later_period_own_trend(shipped):
    _, tables, _ = shipped
    rows = tables["robustness"].set_index(["scope", "variant"])
    yearly = {"all": [2, 3, 3, 4, 3, 4, 4, 6, 42, 28, 19]}  # the frozen shipped cases per year (the counts)
    expected = segmented_by_statsmodels(yearly["all"], 8)
    row = rows.loc[("all", "segmented_trend")]
    assert (row["ratio"], row["ci_low"], row["ci_high"]) == pytest.approx(
        (expected["ratio"], expected["ci_low"], expected["ci_high"]), rel=1e-5
    )
    assert row["yearly_trend"] == pytest.approx(expected["trend"], rel=1e-6)
    assert row["dispersion"] == pytest.approx(expected["dispersion"], rel=1e-6)
    own = rows.loc[("all", "comparison_trend")]
    assert own["ratio"] < 1 and own["ci_high"] < 1  # 42, 28, 19: falling within the later period


@pytest.mark.parametrize(
    "counts, jump, why",
    [
        ([0, 0, 0, 4, 5], math.inf, "a period has no case"),
        ([3, 2, 4, 0, 0], 0.0, "a period has no case"),
        ([1, 2, 3], math.nan, "fewer than four years"),
    ],
)
def test_the_segmented_trend_says_why_it_has_no_interval(counts, jump, why):
    result = stats.fit_segmented_trend(
        list(range(len(counts))), counts, [i >= len(counts) - 2 for i in range(len(counts))], 0.95
    )
    assert (math.isnan(result["ratio"]) and math.isnan(jump)) or result["ratio"] == jump
    assert math.isnan(result["ci_low"]) and why in result["why"]


# ---- one host country or one tactic left out -----------------------------------------------------------------------


def test_every_country_and_tactic_left_out_matches_a_hand_count(shipped):
    cases, tables, _ = shipped
    rows = tables["robustness"].set_index(["scope", "variant"])
    in_periods = cases["year"].between(2014, 2024)
    countries = sorted(cases.loc[in_periods, "host_country"].unique())
    for scope, kept in (("all", cases), ("excluding_denial_of_entry", cases[cases["tactic"] != "denial_of_entry"])):
        named = [v for v in rows.loc[scope].index if v.startswith("drop_country_")]
        assert named == [f"drop_country_{c}" for c in countries]
        for country in countries:
            rest = kept[kept["host_country"] != country]
            x_b, x_c = int(rest["year"].between(2014, 2021).sum()), int(rest["year"].between(2022, 2024).sum())
            row = rows.loc[(scope, f"drop_country_{country}")]
            assert (row["baseline_cases"], row["comparison_cases"]) == (x_b, x_c)
            assert (row["ratio"], row["ci_low"], row["ci_high"]) == pytest.approx(
                exact_by_scipy(x_b, 8, x_c, 3), rel=1e-9
            )
        tactics = sorted(kept["tactic"].unique())
        assert [v for v in rows.loc[scope].index if v.startswith("drop_tactic_")] == [
            f"drop_tactic_{t}" for t in tactics
        ]
        for tactic in tactics:
            rest = kept[kept["tactic"] != tactic]
            x_b, x_c = int(rest["year"].between(2014, 2021).sum()), int(rest["year"].between(2022, 2024).sum())
            row = rows.loc[(scope, f"drop_tactic_{tactic}")]
            assert (row["ratio"], row["ci_low"]) == pytest.approx(exact_by_scipy(x_b, 8, x_c, 3)[:2], rel=1e-9)
    assert "drop_tactic_denial_of_entry" not in rows.loc["excluding_denial_of_entry"].index


# ---- the host countries resampled ----------------------------------------------------------------------------------


def test_the_country_bootstrap_is_deterministic_contains_the_estimate_and_follows_the_seed(shipped):
    cases, tables, analysis = shipped
    first = tables["robustness"]
    again = robustness.robustness_variants(cases, analysis)
    boot = first[first["variant"] == "country_bootstrap"].set_index("scope")
    assert boot[["ci_low", "ci_high"]].equals(
        again[again["variant"] == "country_bootstrap"].set_index("scope")[["ci_low", "ci_high"]]
    )
    exact = first[first["variant"] == "exact_poisson"].set_index("scope")
    assert (boot["ratio"] == exact["ratio"]).all()  # the row's ratio is the exact estimate
    assert (boot["ci_low"] <= boot["ratio"]).all() and (boot["ratio"] <= boot["ci_high"]).all()
    assert boot["p_value"].isna().all()
    other = robustness.robustness_variants(cases, dataclasses.replace(analysis, bootstrap_seed=7))
    other_boot = other[other["variant"] == "country_bootstrap"].set_index("scope")
    assert not other_boot[["ci_low", "ci_high"]].equals(boot[["ci_low", "ci_high"]])


def test_resampling_draws_countries_with_all_their_cases():
    by_country = np.array([[1, 10], [0, 0], [5, 1]])
    drawn = robustness.resample_countries(by_country, 500, 1)
    assert drawn.shape == (500, 2)
    # every resample is the sum of three whole countries: its counts are sums of three rows
    sums = {(a + b + c, d + e + f) for a, d in by_country for b, e in by_country for c, f in by_country}
    assert {tuple(row) for row in drawn} <= {tuple(map(int, s)) for s in sums}
    assert robustness.resample_countries(np.zeros((0, 2), dtype=int), 10, 1).shape == (0, 2)


def test_the_percentile_interval_takes_the_outer_order_statistics_and_skips_resamples_without_cases():
    # ratios (x_c / 1) / (x_b / 1): 0.5, 1, 2, 4, inf and one resample with no case at all
    x_b = np.array([2, 1, 1, 1, 0, 0])
    x_c = np.array([1, 1, 2, 4, 3, 0])
    low, high = robustness.percentile_interval(x_b, 1, x_c, 1, 0.5)
    assert (low, high) == (1.0, 4.0)  # the 25th and 75th percentiles of 0.5, 1, 2, 4, inf, outward
    assert robustness.percentile_interval(np.array([0]), 1, np.array([0]), 1, 0.9) == (
        pytest.approx(math.nan, nan_ok=True),
        pytest.approx(math.nan, nan_ok=True),
    )


def test_a_scope_without_cases_in_a_small_frame_still_gets_every_row(periods, analysis):
    cases = make_cases([("GEO", 2015, "detention"), ("GEO", 2022, "detention"), ("ARM", 2023, "assault")], periods)
    table = robustness.robustness_variants(cases, analysis)
    variants = set(table.loc[table["scope"] == "all", "variant"])
    assert {
        "segmented_trend",
        "comparison_trend",
        "country_bootstrap",
        "drop_country_ARM",
        "drop_country_GEO",
    } <= variants
    assert {"documentation_growth_1.5", "documentation_growth_2", "documentation_growth_3"} <= variants
    like = table[table["scope"] == "like_for_like"].set_index("variant")
    assert like.loc["drop_country_ARM", "comparison_cases"] == 1


# ---- what a person can get wrong -----------------------------------------------------------------------------------


def test_settings_of_growth_and_resampling_are_checked_with_their_values():
    assert growth_problems([1.5, 2, 3]) == []
    assert growth_problems([2, 2.0]) == ["documentation_growth: 2 is given twice; give each growth once"]
    assert growth_problems([0, "x"])[0].startswith("documentation_growth: [0, 'x'] is not a list of numbers above 0")
    assert bootstrap_problems(2025, 2000) == []
    assert bootstrap_problems(-1, 0) == [
        "bootstrap_seed: -1 is not a whole number of at least 0 (e.g. 2025)",
        "bootstrap_resamples: 0 is not a whole number of at least 1 (e.g. 2000)",
    ]
    with pytest.raises(SettingsError) as raised:
        parse_analysis({**ANALYSIS, "documentation_growth": [-1], "bootstrap_resamples": 1.5})
    assert len(raised.value.problems) == 2


def test_the_reasons_file_is_refused_with_every_problem_and_its_row(tmp_path):
    assert len(read_recording_reasons(SHIPPED / "recording_reasons.csv")) == 4
    assert read_recording_reasons(None) == []
    missing = tmp_path / "missing.csv"
    missing.write_text("reason,section\nx,Methodology\n", encoding="utf-8")
    with pytest.raises(SettingsError) as raised:
        read_recording_reasons(missing)
    assert [p.split(": ", 1)[1] for p in raised.value.problems] == [
        "no column 'quote'. Columns needed: reason, section, quote, reading",
        "no column 'reading'. Columns needed: reason, section, quote, reading",
    ]
    empty = tmp_path / "empty.csv"
    empty.write_text(
        'reason,section,quote,reading\na,Methodology,"Quoted.",why\nb,Methodology,,why\n', encoding="utf-8"
    )
    with pytest.raises(SettingsError) as raised:
        read_recording_reasons(empty)
    assert raised.value.problems == [
        f"{empty}, row 3, column quote: empty. Each reason needs its quote (the report's words)"
    ]
