"""Measuring: each metric's measure function, and METRICS, the one table of the metrics.

`measure` looks a metric up in METRICS and calls its function with the table it reads (`Metric.reads`): the cases,
prepared by `prepare_cases`, or a statistics or survey table. Every function takes the metric as written (a
ParsedMetric), that table and the analysis settings. A descriptive metric returns a number, a sorted list of codes or
None; an estimate or a test returns an Estimate (the value with its interval, and a test's p-value).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd

from tnr_pipeline.analysis import stats
from tnr_pipeline.analysis.claims.notation import (
    AMONG,
    CASE_FILTERS,
    CODES,
    COUNT,
    DESCRIPTIVE,
    ESTIMATE,
    NUMBER,
    SHARE,
    TEST,
    YES_NO,
    Metric,
    ParsedMetric,
    parse_metric,
    trend_years,
    values_of,
    year_range,
)
from tnr_pipeline.model.settings import Analysis, Period, in_scope
from tnr_pipeline.model.words import GROUP_COMPARISON, is_assumption_variant


@dataclass(frozen=True)
class Estimate:
    """What the cases estimate, with its interval at confidence_level: a rate ratio, share, odds ratio or growth
    factor. A test's Estimate also has its p-value and the direction the sentence says the effect goes (`up`: above
    no change, 1; `down`: below it); `value` is then the p-value, else the estimate."""

    estimate: float
    ci_low: float
    ci_high: float
    p_value: float | None = None
    direction: str = "up"

    @property
    def value(self) -> float:
        return self.estimate if self.p_value is None else self.p_value


class Ranked(list):
    """The countries at the top of a ranking, and those tied at its cut (empty when the cut is clean)."""

    def __init__(self, codes, tied: list[str], tied_cases: int = 0):
        super().__init__(codes)
        self.tied, self.tied_cases = tied, tied_cases


def prepare_cases(cases: pd.DataFrame, region_groups: pd.DataFrame) -> pd.DataFrame:
    """The cases as the filters read them: only the columns a filter or a metric reads (each metric selects rows,
    and a million cases' other columns would be copied with them), with each case's region group
    (reference/region_groups.csv)."""
    read = [column for column in cases.columns if column in CASE_FILTERS]
    return cases[read].assign(region_group=stats.assign_region_groups(cases, region_groups))


def select_cases(cases: pd.DataFrame, filters: dict[str, str], analysis: Analysis) -> pd.Series:
    """Which cases match every filter (AND); within a filter, a comma means any of its values (OR)."""
    keep = pd.Series(True, index=cases.index)
    for key, value in filters.items():
        values = values_of(value)
        if key == "year":
            hit = pd.Series(False, index=cases.index)
            for part in values:
                low, high = year_range(part)
                hit |= cases["year"].between(low, high)
        elif key == "scope":
            hit = pd.Series(False, index=cases.index)
            for scope in analysis.scopes:
                if scope.name in values:
                    hit |= in_scope(cases, scope)
        elif key in ("fh_counted", "eu_member"):
            hit = cases[key].isin([YES_NO[v] for v in values])
        elif key in CASE_FILTERS:
            hit = cases[key].isin(values)
        else:
            raise ValueError(f"unknown filter '{key}'")
        keep &= hit
    return keep


def rank_countries(rows: pd.DataFrame, n: int) -> Ranked:
    """The n countries with the most cases; where the n-th and the next have as many, the tied ones are named."""
    counts = rows.groupby("host_country")["cases"].sum().sort_values(ascending=False)  # ties: names sorted below
    if len(counts) <= n:
        return Ranked(sorted(counts.index), [])
    cut = counts.iloc[n - 1]
    if counts.iloc[n] != cut:
        return Ranked(sorted(counts.index[:n]), [])
    return Ranked(sorted(counts.index[counts > cut]), sorted(counts.index[counts == cut]), int(cut))


def country_rank(chosen: pd.DataFrame, country: str) -> int | None:
    """A host country's rank by cases among the chosen cases' host countries (1 is the most; ties share the better
    rank); None when it has no case among them."""
    counts = chosen["host_country"].value_counts()
    if country not in counts.index:
        return None
    return int((counts > counts[country]).sum()) + 1


def _in_period(cases: pd.DataFrame, period: Period) -> pd.Series:
    return cases["year"].between(period.first_year, period.last_year)


def _one(frame: pd.DataFrame, column: str, **where) -> object:
    rows = frame
    for key, value in where.items():
        rows = rows[rows[key] == value]
    if len(rows) != 1:
        raise ValueError(f"{len(rows)} rows match {where}")
    return rows[column].iloc[0]


# ---- the case metrics: each reads the cases (prepare_cases) --------------------------------------------------------


def _chosen(parsed: ParsedMetric, cases: pd.DataFrame, analysis: Analysis) -> pd.DataFrame:
    """The cases matching the metric's case filters (an argument such as n= is not a filter)."""
    filters = {k: v for k, v in parsed.arguments.items() if k in CASE_FILTERS}
    return cases[select_cases(cases, filters, analysis)]


def _n_cases(parsed: ParsedMetric, cases: pd.DataFrame, analysis: Analysis) -> int:
    return len(_chosen(parsed, cases, analysis))


def _n_host_countries(parsed: ParsedMetric, cases: pd.DataFrame, analysis: Analysis) -> int:
    return int(_chosen(parsed, cases, analysis)["host_country"].nunique())


def _host_countries(parsed: ParsedMetric, cases: pd.DataFrame, analysis: Analysis) -> list[str]:
    return sorted(_chosen(parsed, cases, analysis)["host_country"].unique())


def _top_countries(parsed: ParsedMetric, cases: pd.DataFrame, analysis: Analysis) -> Ranked:
    counts = _chosen(parsed, cases, analysis).groupby("host_country").size().rename("cases").reset_index()
    return rank_countries(counts, int(parsed.arguments["n"]))


def _new_countries(parsed: ParsedMetric, cases: pd.DataFrame, analysis: Analysis) -> list[str]:
    chosen = _chosen(parsed, cases, analysis)
    before = set(chosen.loc[chosen["year"] < analysis.comparison.first_year, "host_country"].unique())
    during = set(chosen.loc[_in_period(chosen, analysis.comparison), "host_country"].unique())
    return sorted(during - before)


def _case_filters(filters: dict[str, str] | None) -> dict[str, str]:
    """The case filters of a metric's arguments (direction=, n= and host_country of rank are not filters)."""
    return {k: v for k, v in (filters or {}).items() if k in CASE_FILTERS}


def _share(parsed: ParsedMetric, cases: pd.DataFrame, analysis: Analysis) -> Estimate:
    """Of the cases matching `among`, the share that also match the arguments, with its Wilson interval."""
    among = select_cases(cases, parsed.among, analysis)
    matching = select_cases(cases, _case_filters(parsed.arguments), analysis)
    total, hits = int(among.sum()), int((matching & among).sum())
    low, high = stats.wilson_interval(hits, total, analysis.confidence_level)
    return Estimate(hits / total if total else math.nan, low, high)


def _period_table(parsed: ParsedMetric, cases: pd.DataFrame, analysis: Analysis) -> tuple[int, int, int, int]:
    """(F, not F) among G in the comparison period, then in the baseline: the 2×2 table of a share change."""
    among = select_cases(cases, parsed.among, analysis)
    matching = select_cases(cases, _case_filters(parsed.arguments), analysis)
    base, comp = _in_period(cases, analysis.baseline), _in_period(cases, analysis.comparison)
    a, c = int((matching & among & comp).sum()), int((matching & among & base).sum())
    return a, int((among & comp).sum()) - a, c, int((among & base).sum()) - c


def _share_change(parsed: ParsedMetric, cases: pd.DataFrame, analysis: Analysis) -> dict[str, float]:
    """The odds of F among G in the comparison period over their odds in the baseline, with Fisher's exact interval
    and Fisher's exact p that the share differs between the periods."""
    return stats.conditional_odds_ratio(*_period_table(parsed, cases, analysis), analysis.confidence_level)


def _share_against_rest(parsed: ParsedMetric, cases: pd.DataFrame, analysis: Analysis) -> dict[str, float]:
    """The odds of F among the cases matching G over the odds of F among every other case, with Fisher's exact
    interval."""
    among = select_cases(cases, parsed.among, analysis)
    matching = select_cases(cases, _case_filters(parsed.arguments), analysis)
    a, c = int((matching & among).sum()), int((matching & ~among).sum())
    return stats.conditional_odds_ratio(a, int(among.sum()) - a, c, int((~among).sum()) - c, analysis.confidence_level)


def _share_trend(parsed: ParsedMetric, cases: pd.DataFrame, analysis: Analysis) -> dict[str, float]:
    """The yearly factor of F's odds among G over G's years, with its Wald interval."""
    years = trend_years(parsed.among, analysis)
    among = cases[select_cases(cases, parsed.among, analysis)]
    matching = select_cases(among, _case_filters(parsed.arguments), analysis)
    trials, hits = among["year"].value_counts(), among.loc[matching, "year"].value_counts()
    return stats.fit_share_trend(
        [int(hits.get(year, 0)) for year in years],
        [int(trials.get(year, 0)) for year in years],
        analysis.confidence_level,
    )


def _rank(parsed: ParsedMetric, cases: pd.DataFrame, analysis: Analysis) -> int | None:
    chosen = cases[select_cases(cases, parsed.among or {}, analysis)]
    return country_rank(chosen, parsed.arguments["host_country"])


def _period_rate_ratio(parsed: ParsedMetric, cases: pd.DataFrame, analysis: Analysis) -> dict[str, float]:
    """stats.rate_ratio (ratio, ci_low, ci_high, p_value) of the comparison period over the baseline."""
    chosen = _chosen(parsed, cases, analysis)
    baseline, comparison = analysis.baseline, analysis.comparison
    return stats.rate_ratio(
        int(_in_period(chosen, baseline).sum()),
        baseline.years,
        int(_in_period(chosen, comparison).sum()),
        comparison.years,
        analysis.confidence_level,
    )


def _fitted_trend(parsed: ParsedMetric, cases: pd.DataFrame, analysis: Analysis) -> dict[str, float]:
    """The Poisson trend over the metric's years (stats.fit_trend)."""
    years = trend_years(parsed.arguments, analysis)
    counts = _chosen(parsed, cases, analysis)["year"].value_counts()
    return stats.fit_trend([int(counts.get(year, 0)) for year in years], analysis.confidence_level)


def estimated(fit: Callable[..., dict[str, float]]) -> Callable[..., Estimate]:
    """The measure of an estimate from a fit that gives ratio, ci_low and ci_high."""

    def measure_estimate(parsed: ParsedMetric, table: pd.DataFrame, analysis: Analysis) -> Estimate:
        result = fit(parsed, table, analysis)
        return Estimate(result["ratio"], result["ci_low"], result["ci_high"])

    return measure_estimate


def tested(fit: Callable[..., dict[str, float]]) -> Callable[..., Estimate]:
    """The measure of a test from a fit that gives its effect (ratio, ci_low, ci_high) and p_value; the sentence's
    direction comes from the metric's direction= (up unless written)."""

    def measure_test(parsed: ParsedMetric, table: pd.DataFrame, analysis: Analysis) -> Estimate:
        result = fit(parsed, table, analysis)
        direction = parsed.arguments.get("direction", "up")
        return Estimate(result["ratio"], result["ci_low"], result["ci_high"], result["p_value"], direction)

    return measure_test


# ---- the table metrics: each reads one statistics or survey table ------------------------------------------------


def _period_cases(parsed: ParsedMetric, period_summary: pd.DataFrame, analysis: Analysis) -> int:
    args = parsed.arguments
    return int(_one(period_summary, "cases", scope=args["scope"], period=args["period"]))


def _ratio(parsed: ParsedMetric, period_ratios: pd.DataFrame, analysis: Analysis) -> Estimate:
    row = period_ratios[period_ratios["scope"] == parsed.arguments["scope"]]
    return Estimate(*(float(_one(row, column)) for column in ("ratio", "ci_low", "ci_high")))


def _cases_ratio(parsed: ParsedMetric, period_ratios: pd.DataFrame, analysis: Analysis) -> float:
    row = period_ratios[period_ratios["scope"] == parsed.arguments["scope"]].iloc[0]
    return row["comparison_cases"] / row["baseline_cases"] if row["baseline_cases"] else math.inf


def _variant_ratios(parsed: ParsedMetric, robustness: pd.DataFrame, analysis: Analysis) -> Estimate:
    """Every variant of the headline's assumptions (the model, one year, the baseline's start, the verification
    standard: `words.ASSUMPTION_VARIANTS`) of the scope at once: the lowest ratio, and the span from the lowest lower
    bound to the highest upper bound of their intervals (wholly above a threshold only when every variant's interval
    is). The analyses of how the cases were found are the findings' own section, not this row's."""
    rows = robustness[robustness["scope"] == parsed.arguments["scope"]]
    rows = rows[rows["variant"].map(is_assumption_variant)]
    return Estimate(float(rows["ratio"].min()), float(rows["ci_low"].min()), float(rows["ci_high"].max()))


def _near_abroad_excess(parsed: ParsedMetric, region_ratios: pd.DataFrame, analysis: Analysis) -> dict[str, float]:
    """Fisher's p of the near abroad against the EU and its effect, the ratio of their rate ratios with Fisher's exact
    interval (region_ratios' comparison row). Read with its direction, the two-sided p at a level is a one-sided
    test at half the level."""
    row = region_ratios.set_index(["scope", "region_group"]).loc[(parsed.arguments["scope"], GROUP_COMPARISON)]
    return {column: float(row[column]) for column in ("ratio", "ci_low", "ci_high", "p_value")}


def _survey_respondents(parsed: ParsedMetric, survey: pd.DataFrame, analysis: Analysis) -> int:
    args = parsed.arguments
    rows = survey[survey["question"] == args["question"]] if "question" in args else survey
    return int(rows["respondents"].max()) if len(rows) else 0


def _survey_n(parsed: ParsedMetric, survey: pd.DataFrame, analysis: Analysis) -> int:
    args = parsed.arguments
    return int(_one(survey, "n", question=args["question"], answer=args["answer"]))


def _survey_share(parsed: ParsedMetric, survey: pd.DataFrame, analysis: Analysis) -> Estimate:
    args = parsed.arguments
    return Estimate(
        *(float(_one(survey, column, question=args["question"], answer=args["answer"])) for column in SHARE_COLUMNS)
    )


SHARE_COLUMNS = ("share", "ci_low", "ci_high")
D, E, T = DESCRIPTIVE, ESTIMATE, TEST
TESTED = (*CASE_FILTERS, "direction")  # a test on the cases takes the case filters and its direction

METRICS = {
    "n_cases": Metric((), CASE_FILTERS, COUNT, D, _n_cases),
    "n_host_countries": Metric((), CASE_FILTERS, COUNT, D, _n_host_countries),
    "host_countries": Metric((), CASE_FILTERS, CODES, D, _host_countries),
    "top_countries": Metric(("n",), CASE_FILTERS, CODES, D, _top_countries),
    "new_countries": Metric((), CASE_FILTERS, CODES, D, _new_countries),
    "rank": Metric(("host_country",), (), COUNT, D, _rank, among="optional"),
    "share": Metric((), CASE_FILTERS, SHARE, E, _share, among="required"),
    "share_change": Metric((), CASE_FILTERS, NUMBER, E, estimated(_share_change), among="required"),
    "share_against_rest": Metric((), CASE_FILTERS, NUMBER, E, estimated(_share_against_rest), among="required"),
    "share_trend": Metric((), CASE_FILTERS, NUMBER, E, estimated(_share_trend), among="required", years=True),
    "rate_ratio": Metric((), CASE_FILTERS, NUMBER, E, estimated(_period_rate_ratio)),
    "trend": Metric((), CASE_FILTERS, NUMBER, E, estimated(_fitted_trend), years=True),
    "rate_ratio_p": Metric((), TESTED, SHARE, T, tested(_period_rate_ratio)),
    "share_change_p": Metric((), TESTED, SHARE, T, tested(_share_change), among="required"),
    "trend_p": Metric((), TESTED, SHARE, T, tested(_fitted_trend), years=True),
    "period_cases": Metric(("scope", "period"), (), COUNT, D, _period_cases, reads="period_summary"),
    "cases_ratio": Metric(("scope",), (), NUMBER, D, _cases_ratio, reads="period_ratios"),
    "ratio": Metric(("scope",), (), NUMBER, E, _ratio, reads="period_ratios"),
    "survey_respondents": Metric((), ("question",), COUNT, D, _survey_respondents, reads="survey_summary"),
    "survey_n": Metric(("question", "answer"), (), COUNT, D, _survey_n, reads="survey_summary"),
    "survey_share": Metric(("question", "answer"), (), SHARE, E, _survey_share, reads="survey_summary"),
    "variant_ratios": Metric(("scope",), (), NUMBER, E, _variant_ratios, reads="robustness"),
    "near_abroad_excess_p": Metric(
        ("scope",), ("direction",), SHARE, T, tested(_near_abroad_excess), reads="region_ratios"
    ),
}


def measure(metric: str, tables: dict[str, pd.DataFrame], analysis: Analysis) -> object:
    """The observed value of a (checked) metric: a number, or a sorted list of codes. Looks the metric up in METRICS
    and calls its measure function on the table it reads (case metrics: tables["cases"], with its region_group:
    `prepare_cases`)."""
    parsed = parse_metric(metric)
    name, args = parsed.name, parsed.arguments
    if name not in METRICS:
        raise ValueError(f"unknown metric '{name}'")
    entry = METRICS[name]
    unknown = [key for key in args if key not in (*entry.required, *entry.optional)]
    if unknown:
        raise ValueError(f"unknown filter '{unknown[0]}' for {name}")
    if parsed.among is not None and not entry.among:
        raise ValueError(f"{name} does not take '{AMONG}'")
    if parsed.among is None and entry.among == "required":
        raise ValueError(f"{name} needs '{AMONG}'")
    return entry.measure(parsed, tables[entry.reads], analysis)
