"""The verdicts: each claim judged by its kind, and the claims ledger (claims.parquet's rows).

A descriptive row (a fact about the documented list) holds or does not hold on its observed value. An inferential
row is judged by its interval at confidence_level: `supported` when the interval lies wholly inside what the sentence
says (the check's range: above the threshold, inside A..B, [n - 0.5, n + 0.5) for rounds_to n), `contradicted` when
it lies wholly outside, `not_established` when it straddles the edge. A row read as a test is `supported` when its
Holm-adjusted p (Holm over every row with a p-value) is at most `expected` and its effect goes the sentence's way,
`contradicted` when the effect's interval excludes no change (1) on the other side, else `not_established`.
"""

from __future__ import annotations

import math

import pandas as pd

from tnr_pipeline.analysis.claims.measures import METRICS, Estimate, Ranked, measure
from tnr_pipeline.analysis.claims.notation import (
    CHECKS,
    CONTRADICTED,
    DESCRIPTIVE,
    DOES_NOT_HOLD,
    FAILING,
    HOLDS,
    INFERENTIAL,
    NOT_CHECKABLE,
    NOT_ESTABLISHED,
    SUPPORTED,
    TEST,
    TIE_NOTE,
    parse_metric,
)
from tnr_pipeline.model.errors import UserError
from tnr_pipeline.model.fields import table_fields
from tnr_pipeline.model.settings import Analysis


class ClaimsFailed(UserError):
    """Strict mode: at least one row is contradicted or does not hold; the message names each."""

    def __init__(self, lines: list[str]):
        message = (
            f"{len(lines)} statement(s) of the ledger are contradicted by this data or do not hold, and strict_claims "
            "is on, so the claims ledger was not written:\n" + "\n".join(f"  - {line}" for line in lines)
        )
        super().__init__(message, lines)


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


def claimed_range(check: str, expected: str) -> tuple[float, bool, float, bool]:
    """What a check says of a number, as a range (low, low included, high, high included): above 2 is (2, no, inf,
    yes); rounds_to 8 is [7.5, 8.5); between A..B is [A, B]. An open end is infinite and includes infinity: an
    interval reaching inf (no baseline case) is still wholly above 2."""
    if check == "between":
        low, high = (float(x) for x in expected.split(".."))
        return low, True, high, True
    value = float(expected)
    return {
        "equals": (value, True, value, True),
        "at_least": (value, True, math.inf, True),  # an infinite bound (no baseline case) is above any number
        "above": (value, False, math.inf, True),
        "at_most": (-math.inf, True, value, True),
        "below": (-math.inf, True, value, False),
        "rounds_to": (value - 0.5, True, value + 0.5, False),
    }[check]


def judge_interval(ci_low: float, ci_high: float, check: str, expected: str) -> str:
    """supported when [ci_low, ci_high] lies wholly inside the check's range, contradicted when wholly outside it,
    not_established when it straddles an edge or is missing."""
    if math.isnan(ci_low) or math.isnan(ci_high):
        return NOT_ESTABLISHED
    low, low_in, high, high_in = claimed_range(check, expected)

    def inside(x: float) -> bool:
        return (x > low or (low_in and x == low)) and (x < high or (high_in and x == high))

    if inside(ci_low) and inside(ci_high):
        return SUPPORTED
    below = ci_high < low or (ci_high == low and not low_in)
    above = ci_low > high or (ci_low == high and not high_in)
    return CONTRADICTED if below or above else NOT_ESTABLISHED


def judge_test(effect: Estimate, p_adjusted: float, level: float) -> str:
    """supported when the Holm-adjusted p is at most `level` and the effect goes the sentence's way (above 1 for
    `up`, below for `down`); contradicted when the effect's interval excludes 1 on the other side."""
    up = effect.direction == "up"
    if p_adjusted <= level and (effect.estimate > 1 if up else effect.estimate < 1):
        return SUPPORTED
    if (effect.ci_high < 1) if up else (effect.ci_low > 1):
        return CONTRADICTED
    return NOT_ESTABLISHED


