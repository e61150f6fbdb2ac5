"""The questionnaire: loading its sheet, checking it against its schema, and coding its answers.

What belongs here: the questionnaire's own rules (its columns, its lists of tactics, its yes/no answers), with the
same error behaviour as the case sheet. Only coded columns are kept: free-text answers never leave data/raw. The
stage `summarise_survey` loads, summarises and saves.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pandas as pd

from tnr_pipeline.inputs.normalise import LIST_SEPARATORS, parse_yes_no, to_code_lists, to_codes
from tnr_pipeline.inputs.schemas import (
    REQUIRED_SURVEY_COLUMNS,
    YES_NO_QUESTIONS,
    survey_sheet_schema,
)
from tnr_pipeline.inputs.spreadsheet import SheetRead
from tnr_pipeline.inputs.validation import load_sheet, validate_sheet
from tnr_pipeline.model.reference import Reference, lookup_key
from tnr_pipeline.model.settings import CODED_COLUMNS


def code_responses(
    sheet: pd.DataFrame, reference: Reference, values: dict[str, dict[str, str]] | None = None
) -> pd.DataFrame:
    """A validated questionnaire sheet -> one coded row per response (the team's own words of config
    `values.survey` included), sorted by respondent_id."""
    lookups = reference.lookups(CODED_COLUMNS["survey"], values)
    responses = pd.DataFrame(
        {
            "respondent_id": sheet["respondent_id"].astype("str"),
            "country_of_residence": to_codes(sheet["country_of_residence"], lookups["country_of_residence"]),
            "tactics_experienced": to_code_lists(sheet["tactics_experienced"], lookups["tactics_experienced"]),
            **{question: parse_yes_no(sheet[question]) for question in YES_NO_QUESTIONS},
        }
    )
    return responses.sort_values("respondent_id", kind="stable").reset_index(drop=True)


def _for_each_unknown_item(hint: Callable[[str], str], lookup: dict[str, str]) -> Callable[[str], str]:
    """Advice for a list of tactics: the closest known words to each item that is not recognised, naming it."""

    def closest(value: str) -> str:
        items = [item.strip() for item in LIST_SEPARATORS.split(value) if item.strip()]
        unknown = [item for item in items if lookup_key(item) not in lookup]
        return "".join(f' For "{item}":{hint(item)}' for item in unknown if hint(item))

    return closest


def load_survey_sheet(path: str | Path, sheet: str | None = None, mapping: dict[str, str] | None = None) -> SheetRead:
    """The questionnaire as text, indexed by spreadsheet row, with only the contract's columns kept (headers mapped
    by config `columns.survey`)."""
    return load_sheet(path, REQUIRED_SURVEY_COLUMNS, (), mapping, sheet)


def validate_survey_sheet(
    read: SheetRead,
    reference: Reference,
    source: str = "questionnaire",
    path: str | Path = "",
    values: dict[str, dict[str, str]] | None = None,
) -> pd.DataFrame:
    """Check the questionnaire against its schema (a coded column also accepts the team's own words of config
    `values.survey`); raise InputInvalid with every problem at once."""
    lookups = reference.lookups(CODED_COLUMNS["survey"], values)
    schema, rules = survey_sheet_schema(reference, lookups)
    hints = reference.closest_word_hints(CODED_COLUMNS["survey"], values)
    hints["tactics_experienced"] = _for_each_unknown_item(hints["tactics_experienced"], lookups["tactics_experienced"])
    return validate_sheet(read, schema, rules, REQUIRED_SURVEY_COLUMNS, source, path, hints=hints)
