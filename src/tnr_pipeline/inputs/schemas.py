"""Pandera schemas: the contract of the case spreadsheet and of every output table.

What belongs here: building pandera schemas from `fields` (outputs) and from the input contract (the case sheet),
validating lazily so every problem comes out at once, and `save_table`, the only way a step writes Parquet:
validate, then write atomically. Steps that only read tables (figures, report) never import this module.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
import pandera.pandas as pa

from tnr_pipeline.inputs.normalise import (
    is_yes_no,
    parse_date,
    parse_number,
    parse_year,
    parse_yes_no,
    to_code_lists,
    to_codes,
)
from tnr_pipeline.model import io
from tnr_pipeline.model.fields import BOOLEAN, DATE, FLOAT, INTEGER, TEXT, Field, table_fields
from tnr_pipeline.model.settings import CODED_COLUMNS

PANDAS_DTYPES = {TEXT: "str", INTEGER: "int64", FLOAT: "float64", BOOLEAN: "bool", DATE: "datetime64[s]"}
NULLABLE_DTYPES = {**PANDAS_DTYPES, INTEGER: "Int64", BOOLEAN: "boolean"}


class OutputInvalid(Exception):
    """An output table broke its schema: a bug in the pipeline, never the analyst's data."""


@dataclass(frozen=True)
class Rule:
    """What a failed input check means for a person: the problem with the value and what is allowed."""

    column: str
    problem: str
    allowed: str


# ---- outputs ------------------------------------------------------------------------------------------------


def _output_column(field: Field, allowed: list | None, checks: list[pa.Check]) -> pa.Column:
    column_checks = list(checks)
    if allowed is not None:
        column_checks.append(pa.Check.isin(allowed))
    dtype = (NULLABLE_DTYPES if field.nullable else PANDAS_DTYPES)[field.kind]
    return pa.Column(
        dtype,
        checks=column_checks,
        nullable=field.nullable,
        unique=field.unique,
        description=field.description,
        title=field.name,
    )


def output_schema(
    table: str, allowed: dict[str, list] | None = None, checks: dict[str, list[pa.Check]] | None = None
) -> pa.DataFrameSchema:
    """The pandera schema of an output table: its fields' types and descriptions, plus allowed values and checks."""
    allowed, checks = allowed or {}, checks or {}
    return pa.DataFrameSchema(
        {f.name: _output_column(f, allowed.get(f.name), checks.get(f.name, [])) for f in table_fields(table)},
        strict=True,
        ordered=True,
        name=table,
    )


def validate_output(
    frame: pd.DataFrame,
    table: str,
    allowed: dict[str, list] | None = None,
    checks: dict[str, list[pa.Check]] | None = None,
) -> pd.DataFrame:
    """Validate an output table lazily (columns put in schema order first); raise OutputInvalid listing failures."""
    names = [f.name for f in table_fields(table)]
    if set(names) <= set(frame.columns):
        frame = frame[names + [c for c in frame.columns if c not in names]]
    try:
        return output_schema(table, allowed, checks).validate(frame, lazy=True)
    except pa.errors.SchemaErrors as errors:
        cases = errors.failure_cases[["column", "check", "failure_case", "index"]].head(50)
        raise OutputInvalid(f"{table} broke its schema:\n{cases.to_string(index=False)}") from None


def save_table(
    frame: pd.DataFrame,
    table: str,
    path,
    meta: dict,
    allowed: dict[str, list] | None = None,
    checks: dict[str, list[pa.Check]] | None = None,
) -> None:
    """Validate an output table against its schema, then write it as Parquet with provenance (and the values each
    coded column allows, which the output data package turns into `enum` constraints)."""
    meta = {**meta, "allowed_values": {column: list(values) for column, values in sorted((allowed or {}).items())}}
    io.write_parquet(validate_output(frame, table, allowed, checks), table, path, meta)


# ---- the case spreadsheet -----------------------------------------------------------------------------------

