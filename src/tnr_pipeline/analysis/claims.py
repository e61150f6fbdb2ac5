"""Stage 3, check_claims: the report's claims (config: claims) checked against the cases and the statistics.

What belongs here: the metric notation of the claims file, the checks, the validation of every claims row before
anything is measured (a claim that cannot be checked stops the step, named by its row and claim_id), and the stage
that writes claims.parquet. A claim that does not hold is a row with holds = false; only `--strict` turns it into a
failed build. A sentence the case data cannot test is a `not_checkable` row that says why (holds is missing).

The notation: `METRIC [FILTER ...] [among FILTER ...]`, each FILTER `key=value`, combined with AND; a comma in a
value means "any of" (`tactic=rendition,unlawful_deportation`). The README's claims section has an example of each.

Case filters: year (2022, 2022..2024, 2022.., ..2021), period, scope, tactic, tactic_family, fh_counted (true or
false), host_country (ISO 3166-1 alpha-3), eu_member (true or false, in the case's year), region_group
(reference/region_groups.csv), target_profile, verification.

Case metrics (each takes any case filter):
  n_cases, n_host_countries                    cases matching; their distinct host countries
  host_countries                               the set of their host countries
  top_countries n=N                            the N host countries with most cases; a tie at the cut never holds
  new_countries                                host countries with a case in the comparison period and none before
  share F among G                              of the cases matching G, the share that also match F (0 to 1)
  rank host_country=X [among G]                X's rank by cases among the host countries of the cases matching G
                                               (1 is the most; tied countries share the better rank)
  rate_ratio, rate_ratio_ci_low, rate_ratio_ci_high, rate_ratio_p
                                               the comparison period's annual mean over the baseline's, its exact
                                               interval and p-value (as period_ratios)
  share_change_p F among G                     two-sided Fisher exact p that the share differs between the baseline
                                               and the comparison period
  trend, trend_p                               yearly growth factor exp(β) of a Poisson log-linear regression of the
                                               yearly counts on the year, and its likelihood-ratio p; the years come
                                               from period= (one period) or year=A..B
Table metrics:
  period_cases scope=S period=P, ratio scope=S, cases_ratio scope=S    from period_summary / period_ratios
  survey_respondents [question=Q], survey_n question=Q answer=A, survey_share question=Q answer=A
  min_variant_ci_low scope=S                   the lowest ci_low of any robustness variant of the scope
  near_abroad_excess_p scope=S                 Fisher's p of the near abroad against the EU when the near abroad's
                                               rate ratio is the larger, else 1
Checks: equals, at_least, above (strictly), at_most, rounds_to (to the nearest whole number, .5 up), between (A..B,
both ends included), includes_all (space-separated codes all among the observed), equals_set (exactly the observed
codes), and not_checkable (no metric, no expected value, a `why`). A threshold that no value could fail (at_least 0,
a share at_most 1) is refused.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from tnr_pipeline.analysis import stats
from tnr_pipeline.inputs.problems import Problem
from tnr_pipeline.model.settings import Analysis, Period, SettingsError, in_scope

CLAIM_COLUMNS = ("claim_id", "section", "claim", "metric", "check", "expected", "source")
NOTE_COLUMNS = ("reading", "why")  # optional: how the row reads the sentence's words; why it cannot be checked
SOURCES = ("report", "pipeline")  # a sentence quoted from the report, or a check this project adds
NOT_CHECKABLE = "not_checkable"
AMONG = "among"
CASE_FILTERS = (
    "year",
    "period",
    "scope",
    "tactic",
    "tactic_family",
    "fh_counted",
    "host_country",
    "eu_member",
    "region_group",
    "target_profile",
    "verification",
)
YES_NO = {"true": True, "false": False}
COUNT, NUMBER, SHARE, CODES = "count", "number", "share", "codes"


@dataclass(frozen=True)
class Metric:
    """What a metric takes and what it gives."""

    required: tuple[str, ...]
    optional: tuple[str, ...]
    kind: str  # COUNT, NUMBER (a ratio), SHARE (0-1: shares and p-values) or CODES (a set of country codes)
    among: str = ""  # "required" or "optional" when the metric takes `among FILTERS`
    years: bool = False  # needs a bounded range of years: period= (one) or year=A..B


METRICS = {
    "n_cases": Metric((), CASE_FILTERS, COUNT),
    "n_host_countries": Metric((), CASE_FILTERS, COUNT),
    "host_countries": Metric((), CASE_FILTERS, CODES),
    "top_countries": Metric(("n",), CASE_FILTERS, CODES),
    "new_countries": Metric((), CASE_FILTERS, CODES),
    "share": Metric((), CASE_FILTERS, SHARE, among="required"),
    "rank": Metric(("host_country",), (), COUNT, among="optional"),
    "rate_ratio": Metric((), CASE_FILTERS, NUMBER),
    "rate_ratio_ci_low": Metric((), CASE_FILTERS, NUMBER),
    "rate_ratio_ci_high": Metric((), CASE_FILTERS, NUMBER),
    "rate_ratio_p": Metric((), CASE_FILTERS, SHARE),
    "share_change_p": Metric((), CASE_FILTERS, SHARE, among="required"),
    "trend": Metric((), CASE_FILTERS, NUMBER, years=True),
    "trend_p": Metric((), CASE_FILTERS, SHARE, years=True),
    "period_cases": Metric(("scope", "period"), (), COUNT),
    "ratio": Metric(("scope",), (), NUMBER),
    "cases_ratio": Metric(("scope",), (), NUMBER),
    "survey_respondents": Metric((), ("question",), COUNT),
    "survey_n": Metric(("question", "answer"), (), COUNT),
    "survey_share": Metric(("question", "answer"), (), SHARE),
    "min_variant_ci_low": Metric(("scope",), (), NUMBER),
    "near_abroad_excess_p": Metric(("scope",), (), SHARE),
}
CHECKS = {
    "equals": (COUNT, NUMBER, SHARE),
    "at_least": (COUNT, NUMBER, SHARE),
    "at_most": (COUNT, NUMBER, SHARE),
    "above": (NUMBER, SHARE),
    "rounds_to": (COUNT, NUMBER),
    "between": (COUNT, NUMBER, SHARE),
    "includes_all": (CODES,),
    "equals_set": (CODES,),
    NOT_CHECKABLE: (),
}


class ClaimsFailed(SettingsError):
    """Strict mode: at least one claim does not hold; the message names each."""

    def __init__(self, lines: list[str]):
        self.problems = lines
        ValueError.__init__(
            self,
            f"{len(lines)} claim(s) of the report do not hold on this data and strict_claims "
            "is on, so the claims ledger was not written:\n" + "\n".join(f"  - {line}" for line in lines),
        )


class Ranked(list):
    """The countries at the top of a ranking, and those tied at its cut (empty when the cut is clean)."""

    def __init__(self, codes, tied: list[str], tied_cases: int = 0):
        super().__init__(codes)
        self.tied, self.tied_cases = tied, tied_cases


@dataclass(frozen=True)
class ParsedMetric:
    """A metric as written: its name, its arguments (filters before `among`) and the filters after `among`
    (None when there is no `among`)."""

    name: str
    arguments: dict[str, str]
    among: dict[str, str] | None = field(default=None)


def _pairs(words: list[str]) -> dict[str, str]:
    parsed = {}
    for word in words:
        key, separator, value = word.partition("=")
        if not separator:
            raise ValueError(f"{word!r} is not key=value")
        if key in parsed:
            raise ValueError(f"{key}= is given twice")
        parsed[key] = value
    return parsed


def parse_metric(metric: str) -> ParsedMetric:
    """'share tactic=detention among period=post_invasion' -> ParsedMetric('share', {'tactic': 'detention'},
    {'period': 'post_invasion'})."""
    name, *words = metric.split() or [""]
    if words.count(AMONG) > 1:
        raise ValueError(f"'{AMONG}' is written more than once")
    if AMONG in words:
        at = words.index(AMONG)
        return ParsedMetric(name, _pairs(words[:at]), _pairs(words[at + 1 :]))
    return ParsedMetric(name, _pairs(words))


def year_range(value: str) -> tuple[float, float]:
    """'2022' -> (2022, 2022); '2022..2024', '2022..', '..2021' -> the inclusive bounds (open ends infinite)."""
    if ".." not in value:
        return int(value), int(value)
    low, _, high = value.partition("..")
    return (int(low) if low else -math.inf), (int(high) if high else math.inf)


def values_of(value: str) -> list[str]:
    """A filter's value as the list of what it allows: a comma means 'any of'."""
    return value.split(",")


