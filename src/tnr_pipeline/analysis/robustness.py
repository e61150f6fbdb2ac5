"""The robustness table: how much the headline rate ratio depends on its assumptions and on how the cases were found.

What belongs here: for every scope, the variants of the headline's computation (the exact and quasi-Poisson intervals,
each year left out, later baselines, verified cases only) and the analyses of how the cases were found (a growth in
documentation divided out, a trend with a jump, each host country and each tactic left out, the host countries
resampled, the comparison period's own trend). Pure: cases and settings in, one DataFrame out, codes only (the
`description` column is worded by the render layer, `render.i18n.describe_variants`). The exact statistics are
`stats`'.
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pandas as pd

from tnr_pipeline.analysis import stats
from tnr_pipeline.model.settings import SCOPE_COLUMNS
from tnr_pipeline.model.words import (
    BASELINE_FROM,
    COMPARISON_TREND,
    COUNTRY_BOOTSTRAP,
    DOCUMENTATION_GROWTH,
    DROP_COUNTRY,
    DROP_TACTIC,
    DROP_YEAR,
    EXACT,
    QUASI_POISSON,
    SEGMENTED_TREND,
    VERIFIED_ONLY,
)

COUNT_COLUMNS = ("baseline_cases", "baseline_years", "comparison_cases", "comparison_years")


def documentation_variant(growth: float) -> str:
    """The code of the variant for a growth in documentation: documentation_growth_1.5, documentation_growth_2."""
    return f"{DOCUMENTATION_GROWTH}{growth:g}"


def divide_out_documentation(x_b: int, t_b: int, x_c: int, t_c: int, growth: float, level: float) -> dict:
    """The rate ratio if a case was `growth` times more likely to be recorded in the comparison period: the exact
    ratio and interval divided by the growth, and the central exact p-value of "the true ratio is 1", the binomial
    test at π₀ = k·t_c / (t_b + k·t_c). The same as the exact ratio with the comparison's years weighted by k."""
    return {**dict(zip(COUNT_COLUMNS, (x_b, t_b, x_c, t_c))), **stats.rate_ratio(x_b, t_b, x_c, growth * t_c, level)}


@dataclasses.dataclass(frozen=True)
class ScopeCounts:
    """A scope's cases counted every way its variants read them."""

    by_year: dict[int, int]  # each year the variants read -> cases
    verified_by_year: dict[int, int]  # the same, verified cases only
    by_country: np.ndarray  # one row per host country left out or resampled: its baseline and comparison cases
    tactics: list[str]  # the tactics with a case of the scope in any year, in code order
    by_tactic: np.ndarray  # one row per tactic of `tactics`: its baseline and comparison cases


def count_scopes(cases: pd.DataFrame, sides: np.ndarray, analysis, countries: list[str]) -> dict[str, ScopeCounts]:
    """Every scope's counts (`ScopeCounts`), by scope name: each case placed once by its year, host country, tactic
    and period side (`sides`: `stats.period_sides` of the cases), then counted per scope (`stats.count_on_grid`)."""
    baseline = analysis.baseline
    scopes, names = list(analysis.scopes), [scope.name for scope in analysis.scopes]
    later = [dataclasses.replace(baseline, first_year=start) for start in analysis.baseline_starts]
    years = sorted({year for period in (baseline, analysis.comparison, *later) for year in period.calendar_years})
    sided = cases[["host_country", "year", "verification", *SCOPE_COLUMNS]].assign(side=sides)
    tactics = sorted(cases["tactic"].unique())
    by_year = stats.count_on_grid(sided, scopes, {"scope": names, "year": years}).reshape(len(scopes), -1)
    verified = sided[sided["verification"] == "verified"]
    verified_by_year = stats.count_on_grid(verified, scopes, {"scope": names, "year": years}).reshape(len(scopes), -1)
    by_country = stats.count_on_grid(
        sided, scopes, {"scope": names, "host_country": countries, "side": list(stats.SIDES[:2])}
    ).reshape(len(scopes), len(countries), 2)
    # every side: a tactic with a case of the scope only outside both periods is left out too
    by_tactic = stats.count_on_grid(
        sided, scopes, {"scope": names, "tactic": tactics, "side": list(stats.SIDES)}
    ).reshape(len(scopes), len(tactics), len(stats.SIDES))
    counted = {}
    for position, name in enumerate(names):
        present = by_tactic[position].sum(axis=1) > 0
        counted[name] = ScopeCounts(
            dict(zip(years, by_year[position].tolist())),
            dict(zip(years, verified_by_year[position].tolist())),
            by_country[position],
            [tactic for tactic, kept in zip(tactics, present) if kept],
            by_tactic[position][present][:, :2],
        )
    return counted


def resample_countries(by_country: np.ndarray, resamples: int, seed: int) -> np.ndarray:
    """Each resample's cases in the two periods: host countries drawn with replacement, as many as there are, each
    with all its cases (`by_country`: one row per country, its baseline and comparison cases). The draws depend on
    the seed and the number of countries only, so every scope with the same countries gets the same draws."""
    if not len(by_country):
        return np.zeros((0, 2), dtype="int64")
    rng = np.random.default_rng(seed)
    drawn = rng.integers(0, len(by_country), size=(resamples, len(by_country)))
    return by_country[drawn].sum(axis=1)


