"""The analysis settings a step receives from config.yaml (through the command line, as JSON): periods and scopes.

What belongs here: turning those JSON values into small typed objects, and the pure functions that apply them to
a case table (which period a year falls in, which cases a scope keeps). No file access.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd


class SettingsError(ValueError):
    """The settings are inconsistent (a period or tactic named that does not exist), or strict claims failed."""


@dataclass(frozen=True)
class Period:
    name: str
    label: str
    first_year: int
    last_year: int

    @property
    def years(self) -> int:
        return self.last_year - self.first_year + 1


@dataclass(frozen=True)
class Scope:
    name: str
    label: str
    exclude_tactics: tuple[str, ...] = ()
    fh_counted_only: bool = False


def parse_periods(text: str) -> list[Period]:
    """Periods from config JSON ({name: {label, first_year, last_year}}), in chronological order."""
    periods = [Period(name, spec.get("label", name), int(spec["first_year"]), int(spec["last_year"]))
               for name, spec in json.loads(text).items()]
    return sorted(periods, key=lambda period: period.first_year)


def parse_scopes(text: str) -> list[Scope]:
    """Scopes from config JSON ({name: {label, exclude_tactics, fh_counted_only}}), in config order."""
    return [Scope(name, spec.get("label", name), tuple(spec.get("exclude_tactics", [])),
                  bool(spec.get("fh_counted_only", False)))
            for name, spec in json.loads(text).items()]


def assign_period(year: pd.Series, periods: list[Period]) -> pd.Series:
    """The name of the period containing each year, or missing when no period does."""
    import pandas as pd

    period = pd.Series(pd.NA, index=year.index, dtype="str")
    for each in periods:
        period = period.mask(year.between(each.first_year, each.last_year), each.name)
    return period


def in_scope(cases: pd.DataFrame, scope: Scope) -> pd.Series:
    """Which cases a scope keeps: boolean mask over `cases` (needs `tactic` and `fh_counted`)."""
    keep = ~cases["tactic"].isin(scope.exclude_tactics)
    if scope.fh_counted_only:
        keep &= cases["fh_counted"].astype(bool)
    return keep