def holm(p_values: list[float]) -> list[float]:
    """Holm's step-down adjustment: the i-th smallest of m p-values times (m - i + 1), kept non-decreasing and at
    most 1; in the order given."""
    order = sorted(range(len(p_values)), key=lambda i: p_values[i])
    adjusted, running = [math.nan] * len(p_values), 0.0
    for rank, i in enumerate(order):
        running = max(running, min(1.0, (len(p_values) - rank) * p_values[i]))
        adjusted[i] = running
    return adjusted


def format_observed(observed: object) -> str:
    if observed is None:
        return "none"
    if isinstance(observed, Ranked) and observed.tied:
        note = TIE_NOTE.format(tied=" ".join(observed.tied), cases=observed.tied_cases)
        return f"{' '.join(observed)} {note}".lstrip()
    if isinstance(observed, list):
        return " ".join(observed)
    if isinstance(observed, float):
        return f"{observed:.4g}"  # 'inf', 'nan' as str() writes them
    return str(observed)


# The ledger's columns as model/fields.py defines the claims table: the claims sheet's own columns, copied, then
# what checking gives each row (from `kind` on).
CLAIMS_COLUMNS = tuple(field.name for field in table_fields("claims"))
LEDGER_COLUMNS = CLAIMS_COLUMNS[: CLAIMS_COLUMNS.index("kind")]
RESULT_COLUMNS = CLAIMS_COLUMNS[CLAIMS_COLUMNS.index("kind") :]
NUMBERS = ("estimate", "ci_low", "ci_high", "confidence_level", "p_value", "p_adjusted")


def check_claims(
    claims: pd.DataFrame, tables: dict[str, pd.DataFrame], analysis: Analysis, built: frozenset[str] = frozenset()
) -> pd.DataFrame:
    """The claims ledger: each row with its kind, observed value, estimate and interval (inferential rows), p-value
    and Holm-adjusted p-value (tests), verdict, `holds` (true for supported and holds, missing where not checkable)
    and whether the reconstruction was drawn to give it (`built`: the claim_ids the input's description lists)."""
    rows, effects = [], {}
    for claim in claims.to_dict("records"):
        row = {column: str(claim.get(column) or "") for column in LEDGER_COLUMNS}
        row.update(dict.fromkeys(NUMBERS, math.nan), by_construction=row["claim_id"] in built)
        if claim["check"] == NOT_CHECKABLE:
            rows.append({**row, "kind": NOT_CHECKABLE, "observed": "", "verdict": NOT_CHECKABLE, "holds": pd.NA})
            continue
        reading = METRICS[parse_metric(claim["metric"]).name].reading
        observed = measure(claim["metric"], tables, analysis)
        if reading == DESCRIPTIVE:
            verdict = HOLDS if holds(claim["check"], observed, row["expected"]) else DOES_NOT_HOLD
            rows.append({**row, "kind": DESCRIPTIVE, "observed": format_observed(observed), "verdict": verdict})
            continue
        effects[len(rows)] = observed
        row.update(
            kind=INFERENTIAL,
            observed=format_observed(observed.value),
            estimate=observed.estimate,
            ci_low=observed.ci_low,
            ci_high=observed.ci_high,
            confidence_level=float(analysis.confidence_level),
        )
        if reading == TEST:  # judged after Holm's adjustment over every test, below
            row["p_value"] = observed.p_value
        else:
            row["verdict"] = judge_interval(observed.ci_low, observed.ci_high, claim["check"], row["expected"])
        rows.append(row)
    tested = [i for i, effect in effects.items() if effect.p_value is not None]
    for i, adjusted in zip(tested, holm([rows[i]["p_value"] for i in tested]), strict=True):
        rows[i]["p_adjusted"] = adjusted
        rows[i]["verdict"] = judge_test(effects[i], adjusted, float(rows[i]["expected"]))
    for row in rows:
        if row["verdict"] != NOT_CHECKABLE:
            row["holds"] = row["verdict"] in (SUPPORTED, HOLDS)
    frame = pd.DataFrame(rows, columns=[*LEDGER_COLUMNS, *RESULT_COLUMNS])
    return frame.astype({"holds": "boolean", "by_construction": "bool", **dict.fromkeys(NUMBERS, "float64")})


def failing(ledger: pd.DataFrame) -> pd.DataFrame:
    """The rows strict_claims stops on: contradicted or does not hold."""
    return ledger[ledger["verdict"].isin(FAILING)]