def percentile_interval(x_b: np.ndarray, t_b: int, x_c: np.ndarray, t_c: int, level: float) -> tuple[float, float]:
    """The percentile interval of the resamples' rate ratios: the order statistics at (1 − level)/2 (rounded down)
    and (1 + level)/2 (rounded up); a resample without a baseline case has an infinite ratio, one with no case at
    all none (left out). Missing when no resample has a ratio."""
    with np.errstate(divide="ignore", invalid="ignore"):
        ratios = (x_c / t_c) / (x_b / t_b)
    ratios = ratios[~np.isnan(ratios)]
    if not len(ratios):
        return math.nan, math.nan
    return (
        float(np.quantile(ratios, (1 - level) / 2, method="lower")),
        float(np.quantile(ratios, (1 + level) / 2, method="higher")),
    )


def robustness_variants(cases: pd.DataFrame, analysis) -> pd.DataFrame:
    """One row per scope and variant: the rate ratio under each assumption the headline rests on (see the data
    dictionary's `variant`). Host countries left out or resampled are those with a case in either period; tactics
    left out, those with a case in the scope."""
    level, baseline, comparison = analysis.confidence_level, analysis.baseline, analysis.comparison
    sides = stats.period_sides(cases, baseline, comparison)
    countries = sorted(cases.loc[sides != stats.SIDES[2], "host_country"].unique())  # a case in either period
    counted = count_scopes(cases, sides, analysis, countries)
    frame = pd.DataFrame(
        [
            {"scope": scope.name, "variant": variant, **values}
            for scope in analysis.scopes
            for variant, values in scope_variants(counted[scope.name], analysis, countries)
        ]
    )
    for column in ("dispersion", "yearly_trend"):
        if column not in frame:
            frame[column] = math.nan
    frame["confidence_level"] = float(level)
    return frame.astype({column: "int64" for column in COUNT_COLUMNS})


def scope_variants(counted: ScopeCounts, analysis, countries: list[str]):
    """The (variant, values) pairs of one scope, from its counts, in the table's order (`countries`: the host
    countries of `counted.by_country`)."""
    level, baseline, comparison = analysis.confidence_level, analysis.baseline, analysis.comparison
    by_year = counted.by_year
    base_counts, comp_counts = stats.yearly_counts(by_year, baseline), stats.yearly_counts(by_year, comparison)
    x_b, x_c, t_b, t_c = sum(base_counts), sum(comp_counts), len(base_counts), len(comp_counts)
    counts = dict(zip(COUNT_COLUMNS, (x_b, t_b, x_c, t_c)))

    exact = stats.exact_row(x_b, t_b, x_c, t_c, level)
    yield EXACT, exact
    quasi = stats.quasi_poisson_ratio(base_counts, comp_counts, level)
    yield QUASI_POISSON, {**counts, **{k: quasi[k] for k in ("ratio", "ci_low", "ci_high", "p_value", "dispersion")}}
    for period, yearly in ((baseline, base_counts), (comparison, comp_counts)):
        for offset, count in enumerate(yearly):
            left = (x_b - count, t_b - 1, x_c, t_c) if period is baseline else (x_b, t_b, x_c - count, t_c - 1)
            yield f"{DROP_YEAR}{period.first_year + offset}", stats.exact_row(*left, level)
    for start in analysis.baseline_starts:
        later = dataclasses.replace(baseline, first_year=start)
        yield (
            f"{BASELINE_FROM}{start}",
            stats.exact_row(sum(stats.yearly_counts(by_year, later)), later.years, x_c, t_c, level),
        )
    v_b = sum(stats.yearly_counts(counted.verified_by_year, baseline))
    v_c = sum(stats.yearly_counts(counted.verified_by_year, comparison))
    yield VERIFIED_ONLY, stats.exact_row(v_b, t_b, v_c, t_c, level)

    years = [*baseline.calendar_years, *comparison.calendar_years]
    segmented = stats.fit_segmented_trend(
        [year - baseline.first_year for year in years],
        base_counts + comp_counts,
        [False] * t_b + [True] * t_c,
        level,
    )
    yield (
        SEGMENTED_TREND,
        {
            **counts,
            **{k: segmented[k] for k in ("ratio", "ci_low", "ci_high", "p_value", "dispersion")},
            "yearly_trend": segmented["trend"],
        },
    )
    own = stats.fit_trend(comp_counts, level)
    yield COMPARISON_TREND, {**counts, **{k: own[k] for k in ("ratio", "ci_low", "ci_high", "p_value")}}
    for growth in analysis.documentation_growth:
        yield documentation_variant(growth), divide_out_documentation(x_b, t_b, x_c, t_c, growth, level)

    for prefix, values, sums in (
        (DROP_COUNTRY, countries, counted.by_country),
        (DROP_TACTIC, counted.tactics, counted.by_tactic),
    ):
        for value, (left_b, left_c) in zip(values, sums.tolist()):  # one row per country or tactic, not per case
            yield f"{prefix}{value}", stats.exact_row(x_b - left_b, t_b, x_c - left_c, t_c, level)
    resampled = resample_countries(counted.by_country, analysis.bootstrap_resamples, analysis.bootstrap_seed)
    low, high = percentile_interval(resampled[:, 0], t_b, resampled[:, 1], t_c, level)
    yield COUNTRY_BOOTSTRAP, {**counts, "ratio": exact["ratio"], "ci_low": low, "ci_high": high, "p_value": math.nan}
