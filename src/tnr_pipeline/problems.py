"""Problems found in an input spreadsheet, worded for the person who keeps it.

What belongs here: turning pandera's failure cases into one message per problem (row as the person sees it,
column, value, what is allowed), ordering them, and the exception a step raises with all of them. Only values of
the sheet's known columns ever appear in a message.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd


@dataclass(frozen=True, order=True)
class Problem:
    row: int  # spreadsheet row (header = 1); 0 for problems with the whole sheet
    column: str
    message: str

    def __str__(self) -> str:
        return self.message


class InputInvalid(Exception):
    """The input spreadsheet has problems; `problems` lists every one."""

    def __init__(self, source: str, problems: list[Problem]):
        self.source = source
        self.problems = sorted(problems)
        super().__init__(format_problems(source, self.problems))


def format_problems(source: str, problems: list[Problem]) -> str:
    """The report a person reads: a count, then one problem a line."""
    noun = "problem" if len(problems) == 1 else "problems"
    lines = [f"{source}: {len(problems)} {noun} found. Nothing was written; fix these and run again."]
    lines += [f"  - {problem}" for problem in problems]
    return "\n".join(lines)


def _quote(value: object) -> str:
    return '"' + str(value).replace('"', "'") + '"'


def _rows(rows: list[int]) -> str:
    return "rows " + ", ".join(str(row) for row in rows)


def problems_from_failures(
    failures: pd.DataFrame,
    rules: dict,
    sheet: pd.DataFrame,
    required: tuple[str, ...],
    hints: dict[str, Callable[[str], str]] | None = None,
) -> list[Problem]:
    """One Problem per failure: missing columns, duplicated ids (one message naming every row), bad values.

    `failures` is pandera's `failure_cases` for a sheet indexed by spreadsheet row; `rules` maps check names to
    `schemas.Rule`; `hints` may add advice for a value of a column (e.g. the closest country names).
    """
    import pandas as pd

    hints = hints or {}
    problems: list[Problem] = []
    seen: set[tuple[str, int]] = set()
    for check, column, value, index in failures[["check", "column", "failure_case", "index"]].itertuples(index=False):
        if check == "column_in_dataframe":
            continue  # reported by sheets.missing_column_problems, with the header row and any mapping
        rule = rules.get(check)
        if rule is None or pd.isna(index):
            problems.append(Problem(0, str(column), f"column {column}: check {check} failed ({value})"))
            continue
        row = int(index)
        if (check, row) in seen:  # a sheet-wide check reports each failing row once per column
            continue
        seen.add((check, row))
        value = sheet.at[row, rule.column]
        if check.endswith("_unique"):
            rows = sheet.index[sheet[rule.column] == value].tolist()
            if row != rows[0]:
                continue
            problems.append(
                Problem(
                    row,
                    rule.column,
                    f'{_rows(rows)}, column "{rule.column}": {_quote(value)} {rule.problem}. Allowed: {rule.allowed}.',
                )
            )
            continue
        shown = "the cell" if value == "" else _quote(value)
        problem = rule.problem if value != "" else "is empty"
        message = f'row {row}, column "{rule.column}": {shown} {problem}. Allowed: {rule.allowed}.'
        if check == "date_in_year":
            message = (
                f'row {row}, column "{rule.column}": {shown} {rule.problem} '
                f"({sheet.at[row, 'year']}). Allowed: {rule.allowed}."
            )
        hint = hints.get(rule.column)
        if hint and value != "":
            message += hint(value)
        problems.append(Problem(row, rule.column, message))
    return sorted(set(problems))
