"""The statistics: pure functions from the cases table (and settings) to the statistics tables.

What belongs here: counting, averaging, comparing periods and the exact interval and test behind the rate ratio.
Every function takes DataFrames and plain values and returns a DataFrame or numbers: no files, no printing, so tests
call them directly. All counting is vectorised (each case placed once on a grid of codes, `count_on_grid`); nothing
loops over cases.
"""

from __future__ import annotations

import math
from functools import partial

import numpy as np
import pandas as pd

from tnr_pipeline.model.fields import table_fields
from tnr_pipeline.model.settings import SCOPE_COLUMNS, Period, Scope, in_scope
from tnr_pipeline.model.words import COMPARED_GROUPS, GROUP_COMPARISON

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


def binomial_central_p(successes: int, trials: int, probability: float) -> float:
    """Exact central binomial test: twice the smaller tail, P(X <= k) or P(X >= k), at most 1. It is the test the
    Clopper-Pearson interval inverts, so p < 1 - level exactly when that interval excludes `probability`. Each tail
    is summed exactly by the regularised incomplete beta function (P(X <= k) = I(1-p; n-k, k+1), P(X >= k) =
    I(p; k, n-k+1)), for any number of trials."""
    from scipy.special import betainc

    if trials == 0:
        return 1.0
    at_most = float(betainc(trials - successes, successes + 1, 1.0 - probability)) if successes < trials else 1.0
    at_least = float(betainc(successes, trials - successes + 1, probability)) if successes > 0 else 1.0
    return min(1.0, 2.0 * min(at_most, at_least))


def _odds_to_ratio(share: float, exposure_factor: float) -> float:
    return math.inf if share >= 1.0 else share / (1.0 - share) * exposure_factor


def rate_ratio(
    baseline_cases: int, baseline_years: float, comparison_cases: int, comparison_years: float, level: float = 0.95
) -> dict[str, float]:
    """Rate ratio (comparison / baseline annual mean) with its exact conditional interval and test.

    Conditional on the total n, the comparison count is Binomial(n, pi) with pi = r*t_c / (r*t_c + t_b). A
    Clopper-Pearson interval for pi, turned back into r = pi / (1 - pi) * t_b / t_c, is the exact interval for the
    rate ratio r, and the central binomial test of pi = t_c / (t_b + t_c), the test that interval inverts, is the exact
    test of equal rates. The periods' lengths may be fractions (a comparison period's years weighted by a growth in
    documentation).
    Defined results where a count is zero: no baseline case and some comparison cases gives r = inf and
    ci_high = inf (ci_low stays finite); no case in either period gives r, ci_low and ci_high missing and p = 1.
    """
    total = baseline_cases + comparison_cases
    factor = baseline_years / comparison_years
    p_value = binomial_central_p(comparison_cases, total, comparison_years / (baseline_years + comparison_years))
    if total == 0:
        return {"ratio": math.nan, "ci_low": math.nan, "ci_high": math.nan, "p_value": p_value}
    low, high = clopper_pearson(comparison_cases, total, level)
    return {
        "ratio": _odds_to_ratio(comparison_cases / total, factor),
        "ci_low": _odds_to_ratio(low, factor),
        "ci_high": _odds_to_ratio(high, factor),
        "p_value": p_value,
    }


def in_table_order(frame: pd.DataFrame, table: str) -> pd.DataFrame:
    """A computed table's columns, in the order its field definitions give (fields.TABLES)."""
    return frame[[field.name for field in table_fields(table)]]


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


