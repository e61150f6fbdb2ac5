"""Stage validate_context: the context figures sheet -> context_figures.parquet.

What belongs here: the numbers the report cites from outside its own data (the exodus estimate, OVD-Info's yearly
prosecution counts), each validated to carry its value, unit, what it measures, its source and the date it refers
to. A yearly series holds only the years its source gives: nothing is filled in.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from tnr_pipeline import io
from tnr_pipeline.descriptions import describe_input
from tnr_pipeline.normalise import parse_number, parse_year
from tnr_pipeline.schemas import CONTEXT_COLUMNS, CONTEXT_TRANSLATED, context_sheet_schema, save_table
from tnr_pipeline.sheets import load_sheet, problems_reported_to, validate_sheet


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


def run(raw: str, output: str, problems_report: str, config: dict, descriptions: str | None = None) -> int:
    """Validate the context figures and write them; returns the number of figures."""
    schema, rules = context_sheet_schema()
    name = Path(raw).name
    with problems_reported_to(problems_report):
        read = load_sheet(raw, CONTEXT_COLUMNS, CONTEXT_TRANSLATED)
        print(read.describe(raw))
        sheet = validate_sheet(read, schema, rules, CONTEXT_COLUMNS, name, raw)
    figures = code_context(sheet)
    meta = io.provenance(
        {raw: io.sha256_file(raw)}, config, {raw: describe_input(raw, descriptions, "context figures")}
    )
    save_table(figures, "context_figures", output, meta)
    print(f"{name}: no problems found in {len(figures)} figures.")
    return len(figures)
