"""The statistics: pure functions from the cases table (and settings) to the statistics tables.

What belongs here: counting, averaging, comparing periods and the exact interval and test behind the rate ratio.
Every function takes DataFrames and plain values and returns a DataFrame or numbers: no files, no printing, so tests
call them directly. All counting is grouped (vectorised); nothing loops over cases.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from tnr_pipeline.settings import Period, Scope, in_scope

BREAKDOWN_DIMENSIONS = ("tactic", "tactic_family", "target_profile", "verification")


# ---- exact conditional inference for a ratio of two Poisson rates -------------------------------------------


def clopper_pearson(successes: int, trials: int, level: float) -> tuple[float, float]:
    """Exact (Clopper-Pearson) confidence interval for a binomial proportion."""
    from scipy.special import betaincinv

    alpha = 1.0 - level
    low = 0.0 if successes == 0 else float(betaincinv(successes, trials - successes + 1, alpha / 2))
    high = 1.0 if successes == trials else float(betaincinv(successes + 1, trials - successes, 1 - alpha / 2))
    return low, high


def poisson_mean_interval(cases: int, years: int, level: float) -> tuple[float, float]:
    """Exact (Garwood) confidence interval for an annual mean of Poisson counts: chi-square quantiles / 2 / years."""
    from scipy.special import gammaincinv

    alpha = 1.0 - level
    low = 0.0 if cases == 0 else float(gammaincinv(cases, alpha / 2))
    return low / years, float(gammaincinv(cases + 1, 1 - alpha / 2)) / years


def binomial_two_sided_p(successes: int, trials: int, probability: float) -> float:
    """Exact two-sided binomial test: the total probability of outcomes no more likely than the one observed."""
    from scipy.special import gammaln

    if trials == 0:
        return 1.0
    k = np.arange(trials + 1)
    with np.errstate(divide="ignore", invalid="ignore"):
        log_pmf = (
            gammaln(trials + 1)
            - gammaln(k + 1)
            - gammaln(trials - k + 1)
            + k * np.log(probability)
            + (trials - k) * np.log1p(-probability)
        )
    log_pmf = np.nan_to_num(log_pmf, nan=-np.inf)
    threshold = log_pmf[successes] + math.log1p(1e-7)
    return float(min(1.0, np.exp(log_pmf[log_pmf <= threshold]).sum()))


def _odds_to_ratio(share: float, exposure_factor: float) -> float:
    return math.inf if share >= 1.0 else share / (1.0 - share) * exposure_factor


def rate_ratio(
    baseline_cases: int, baseline_years: int, comparison_cases: int, comparison_years: int, level: float = 0.95
) -> dict[str, float]:
    """Rate ratio (comparison / baseline annual mean) with its exact conditional interval and test.

    Conditional on the total n, the comparison count is Binomial(n, pi) with pi = r*t_c / (r*t_c + t_b). A
    Clopper-Pearson interval for pi, turned back into r = pi / (1 - pi) * t_b / t_c, is the exact interval for the
    rate ratio r, and the binomial test of pi = t_c / (t_b + t_c) is the exact test of equal rates.
    Defined results where a count is zero: no baseline case and some comparison cases gives r = inf and
    ci_high = inf (ci_low stays finite); no case in either period gives r, ci_low and ci_high missing and p = 1.
    """
    total = baseline_cases + comparison_cases
    factor = baseline_years / comparison_years
    p_value = binomial_two_sided_p(comparison_cases, total, comparison_years / (baseline_years + comparison_years))
    if total == 0:
        return {"ratio": math.nan, "ci_low": math.nan, "ci_high": math.nan, "p_value": p_value}
    low, high = clopper_pearson(comparison_cases, total, level)
    return {
        "ratio": _odds_to_ratio(comparison_cases / total, factor),
        "ci_low": _odds_to_ratio(low, factor),
        "ci_high": _odds_to_ratio(high, factor),
        "p_value": p_value,
    }


# ---- tables ---------------------------------------------------------------------------------------------------


def year_span(cases: pd.DataFrame, periods: list[Period]) -> range:
    """From the earlier of the first case year and the first period's start to the later of the ends."""
    starts = [p.first_year for p in periods] + ([int(cases["year"].min())] if len(cases) else [])
    ends = [p.last_year for p in periods] + ([int(cases["year"].max())] if len(cases) else [])
    return range(min(starts), max(ends) + 1)


def count_annual(cases: pd.DataFrame, tactics: list[str], periods: list[Period]) -> pd.DataFrame:
    """Cases per year and tactic on a complete grid (every year of the span, every tactic), zeros included."""
    grid = pd.MultiIndex.from_product([list(year_span(cases, periods)), tactics], names=["year", "tactic"])
    counts = cases.groupby(["year", "tactic"]).size().reindex(grid, fill_value=0)
    return counts.rename("cases").reset_index().astype({"year": "int64", "tactic": "str", "cases": "int64"})