def count_on_grid(cases: pd.DataFrame, scopes: list[Scope], levels: dict[str, list]) -> np.ndarray:
    """The cases of every scope counted on the complete grid of `levels` ({column: its values, in order}; the key
    `scope` places the scopes among the columns), flat in the grid's order (the first level varies slowest), zeros
    included. A case whose value of a column is missing or not among that column's values is counted nowhere (a year
    outside every period, say): the grids these counts fill have no row for it.

    The work is on distinct values: the cases are counted once by each distinct combination of the columns read (the
    grid's and those a scope reads), and each scope keeps and places those combinations, not the cases."""
    columns = [column for column in levels if column != "scope"]
    read = list(dict.fromkeys([*columns, *SCOPE_COLUMNS]))
    # each column's codes into its distinct values (missing: -1) and those values
    factorized = {column: pd.factorize(cases[column]) for column in read}
    sizes = [len(uniques) + 1 for _, uniques in factorized.values()]  # the distinct values and missing (code 0 below)
    combination = np.ravel_multi_index([codes + 1 for codes, _ in factorized.values()], sizes)
    n_cases = np.bincount(combination, minlength=math.prod(sizes))
    present = np.flatnonzero(n_cases)
    n_cases = n_cases[present]
    # each present combination's code of each column: 0 for missing, 1 + the position among its distinct values
    parts = dict(zip(read, np.unravel_index(present, sizes)))
    scope_frame = pd.DataFrame(  # each present combination's values of the columns a scope reads
        {
            column: np.concatenate([[None], np.asarray(factorized[column][1], dtype=object)])[parts[column]]
            for column in SCOPE_COLUMNS
        }
    )
    codes = {  # each present combination's position among the grid's values of each column, -1 where none
        column: np.concatenate([[-1], pd.Index(levels[column]).get_indexer(factorized[column][1])])[parts[column]]
        for column in columns
    }
    placed = np.ones(len(present), dtype=bool)
    for code in codes.values():
        placed &= code >= 0
    grid_sizes = [len(scopes) if column == "scope" else len(values) for column, values in levels.items()]
    counts = np.zeros(math.prod(grid_sizes), dtype="int64")
    for position, scope in enumerate(scopes):
        keep = placed & in_scope(scope_frame, scope).to_numpy(dtype=bool)
        cells = [np.full(int(keep.sum()), position) if column == "scope" else codes[column][keep] for column in levels]
        flat = np.ravel_multi_index(cells, grid_sizes)
        counts += np.bincount(flat, weights=n_cases[keep], minlength=len(counts)).astype("int64")
    return counts


SIDES = ("baseline", "comparison", "neither")  # where a case's year lies


def period_sides(cases: pd.DataFrame, baseline: Period, comparison: Period) -> np.ndarray:
    """Each case's side (SIDES) by its year: in the baseline, in the comparison, or in neither."""
    return np.select(
        [
            cases["year"].between(baseline.first_year, baseline.last_year),
            cases["year"].between(comparison.first_year, comparison.last_year),
        ],
        SIDES[:2],
        SIDES[2],
    )


def _grid(**levels) -> pd.DataFrame:
    return pd.MultiIndex.from_product(list(levels.values()), names=list(levels)).to_frame(index=False)


def _with_period_columns(grid: pd.DataFrame, periods: list[Period], columns: list[str]) -> pd.DataFrame:
    """`grid` with the named attributes of each row's period (first_year, last_year, years)."""
    for column in columns:
        grid[column] = grid["period"].map({p.name: getattr(p, column) for p in periods}).astype("int64")
    return grid


