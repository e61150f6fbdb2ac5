"""The reference data, row by row: every country alias is needed and resolves to its code, and every label of the
typology, the target profiles and the verification levels, in both languages, resolves to its code."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from tnr_pipeline.reference import DEFAULT_DIR, Reference, lookup_key

REFERENCE = Reference()
ALIASES = pd.read_csv(DEFAULT_DIR / "country_aliases.csv", dtype=str, keep_default_na=False)


@pytest.mark.parametrize("alias, alpha3", list(zip(ALIASES["alias"], ALIASES["alpha3"])))
def test_each_alias_is_needed_and_resolves_to_its_code(alias, alpha3):
    assert REFERENCE.country_lookup_without_aliases.get(lookup_key(alias)) != alpha3, (
        f"{alias!r} is resolved without the alias table: delete its row"
    )
    assert REFERENCE.country_lookup[lookup_key(alias)] == alpha3
    for spelling in (alias.upper(), f"  {alias.lower()}  "):  # as a sheet may write it
        assert REFERENCE.country_lookup[lookup_key(spelling)] == alpha3


def test_each_alias_is_listed_once():
    keys = ALIASES["alias"].map(lookup_key)
    assert keys.is_unique, ALIASES[keys.duplicated(keep=False)]


def _labels(table: pd.DataFrame) -> list[tuple[str, str, str]]:
    return [
        (code, column, label) for column in ("label", "label_ru") for code, label in zip(table["code"], table[column])
    ]


@pytest.mark.parametrize(
    "lookup, code, column, label",
    [("tactic_lookup", *row) for row in _labels(REFERENCE.typology)]
    + [("target_profile_lookup", *row) for row in _labels(REFERENCE.target_profiles)]
    + [("verification_lookup", *row) for row in _labels(REFERENCE.verification)],
)
def test_each_label_in_both_languages_resolves_to_its_code(lookup, code, column, label):
    table = getattr(REFERENCE, lookup)
    assert label, f"{code} has no {column}"
    assert table[lookup_key(label)] == code
    assert table[lookup_key(label.upper())] == code and table[lookup_key(code)] == code
    if column == "label_ru" and "е" in label:  # ё and е are read alike
        assert table[lookup_key(label.replace("е", "ё"))] == code


SPELLINGS = pd.read_csv(Path(__file__).parent / "data" / "country_spellings.csv", dtype=str, keep_default_na=False)


@pytest.mark.parametrize("spelling, alpha3", list(zip(SPELLINGS["spelling"], SPELLINGS["alpha3"])))
def test_the_spellings_people_write_resolve(spelling, alpha3):
    """Written apart from the alias table, so that deleting one of its rows, or a pycountry release that stops
    resolving a name, fails here."""
    assert REFERENCE.country_lookup.get(lookup_key(spelling)) == alpha3


def test_every_alias_is_a_spelling_people_write():
    keys = set(SPELLINGS["spelling"].map(lookup_key))
    assert [alias for alias in ALIASES["alias"] if lookup_key(alias) not in keys] == []