REQUIRED_CASE_COLUMNS = ("case_id", "year", "host_country", "tactic", "target_profile", "verification")
OPTIONAL_CASE_COLUMNS = ("date", "source")
CASE_SHEET_DESCRIPTIONS = {
    "case_id": "Identifier of the case: any text, unique in the sheet.",
    "year": "Year of the case: a whole year in digits (2024; 2024.0 as Excel exports write it).",
    "host_country": "Country where it happened: English or Russian name, ISO alpha-2 or alpha-3 code, any case; or "
    "a word of config values.cases.host_country.",
    "tactic": "Tactic: a typology code, its label or an alias (English or Russian), any case; or a word of config "
    "values.cases.tactic.",
    "target_profile": "Profile of the targeted person: a code, its label or an alias (English or Russian), any case; "
    "or a word of config values.cases.target_profile.",
    "verification": "Verification status: a code, its label or an alias (English or Russian), any case; or a word of "
    "config values.cases.verification.",
    "date": "Optional date of the case, YYYY-MM-DD, within its year.",
    "source": "Optional kind of source; read but never copied to any output.",
}


def _labels(table: pd.DataFrame) -> str:
    return ", ".join(
        f"{code} ({label})" if code != label else code for code, label in zip(table["code"], table["label"])
    )


def _filled(column: str) -> pa.Check:
    """A check that a column's cells are not blank, named `<column>_present`."""
    return pa.Check(lambda text: text != "", name=f"{column}_present")


def _identifier(column: str, what: str) -> tuple[list[pa.Check], dict[str, Rule]]:
    """The checks of an identifier column (filled in, used by one row only) and what they mean for a person."""
    checks = [
        _filled(column),
        pa.Check(lambda text: (text == "") | ~text.duplicated(keep=False), name=f"{column}_unique"),
    ]
    rules = {
        f"{column}_present": Rule(column, "is empty", f"any text that identifies the {what}"),
        f"{column}_unique": Rule(column, "is used by more than one row", f"a {column} that no other row uses"),
    }
    return checks, rules