def summarise_periods(
    cases: pd.DataFrame, periods: list[Period], scopes: list[Scope], level: float = 0.95
) -> pd.DataFrame:
    """Cases and annual mean, with its exact Poisson interval, for every scope and period."""
    levels = {"scope": [s.name for s in scopes], "period": [p.name for p in periods]}
    summary = _with_period_columns(_grid(**levels), periods, ["first_year", "last_year", "years"])
    summary["cases"] = count_on_grid(cases, scopes, levels)
    summary["annual_mean"] = summary["cases"] / summary["years"]
    bounds = [poisson_mean_interval(int(n), int(t), level) for n, t in zip(summary["cases"], summary["years"])]
    summary["annual_mean_ci_low"] = [low for low, _ in bounds]
    summary["annual_mean_ci_high"] = [high for _, high in bounds]
    summary["confidence_level"] = float(level)
    return in_table_order(summary, "period_summary")


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
    levels = {
        "host_country": countries["host_country"].tolist(),
        "scope": [s.name for s in scopes],
        "period": [p.name for p in periods],
    }
    summary = _with_period_columns(_grid(**levels), periods, ["years"])
    per_country = countries.set_index("host_country")
    for column in ("host_country_name", "region", "first_year"):
        summary[column] = summary["host_country"].map(per_country[column])
    counts = count_on_grid(cases, scopes, levels)
    summary["cases"] = counts
    summary["annual_mean"] = summary["cases"] / summary["years"]
    # per country and scope (the periods' axis last): any case before the comparison period, any case in it
    shape = [len(values) for values in levels.values()]
    earlier = cases[cases["year"] < comparison.first_year]
    had_earlier = count_on_grid(earlier, scopes, {"host_country": levels["host_country"], "scope": levels["scope"]}) > 0
    periods_named = levels["period"]
    in_comparison = (
        counts.reshape(shape)[:, :, periods_named.index(comparison.name)] > 0
        if comparison.name in periods_named
        else np.zeros(shape[:2], dtype=bool)
    )
    new = ~had_earlier.reshape(shape[:2]) & in_comparison
    summary["new_in_comparison"] = np.repeat(new.ravel(), len(periods))
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
    return in_table_order(summary, "country_summary")


def break_down_periods(
    cases: pd.DataFrame, periods: list[Period], scopes: list[Scope], categories: dict[str, dict[str, str]]
) -> pd.DataFrame:
    """Cases per category of each dimension for every scope and period, with the category's share of the period.

    `categories` maps each dimension to its categories in order ({code: label}); every category appears, zeros
    included.
    """
    names = {"scope": [s.name for s in scopes], "period": [p.name for p in periods]}
    totals = count_on_grid(cases, scopes, names)  # each scope's cases in each period
    frames, total = [], []
    for dimension, labels in categories.items():
        levels = {dimension: list(labels), **names}
        frame = _grid(category=list(labels), **names)
        frame["cases"] = count_on_grid(cases, scopes, levels)
        frame["dimension"] = dimension
        frame["category_label"] = frame["category"].map(labels)
        frames.append(frame)
        total.append(np.tile(totals, len(labels)))
    breakdown = pd.concat(frames, ignore_index=True)
    total = np.concatenate(total).astype(float)
    cases = breakdown["cases"].to_numpy(dtype=float)
    breakdown["share"] = np.divide(cases, total, out=np.full(len(total), np.nan), where=total > 0)  # none: missing
    return in_table_order(breakdown, "period_breakdowns")


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
    counts = responses["tactics_experienced"].str.split(";").explode().value_counts()  # "" (none listed) is never read
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


# ---- robustness: how much the headline depends on its assumptions -------------------------------------------


def yearly_counts(counts: dict[int, int], period: Period) -> list[int]:
    """Each calendar year's count in a period, zeros included, in year order, from a per-year count (year -> cases,
    a year without a case may be missing)."""
    return [int(counts.get(year, 0)) for year in period.calendar_years]


def pearson_dispersion(periods_counts: list[list[int]]) -> tuple[float, int]:
    """Pearson's X² / (n − 2) over the yearly counts of two periods, each year against its period's mean, and n.
    A period with no case adds nothing to X² (every year equals its mean of zero)."""
    chi_square = 0.0
    for counts in periods_counts:
        mean = sum(counts) / len(counts)
        if mean > 0:
            chi_square += sum((count - mean) ** 2 / mean for count in counts)
    n = sum(len(counts) for counts in periods_counts)
    return (chi_square / (n - 2) if n > 2 else math.nan), n