# ---- checking the claims file ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Vocabulary:
    """The codes a claim may name: from the settings, the reference data and the survey summary."""

    periods: tuple[str, ...]
    scopes: tuple[str, ...]
    tactics: tuple[str, ...]
    countries: frozenset[str]
    survey_answers: dict  # question -> its answers
    tactic_families: tuple[str, ...] = ()
    region_groups: tuple[str, ...] = ()
    target_profiles: tuple[str, ...] = ()
    verification: tuple[str, ...] = ()

    @classmethod
    def of(cls, analysis: Analysis, reference, survey_summary: pd.DataFrame) -> Vocabulary:
        answers = {q: tuple(rows["answer"]) for q, rows in survey_summary.groupby("question", sort=False)}
        return cls(
            tuple(p.name for p in analysis.periods),
            tuple(s.name for s in analysis.scopes),
            tuple(reference.tactic_codes),
            frozenset(reference.country_lookup.values()),
            answers,
            tuple(dict.fromkeys(reference.typology["family"])),
            tuple(reference.region_groups["group"]),
            tuple(reference.target_profiles["code"]),
            tuple(reference.verification["code"]),
        )

    def allowed(self, key: str):
        """The values a coded filter may take."""
        return {
            "period": self.periods,
            "scope": self.scopes,
            "tactic": self.tactics,
            "tactic_family": self.tactic_families,
            "region_group": self.region_groups,
            "target_profile": self.target_profiles,
            "verification": self.verification,
            "host_country": sorted(self.countries),
            "fh_counted": tuple(YES_NO),
            "eu_member": tuple(YES_NO),
        }[key]