def case_sheet_schema(
    reference,
    first_year: int,
    last_year: int,
    origin_country: str,
    lookups: dict[str, dict[str, str]] | None = None,
) -> tuple[pa.DataFrameSchema, dict[str, Rule]]:
    """The pandera schema of the case spreadsheet read as text, and what each of its checks means for a person.
    `lookups` are the coded columns' (reference.lookups, with any team's own words); by default the reference's.

    Checks parse values themselves (once per distinct value) instead of relying on pandera's type coercion, so a
    value that cannot be converted is reported with its row and never hides other problems.
    """
    lookups = lookups or reference.lookups(CODED_COLUMNS["cases"])

    def known(column):
        return lambda text: to_codes(text, lookups[column]).notna()

    def whole_year(text):
        return parse_year(text).notna()

    def year_in_range(text):
        year = parse_year(text)
        return year.isna() | year.between(first_year, last_year)

    def not_origin(text):
        return to_codes(text, lookups["host_country"]).ne(origin_country).fillna(True)

    def iso_date(text):
        return (text == "") | parse_date(text).notna()

    def date_in_year(sheet):
        if "date" not in sheet or "year" not in sheet:
            return pd.Series(True, index=sheet.index)
        date, year = parse_date(sheet["date"]), parse_year(sheet["year"])
        return date.isna() | year.isna() | (date.dt.year == year)

    id_checks, id_rules = _identifier("case_id", "case")
    rules = {
        **id_rules,
        "year_whole_number": Rule(
            "year",
            "is not a whole year written in digits",
            f"a whole year from {first_year} to {last_year}, in digits, such as {last_year}",
        ),
        "year_in_range": Rule("year", "is outside the allowed years", f"a year from {first_year} to {last_year}"),
        "date_iso": Rule("date", "is not a date written as YYYY-MM-DD", "a real date written YYYY-MM-DD, or blank"),
        "date_in_year": Rule("date", "does not fall in the row's year", "a date in the year given in 'year'"),
        "host_country_known": Rule(
            "host_country",
            "is not a country name or code that is recognised",
            "a country name in English or Russian, or an ISO alpha-2 or alpha-3 code",
        ),
        "host_country_not_origin": Rule(
            "host_country",
            f"is the origin state ({origin_country}): a case inside it is not transnational repression",
            f"a host country other than {origin_country} (config: origin_country)",
        ),
        "tactic_known": Rule("tactic", "is not a tactic of the typology", _labels(reference.typology)),
        "target_profile_known": Rule(
            "target_profile", "is not a known target profile", _labels(reference.target_profiles)
        ),
        "verification_known": Rule(
            "verification", "is not a known verification status", _labels(reference.verification)
        ),
    }

    def column(name, *checks, required=True):
        return pa.Column(
            "str",
            checks=list(checks),
            required=required,
            nullable=False,
            description=CASE_SHEET_DESCRIPTIONS[name],
            title=name,
        )

    schema = pa.DataFrameSchema(
        {
            "case_id": column("case_id", *id_checks),
            "year": column(
                "year", pa.Check(whole_year, name="year_whole_number"), pa.Check(year_in_range, name="year_in_range")
            ),
            "host_country": column(
                "host_country",
                pa.Check(known("host_country"), name="host_country_known"),
                pa.Check(not_origin, name="host_country_not_origin"),
            ),
            "tactic": column("tactic", pa.Check(known("tactic"), name="tactic_known")),
            "target_profile": column("target_profile", pa.Check(known("target_profile"), name="target_profile_known")),
            "verification": column("verification", pa.Check(known("verification"), name="verification_known")),
            "date": column("date", pa.Check(iso_date, name="date_iso"), required=False),
            "source": column("source", required=False),
        },
        checks=[pa.Check(date_in_year, name="date_in_year")],
        strict=False,
        name="case spreadsheet",
    )
    return schema, rules


# ---- the questionnaire --------------------------------------------------------------------------------------

REQUIRED_SURVEY_COLUMNS = (
    "respondent_id",
    "country_of_residence",
    "tactics_experienced",
    "reduced_presence",
    "considered_relocating",
    "experienced_tnr",
)
YES_NO_QUESTIONS = ("reduced_presence", "considered_relocating", "experienced_tnr")
SURVEY_SHEET_DESCRIPTIONS = {
    "respondent_id": "Identifier of the response: any text, unique in the sheet.",
    "country_of_residence": "Country where the respondent lives: English or Russian name or ISO code, any case; or a "
    "word of config values.survey.country_of_residence.",
    "tactics_experienced": "Tactics experienced: typology codes, labels or aliases (or words of config "
    "values.survey.tactics_experienced) separated by ';', ',' or '|'; blank for none.",
    "reduced_presence": "Reduced public or online presence: yes/no, blank when unanswered.",
    "considered_relocating": "Considered relocating again: yes/no, blank when unanswered.",
    "experienced_tnr": "Experienced any transnational repression: yes/no, blank when unanswered.",
}