def quasi_poisson_ratio(baseline_counts: list[int], comparison_counts: list[int], level: float) -> dict:
    """Rate ratio with a quasi-Poisson (Pearson-scaled) Wald interval on the log scale.

    phi = max(1, X² / (n − 2)); the interval is r · exp(∓ t · sqrt(phi) · sqrt(1/x_b + 1/x_c)) with t the
    (1 + level)/2 quantile of Student's t on n − 2 degrees of freedom, and the p-value the matching two-sided t test
    of log r = 0. With a zero count, or fewer than three years, there is no interval; `why` says so.
    """
    from scipy.special import stdtr, stdtrit

    x_b, x_c = sum(baseline_counts), sum(comparison_counts)
    t_b, t_c = len(baseline_counts), len(comparison_counts)
    dispersion, n = pearson_dispersion([baseline_counts, comparison_counts])
    ratio = (x_c / t_c) / (x_b / t_b) if x_b else (math.inf if x_c else math.nan)
    result = {
        "ratio": ratio,
        "ci_low": math.nan,
        "ci_high": math.nan,
        "p_value": math.nan,
        "dispersion": dispersion,
        "n_years": n,
        "why": "",
    }
    if x_b == 0 or x_c == 0:
        result["why"] = "no interval: a period has no case, so the log rate ratio has no standard error"
        return result
    if n <= 2:
        result["why"] = "no interval: fewer than three years leave no degrees of freedom for the dispersion"
        return result
    phi = max(1.0, dispersion)
    standard_error = math.sqrt(phi) * math.sqrt(1 / x_b + 1 / x_c)
    t = float(stdtrit(n - 2, (1 + level) / 2))
    statistic = abs(math.log(ratio)) / standard_error
    result.update(
        ci_low=ratio * math.exp(-t * standard_error),
        ci_high=ratio * math.exp(t * standard_error),
        p_value=float(2 * stdtr(n - 2, -statistic)),
    )
    return result


def exact_row(x_b: int, t_b: int, x_c: int, t_c: int, level: float) -> dict:
    """A row of a table of rate ratios: the counts and years, and the exact rate ratio with its interval and test
    (missing where a period has no year)."""
    base = {"baseline_cases": x_b, "baseline_years": t_b, "comparison_cases": x_c, "comparison_years": t_c}
    if t_b == 0 or t_c == 0:
        return {**base, "ratio": math.nan, "ci_low": math.nan, "ci_high": math.nan, "p_value": math.nan}
    return {**base, **rate_ratio(x_b, t_b, x_c, t_c, level)}


def fit_trend(counts: list[int], level: float) -> dict[str, float]:
    """A Poisson log-linear regression of yearly counts on the year (every year given, zeros included): the yearly
    growth factor exp(β) as `ratio`, its Wald interval on the log scale at `level` (β ± z·se, se from the Fisher
    information) and the two-sided likelihood-ratio p-value for β = 0.

    Fitted by Newton's method on the centred year. Where every case falls in the first or the last year the maximum
    is at β = -inf or +inf: the factor is then 0 or inf, the likelihood ratio is its limit and there is no Wald
    interval (missing). No case at all, or a single year, gives no factor (NaN) and p = 1.
    """
    y = np.asarray(counts, dtype=float)
    return _fit_slope(y, None, level)


def fit_share_trend(successes: list[int], trials: list[int], level: float) -> dict[str, float]:
    """A binomial logit regression of a share on the year (successes of trials each year): the yearly factor of the
    share's odds exp(β) as `ratio`, its Wald interval on the log scale at `level` and the two-sided likelihood-ratio
    p-value for β = 0. Years with no trial carry no information and are left out. Where the share is 0 or 1 in every
    year, or its odds run to 0 or inf (every success before every failure), there is no finite fit: the factor is
    NaN, 0 or inf with no interval."""
    s, n = np.asarray(successes, dtype=float), np.asarray(trials, dtype=float)
    return _fit_slope(s, n, level)


