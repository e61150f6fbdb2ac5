"""Measuring: each metric's measure function, and METRICS, the one table of the metrics.

`measure` looks a metric up in METRICS and calls its function with the table it reads (`Metric.reads`): the cases,
prepared by `prepare_cases`, or a statistics or survey table. Every function takes the metric as written (a
ParsedMetric), that table and the analysis settings, and returns a number, a sorted list of codes or None.
"""

from __future__ import annotations

import math
from functools import partial

import pandas as pd

from tnr_pipeline.analysis import stats
from tnr_pipeline.analysis.claims.notation import (
    AMONG,
    CASE_FILTERS,
    CODES,
    COUNT,
    NUMBER,
    SHARE,
    YES_NO,
    Metric,
    ParsedMetric,
    parse_metric,
    trend_years,
    values_of,
    year_range,
)
from tnr_pipeline.model.settings import Analysis, Period, in_scope
from tnr_pipeline.model.words import COMPARED_GROUPS, GROUP_COMPARISON


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


def _share(parsed: ParsedMetric, cases: pd.DataFrame, analysis: Analysis) -> float:
    """Of the cases matching `among`, the share that also match the arguments."""
    among = select_cases(cases, parsed.among, analysis)
    matching = select_cases(cases, parsed.arguments, analysis)
    total = int(among.sum())
    return float((matching & among).sum() / total) if total else math.nan


def _share_change_p(parsed: ParsedMetric, cases: pd.DataFrame, analysis: Analysis) -> float:
    """Fisher's exact p that the share differs between the baseline and the comparison period."""
    among = select_cases(cases, parsed.among, analysis)
    matching = select_cases(cases, parsed.arguments, analysis)
    base, comp = _in_period(cases, analysis.baseline), _in_period(cases, analysis.comparison)
    a, c = int((matching & among & base).sum()), int((matching & among & comp).sum())
    return stats.fisher_exact_two_sided(a, int((among & base).sum()) - a, c, int((among & comp).sum()) - c)


def _rank(parsed: ParsedMetric, cases: pd.DataFrame, analysis: Analysis) -> int | None:
    chosen = cases[select_cases(cases, parsed.among or {}, analysis)]
    return country_rank(chosen, parsed.arguments["host_country"])


def _rate_ratio(parsed: ParsedMetric, cases: pd.DataFrame, analysis: Analysis, column: str) -> float:
    """One column of stats.rate_ratio (ratio, ci_low, ci_high, p_value) of the comparison period over the baseline."""
    chosen = _chosen(parsed, cases, analysis)
    baseline, comparison = analysis.baseline, analysis.comparison
    result = stats.rate_ratio(
        int(_in_period(chosen, baseline).sum()),
        baseline.years,
        int(_in_period(chosen, comparison).sum()),
        comparison.years,
        analysis.confidence_level,
    )
    return float(result[column])


def _trend(parsed: ParsedMetric, cases: pd.DataFrame, analysis: Analysis) -> tuple[float, float]:
    """The yearly growth factor of a Poisson trend over the metric's years, and its p-value."""
    years = trend_years(parsed.arguments, analysis)
    counts = _chosen(parsed, cases, analysis)["year"].value_counts()
    return stats.poisson_trend([int(counts.get(year, 0)) for year in years])


def _trend_growth(parsed: ParsedMetric, cases: pd.DataFrame, analysis: Analysis) -> float:
    return _trend(parsed, cases, analysis)[0]


def _trend_p(parsed: ParsedMetric, cases: pd.DataFrame, analysis: Analysis) -> float:
    return _trend(parsed, cases, analysis)[1]


# ---- the table metrics: each reads one statistics or survey table ------------------------------------------------


def _period_cases(parsed: ParsedMetric, period_summary: pd.DataFrame, analysis: Analysis) -> int:
    args = parsed.arguments
    return int(_one(period_summary, "cases", scope=args["scope"], period=args["period"]))


def _ratio(parsed: ParsedMetric, period_ratios: pd.DataFrame, analysis: Analysis) -> float:
    return float(_one(period_ratios, "ratio", scope=parsed.arguments["scope"]))


