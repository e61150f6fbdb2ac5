"""Normalisation of spreadsheet text to codes: years, dates, countries, tactics, profiles, verification levels.

What belongs here: pure functions from a column of text to a column of codes (missing where the text is not
recognised). Each works once per distinct value (`map_distinct`), never row by row, so a million rows with a
few hundred spellings cost a few hundred lookups.
"""

from __future__ import annotations

import datetime as dt
import re

import pandas as pd

from tnr_pipeline.model.io import map_distinct
from tnr_pipeline.model.reference import lookup_key

# A whole number in digits; a decimal point followed by zeros only is allowed, since Excel exports often write a
# year as "2024.0".
_WHOLE_NUMBER = re.compile(r"([0-9]+)(?:\.0+)?")
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


# Whole numbers beyond any year are read as this (still outside every allowed range), so that a 23-digit "year"
# is reported as out of range instead of overflowing the integer column.
_BEYOND_ANY_YEAR = 10**9


def _whole_number(text: str) -> int | None:
    whole = _WHOLE_NUMBER.fullmatch(text)
    if not whole:
        return None
    return min(int(whole.group(1)), _BEYOND_ANY_YEAR)


def _iso_date(text: str) -> pd.Timestamp | None:
    if not _ISO_DATE.fullmatch(text):
        return None
    try:
        return pd.Timestamp(dt.date.fromisoformat(text))
    except ValueError:
        return None


def parse_year(text: pd.Series) -> pd.Series:
    """Year text -> nullable integer; missing unless the text is a whole number written in digits ("2024", or
    "2024.0" as Excel exports write it; never "2024.5")."""
    return map_distinct(text, _whole_number, dtype="Int64")


def parse_date(text: pd.Series) -> pd.Series:
    """YYYY-MM-DD text -> datetime64[s]; missing when blank or not a real calendar date."""
    return map_distinct(text, _iso_date, dtype="datetime64[s]")


def _number(text: str) -> float | None:
    try:
        return float(text.replace(",", ""))
    except ValueError:
        return None


def parse_number(text: pd.Series) -> pd.Series:
    """Number text ('846', '900,000', '1.5') -> float; missing when blank or not a number."""
    return map_distinct(text, _number, dtype="float64")


def to_codes(text: pd.Series, lookup: dict[str, str]) -> pd.Series:
    """Text -> code through a lookup keyed by `lookup_key`; missing when the text is not a known spelling."""
    return map_distinct(text, lambda value: lookup.get(lookup_key(value)), dtype="str")


YES = {"yes", "y", "true", "1", "x"}
NO = {"no", "n", "false", "0"}
LIST_SEPARATORS = re.compile(r"[;,|]")


def _yes_no(text: str) -> bool | None:
    key = text.strip().casefold()
    return True if key in YES else False if key in NO else None


def parse_yes_no(text: pd.Series) -> pd.Series:
    """yes/no text -> nullable boolean; missing when blank or not a yes/no answer."""
    return map_distinct(text, _yes_no, dtype="boolean")


def is_yes_no(text: pd.Series) -> pd.Series:
    """Whether each cell is blank or a recognised yes/no answer."""
    return (text == "") | parse_yes_no(text).notna()


def split_codes(text: str, lookup: dict[str, str]) -> list[str | None]:
    """'Denial of entry; detention' -> ['denial_of_entry', 'detention']; None for an item not recognised."""
    return [lookup.get(lookup_key(item)) for item in LIST_SEPARATORS.split(text) if item.strip()]


def to_code_lists(text: pd.Series, lookup: dict[str, str]) -> pd.Series:
    """A column of separated lists -> ';'-joined codes in lookup order; missing when any item is not recognised."""
    order = {code: i for i, code in enumerate(dict.fromkeys(lookup.values()))}

    def codes(value: str) -> str | None:
        items = split_codes(value, lookup)
        if any(item is None for item in items):
            return None
        return ";".join(sorted(set(items), key=order.__getitem__))

    return map_distinct(text, codes, dtype="str")
