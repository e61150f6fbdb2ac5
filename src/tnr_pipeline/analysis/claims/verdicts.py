"""The verdicts: whether each claim holds on its observed value, and the claims ledger (claims.parquet's rows)."""

from __future__ import annotations

import math

import pandas as pd

from tnr_pipeline.analysis.claims.measures import Ranked, measure
from tnr_pipeline.analysis.claims.notation import CHECKS, NOT_CHECKABLE
from tnr_pipeline.model.errors import UserError
from tnr_pipeline.model.settings import Analysis


class ClaimsFailed(UserError):
    """Strict mode: at least one claim does not hold; the message names each."""

    def __init__(self, lines: list[str]):
        message = (
            f"{len(lines)} claim(s) of the report do not hold on this data and strict_claims is on, so the claims "
            "ledger was not written:\n" + "\n".join(f"  - {line}" for line in lines)
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
