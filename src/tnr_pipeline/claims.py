"""Stage 3, check_claims: the report's claims (config: claims) checked against the statistics.

What belongs here: the small metric notation of the claims file (`metric key=value ...`), the checks, the
validation of every claims row before anything is measured (a claim that cannot be checked stops the step, named
by its row and claim_id), and the stage that writes claims.parquet. A claim that does not hold is a row with
holds = false; only `--strict` turns it into a failed build.

Metrics (each takes exactly the arguments listed; [ ] marks optional ones):
  n_cases [year=A|A..B|A..|..B] [period=P] [tactic=T] [host_country=ISO3]   cases matching every filter
  n_host_countries [same filters]                                             distinct host countries of those cases
  period_cases scope=S period=P                                               from period_summary
  ratio scope=S                                                               rate ratio, from period_ratios
  cases_ratio scope=S                                                         comparison cases / baseline cases
  new_countries scope=S                                                       countries with no case before the
                                                                              comparison period and one in it
  top_countries n=N period=P scope=S                                          the N countries with most cases; a
                                                                              tie at the cut never holds
  survey_respondents [question=Q]                                             respondents (who answered Q)
  survey_n question=Q answer=A / survey_share question=Q answer=A             from survey_summary
  min_variant_ci_low scope=S                                                  the lowest ci_low of any robustness
                                                                              variant of the scope
  near_abroad_excess_p scope=S                                                Fisher's p of the near abroad against
                                                                              the EU when the near abroad's rate
                                                                              ratio is the larger, else 1
Checks: equals, at_least, above (strictly), at_most, rounds_to (to the nearest whole number), between (A..B),
includes_all
(space-separated codes all among the observed), equals_set (exactly the observed codes). A threshold that no
value could fail (at_least 0, a share at_most 1) is refused.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from tnr_pipeline import io
from tnr_pipeline.problems import InputInvalid, Problem
from tnr_pipeline.settings import Analysis, SettingsError

CLAIM_COLUMNS = ("claim_id", "section", "claim", "metric", "check", "expected")
CASE_FILTERS = ("year", "period", "tactic", "host_country")
COUNT, NUMBER, SHARE, CODES = "count", "number", "share", "codes"


@dataclass(frozen=True)
class Metric:
    """What a metric takes and what it gives."""

    required: tuple[str, ...]
    optional: tuple[str, ...]
    kind: str  # COUNT, NUMBER (a ratio), SHARE (0-1) or CODES (a set of country codes)


METRICS = {
    "n_cases": Metric((), CASE_FILTERS, COUNT),
    "n_host_countries": Metric((), CASE_FILTERS, COUNT),
    "period_cases": Metric(("scope", "period"), (), COUNT),
    "ratio": Metric(("scope",), (), NUMBER),
    "cases_ratio": Metric(("scope",), (), NUMBER),
    "new_countries": Metric(("scope",), (), CODES),
    "top_countries": Metric(("n", "period", "scope"), (), CODES),
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


def parse_metric(metric: str) -> tuple[str, dict[str, str]]:
    """'n_cases tactic=detention year=2022..' -> ('n_cases', {'tactic': 'detention', 'year': '2022..'})."""
    name, *arguments = metric.split() or [""]
    parsed = {}
    for argument in arguments:
        key, separator, value = argument.partition("=")
        if not separator:
            raise ValueError(f"{argument!r} is not key=value")
        parsed[key] = value
    return name, parsed


def year_range(value: str) -> tuple[float, float]:
    """'2022' -> (2022, 2022); '2022..2024', '2022..', '..2021' -> the inclusive bounds (open ends infinite)."""
    if ".." not in value:
        return int(value), int(value)
    low, _, high = value.partition("..")
    return (int(low) if low else -math.inf), (int(high) if high else math.inf)


# ---- checking the claims file ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Vocabulary:
    """The codes a claim may name: from the settings, the reference data and the survey summary."""

    periods: tuple[str, ...]
    scopes: tuple[str, ...]
    tactics: tuple[str, ...]
    countries: frozenset[str]
    survey_answers: dict  # question -> its answers

    @classmethod
    def of(cls, analysis: Analysis, tactics: list[str], countries, survey_summary: pd.DataFrame) -> Vocabulary:
        answers = {q: tuple(rows["answer"]) for q, rows in survey_summary.groupby("question", sort=False)}
        return cls(
            tuple(p.name for p in analysis.periods),
            tuple(s.name for s in analysis.scopes),
            tuple(tactics),
            frozenset(countries),
            answers,
        )


def _one_of(value: str, allowed, what: str) -> str | None:
    if value in allowed:
        return None
    shown = ", ".join(allowed) if len(allowed) <= 30 else "ISO 3166-1 alpha-3 codes such as GEO, ARM, KAZ"
    return f"{what} {value!r} is not known. Allowed: {shown}"


def argument_problems(name: str, arguments: dict[str, str], words: Vocabulary) -> list[str]:
    """What is wrong with a metric's arguments: unknown or missing ones, and values that are not existing codes."""
    metric = METRICS[name]
    takes = (*metric.required, *metric.optional)
    problems = [
        f"{name} does not take {key}= (it takes: {', '.join(takes) or 'no argument'})"
        for key in arguments
        if key not in takes
    ]
    problems += [f"{name} needs {key}=" for key in metric.required if key not in arguments]
    for key, value in arguments.items():
        if key not in takes:
            continue
        if key == "year":
            try:
                low, high = year_range(value)
            except ValueError:
                problems.append(f"year {value!r} is not a year or a range of years (2022, 2022..2024, 2022.., ..2021)")
                continue
            if low > high:
                problems.append(f"year {value!r} starts after it ends")
        elif key == "n":
            if not value.isdigit() or int(value) < 1:
                problems.append(f"n {value!r} is not a whole number of at least 1")
        elif key in ("period", "scope", "tactic"):
            allowed = {"period": words.periods, "scope": words.scopes, "tactic": words.tactics}[key]
            problems.append(_one_of(value, allowed, key))
        elif key == "host_country":
            problems.append(_one_of(value, sorted(words.countries), "host_country"))
        elif key == "question":
            problems.append(_one_of(value, tuple(words.survey_answers), "question"))
    if "answer" in arguments and arguments.get("question") in words.survey_answers:
        problems.append(_one_of(arguments["answer"], words.survey_answers[arguments["question"]], "answer"))
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