def _cases_ratio(parsed: ParsedMetric, period_ratios: pd.DataFrame, analysis: Analysis) -> float:
    row = period_ratios[period_ratios["scope"] == parsed.arguments["scope"]].iloc[0]
    return row["comparison_cases"] / row["baseline_cases"] if row["baseline_cases"] else math.inf


def _min_variant_ci_low(parsed: ParsedMetric, robustness: pd.DataFrame, analysis: Analysis) -> float:
    return float(robustness.loc[robustness["scope"] == parsed.arguments["scope"], "ci_low"].min())


def _near_abroad_excess_p(parsed: ParsedMetric, region_ratios: pd.DataFrame, analysis: Analysis) -> float:
    rows, scope = region_ratios.set_index(["scope", "region_group"]), parsed.arguments["scope"]
    near, eu = (rows.loc[(scope, group), "ratio"] for group in COMPARED_GROUPS)
    return float(rows.loc[(scope, GROUP_COMPARISON), "p_value"]) if near > eu else 1.0


def _survey_respondents(parsed: ParsedMetric, survey: pd.DataFrame, analysis: Analysis) -> int:
    args = parsed.arguments
    rows = survey[survey["question"] == args["question"]] if "question" in args else survey
    return int(rows["respondents"].max()) if len(rows) else 0


def _survey_n(parsed: ParsedMetric, survey: pd.DataFrame, analysis: Analysis) -> int:
    args = parsed.arguments
    return int(_one(survey, "n", question=args["question"], answer=args["answer"]))


def _survey_share(parsed: ParsedMetric, survey: pd.DataFrame, analysis: Analysis) -> float:
    args = parsed.arguments
    return float(_one(survey, "share", question=args["question"], answer=args["answer"]))


METRICS = {
    "n_cases": Metric((), CASE_FILTERS, COUNT, _n_cases),
    "n_host_countries": Metric((), CASE_FILTERS, COUNT, _n_host_countries),
    "host_countries": Metric((), CASE_FILTERS, CODES, _host_countries),
    "top_countries": Metric(("n",), CASE_FILTERS, CODES, _top_countries),
    "new_countries": Metric((), CASE_FILTERS, CODES, _new_countries),
    "share": Metric((), CASE_FILTERS, SHARE, _share, among="required"),
    "rank": Metric(("host_country",), (), COUNT, _rank, among="optional"),
    "rate_ratio": Metric((), CASE_FILTERS, NUMBER, partial(_rate_ratio, column="ratio")),
    "rate_ratio_ci_low": Metric((), CASE_FILTERS, NUMBER, partial(_rate_ratio, column="ci_low")),
    "rate_ratio_ci_high": Metric((), CASE_FILTERS, NUMBER, partial(_rate_ratio, column="ci_high")),
    "rate_ratio_p": Metric((), CASE_FILTERS, SHARE, partial(_rate_ratio, column="p_value")),
    "share_change_p": Metric((), CASE_FILTERS, SHARE, _share_change_p, among="required"),
    "trend": Metric((), CASE_FILTERS, NUMBER, _trend_growth, years=True),
    "trend_p": Metric((), CASE_FILTERS, SHARE, _trend_p, years=True),
    "period_cases": Metric(("scope", "period"), (), COUNT, _period_cases, reads="period_summary"),
    "ratio": Metric(("scope",), (), NUMBER, _ratio, reads="period_ratios"),
    "cases_ratio": Metric(("scope",), (), NUMBER, _cases_ratio, reads="period_ratios"),
    "survey_respondents": Metric((), ("question",), COUNT, _survey_respondents, reads="survey_summary"),
    "survey_n": Metric(("question", "answer"), (), COUNT, _survey_n, reads="survey_summary"),
    "survey_share": Metric(("question", "answer"), (), SHARE, _survey_share, reads="survey_summary"),
    "min_variant_ci_low": Metric(("scope",), (), NUMBER, _min_variant_ci_low, reads="robustness"),
    "near_abroad_excess_p": Metric(("scope",), (), SHARE, _near_abroad_excess_p, reads="region_ratios"),
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
