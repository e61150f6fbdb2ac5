"""The case sheet: loading it, checking it against its schema, and normalising it into the cases table.

What belongs here: the case sheet's own rules. Reading files is in `spreadsheet`, the contract in `schemas`, the
wording of problems in `problems`; the stage `validate_cases` loads, validates, normalises and saves. Only the
sheet's known columns are ever read past the header: any other column (names, notes, free text) is dropped on
arrival.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from tnr_pipeline.inputs.normalise import parse_date, parse_year, to_codes
from tnr_pipeline.inputs.schemas import (
    OPTIONAL_CASE_COLUMNS,
    REQUIRED_CASE_COLUMNS,
    case_sheet_schema,
)
from tnr_pipeline.inputs.spreadsheet import SheetRead
from tnr_pipeline.inputs.validation import (
    load_sheet,
    validate_sheet,
)
from tnr_pipeline.model.io import map_distinct
from tnr_pipeline.model.reference import OTHER_REGION, Reference
from tnr_pipeline.model.settings import CODED_COLUMNS, Period, assign_period


def load_case_sheet(path: str | Path, sheet: str | None = None, mapping: dict[str, str] | None = None) -> SheetRead:
    """The case sheet as text, indexed by spreadsheet row, with only the contract's columns kept (headers mapped by
    config `columns.cases`)."""
    return load_sheet(path, REQUIRED_CASE_COLUMNS, OPTIONAL_CASE_COLUMNS, mapping, sheet)


def validate_case_sheet(
    read: SheetRead,
    reference: Reference,
    first_year: int,
    last_year: int,
    source: str = "case sheet",
    path: str | Path = "",
    *,
    origin_country: str,
    values: dict[str, dict[str, str]] | None = None,
) -> pd.DataFrame:
    """Check the sheet against its schema (a coded column also accepts the team's own words of config
    `values.cases`); raise InputInvalid with every problem at once."""
    lookups = reference.lookups(CODED_COLUMNS["cases"], values)
    schema, rules = case_sheet_schema(reference, first_year, last_year, origin_country, lookups)
    hints = reference.closest_word_hints(CODED_COLUMNS["cases"], values)
    return validate_sheet(read, schema, rules, REQUIRED_CASE_COLUMNS, source, path, hints=hints)


def normalise_cases(
    sheet: pd.DataFrame,
    reference: Reference,
    periods: list[Period],
    values: dict[str, dict[str, str]] | None = None,
) -> pd.DataFrame:
    """A validated sheet -> the cases table: codes (the team's own words of config `values.cases` included),
    reference attributes and periods, sorted by case_id."""
    lookups = reference.lookups(CODED_COLUMNS["cases"], values)
    year = parse_year(sheet["year"]).astype("int64")
    host_country = to_codes(sheet["host_country"], lookups["host_country"])
    tactic = to_codes(sheet["tactic"], lookups["tactic"])
    typology = reference.typology.set_index("code")
    family, fh_counted = typology["family"].to_dict(), typology["fh_counted"].to_dict()
    regions = reference.region_of()
    date = parse_date(sheet["date"]) if "date" in sheet else pd.Series(pd.NaT, index=sheet.index, dtype="datetime64[s]")
    cases = pd.DataFrame(
        {
            "case_id": sheet["case_id"].astype("str"),
            "year": year,
            "date": date,
            "host_country": host_country,
            "host_country_name": map_distinct(host_country, reference.country_names.get, dtype="str"),
            "eu_member": reference.eu_member(host_country, year),
            "region": map_distinct(host_country, lambda code: regions.get(code, OTHER_REGION), dtype="str"),
            "tactic": tactic,
            "tactic_family": map_distinct(tactic, family.get, dtype="str"),
            "fh_counted": map_distinct(tactic, fh_counted.get, dtype="bool"),
            "target_profile": to_codes(sheet["target_profile"], lookups["target_profile"]),
            "verification": to_codes(sheet["verification"], lookups["verification"]),
            "period": assign_period(year, periods),
        }
    )
    return cases.sort_values("case_id", kind="stable").reset_index(drop=True)


def allowed_case_values(reference: Reference, periods: list[Period]) -> dict[str, list]:
    """Allowed values of the cases table's coded columns, for its output schema."""
    return {
        "host_country": sorted(set(reference.country_lookup.values())),
        "region": reference.region_names,
        "tactic": reference.tactic_codes,
        "tactic_family": sorted(set(reference.typology["family"])),
        "target_profile": reference.target_profiles["code"].tolist(),
        "verification": reference.verification["code"].tolist(),
        "period": [period.name for period in periods],
    }
