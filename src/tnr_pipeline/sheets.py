"""Reading and validating any input spreadsheet (the case sheet, the questionnaire, the context figures).

What belongs here: the steps every input sheet shares: read it as text, refuse a duplicated header, keep only the
contract's columns (everything else, such as names and free text, is dropped on arrival), validate lazily against
a pandera schema and turn every failure into a problem a person can act on.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pandas as pd
import pandera.pandas as pa

from tnr_pipeline import io
from tnr_pipeline.problems import InputInvalid, Problem, problems_from_failures


def load_sheet(path: str | Path, columns: tuple[str, ...], sheet: str | None = None) -> pd.DataFrame:
    """A sheet as text, indexed by spreadsheet row, with only `columns` kept (those present)."""
    try:
        text = io.read_sheet(path, sheet)
    except io.InputFileError as error:
        raise InputInvalid(Path(path).name, [Problem(0, "", str(error))]) from None
    known = [c for c in columns if c in text.columns]
    duplicated = sorted(set(text.columns[text.columns.duplicated()]) & set(known))
    if duplicated:
        raise InputInvalid(Path(path).name, [Problem(0, c, f'column "{c}" appears more than once in the header')
                                             for c in duplicated])
    return text[known]


def validate_sheet(sheet: pd.DataFrame, schema: pa.DataFrameSchema, rules: dict, required: tuple[str, ...],
                   source: str, hints: dict[str, Callable[[str], str]] | None = None) -> pd.DataFrame:
    """Validate a text sheet lazily; raise InputInvalid with every problem at once (an empty sheet is one)."""
    if len(sheet) == 0:
        raise InputInvalid(source, [Problem(0, "", "the sheet has no rows below the header row: add one row per "
                                                   "entry, starting in row 2")])
    try:
        return schema.validate(sheet, lazy=True)
    except pa.errors.SchemaErrors as errors:
        raise InputInvalid(source, problems_from_failures(errors.failure_cases, rules, sheet, required,
                                                          hints)) from None


def country_hint(reference) -> Callable[[str], str]:
    """Advice for an unrecognised country: the closest known names."""
    def closest(value: str) -> str:
        names = reference.suggest_countries(value)
        return f" Closest known names: {', '.join(names)}." if names else ""

    return closest


@contextmanager
def problems_reported_to(path: str | Path) -> Iterator[None]:
    """On InputInvalid inside the block, write the list of problems to `path` (the validation report), then
    let it propagate so the step fails."""
    try:
        yield
    except InputInvalid as invalid:
        io.write_text(path, str(invalid) + "\n")
        raise
