"""Reading and validating any input spreadsheet (the case sheet, the questionnaire, the context figures).

What belongs here: the steps every input sheet shares: read it as text (`spreadsheet`: encodings, delimiters,
title rows, header mapping; only the contract's columns are kept), validate lazily against a pandera schema and
turn every failure, and every missing column, into a problem a person can act on.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pandera.pandas as pa

from tnr_pipeline.inputs.problems import InputInvalid, Problem, problems_from_failures
from tnr_pipeline.inputs.spreadsheet import (
    WORKBOOK_SUFFIXES,
    InputFileError,
    SheetRead,
    read_sheet,
    sheets_with_columns,
    workbook_sheets,
)


def load_sheet(
    path: str | Path,
    required: tuple[str, ...],
    optional: tuple[str, ...] = (),
    mapping: dict[str, str] | None = None,
    sheet: str | None = None,
) -> SheetRead:
    """A sheet read as text (spreadsheet.read_sheet), or InputInvalid naming the file and what to do."""
    try:
        return read_sheet(path, required, optional, mapping, sheet)
    except InputFileError as error:
        raise InputInvalid(Path(path).name, [Problem(0, "", str(error))]) from None


def missing_column_problems(read: SheetRead, required: tuple[str, ...], path: str | Path) -> list[Problem]:
    """A problem for each required column the header row lacks; for a workbook, which of its sheets have them."""
    problems = []
    for column, header in read.missing.items():
        if column in read.mapped:
            shown = ", ".join(f'"{h}"' for h in read.headers if h) or "none"
            problems.append(
                Problem(
                    0,
                    column,
                    f'column "{header}" (given for {column} in config `columns`) is not '
                    f"in the header row (row {read.header_row}). The headers there are: "
                    f"{shown}.",
                )
            )
        else:
            problems.append(
                Problem(
                    0,
                    column,
                    f'column "{column}" is missing. The sheet needs these columns: '
                    f"{', '.join(required)} (header in row {read.header_row}; a header "
                    "in another language can be mapped in config `columns`).",
                )
            )
    if problems and Path(path).suffix.lower() in WORKBOOK_SUFFIXES:
        fitting = sheets_with_columns(path, required, read.mapped)
        sheets = ", ".join(workbook_sheets(Path(path)))
        advice = (
            f"the sheets with every required column: {', '.join(fitting)}; choose one with "
            "raw_cases_sheet (or raw_survey_sheet)"
            if fitting
            else "none of them has every required column"
        )
        problems.append(Problem(0, "", f"The workbook's sheets are: {sheets}; {advice}."))
    return problems


def validate_sheet(
    read: SheetRead,
    schema: pa.DataFrameSchema,
    rules: dict,
    required: tuple[str, ...],
    source: str,
    path: str | Path,
    hints: dict[str, Callable[[str], str]] | None = None,
) -> pd.DataFrame:
    """Validate a text sheet lazily; raise InputInvalid with every problem at once (missing columns and an empty
    sheet included)."""
    sheet = read.frame
    missing = missing_column_problems(read, required, path)
    if len(sheet) == 0:
        raise InputInvalid(
            source,
            missing
            + [
                Problem(
                    0,
                    "",
                    "the sheet has no rows below the header row: add one row "
                    f"per entry, starting in row {read.header_row + 1}",
                )
            ],
        )
    try:
        validated = schema.validate(sheet, lazy=True)
    except pa.errors.SchemaErrors as errors:
        raise InputInvalid(
            source, missing + problems_from_failures(errors.failure_cases, rules, sheet, required, hints)
        ) from None
    if missing:
        raise InputInvalid(source, missing)
    return validated