def _one_of(value: str, allowed, what: str) -> str | None:
    if value in allowed:
        return None
    shown = ", ".join(allowed) if len(allowed) <= 30 else "ISO 3166-1 alpha-3 codes such as GEO, ARM, KAZ"
    return f"{what} {value!r} is not known. Allowed: {shown}"


def _year_problems(value: str) -> list[str]:
    problems = []
    for part in values_of(value):
        try:
            low, high = year_range(part)
        except ValueError:
            problems.append(f"year {part!r} is not a year or a range of years (2022, 2022..2024, 2022.., ..2021)")
            continue
        if low > high:
            problems.append(f"year {part!r} starts after it ends")
    return problems


def filter_problems(filters: dict[str, str], takes: tuple[str, ...], name: str, words: Vocabulary) -> list[str]:
    """What is wrong with a metric's filters or arguments: unknown keys, and values that are not codes."""
    problems = [
        f"{name} does not take {key}= (it takes: {', '.join(takes) or 'no argument'})"
        for key in filters
        if key not in takes
    ]
    for key, value in filters.items():
        if key not in takes:
            continue
        if key == "year":
            problems += _year_problems(value)
        elif key == "n":
            if not value.isdigit() or int(value) < 1:
                problems.append(f"n {value!r} is not a whole number of at least 1")
        elif key == "question":
            problems.append(_one_of(value, tuple(words.survey_answers), "question"))
        elif key == "answer":
            continue
        else:
            problems += [_one_of(part, words.allowed(key), key) for part in values_of(value)]
    return [problem for problem in problems if problem]


def trend_years(filters: dict[str, str], analysis: Analysis) -> range | None:
    """The years a trend is fitted on: one period's, or a year range A..B, or both where they meet (a half-open
    range such as 2020.. bounds a period's years); None when the filters give no bounded range of years (a list of
    periods or of years, an open range alone) or the two do not meet."""
    spans = []
    if "period" in filters:
        period = next((p for p in analysis.periods if p.name == filters["period"]), None)
        if period is None:  # a list of periods (or an unknown one): no one range
            return None
        spans.append((period.first_year, period.last_year))
    if "year" in filters:
        try:
            spans.append(year_range(filters["year"]))
        except ValueError:  # a list of years: no one range
            return None
    if not spans:
        return None
    first, last = max(s[0] for s in spans), min(s[1] for s in spans)
    if not (math.isfinite(first) and math.isfinite(last)) or first > last:
        return None
    return range(int(first), int(last) + 1)