def survey_sheet_schema(
    reference, lookups: dict[str, dict[str, str]] | None = None
) -> tuple[pa.DataFrameSchema, dict[str, Rule]]:
    """The pandera schema of the questionnaire sheet read as text, and what each check means for a person.
    `lookups` are the coded columns' (reference.lookups, with any team's own words); by default the reference's."""
    lookups = lookups or reference.lookups(CODED_COLUMNS["survey"])

    def known_country(text):
        return to_codes(text, lookups["country_of_residence"]).notna()

    def known_tactics(text):
        return to_code_lists(text, lookups["tactics_experienced"]).notna()

    def tactics_need_tnr(sheet):
        if "tactics_experienced" not in sheet or "experienced_tnr" not in sheet:
            return pd.Series(True, index=sheet.index)
        listed = sheet["tactics_experienced"] != ""
        answer = parse_yes_no(sheet["experienced_tnr"])  # blank or not yes/no: missing, reported elsewhere
        return ~listed | answer.fillna(True).astype(bool)

    yes_no = "yes or no (also y/n, true/false, 1/0), or blank when unanswered"
    id_checks, id_rules = _identifier("respondent_id", "response")
    rules = {
        **id_rules,
        "country_of_residence_known": Rule(
            "country_of_residence",
            "is not a country name or code that is recognised",
            "a country name in English or Russian, or an ISO alpha-2 or alpha-3 code",
        ),
        "tactics_experienced_known": Rule(
            "tactics_experienced",
            "names a tactic that is not in the typology",
            "typology codes or labels separated by ';' (" + _labels(reference.typology) + "), or blank",
        ),
        "tactics_need_tnr": Rule(
            "experienced_tnr",
            "is 'no' although tactics are listed in tactics_experienced",
            "yes when tactics are listed",
        ),
        **{f"{q}_yes_no": Rule(q, "is not a yes/no answer", yes_no) for q in YES_NO_QUESTIONS},
    }

    def column(name, *checks):
        return pa.Column(
            "str", checks=list(checks), nullable=False, description=SURVEY_SHEET_DESCRIPTIONS[name], title=name
        )

    schema = pa.DataFrameSchema(
        {
            "respondent_id": column("respondent_id", *id_checks),
            "country_of_residence": column(
                "country_of_residence", pa.Check(known_country, name="country_of_residence_known")
            ),
            "tactics_experienced": column(
                "tactics_experienced", pa.Check(known_tactics, name="tactics_experienced_known")
            ),
            **{q: column(q, pa.Check(is_yes_no, name=f"{q}_yes_no")) for q in YES_NO_QUESTIONS},
        },
        checks=[pa.Check(tactics_need_tnr, name="tactics_need_tnr")],
        strict=False,
        name="questionnaire",
    )
    return schema, rules


# ---- the context figures ------------------------------------------------------------------------------------

CONTEXT_COLUMNS = ("figure_id", "series", "year", "refers_to", "value", "unit", "measures", "source")
# The same words in Russian, for the Russian edition (optional: the English is shown where they are empty).
CONTEXT_TRANSLATED = ("unit_ru", "measures_ru", "source_ru")


def context_sheet_schema() -> tuple[pa.DataFrameSchema, dict[str, Rule]]:
    """The pandera schema of the context figures sheet read as text: every figure sourced, dated and measured."""

    def number(text):
        return parse_number(text).notna()

    def year_or_blank(text):
        return (text == "") | parse_year(text).notna()

    def yearly_needs_year(sheet):
        if "series" not in sheet or "year" not in sheet:
            return pd.Series(True, index=sheet.index)
        return (sheet["series"] == "") | (sheet["year"] != "")

    id_checks, id_rules = _identifier("figure_id", "figure")
    described = ("refers_to", "unit", "measures", "source")
    rules = {
        **id_rules,
        "value_number": Rule("value", "is not a number", "a number such as 846 or 900000"),
        "year_whole": Rule("year", "is not a year written in digits", "a year in digits, or blank"),
        "yearly_needs_year": Rule(
            "year", "is blank although the figure belongs to a series", "the year the figure refers to"
        ),
        **{f"{c}_present": Rule(c, "is empty", f"the {c.replace('_', ' ')} of the figure") for c in described},
    }
    schema = pa.DataFrameSchema(
        {
            "figure_id": pa.Column("str", id_checks),
            "series": pa.Column("str"),
            "year": pa.Column("str", [pa.Check(year_or_blank, name="year_whole")]),
            "value": pa.Column("str", [pa.Check(number, name="value_number")]),
            **{c: pa.Column("str", [_filled(c)]) for c in described},
        },
        checks=[pa.Check(yearly_needs_year, name="yearly_needs_year")],
        strict=False,
        name="context figures",
    )
    return schema, rules