def claim_problems(claims: pd.DataFrame, words: Vocabulary) -> list[Problem]:
    """Every problem in the claims file, each with its row (header = row 1) and claim_id."""
    problems = []
    missing = [column for column in CLAIM_COLUMNS if column not in claims.columns]
    if missing:
        return [
            Problem(
                0,
                column,
                f'column "{column}" is missing. The claims file needs these columns: '
                f"{', '.join(CLAIM_COLUMNS)} (header in row 1).",
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
        where = f'row {row} (claim "{claim["claim_id"]}")' if claim["claim_id"] else f"row {row}"
        empty = [column for column in CLAIM_COLUMNS if column != "expected" and claim[column] == ""]
        for column in empty:
            problems.append(Problem(row, column, f'{where}, column "{column}": the cell is empty.'))
        if "metric" in empty or "check" in empty:
            continue
        try:
            name, arguments = parse_metric(claim["metric"])
        except ValueError as error:
            problems.append(Problem(row, "metric", f'{where}, column "metric": "{claim["metric"]}": {error}.'))
            continue
        if name not in METRICS:
            problems.append(
                Problem(
                    row, "metric", f'{where}, column "metric": "{name}" is not a metric. Allowed: {", ".join(METRICS)}.'
                )
            )
            continue
        for problem in argument_problems(name, arguments, words):
            problems.append(Problem(row, "metric", f'{where}, column "metric": "{claim["metric"]}": {problem}.'))
        if claim["check"] not in CHECKS:
            problems.append(
                Problem(
                    row,
                    "check",
                    f'{where}, column "check": "{claim["check"]}" is not a check. Allowed: {", ".join(CHECKS)}.',
                )
            )
            continue
        for problem in expected_problems(claim["check"], METRICS[name].kind, claim["expected"], words):
            problems.append(Problem(row, "expected", f'{where}, column "expected": {problem}.'))
    return problems


# ---- measuring --------------------------------------------------------------------------------------------------


def _filter_cases(cases: pd.DataFrame, filters: dict[str, str]) -> pd.DataFrame:
    keep = pd.Series(True, index=cases.index)
    for key, value in filters.items():
        if key == "year":
            low, high = year_range(value)
            keep &= cases["year"].between(low, high)
        else:
            keep &= cases[key] == value
    return cases[keep]


def _one(frame: pd.DataFrame, column: str, **where) -> object:
    rows = frame
    for key, value in where.items():
        rows = rows[rows[key] == value]
    if len(rows) != 1:
        raise ValueError(f"{len(rows)} rows match {where}")
    return rows[column].iloc[0]


def rank_countries(rows: pd.DataFrame, n: int) -> Ranked:
    """The n countries with the most cases; where the n-th and the next have as many, the tied ones are named."""
    counts = rows.groupby("host_country")["cases"].sum().sort_values(ascending=False, kind="stable")
    if len(counts) <= n:
        return Ranked(sorted(counts.index), [])
    cut = counts.iloc[n - 1]
    if counts.iloc[n] != cut:
        return Ranked(sorted(counts.index[:n]), [])
    return Ranked(sorted(counts.index[counts > cut]), sorted(counts.index[counts == cut]), int(cut))


def measure(metric: str, tables: dict[str, pd.DataFrame]) -> object:
    """The observed value of a (checked) metric: a number, or a sorted list of codes."""
    name, args = parse_metric(metric)
    if name not in METRICS:
        raise ValueError(f"unknown metric '{name}'")
    unknown = [key for key in args if key not in (*METRICS[name].required, *METRICS[name].optional)]
    if unknown:
        raise ValueError(f"unknown filter '{unknown[0]}' for {name}")
    if name == "n_cases":
        return len(_filter_cases(tables["cases"], args))
    if name == "n_host_countries":
        return int(_filter_cases(tables["cases"], args)["host_country"].nunique())
    if name == "period_cases":
        return int(_one(tables["period_summary"], "cases", scope=args["scope"], period=args["period"]))
    if name == "ratio":
        return float(_one(tables["period_ratios"], "ratio", scope=args["scope"]))
    if name == "cases_ratio":
        row = tables["period_ratios"][tables["period_ratios"]["scope"] == args["scope"]].iloc[0]
        return row["comparison_cases"] / row["baseline_cases"] if row["baseline_cases"] else math.inf
    countries = tables.get("country_summary")
    if name == "new_countries":
        return sorted(
            countries.loc[
                (countries["scope"] == args["scope"]) & countries["new_in_comparison"], "host_country"
            ].unique()
        )
    if name == "top_countries":
        rows = countries[(countries["scope"] == args["scope"]) & (countries["period"] == args["period"])]
        return rank_countries(rows[rows["cases"] > 0], int(args["n"]))
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
    """Whether an observed value satisfies a claim's check against its expected value (as written)."""
    if check not in CHECKS:
        raise ValueError(f"unknown check '{check}' (known: {', '.join(CHECKS)})")
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
    if isinstance(observed, Ranked) and observed.tied:
        return (
            " ".join(observed) + f" (then a tie at the cut: {' '.join(observed.tied)} with "
            f"{observed.tied_cases} cases each)"
        ).lstrip()
    if isinstance(observed, list):
        return " ".join(observed)
    if isinstance(observed, float):
        return f"{observed:.4g}" if math.isfinite(observed) else str(observed)
    return str(observed)


def check_claims(claims: pd.DataFrame, tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """The claims table: each (checked) claim with its observed value and whether it holds."""
    rows = []
    for claim in claims.itertuples(index=False):
        observed = measure(claim.metric, tables)
        rows.append(
            {
                "claim_id": claim.claim_id,
                "section": claim.section,
                "claim": claim.claim,
                "metric": claim.metric,
                "check": claim.check,
                "expected": str(claim.expected),
                "observed": format_observed(observed),
                "holds": bool(holds(claim.check, observed, str(claim.expected))),
            }
        )
    return pd.DataFrame(rows, columns=["claim_id", *CLAIM_COLUMNS[1:], "observed", "holds"])


def read_claims(path: str | Path) -> pd.DataFrame:
    """The claims file as text, indexed by its row number (header = row 1); unreadable files are InputInvalid."""
    from tnr_pipeline.sheets import load_sheet

    return load_sheet(path, CLAIM_COLUMNS).frame


def run(
    claims_path: str,
    table_paths: dict[str, str],
    output: str,
    reference_dir: str,
    analysis: Analysis,
    strict: bool,
    config: dict,
) -> pd.DataFrame:
    """Check the claims file, measure every claim and write claims.parquet; in strict mode fail, writing nothing,
    if any does not hold. A claims file with problems stops the step, each problem named with its row."""
    from tnr_pipeline.reference import Reference
    from tnr_pipeline.schemas import save_table

    tables = {name: io.read_parquet(path) for name, path in table_paths.items()}
    reference = Reference(reference_dir)
    words = Vocabulary.of(
        analysis, reference.tactic_codes, set(reference.country_lookup.values()), tables["survey_summary"]
    )
    claims = read_claims(claims_path)
    problems = claim_problems(claims, words)
    if problems:
        raise InputInvalid(Path(claims_path).name, problems)
    meta = io.merge_provenance([io.read_provenance(path) for path in table_paths.values()], config)
    meta["inputs_sha256"] = dict(sorted({**meta["inputs_sha256"], claims_path: io.sha256_file(claims_path)}.items()))
    result = check_claims(claims, tables)
    failed = result[~result["holds"]]
    if strict and len(failed):
        lines = [
            f"{row.claim_id}: {row.claim} (expected {row.check} {row.expected}, observed {row.observed})"
            for row in failed.itertuples()
        ]
        raise ClaimsFailed(lines)
    save_table(result, "claims", output, meta, allowed={"check": list(CHECKS)})
    return result