def argument_problems(parsed: ParsedMetric, words: Vocabulary, analysis: Analysis | None = None) -> list[str]:
    """What is wrong with a metric's arguments: unknown or missing ones, values that are not existing codes, an
    `among` where the metric takes none (or none where it needs one), a trend without its years."""
    name, arguments, metric = parsed.name, parsed.arguments, METRICS[parsed.name]
    problems = filter_problems(arguments, (*metric.required, *metric.optional), name, words)
    problems += [f"{name} needs {key}=" for key in metric.required if key not in arguments]
    if name == "rank" and "," in arguments.get("host_country", ""):
        problems.append("rank ranks one host_country: give one code, not a list")
    if parsed.among is not None:
        if not metric.among:
            problems.append(f"{name} does not take '{AMONG}'")
        else:
            problems += filter_problems(parsed.among, CASE_FILTERS, f"{name} ... {AMONG}", words)
    elif metric.among == "required":
        problems.append(f"{name} needs '{AMONG}' and the filters of the cases it is a share of (e.g. {AMONG} period=P)")
    if "answer" in arguments and arguments.get("question") in words.survey_answers:
        problems.append(_one_of(arguments["answer"], words.survey_answers[arguments["question"]], "answer"))
    if metric.years and analysis is not None and trend_years(arguments, analysis) is None:
        problems.append(f"{name} needs its years: one period=P, or year=A..B with both ends")
    return [problem for problem in problems if problem]


def _number(text: str) -> float | None:
    try:
        value = float(text)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def expected_problems(check: str, kind: str, expected: str, words: Vocabulary) -> list[str]:
    """What is wrong with `expected` for this check on a metric of this kind, including thresholds that cannot fail."""
    if expected.strip() == "":
        return ["expected is empty: write the value the report states"]
    if kind not in CHECKS[check]:
        fitting = [name for name, kinds in CHECKS.items() if kind in kinds]
        return [f"check {check} does not apply to this metric's value ({kind}); use one of {', '.join(fitting)}"]
    if kind == CODES:
        codes = expected.split()
        return [
            f"expected {code!r} is not an ISO 3166-1 alpha-3 country code"
            for code in codes
            if code not in words.countries
        ]
    top = 1.0 if kind == SHARE else math.inf
    if check == "between":
        low, separator, high = expected.partition("..")
        bounds = (_number(low), _number(high))
        if not separator or None in bounds:
            return [f"expected {expected!r} is not a range written A..B (e.g. 0.28..0.34)"]
        if bounds[0] > bounds[1]:
            return [f"expected {expected!r} starts above where it ends"]
        if bounds[0] <= 0 and bounds[1] >= top:
            return [f"expected {expected!r} covers every possible value, so the claim could not fail"]
        return []
    value = _number(expected)
    if value is None:
        return [f"expected {expected!r} is not a number"]
    if check == "at_least" and value <= 0:
        return [
            f"at_least {expected} holds for every possible value, so the claim could not fail; "
            "write the report's lower bound"
        ]
    if check == "above" and value < 0:
        return [f"above {expected} holds for every possible value, so the claim could not fail"]
    if check == "at_most" and value >= top:
        return [f"at_most {expected} holds for every possible value, so the claim could not fail"]
    if kind == COUNT and check == "equals" and not value.is_integer():
        return [f"expected {expected!r} is not a whole number, and a count equals only whole numbers"]
    return []


NUMBER_IN_TEXT = re.compile(r"\d+(?:\.\d+)?")


def stated_in(expected: str, sentence: str) -> bool:
    """Whether every number of `expected` (one, or both ends of A..B) is written, in digits, in the sentence (a
    comma between digits is a thousands separator: "900,000")."""
    stated = {float(n) for n in NUMBER_IN_TEXT.findall(re.sub(r"(?<=\d),(?=\d)", "", sentence))}
    wanted = [_number(part) for part in expected.split("..")]
    return all(value is not None and value in stated for value in wanted)