def _fit_slope(y: np.ndarray, trials: np.ndarray | None, level: float) -> dict[str, float]:
    """Newton's method for a + b·x (x the centred position of each year) under a Poisson log link (trials None) or a
    binomial logit link; see fit_trend and fit_share_trend."""
    from statistics import NormalDist

    empty = {"ratio": math.nan, "ci_low": math.nan, "ci_high": math.nan, "p_value": 1.0}
    x = np.arange(len(y), dtype=float)
    if trials is not None:
        keep = trials > 0
        y, trials, x = y[keep], trials[keep], x[keep]
    if len(y) < 2 or y.sum() == 0 or (trials is not None and y.sum() == trials.sum()):
        return empty
    x -= x.mean()
    loglik = _poisson_log_likelihood if trials is None else partial(_binomial_log_likelihood, trials=trials)
    mean0 = y.sum() / len(y) if trials is None else y.sum() / trials.sum()
    null = loglik(y, np.full_like(y, mean0))

    def mean_of(alpha: float, beta: float) -> np.ndarray:
        eta = alpha + beta * x
        return np.exp(eta) if trials is None else 1.0 / (1.0 + np.exp(-eta))

    alpha, beta, converged = (math.log(mean0) if trials is None else math.log(mean0 / (1 - mean0))), 0.0, False
    for _ in range(100):
        mu = mean_of(alpha, beta)
        weight = mu if trials is None else trials * mu * (1 - mu)
        residual = y - (mu if trials is None else trials * mu)
        gradient = np.array([residual.sum(), (residual * x).sum()])
        information = np.array([[weight.sum(), (weight * x).sum()], [(weight * x).sum(), (weight * x * x).sum()]])
        try:
            step = np.linalg.solve(information, gradient)
        except np.linalg.LinAlgError:
            break
        alpha, beta = alpha + step[0], beta + step[1]
        if abs(beta) > 50:  # the odds or the counts run to one end: the maximum is at infinity
            break
        if abs(step).max() < 1e-12:
            converged = True
            break
    if not converged:  # β = ±inf: the likelihood ratio is its limit, where the fit reproduces the data
        fitted = y if trials is None else y / trials
        statistic = max(0.0, 2.0 * (loglik(y, fitted) - null))
        ratio = math.inf if beta > 0 else 0.0
        return {**empty, "ratio": ratio, "p_value": math.erfc(math.sqrt(statistic / 2.0))}
    mu = mean_of(alpha, beta)
    weight = mu if trials is None else trials * mu * (1 - mu)
    information = np.array([[weight.sum(), (weight * x).sum()], [(weight * x).sum(), (weight * x * x).sum()]])
    se = math.sqrt(np.linalg.inv(information)[1, 1])
    z = NormalDist().inv_cdf(0.5 + level / 2)
    statistic = max(0.0, 2.0 * (loglik(y, mu) - null))
    return {
        "ratio": math.exp(beta),
        "ci_low": math.exp(beta - z * se),
        "ci_high": math.exp(beta + z * se),
        "p_value": math.erfc(math.sqrt(statistic / 2.0)),  # chi-squared with one degree of freedom
    }


def fit_segmented_trend(years: list[int], counts: list[int], in_comparison: list[bool], level: float) -> dict:
    """A Poisson log-linear model of yearly counts with a common yearly trend and a jump at the comparison period:
    log μ_y = a + b·(y − first year) + c·[y in the comparison period], over the given years (zeros included).

    `ratio` is exp(c), the jump beyond the trend, with a Wald interval on the log scale whose standard error is scaled
    by √φ, φ = max(1, X²/(n − 3)) (Pearson's X² over the n years), and Student's t on n − 3 degrees of freedom; the
    p-value is the matching two-sided t test of c = 0. `trend` is exp(b), the yearly factor both periods share, and
    `dispersion` X²/(n − 3) before it is floored. With fewer than four years, or a period without a case (the jump
    is then 0 or infinite), there is no interval and `why` says so.
    """
    from scipy.special import stdtr, stdtrit

    y = np.asarray(counts, dtype=float)
    x = np.asarray(years, dtype=float)
    jump = np.asarray(in_comparison, dtype=float)
    n = len(y)
    empty = {
        "ratio": math.nan,
        "ci_low": math.nan,
        "ci_high": math.nan,
        "p_value": math.nan,
        "trend": math.nan,
        "dispersion": math.nan,
        "why": "",
    }
    before, after = y[jump == 0].sum(), y[jump == 1].sum()
    if before == 0 or after == 0:
        ratio = math.nan if before == after else (math.inf if before == 0 else 0.0)
        return {**empty, "ratio": ratio, "why": "a period has no case, so the jump has no finite estimate"}
    if n <= 3:
        return {**empty, "why": "fewer than four years leave no degrees of freedom for the dispersion"}
    design = np.column_stack([np.ones(n), x - x.mean(), jump])
    fitted = _fit_poisson(design, y)
    if fitted is None:
        return {**empty, "why": "the model has no finite maximum on these counts"}
    beta, covariance, mu = fitted
    dispersion = float(((y - mu) ** 2 / mu).sum() / (n - 3))
    standard_error = math.sqrt(max(1.0, dispersion) * covariance[2, 2])
    t = float(stdtrit(n - 3, (1 + level) / 2))
    return {
        "ratio": math.exp(beta[2]),
        "ci_low": math.exp(beta[2] - t * standard_error),
        "ci_high": math.exp(beta[2] + t * standard_error),
        "p_value": float(2 * stdtr(n - 3, -abs(beta[2]) / standard_error)),
        "trend": math.exp(beta[1]),
        "dispersion": dispersion,
        "why": "",
    }


