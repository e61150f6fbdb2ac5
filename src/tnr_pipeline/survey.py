"""Stage summarise_survey: the questionnaire sheet -> survey_responses.parquet and survey_summary.parquet.

What belongs here: load -> validate -> code -> summarise -> save for the questionnaire, with the same error
behaviour as the case sheet. Only coded columns are kept: free-text answers never leave data/raw.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pandas as pd

from tnr_pipeline import io, stats
from tnr_pipeline.descriptions import describe_input
from tnr_pipeline.normalise import LIST_SEPARATORS, parse_yes_no, to_code_lists, to_codes
from tnr_pipeline.reference import Reference, lookup_key
from tnr_pipeline.schemas import (
    REQUIRED_SURVEY_COLUMNS,
    YES_NO_QUESTIONS,
    save_table,
    survey_sheet_schema,
)
from tnr_pipeline.settings import CODED_COLUMNS
from tnr_pipeline.sheets import (
    load_sheet,
    problems_reported_to,
    validate_sheet,
)


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


def run(
    raw: str,
    responses_path: str,
    summary_path: str,
    problems_report: str,
    reference_dir: str,
    level: float,
    config: dict,
    mapping: dict[str, str] | None = None,
    sheet_name: str | None = None,
    descriptions: str | None = None,
    values: dict[str, dict[str, str]] | None = None,
) -> pd.DataFrame:
    """Validate the questionnaire and write the coded responses and their summary; returns the summary. `values`:
    the team's own words for codes, by column (config `values.survey`). What was read is printed for the step's
    log."""
    reference = Reference(reference_dir)
    lookups = reference.lookups(CODED_COLUMNS["survey"], values)
    schema, rules = survey_sheet_schema(reference, lookups)
    hints = reference.closest_word_hints(CODED_COLUMNS["survey"], values)
    hints["tactics_experienced"] = _for_each_unknown_item(hints["tactics_experienced"], lookups["tactics_experienced"])
    name = Path(raw).name
    with problems_reported_to(problems_report):
        read = load_sheet(raw, REQUIRED_SURVEY_COLUMNS, (), mapping, sheet_name)
        print(read.describe(raw))
        sheet = validate_sheet(
            read,
            schema,
            rules,
            REQUIRED_SURVEY_COLUMNS,
            name,
            raw,
            hints=hints,
        )
    responses = code_responses(sheet, reference, values)
    summary = stats.summarise_survey(responses, YES_NO_QUESTIONS, reference.tactic_codes, level)
    meta = io.provenance({raw: io.sha256_file(raw)}, config, {raw: describe_input(raw, descriptions, "questionnaire")})
    countries = sorted(set(reference.country_lookup.values()))
    save_table(responses, "survey_responses", responses_path, meta, allowed={"country_of_residence": countries})
    save_table(
        summary,
        "survey_summary",
        summary_path,
        meta,
        allowed={"question": [*YES_NO_QUESTIONS, "tactics_experienced", "country_of_residence"]},
    )
    print(f"{name}: no problems found in {len(responses)} responses.")
    return summary