def claim_problems(claims: pd.DataFrame, words: Vocabulary, analysis: Analysis | None = None) -> list[Problem]:
    """Every problem in the claims file, each with its row (header = row 1) and claim_id."""
    problems = []
    missing = [column for column in CLAIM_COLUMNS if column not in claims.columns]
    if missing:
        return [
            Problem(
                0,
                column,
                f'column "{column}" is missing. The claims file needs these columns: '
                f"{', '.join(CLAIM_COLUMNS)} (header in row 1); {', '.join(NOTE_COLUMNS)} are optional.",
            )
            for column in missing
        ]
    duplicated = claims["claim_id"][claims["claim_id"].duplicated(keep=False) & (claims["claim_id"] != "")]
    for claim_id in dict.fromkeys(duplicated):
        rows = claims.index[claims["claim_id"] == claim_id].tolist()
        problems.append(
            Problem(
                rows[0],
                "claim_id",
                f'rows {", ".join(map(str, rows))}, column "claim_id": "{claim_id}" is used by more than one claim.',
            )
        )
    for row, claim in claims.iterrows():
        problems += _row_problems(row, claim, words, analysis)
    return problems


def _row_problems(row: int, claim: pd.Series, words: Vocabulary, analysis: Analysis | None) -> list[Problem]:
    where = f'row {row} (claim "{claim["claim_id"]}")' if claim["claim_id"] else f"row {row}"
    note = {column: str(claim.get(column) or "") for column in NOTE_COLUMNS}
    problems = []
    if claim["source"] not in ("", *SOURCES):
        problems.append(
            Problem(
                row,
                "source",
                f'{where}, column "source": "{claim["source"]}" is not a source. Allowed: report (a sentence '
                "quoted from the report) or pipeline (a check this project adds).",
            )
        )
    if claim["check"] == NOT_CHECKABLE:
        required = [c for c in ("claim_id", "section", "claim", "source") if claim[c] == ""]
        problems += [Problem(row, c, f'{where}, column "{c}": the cell is empty.') for c in required]
        if not note["why"].strip():
            problems.append(
                Problem(
                    row,
                    "why",
                    f'{where}, column "why": a not_checkable row says why the case data cannot test the sentence '
                    '(e.g. "the data do not code whether the host state cooperated").',
                )
            )
        for column in ("metric", "expected"):
            if claim[column].strip():
                problems.append(
                    Problem(
                        row, column, f'{where}, column "{column}": a not_checkable row has no {column}; leave it empty.'
                    )
                )
        return problems
    empty = [column for column in CLAIM_COLUMNS if column != "expected" and claim[column] == ""]
    problems += [Problem(row, column, f'{where}, column "{column}": the cell is empty.') for column in empty]
    if "metric" in empty or "check" in empty:
        return problems
    try:
        parsed = parse_metric(claim["metric"])
    except ValueError as error:
        return [*problems, Problem(row, "metric", f'{where}, column "metric": "{claim["metric"]}": {error}.')]
    if parsed.name not in METRICS:
        return [
            *problems,
            Problem(
                row,
                "metric",
                f'{where}, column "metric": "{parsed.name}" is not a metric. Allowed: {", ".join(METRICS)}.',
            ),
        ]
    for problem in argument_problems(parsed, words, analysis):
        problems.append(Problem(row, "metric", f'{where}, column "metric": "{claim["metric"]}": {problem}.'))
    if claim["check"] not in CHECKS:
        allowed = ", ".join(CHECKS)
        return [
            *problems,
            Problem(row, "check", f'{where}, column "check": "{claim["check"]}" is not a check. Allowed: {allowed}.'),
        ]
    kind = METRICS[parsed.name].kind
    expected_wrong = expected_problems(claim["check"], kind, claim["expected"], words)
    problems += [Problem(row, "expected", f'{where}, column "expected": {p}.') for p in expected_wrong]
    if (
        not expected_wrong
        and kind != CODES
        and not note["reading"].strip()
        and not stated_in(claim["expected"], claim["claim"])
    ):
        problems.append(
            Problem(
                row,
                "reading",
                f'{where}, column "reading": the sentence does not state {claim["expected"]}, so say how the row reads '
                "its words (e.g. \"'particularly sharp' read as Fisher p ≤ 0.05 against the EU\").",
            )
        )
    return problems


