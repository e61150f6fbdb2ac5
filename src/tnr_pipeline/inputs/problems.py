"""Problems found in an input spreadsheet, worded for the person who keeps it.

What belongs here: turning pandera's failure cases into one message per problem (row as the person sees it,
column, value, what is allowed), ordering them, and the exception a step raises with all of them. Only values of
the sheet's known columns ever appear in a message.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from tnr_pipeline.model.errors import UserError

if TYPE_CHECKING:
    import pandas as pd


@dataclass(frozen=True, order=True)
class Problem:
    row: int  # spreadsheet row (header = 1); 0 for problems with the whole sheet
    column: str
    message: str

    def __str__(self) -> str:
        return self.message


class InputInvalid(UserError):
    """The input spreadsheet has problems; `problems` lists every one."""

    def __init__(self, source: str, problems: list[Problem]):
        self.source = source
        super().__init__(format_problems(source, sorted(problems)), sorted(problems))

    def for_console(self, step: str) -> str:
        """The problems as the sheet's own report: it names the file, and every row."""
        return str(self)


def format_problems(source: str, problems: list[Problem]) -> str:
    """The report a person reads: a count, then one problem a line."""
    noun = "problem" if len(problems) == 1 else "problems"
    lines = [f"{source}: {len(problems)} {noun} found. Nothing was written; fix these and run again."]
    lines += [f"  - {problem}" for problem in problems]
    return "\n".join(lines)


def _quote(value: object) -> str:
    return '"' + str(value).replace('"', "'") + '"'


ROWS_NAMED = 3  # a line about many rows names this many, then says how many more


def rows_named(rows: list[int]) -> str:
    """'row 5'; 'rows 5, 36, 41'; 'rows 5, 36, 41 and 9 more' (a fourth row is named rather than counted)."""
    if len(rows) == 1:
        return f"row {rows[0]}"
    named = rows if len(rows) <= ROWS_NAMED + 1 else rows[:ROWS_NAMED]
    more = f" and {len(rows) - len(named)} more" if len(named) < len(rows) else ""
    return "rows " + ", ".join(str(row) for row in named) + more


def problems_from_failures(
    failures: pd.DataFrame,
    rules: dict,
    sheet: pd.DataFrame,
    required: tuple[str, ...],
    hints: dict[str, Callable[[str], str]] | None = None,
) -> list[Problem]:
    """One Problem a line: a check that failed, for one value, naming every row it failed in (a duplicated id names
    the rows that share it). Each line ends with what is allowed; a later line of the same column that allows the
    same points to the first line instead of repeating the list.

    `failures` is pandera's `failure_cases` for a sheet indexed by spreadsheet row; `rules` maps check names to
    `schemas.Rule`; `hints` may add advice for a value of a column (e.g. the closest known words).
    """
    import pandas as pd

    hints = hints or {}
    problems: list[Problem] = []
    rows_by_value: dict[tuple[str, str, str], set[int]] = {}  # (check, value, the row's year for a date) -> rows
    for check, column, value, index in failures[["check", "column", "failure_case", "index"]].itertuples(index=False):
        if check == "column_in_dataframe":
            continue  # reported by sheets.missing_column_problems, with the header row and any mapping
        rule = rules.get(check)
        if rule is None or pd.isna(index):
            problems.append(Problem(0, str(column), f"column {column}: check {check} failed ({value})"))
            continue
        row = int(index)
        value = sheet.at[row, rule.column]
        rows = sheet.index[sheet[rule.column] == value] if check.endswith("_unique") else [row]
        year = str(sheet.at[row, "year"]) if check == "date_in_year" else ""
        rows_by_value.setdefault((check, value, year), set()).update(int(r) for r in rows)
    lines = []
    for (check, value, year), rows in rows_by_value.items():
        rule, rows = rules[check], sorted(rows)
        if value == "":
            shown, problem = ("the cell", "is empty") if len(rows) == 1 else ("the cells", "are empty")
        else:
            shown, problem = _quote(value), rule.problem + (f" ({year})" if year else "")
        hint = hints.get(rule.column)
        advice = hint(value) if hint and value != "" else ""
        lines.append(
            (
                rows[0],
                rule.column,
                f'{rows_named(rows)}, column "{rule.column}": {shown} {problem}.',
                rule.allowed,
                advice,
            )
        )
    first_row: dict[tuple[str, str], int] = {}
    for row, column, text, allowed, advice in sorted(lines):
        first = first_row.setdefault((column, allowed), row)
        shown = allowed if first == row else f"as for row {first} above"
        problems.append(Problem(row, column, f"{text} Allowed: {shown}.{advice}"))
    return sorted(set(problems))
