"""The reference data, row by row: every country alias is needed and resolves to its code, and every label and
alias (former label or synonym) of the typology, the target profiles and the verification levels, in both
languages, resolves to its code and to no other."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from tnr_pipeline.model.reference import ALIAS_SEPARATOR, DEFAULT_DIR, Reference, lookup_key, split_aliases

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


CODED_TABLES = {
    "tactic_lookup": REFERENCE.typology,
    "target_profile_lookup": REFERENCE.target_profiles,
    "verification_lookup": REFERENCE.verification,
}


def _aliases(table: pd.DataFrame) -> list[tuple[str, str, str]]:
    return [
        (code, column, alias)
        for column in ("aliases", "aliases_ru")
        for code, cell in zip(table["code"], table[column])
        for alias in split_aliases(cell)
    ]


@pytest.mark.parametrize(
    "lookup, code, column, alias",
    [(lookup, *row) for lookup, table in CODED_TABLES.items() for row in _aliases(table)],
)
def test_each_alias_in_both_languages_resolves_to_its_code(lookup, code, column, alias):
    table = getattr(REFERENCE, lookup)
    assert table[lookup_key(alias)] == code
    assert table[lookup_key(f"  {alias.upper()} ")] == code
    if "е" in alias:  # ё and е are read alike
        assert table[lookup_key(alias.replace("е", "ё"))] == code


@pytest.mark.parametrize("lookup", list(CODED_TABLES))
def test_no_word_names_two_codes(lookup):
    """No alias is another code's label or code, or another code's alias, however it is written."""
    table = CODED_TABLES[lookup]
    codes_by_key: dict[str, set[str]] = {}
    words = [(code, code) for code in table["code"]] + [
        (code, word) for code, _, word in _labels(table) + _aliases(table)
    ]
    for code, word in words:
        codes_by_key.setdefault(lookup_key(word), set()).add(code)
    assert {key: codes for key, codes in codes_by_key.items() if len(codes) > 1} == {}


@pytest.mark.parametrize("lookup", list(CODED_TABLES))
def test_aliases_are_not_repeats_and_hold_no_list_separator(lookup):
    """An alias that only repeats its code's label adds nothing; one holding ';' or ',' could never be read from a
    questionnaire's list of tactics, and '|' separates the aliases of a cell."""
    table = CODED_TABLES[lookup]
    labels = {(code, lookup_key(word)) for code, _, word in _labels(table)} | {
        (c, lookup_key(c)) for c in table["code"]
    }
    for code, column, alias in _aliases(table):
        assert (code, lookup_key(alias)) not in labels, f"{column} {alias!r} of {code} repeats its label or code"
        assert not any(mark in alias for mark in (";", ",", ALIAS_SEPARATOR)), f"{column} {alias!r} of {code}"


def test_the_former_labels_stay_readable():
    """Labels the project once published (git history of reference/typology.csv), read as the codes they named."""
    assert REFERENCE.tactic_lookup[lookup_key("Принудительное возвращение")] == "rendition"
    assert REFERENCE.tactic_lookup[lookup_key("Отказ в услугах")] == "denial_of_services"