# ---- measuring --------------------------------------------------------------------------------------------------


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


def _case_metric(parsed: ParsedMetric, cases: pd.DataFrame, analysis: Analysis) -> object:
    name, arguments = parsed.name, parsed.arguments
    if name == "rank":
        chosen = cases[select_cases(cases, parsed.among or {}, analysis)]
        return country_rank(chosen, arguments["host_country"])
    filters = {k: v for k, v in arguments.items() if k in CASE_FILTERS}
    matching = select_cases(cases, filters, analysis)
    if parsed.among is not None:
        among = select_cases(cases, parsed.among, analysis)
        if name == "share":
            total = int(among.sum())
            return float((matching & among).sum() / total) if total else math.nan
        base, comp = _in_period(cases, analysis.baseline), _in_period(cases, analysis.comparison)
        a, c = int((matching & among & base).sum()), int((matching & among & comp).sum())
        return stats.fisher_exact_two_sided(a, int((among & base).sum()) - a, c, int((among & comp).sum()) - c)
    chosen = cases[matching]
    if name == "n_cases":
        return len(chosen)
    if name == "n_host_countries":
        return int(chosen["host_country"].nunique())
    if name == "host_countries":
        return sorted(chosen["host_country"].unique())
    if name == "top_countries":
        counts = chosen.groupby("host_country").size().rename("cases").reset_index()
        return rank_countries(counts, int(arguments["n"]))
    if name == "new_countries":
        before = set(chosen.loc[chosen["year"] < analysis.comparison.first_year, "host_country"].unique())
        during = set(chosen.loc[_in_period(chosen, analysis.comparison), "host_country"].unique())
        return sorted(during - before)
    if name.startswith("rate_ratio"):
        baseline, comparison = analysis.baseline, analysis.comparison
        result = stats.rate_ratio(
            int(_in_period(chosen, baseline).sum()),
            baseline.years,
            int(_in_period(chosen, comparison).sum()),
            comparison.years,
            analysis.confidence_level,
        )
        column = {"rate_ratio": "ratio", "rate_ratio_ci_low": "ci_low", "rate_ratio_ci_high": "ci_high"}
        return float(result[column.get(name, "p_value")])
    years = trend_years(arguments, analysis)
    counts = chosen["year"].value_counts()
    growth, p_value = stats.poisson_trend([int(counts.get(year, 0)) for year in years])
    return growth if name == "trend" else p_value


def _one(frame: pd.DataFrame, column: str, **where) -> object:
    rows = frame
    for key, value in where.items():
        rows = rows[rows[key] == value]
    if len(rows) != 1:
        raise ValueError(f"{len(rows)} rows match {where}")
    return rows[column].iloc[0]


