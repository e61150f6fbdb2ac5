"""Stage 3, check_claims: the report's claims (reference/claims.csv) checked against the statistics.

What belongs here: the small metric notation of the claims file (`metric key=value ...`), the comparisons
(`check`), and the stage that writes claims.parquet. A claim that does not hold is a row with holds = false; only
`--strict` turns it into a failed build.

Metrics:
  n_cases [year=A|A..B|A..] [period=P] [tactic=T] [host_country=ISO3]   cases matching every filter
  n_host_countries [same filters]                                        distinct host countries of those cases
  period_cases scope=S period=P                                          from period_summary
  ratio scope=S                                                          rate ratio, from period_ratios
  cases_ratio scope=S                                                    comparison cases / baseline cases
  new_countries scope=S                                                  countries new in the comparison period
  top_countries n=N period=P scope=S                                     the N countries with most cases
  survey_respondents                                                     respondents in survey_summary
  survey_n question=Q answer=A / survey_share question=Q answer=A        from survey_summary
Checks: equals, at_least, at_most, rounds_to (to the nearest whole number), between (A..B), includes_all
(space-separated codes all among the observed), equals_set (exactly the observed codes).
"""

from __future__ import annotations

import math

import pandas as pd

from tnr_pipeline import io
from tnr_pipeline.schemas import save_table
from tnr_pipeline.settings import SettingsError

CASE_FILTERS = ("year", "period", "tactic", "host_country")
CHECKS = ("equals", "at_least", "at_most", "rounds_to", "between", "includes_all", "equals_set")


class ClaimsFailed(SettingsError):
    """Strict mode: at least one claim does not hold."""


def parse_metric(metric: str) -> tuple[str, dict[str, str]]:
    """'n_cases tactic=detention year=2022..' -> ('n_cases', {'tactic': 'detention', 'year': '2022..'})."""
    name, *arguments = metric.split()
    return name, dict(argument.split("=", 1) for argument in arguments)


def _filter_cases(cases: pd.DataFrame, filters: dict[str, str]) -> pd.DataFrame:
    keep = pd.Series(True, index=cases.index)
    for key, value in filters.items():
        if key not in CASE_FILTERS:
            raise ValueError(f"unknown filter '{key}' (known: {', '.join(CASE_FILTERS)})")
        if key == "year":
            low, _, high = value.partition("..")
            keep &= cases["year"].between(int(low) if low else -math.inf,
                                          int(high) if high else math.inf) if ".." in value else \
                cases["year"] == int(value)
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


def measure(metric: str, tables: dict[str, pd.DataFrame]) -> object:
    """The observed value of a metric: a number, or a sorted list of codes."""
    name, args = parse_metric(metric)
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
    if name == "new_countries":
        countries = tables["country_summary"]
        return sorted(countries.loc[(countries["scope"] == args["scope"]) & countries["new_in_comparison"],
                                    "host_country"].unique())
    if name == "top_countries":
        countries = tables["country_summary"]
        rows = countries[(countries["scope"] == args["scope"]) & (countries["period"] == args["period"])]
        ranked = rows.sort_values(["cases", "host_country"], ascending=[False, True])
        return sorted(ranked["host_country"].head(int(args["n"])))
    if name == "survey_respondents":
        return int(tables["survey_summary"]["respondents"].max())
    if name in ("survey_n", "survey_share"):
        column = "n" if name == "survey_n" else "share"
        value = _one(tables["survey_summary"], column, question=args["question"], answer=args["answer"])
        return int(value) if column == "n" else float(value)
    raise ValueError(f"unknown metric '{name}'")


def holds(check: str, observed: object, expected: str) -> bool:
    """Whether an observed value satisfies a claim's check against its expected value (as written)."""
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
    if check == "at_most":
        return value <= target
    if check == "rounds_to":
        return math.isfinite(value) and math.floor(value + 0.5) == target
    raise ValueError(f"unknown check '{check}' (known: {', '.join(CHECKS)})")


def format_observed(observed: object) -> str:
    if isinstance(observed, list):
        return " ".join(observed)
    if isinstance(observed, float):
        return f"{observed:.4g}" if math.isfinite(observed) else str(observed)
    return str(observed)


def check_claims(claims: pd.DataFrame, tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """The claims table: each claim with its observed value and whether it holds."""
    rows = []
    for claim in claims.itertuples(index=False):
        observed = measure(claim.metric, tables)
        rows.append({"claim_id": claim.claim_id, "section": claim.section, "claim": claim.claim,
                     "metric": claim.metric, "check": claim.check, "expected": str(claim.expected),
                     "observed": format_observed(observed), "holds": bool(holds(claim.check, observed,
                                                                                str(claim.expected)))})
    return pd.DataFrame(rows, columns=["claim_id", "section", "claim", "metric", "check", "expected", "observed",
                                       "holds"])


def read_claims(path: str) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")


def run(claims_path: str, table_paths: dict[str, str], output: str, strict: bool, config: dict) -> pd.DataFrame:
    """Check every claim and write claims.parquet; in strict mode fail, writing nothing, if any does not hold."""
    tables = {name: io.read_parquet(path) for name, path in table_paths.items()}
    inputs = {}
    for path in table_paths.values():
        inputs.update(io.read_provenance(path)["inputs_sha256"])
    inputs[claims_path] = io.sha256_file(claims_path)
    result = check_claims(read_claims(claims_path), tables)
    failed = result[~result["holds"]]
    if strict and len(failed):
        lines = [f"  - {row.claim_id}: {row.claim} (expected {row.check} {row.expected}, observed {row.observed})"
                 for row in failed.itertuples()]
        raise ClaimsFailed(f"{len(failed)} claim(s) of the report do not hold on this data:\n" + "\n".join(lines))
    save_table(result, "claims", output, io.provenance(inputs, config), allowed={"check": list(CHECKS)})
    return result