def _fit_poisson(design: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
    """Maximum likelihood of a Poisson log-linear model by Newton's method: the coefficients, their covariance (the
    inverse Fisher information) and the fitted means; None where the maximum is not finite."""
    beta = np.zeros(design.shape[1])
    beta[0] = math.log(y.mean())
    for _ in range(100):
        mu = np.exp(design @ beta)
        information = design.T @ (design * mu[:, None])
        try:
            step = np.linalg.solve(information, design.T @ (y - mu))
        except np.linalg.LinAlgError:
            return None
        beta = beta + step
        if not np.isfinite(beta).all() or np.abs(beta).max() > 50:
            return None
        if np.abs(step).max() < 1e-12:
            mu = np.exp(design @ beta)
            return beta, np.linalg.inv(design.T @ (design * mu[:, None])), mu
    return None


def _binomial_log_likelihood(y: np.ndarray, share: np.ndarray, trials: np.ndarray) -> float:
    """The binomial log-likelihood of y successes of `trials` at `share`, without its constant, where 0·log 0 = 0."""
    with np.errstate(divide="ignore", invalid="ignore"):
        hits = np.where(y > 0, y * np.log(share), 0.0)
        misses = np.where(trials - y > 0, (trials - y) * np.log1p(-share), 0.0)
    return float(hits.sum() + misses.sum())


def _poisson_log_likelihood(y: np.ndarray, mu: np.ndarray) -> float:
    """The Poisson log-likelihood without its constant term (-Σ log y!), where 0·log 0 = 0."""
    positive = y > 0
    return float((y[positive] * np.log(mu[positive])).sum() - mu.sum())


def fisher_exact_central(a: int, b: int, c: int, d: int) -> float:
    """Fisher's exact test of the 2×2 table [[a, b], [c, d]], central: twice the smaller tail of the hypergeometric
    distribution of a (margins fixed), P(X <= a) or P(X >= a), at most 1. It is the test Fisher's exact (Cornfield)
    interval of the odds ratio inverts, so p < 1 - level exactly when that interval excludes 1."""
    from scipy.special import gammaln

    row, column, total = a + b, a + c, a + b + c + d
    low, high = max(0, column - (total - row)), min(row, column)
    if low == high:
        return 1.0
    k = np.arange(low, high + 1)

    def log_choose(n, r):
        return gammaln(n + 1) - gammaln(r + 1) - gammaln(n - r + 1)

    log_pmf = log_choose(row, k) + log_choose(total - row, column - k) - log_choose(total, column)
    pmf = np.exp(log_pmf - log_pmf.max())
    pmf /= pmf.sum()
    return float(min(1.0, 2.0 * min(pmf[k <= a].sum(), pmf[k >= a].sum())))


def conditional_odds_ratio(a: int, b: int, c: int, d: int, level: float) -> dict[str, float]:
    """The odds ratio (a/b) / (c/d) of the 2×2 table [[a, b], [c, d]]: its conditional maximum-likelihood estimate
    and Fisher's exact (Cornfield) interval at `level`, both with the margins fixed, and the central Fisher exact
    p-value that interval inverts (`fisher_exact_central`). A table with an empty row or column has no ratio (missing)
    and p = 1.

    With the margins fixed, a follows Fisher's noncentral hypergeometric distribution with odds ratio ω. The estimate
    is the ω whose mean is a; the interval's ends are the ω with P(X ≥ a) = (1 - level) / 2 (low) and P(X ≤ a) =
    (1 - level) / 2 (high); each is found by bisection on log ω (every one of them moves monotonically with ω). At
    the support's edge the estimate and one end are 0 or inf. (The same as scipy's `odds_ratio(kind="conditional")`,
    without importing scipy.stats, which takes over a second.)"""
    if 0 in (a + b, c + d, a + c, b + d):
        return {"ratio": math.nan, "ci_low": math.nan, "ci_high": math.nan, "p_value": 1.0}
    from scipy.special import gammaln

    row, column, total = a + b, a + c, a + b + c + d
    low, high = max(0, column - (total - row)), min(row, column)
    k = np.arange(low, high + 1)
    log_weight = (
        -gammaln(k + 1) - gammaln(row - k + 1) - gammaln(column - k + 1) - gammaln(total - row - column + k + 1)
    )
    spread = math.sqrt(row * column * (total - row) * (total - column) / (total * total * max(1, total - 1)))
    window = int(60 * spread) + 200  # outcomes this far from the mode carry no mass a double can hold

    def distribution(log_odds: float) -> tuple[np.ndarray, np.ndarray]:
        """The outcomes near the mode at odds ratio exp(log_odds) and their probabilities; the whole support where
        the window would cut off mass."""
        start, stop = 0, len(k)
        mode = _noncentral_mode(row, column, total, log_odds)
        if mode is not None and len(k) > 2 * window:
            start, stop = max(0, mode - low - window), min(len(k), mode - low + window + 1)
        log_p = log_weight[start:stop] + k[start:stop] * log_odds
        peak = log_p.max()
        if (start > 0 and log_p[0] > peak - 700) or (stop < len(k) and log_p[-1] > peak - 700):
            start, stop = 0, len(k)
            log_p = log_weight + k * log_odds
            peak = log_p.max()
        p = np.exp(log_p - peak)
        return k[start:stop], p / p.sum()

    def mean(log_odds: float) -> float:
        outcomes, p = distribution(log_odds)
        return float(p @ outcomes)

    def at_least_a(log_odds: float) -> float:
        outcomes, p = distribution(log_odds)
        return float(p[outcomes >= a].sum())

    def at_most_a(log_odds: float) -> float:
        outcomes, p = distribution(log_odds)
        return float(p[outcomes <= a].sum())

    def solve(function, target: float, increasing: bool) -> float:
        lo, hi = -60.0, 60.0
        for _ in range(64):  # 120 / 2**64: below a double's resolution of log ω
            middle = (lo + hi) / 2
            if (function(middle) < target) == increasing:
                lo = middle
            else:
                hi = middle
        return math.exp((lo + hi) / 2)

    alpha = 1.0 - level
    if a in (low, high):
        estimate = 0.0 if a == low else math.inf
    elif math.isclose(mean(0.0), a, rel_tol=1e-12):
        estimate = 1.0  # a is the mean without association: exactly no effect, not a bisection's neighbour of it
    else:
        estimate = solve(mean, a, True)
    ci_low = 0.0 if a == low else solve(at_least_a, alpha / 2, True)
    ci_high = math.inf if a == high else solve(at_most_a, alpha / 2, False)
    return {"ratio": estimate, "ci_low": ci_low, "ci_high": ci_high, "p_value": fisher_exact_central(a, b, c, d)}


def _noncentral_mode(row: int, column: int, total: int, log_odds: float) -> int | None:
    """The mode of Fisher's noncentral hypergeometric distribution (the root of its quadratic, as in Fog 2008); None
    where the odds are too extreme for the formula."""
    omega = math.exp(log_odds)
    a = omega - 1.0
    b = row + column - total - (row + column + 2) * omega
    c = (row + 1) * (column + 1) * omega
    if abs(a) < 1e-12:
        return int((row + 1) * (column + 1) // (total + 2))
    root = b * b - 4 * a * c
    denominator = b - math.sqrt(root) if root >= 0 else math.nan
    if not math.isfinite(denominator) or denominator == 0:
        return None
    mode = -2 * c / denominator
    return int(math.floor(mode)) if math.isfinite(mode) else None


def assign_region_groups(cases: pd.DataFrame, groups: pd.DataFrame) -> pd.Series:
    """Each case's region group, by the groups' rules in order: listed members, EU membership in the case's year,
    then the rest."""
    group = pd.Series(pd.NA, index=cases.index, dtype="str")
    for rule in groups.itertuples():
        if rule.rule == "members":
            hit = cases["host_country"].isin(rule.members.split())
        elif rule.rule == "eu_member":
            hit = cases["eu_member"].astype(bool)
        else:
            hit = pd.Series(True, index=cases.index)
        group = group.mask(group.isna() & hit, rule.group)
    return group


def compare_region_groups(cases: pd.DataFrame, analysis, groups: pd.DataFrame) -> pd.DataFrame:
    """For each scope: each region group's cases in both periods and its rate ratio (exact interval), then the near
    abroad against the EU: the ratio of the two rate ratios, Fisher's exact interval of the odds ratio of the 2×2
    table (group × period), which with equal period lengths is the interval of that ratio, and the central Fisher
    exact p-value, the exact conditional test that the two rate ratios are equal. Codes only: the
    `region_label` and `description` columns are worded by the render layer (`render.i18n.describe_region_rows`)."""
    level, baseline, comparison = analysis.confidence_level, analysis.baseline, analysis.comparison
    grouped = cases[list(SCOPE_COLUMNS)].assign(
        region_group=assign_region_groups(cases, groups), side=period_sides(cases, baseline, comparison)
    )
    scopes, names = list(analysis.scopes), list(groups["group"])
    levels = {"scope": [scope.name for scope in scopes], "region_group": names, "side": list(SIDES[:2])}
    by_group = count_on_grid(grouped, scopes, levels).reshape(len(scopes), len(names), 2)
    rows = []
    for scope, scope_counts in zip(scopes, by_group.tolist()):
        counts = {}
        for name, (x_b, x_c) in zip(names, scope_counts):
            counts[name] = (x_b, x_c)
            rows.append(
                {
                    "scope": scope.name,
                    "region_group": name,
                    **exact_row(x_b, baseline.years, x_c, comparison.years, level),
                }
            )
        (near_b, near_c), (eu_b, eu_c) = (counts[group] for group in COMPARED_GROUPS)
        ratio_of_ratios = (
            (near_c * eu_b) / (near_b * eu_c) if near_b and eu_c else (math.inf if near_c and eu_b else math.nan)
        )
        rows.append(
            {
                "scope": scope.name,
                "region_group": GROUP_COMPARISON,
                "baseline_cases": near_b + eu_b,
                "baseline_years": baseline.years,
                "comparison_cases": near_c + eu_c,
                "comparison_years": comparison.years,
                "ratio": ratio_of_ratios,
                **{
                    bound: value
                    for bound, value in conditional_odds_ratio(near_c, near_b, eu_c, eu_b, level).items()
                    if bound in ("ci_low", "ci_high")
                },
                "p_value": fisher_exact_central(near_b, near_c, eu_b, eu_c),
            }
        )
    frame = pd.DataFrame(rows)
    frame["confidence_level"] = float(level)
    return frame.astype(
        {"baseline_cases": "int64", "baseline_years": "int64", "comparison_cases": "int64", "comparison_years": "int64"}
    )