def measure(metric: str, tables: dict[str, pd.DataFrame], analysis: Analysis) -> object:
    """The observed value of a (checked) metric: a number, or a sorted list of codes. Case metrics read
    tables["cases"] (with its region_group: `prepare_cases`)."""
    parsed = parse_metric(metric)
    name, args = parsed.name, parsed.arguments
    if name not in METRICS:
        raise ValueError(f"unknown metric '{name}'")
    unknown = [key for key in args if key not in (*METRICS[name].required, *METRICS[name].optional)]
    if unknown:
        raise ValueError(f"unknown filter '{unknown[0]}' for {name}")
    if METRICS[name].optional == CASE_FILTERS or name == "rank":
        return _case_metric(parsed, tables["cases"], analysis)
    if name == "period_cases":
        return int(_one(tables["period_summary"], "cases", scope=args["scope"], period=args["period"]))
    if name == "ratio":
        return float(_one(tables["period_ratios"], "ratio", scope=args["scope"]))
    if name == "cases_ratio":
        row = tables["period_ratios"][tables["period_ratios"]["scope"] == args["scope"]].iloc[0]
        return row["comparison_cases"] / row["baseline_cases"] if row["baseline_cases"] else math.inf
    if name == "min_variant_ci_low":
        rows = tables["robustness"]
        return float(rows.loc[rows["scope"] == args["scope"], "ci_low"].min())
    if name == "near_abroad_excess_p":
        rows = tables["region_ratios"].set_index(["scope", "region_group"])
        near, eu = rows.loc[(args["scope"], "near_abroad"), "ratio"], rows.loc[(args["scope"], "eu"), "ratio"]
        return float(rows.loc[(args["scope"], "near_abroad_vs_eu"), "p_value"]) if near > eu else 1.0
    survey = tables.get("survey_summary")
    if name == "survey_respondents":
        rows = survey[survey["question"] == args["question"]] if "question" in args else survey
        return int(rows["respondents"].max()) if len(rows) else 0
    column = "n" if name == "survey_n" else "share"
    value = _one(survey, column, question=args["question"], answer=args["answer"])
    return int(value) if column == "n" else float(value)


def holds(check: str, observed: object, expected: str) -> bool:
    """Whether an observed value satisfies a claim's check against its expected value (as written). A value that
    is missing (a rank of a country with no case, a share of no case) never holds."""
    if check not in CHECKS or check == NOT_CHECKABLE:
        raise ValueError(f"unknown check '{check}' (known: {', '.join(c for c in CHECKS if c != NOT_CHECKABLE)})")
    if observed is None:
        return False
    if isinstance(observed, Ranked) and observed.tied:
        return False  # who is in the top n is not settled by the data
    if check in ("includes_all", "equals_set"):
        wanted, seen = set(expected.split()), set(observed)
        return wanted <= seen if check == "includes_all" else wanted == seen
    if check == "between":
        low, high = (float(x) for x in expected.split(".."))
        return low <= float(observed) <= high
    value, target = float(observed), float(expected)
    if check == "equals":
        return value == target
    if check == "at_least":
        return value >= target
    if check == "above":
        return value > target
    if check == "at_most":
        return value <= target
    return math.isfinite(value) and math.floor(value + 0.5) == target  # rounds_to


def format_observed(observed: object) -> str:
    if observed is None:
        return "none"
    if isinstance(observed, Ranked) and observed.tied:
        return (
            " ".join(observed) + f" (then a tie at the cut: {' '.join(observed.tied)} with "
            f"{observed.tied_cases} cases each)"
        ).lstrip()
    if isinstance(observed, list):
        return " ".join(observed)
    if isinstance(observed, float):
        return f"{observed:.4g}"  # 'inf', 'nan' as str() writes them
    return str(observed)


LEDGER_COLUMNS = ("claim_id", "section", "claim", "source", "metric", "check", "expected", "reading", "why")


def check_claims(claims: pd.DataFrame, tables: dict[str, pd.DataFrame], analysis: Analysis) -> pd.DataFrame:
    """The claims table: each (checked) claim with its observed value and whether it holds; a not_checkable row
    has neither."""
    rows = []
    for claim in claims.to_dict("records"):
        row = {column: str(claim.get(column) or "") for column in LEDGER_COLUMNS}
        if claim["check"] == NOT_CHECKABLE:
            rows.append({**row, "observed": "", "holds": pd.NA})
            continue
        observed = measure(claim["metric"], tables, analysis)
        rows.append(
            {
                **row,
                "observed": format_observed(observed),
                "holds": bool(holds(claim["check"], observed, row["expected"])),
            }
        )
    frame = pd.DataFrame(rows, columns=[*LEDGER_COLUMNS, "observed", "holds"])
    return frame.astype({"holds": "boolean"})


def read_claims(path: str | Path) -> pd.DataFrame:
    """The claims file as text, indexed by its row number (header = row 1); unreadable files are InputInvalid."""
    from tnr_pipeline.inputs.validation import load_sheet

    frame = load_sheet(path, CLAIM_COLUMNS, NOTE_COLUMNS).frame
    for column in NOTE_COLUMNS:
        if column not in frame.columns:
            frame[column] = ""
    return frame