def _scoped_counts(cases: pd.DataFrame, scopes: list[Scope], by: list[str]) -> pd.DataFrame:
    """Case counts by `by` for every scope (long form with a `scope` column); only groups with cases."""
    frames = []
    for scope in scopes:
        kept = cases[in_scope(cases, scope)]
        frames.append(kept.groupby(by, dropna=True).size().rename("cases").reset_index().assign(scope=scope.name))
    return pd.concat(frames, ignore_index=True)


def _grid(**levels) -> pd.DataFrame:
    return pd.MultiIndex.from_product(list(levels.values()), names=list(levels)).to_frame(index=False)


def _period_frame(periods: list[Period]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "period": [p.name for p in periods],
            "first_year": [p.first_year for p in periods],
            "last_year": [p.last_year for p in periods],
            "years": [p.years for p in periods],
        }
    )


def summarise_periods(
    cases: pd.DataFrame, periods: list[Period], scopes: list[Scope], level: float = 0.95
) -> pd.DataFrame:
    """Cases and annual mean, with its exact Poisson interval, for every scope and period."""
    counts = _scoped_counts(cases, scopes, ["period"])
    summary = (
        _grid(scope=[s.name for s in scopes], period=[p.name for p in periods])
        .merge(_period_frame(periods), on="period")
        .merge(counts, on=["scope", "period"], how="left")
    )
    summary["cases"] = summary["cases"].fillna(0).astype("int64")
    summary["annual_mean"] = summary["cases"] / summary["years"]
    bounds = [poisson_mean_interval(int(n), int(t), level) for n, t in zip(summary["cases"], summary["years"])]
    summary["annual_mean_ci_low"] = [low for low, _ in bounds]
    summary["annual_mean_ci_high"] = [high for _, high in bounds]
    summary["confidence_level"] = float(level)
    return summary[
        [
            "scope",
            "period",
            "first_year",
            "last_year",
            "years",
            "cases",
            "annual_mean",
            "annual_mean_ci_low",
            "annual_mean_ci_high",
            "confidence_level",
        ]
    ]


def compare_periods(period_summary: pd.DataFrame, baseline: str, comparison: str, level: float) -> pd.DataFrame:
    """The rate ratio of comparison to baseline for every scope in a period summary."""
    indexed = period_summary.set_index(["scope", "period"])
    rows = []
    for scope in period_summary["scope"].unique():
        base, comp = indexed.loc[(scope, baseline)], indexed.loc[(scope, comparison)]
        rows.append(
            {
                "scope": scope,
                "baseline": baseline,
                "comparison": comparison,
                "baseline_cases": int(base["cases"]),
                "comparison_cases": int(comp["cases"]),
                "baseline_years": int(base["years"]),
                "comparison_years": int(comp["years"]),
                **rate_ratio(int(base["cases"]), int(base["years"]), int(comp["cases"]), int(comp["years"]), level),
                "confidence_level": level,
            }
        )
    return pd.DataFrame(rows)


def summarise_countries(
    cases: pd.DataFrame, periods: list[Period], scopes: list[Scope], comparison: Period, eu_member_at_end: pd.Series
) -> pd.DataFrame:
    """Cases per host country, scope and period (zeros included) for every country with any case.

    A country is new in the comparison period, in a scope, when it has no case of that scope in any year before the
    comparison period begins (inside a period or not) and at least one in it. `eu_member_at_end` maps alpha-3 ->
    whether the country is an EU member in the comparison period's last year.
    """
    countries = (
        cases.groupby("host_country")
        .agg(host_country_name=("host_country_name", "first"), region=("region", "first"), first_year=("year", "min"))
        .reset_index()
    )
    counts = _scoped_counts(cases, scopes, ["host_country", "period"])
    summary = (
        _grid(
            host_country=countries["host_country"].tolist(),
            scope=[s.name for s in scopes],
            period=[p.name for p in periods],
        )
        .merge(countries, on="host_country")
        .merge(_period_frame(periods)[["period", "years"]], on="period")
        .merge(counts, on=["host_country", "scope", "period"], how="left")
    )
    summary["cases"] = summary["cases"].fillna(0).astype("int64")
    summary["annual_mean"] = summary["cases"] / summary["years"]
    earlier = _scoped_counts(cases[cases["year"] < comparison.first_year], scopes, ["host_country"])
    had_earlier = pd.MultiIndex.from_frame(earlier[["host_country", "scope"]])
    keys = pd.MultiIndex.from_frame(summary[["host_country", "scope"]])
    in_comparison = summary.loc[summary["period"] == comparison.name].set_index(["host_country", "scope"])["cases"]
    summary["new_in_comparison"] = ~keys.isin(had_earlier) & (in_comparison.reindex(keys).fillna(0).to_numpy() > 0)
    summary["eu_member_at_end"] = summary["host_country"].map(eu_member_at_end).fillna(False).astype(bool)
    summary = summary.astype(
        {
            "host_country": "str",
            "host_country_name": "str",
            "region": "str",
            "scope": "str",
            "period": "str",
            "first_year": "int64",
            "new_in_comparison": "bool",
        }
    )
    return summary[
        [
            "host_country",
            "host_country_name",
            "region",
            "eu_member_at_end",
            "scope",
            "period",
            "cases",
            "annual_mean",
            "first_year",
            "new_in_comparison",
        ]
    ]


