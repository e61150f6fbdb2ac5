"""The context figures: their sheet's rules and how its rows are typed (the stage `validate_context` saves them).

What belongs here: the numbers the report cites from outside its own data (the exodus estimate, OVD-Info's yearly
prosecution counts), each validated to carry its value, unit, what it measures, its source and the date it refers
to. A yearly series holds only the years its source gives: nothing is filled in.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from tnr_pipeline.inputs.normalise import parse_number, parse_year
from tnr_pipeline.inputs.schemas import CONTEXT_COLUMNS, CONTEXT_TRANSLATED, context_sheet_schema
from tnr_pipeline.inputs.validation import load_sheet, validate_sheet


def code_context(sheet: pd.DataFrame) -> pd.DataFrame:
    """A validated context sheet -> typed rows, sorted by figure_id."""
    figures = pd.DataFrame(
        {
            "figure_id": sheet["figure_id"].astype("str"),
            "series": sheet["series"].replace("", pd.NA).astype("str"),
            "year": parse_year(sheet["year"]),
            "refers_to": sheet["refers_to"].astype("str"),
            "value": parse_number(sheet["value"]),
            **{c: sheet[c].astype("str") for c in ("unit", "measures", "source")},
            # the Russian words, where the sheet has them (else empty: the Russian edition shows the English)
            **{
                c: (sheet[c].replace("", pd.NA) if c in sheet else pd.Series(pd.NA, index=sheet.index)).astype("str")
                for c in CONTEXT_TRANSLATED
            },
        }
    )
    return figures.sort_values("figure_id", kind="stable").reset_index(drop=True)


def load_context_sheet(path: str | Path):
    """The context figures sheet as text, indexed by spreadsheet row."""
    return load_sheet(path, CONTEXT_COLUMNS, CONTEXT_TRANSLATED)


def validate_context_sheet(read, source: str = "context figures", path: str | Path = "") -> pd.DataFrame:
    """Check the context sheet against its schema; raise InputInvalid with every problem at once."""
    schema, rules = context_sheet_schema()
    return validate_sheet(read, schema, rules, CONTEXT_COLUMNS, source, path)