def break_down_periods(
    cases: pd.DataFrame, periods: list[Period], scopes: list[Scope], categories: dict[str, dict[str, str]]
) -> pd.DataFrame:
    """Cases per category of each dimension for every scope and period, with the category's share of the period.

    `categories` maps each dimension to its categories in order ({code: label}); every category appears, zeros
    included.
    """
    totals = summarise_periods(cases, periods, scopes).set_index(["scope", "period"])["cases"]
    frames = []
    for dimension, labels in categories.items():
        counts = _scoped_counts(cases, scopes, ["period", dimension]).rename(columns={dimension: "category"})
        grid = _grid(category=list(labels), scope=[s.name for s in scopes], period=[p.name for p in periods])
        frame = grid.merge(counts, on=["category", "scope", "period"], how="left")
        frame["cases"] = frame["cases"].fillna(0).astype("int64")
        frame["dimension"] = dimension
        frame["category_label"] = frame["category"].map(labels)
        frames.append(frame)
    breakdown = pd.concat(frames, ignore_index=True)
    total = pd.Series(list(zip(breakdown["scope"], breakdown["period"]))).map(totals).to_numpy()
    breakdown["share"] = np.where(total > 0, breakdown["cases"] / np.where(total > 0, total, 1), np.nan)
    return breakdown[["dimension", "category", "category_label", "scope", "period", "cases", "share"]]


# ---- the questionnaire ---------------------------------------------------------------------------------------


def wilson_interval(successes: int, trials: int, level: float = 0.95) -> tuple[float, float]:
    """Wilson score interval for a proportion; (nan, nan) when there are no trials."""
    from statistics import NormalDist

    if trials == 0:
        return math.nan, math.nan
    z = NormalDist().inv_cdf(0.5 + level / 2)
    share = successes / trials
    centre = (share + z * z / (2 * trials)) / (1 + z * z / trials)
    half = z * math.sqrt(share * (1 - share) / trials + z * z / (4 * trials * trials)) / (1 + z * z / trials)
    low = 0.0 if successes == 0 else max(0.0, centre - half)
    high = 1.0 if successes == trials else min(1.0, centre + half)
    return low, high


def summarise_survey(
    responses: pd.DataFrame, yes_no_questions: tuple[str, ...], tactics: list[str], level: float = 0.95
) -> pd.DataFrame:
    """Counts, shares and Wilson intervals for every questionnaire item.

    Yes/no items count 'yes' and 'no' among those who answered; `tactics_experienced` counts, for every tactic
    of the typology, the respondents who listed it among all respondents; `country_of_residence` counts each
    country present.
    """
    rows = []
    for question in yes_no_questions:
        answered = responses[question].dropna().astype(bool)
        for answer, n in (("yes", int(answered.sum())), ("no", int((~answered).sum()))):
            rows.append((question, answer, n, len(answered)))
    listed = responses["tactics_experienced"].str.split(";").explode()
    counts = listed[listed != ""].value_counts()
    rows += [("tactics_experienced", tactic, int(counts.get(tactic, 0)), len(responses)) for tactic in tactics]
    countries = responses["country_of_residence"].value_counts()
    rows += [
        ("country_of_residence", country, int(countries[country]), len(responses))
        for country in sorted(countries.index)
    ]
    summary = pd.DataFrame(rows, columns=["question", "answer", "n", "respondents"])
    bounds = [wilson_interval(n, total, level) for n, total in zip(summary["n"], summary["respondents"])]
    summary["share"] = [n / total if total else math.nan for n, total in zip(summary["n"], summary["respondents"])]
    summary["ci_low"] = [low for low, _ in bounds]
    summary["ci_high"] = [high for _, high in bounds]
    summary["confidence_level"] = float(level)
    return summary.astype({"n": "int64", "respondents": "int64"})
