"""Normalisation of spreadsheet text: countries, tactics, profiles, verification, years and dates."""

import pandas as pd
import pytest

from tnr_pipeline.inputs.normalise import parse_date, parse_year, to_codes
from tnr_pipeline.inputs.spreadsheet import normalise_header
from tnr_pipeline.model.io import map_distinct


@pytest.mark.parametrize(
    "text, code",
    [
        ("Russia", "RUS"),
        ("russian federation", "RUS"),
        ("Turkey", "TUR"),
        ("Türkiye", "TUR"),
        ("UK", "GBR"),
        ("United Kingdom", "GBR"),
        ("Kyrgyz Republic", "KGZ"),
        ("Kyrgyzstan", "KGZ"),
        ("Czech Republic", "CZE"),
        ("Czechia", "CZE"),
        ("Moldova", "MDA"),
        ("USA", "USA"),
        ("  Georgia ", "GEO"),
        ("GE", "GEO"),
        ("geo", "GEO"),
        ("ge", "GEO"),
        ("Ivory Coast", "CIV"),
        ("Burma", "MMR"),
        ("South  Korea", "KOR"),
        ("Kosovo", "XKX"),
        ("ARM", "ARM"),
        ("am", "ARM"),
        ("Serbia", "SRB"),
        ("Mongolia", "MNG"),
    ],
)
def test_country_spellings_map_to_alpha3(reference, text, code):
    assert to_codes(pd.Series([text]), reference.country_lookup).iloc[0] == code


@pytest.mark.parametrize("text", ["Narnia", "", "Georgiaa", "Soviet Union"])
def test_unknown_country_is_missing(reference, text):
    assert pd.isna(to_codes(pd.Series([text]), reference.country_lookup).iloc[0])


def test_suggestions_name_the_closest_countries(reference):
    assert reference.suggest_countries("Georgiaa")[0] == "Georgia (GEO)"
    assert "Kazakhstan (KAZ)" in reference.suggest_countries("Kazakstan")


@pytest.mark.parametrize(
    "kind, typo, closest",
    [
        ("tactic", "Задержане", "Задержание (detention)"),  # a Russian label
        ("tactic", "Detenton", "Detention (detention)"),  # an English label
        ("tactic", "Принудительное возврашение", "Принудительное возвращение (rendition)"),  # a former label
        ("tactic", "denial_of_entri", "Denial of Entry (denial_of_entry)"),  # a code written like a label: the label
        ("target_profile", "Журналистт", "Журналист (journalist)"),
        ("verification", "Один истчник", "Один источник (single_source)"),
        ("country", "Грузиа", "Грузия (GEO)"),  # pycountry's Russian name
        ("country", "Кыргызтан", "Кыргызстан (KGZ)"),  # a Russian name of the alias table
    ],
)
def test_the_closest_known_word_is_suggested_in_the_language_it_was_written_in(reference, kind, typo, closest):
    from tnr_pipeline.model.reference import closest_words

    assert closest_words(typo, reference.words(kind))[0] == closest


def test_a_word_far_from_every_known_word_gets_no_suggestion(reference):
    from tnr_pipeline.model.reference import closest_words

    assert closest_words("poisoning", reference.words("tactic")) == []


def test_suggestions_name_each_code_once(reference):
    from tnr_pipeline.model.reference import closest_words

    # "Denial of Services", its code and its former Russian label all belong to one code: one suggestion for it
    suggested = closest_words("denial of servise", reference.words("tactic"))
    codes = [word.rsplit("(", 1)[-1].rstrip(")") if "(" in word else word for word in suggested]
    assert len(codes) == len(set(codes))
    assert suggested[0] == "Denial of Services (denial_of_services)"


@pytest.mark.parametrize(
    "text, code",
    [
        ("Denial of Entry", "denial_of_entry"),
        ("denial_of_entry", "denial_of_entry"),
        ("DENIAL OF ENTRY", "denial_of_entry"),
        ("denial-of-services", "denial_of_services"),
        ("Extradition request", "extradition_request"),
        ("assassination", "assassination"),
        ("Unlawful deportation", "unlawful_deportation"),
    ],
)
def test_tactic_codes_and_labels(reference, text, code):
    assert to_codes(pd.Series([text]), reference.tactic_lookup).iloc[0] == code


def test_profile_and_verification_labels(reference):
    assert (
        to_codes(pd.Series(["Human rights defender"]), reference.target_profile_lookup).iloc[0]
        == "human_rights_defender"
    )
    assert to_codes(pd.Series(["Single source"]), reference.verification_lookup).iloc[0] == "single_source"
    assert pd.isna(to_codes(pd.Series(["spy"]), reference.target_profile_lookup).iloc[0])


def test_a_whole_year_written_as_a_decimal_is_that_year():
    """Excel exports often write a year as "2024.0"; a decimal that is not whole is no year."""
    parsed = parse_year(pd.Series(["2024.0", "2024.00", "2024.5", "2024.", ".0", "2024,0"]))
    assert parsed.tolist()[:2] == [2024, 2024]
    assert parsed.isna().tolist() == [False, False, True, True, True, True]


@pytest.mark.parametrize(
    "text, code",
    [
        ("Принудительное возвращение", "rendition"),  # rendition's label_ru before «Похищение и незаконный вывоз»
        ("отказ в услугах", "denial_of_services"),  # denial_of_services' label_ru before it was made precise
        ("ОТКАЗ В КОНСУЛЬСКИХ УСЛУГАХ", "denial_of_services"),  # the second alias of the same cell
        ("  Abduction ", "rendition"),
    ],
)
def test_former_labels_and_synonyms_are_read_like_labels(reference, text, code):
    assert to_codes(pd.Series([text]), reference.tactic_lookup).iloc[0] == code


def test_parse_year_accepts_digits_only():
    parsed = parse_year(pd.Series(["2022", "twenty", "7.5", "", "1991"]))
    assert parsed.tolist()[0] == 2022 and parsed.tolist()[4] == 1991
    assert parsed.isna().tolist() == [False, True, True, True, False]


def test_parse_date_rejects_impossible_and_other_formats():
    parsed = parse_date(pd.Series(["2023-02-28", "2023-02-30", "28/02/2023", ""]))
    assert parsed.iloc[0] == pd.Timestamp("2023-02-28")
    assert parsed.isna().tolist() == [False, True, True, True]


def test_map_distinct_calls_once_per_distinct_value():
    calls = []

    def spy(value):
        calls.append(value)
        return value.upper()

    series = pd.Series(["a", "b", "a", "a", "b"] * 1000, index=range(10, 5010))
    result = map_distinct(series, spy, dtype="str")
    assert sorted(calls) == ["a", "b"]
    assert result.index.equals(series.index) and result.tolist() == [v.upper() for v in series]


def test_header_normalisation():
    assert normalise_header("  Host Country ") == "host_country"
    assert normalise_header("CASE_ID") == "case_id"


def test_parse_number_accepts_thousands_separators_only():
    from tnr_pipeline.inputs.normalise import parse_number

    parsed = parse_number(pd.Series(["846", "900,000", "1.5", "about 800", ""]))
    assert parsed.tolist()[:3] == [846.0, 900000.0, 1.5]
    assert parsed.isna().tolist() == [False, False, False, True, True]


# ---- exact values and types of each parser (what mutation testing showed untested) ---------------------------


def test_each_parser_gives_its_column_type():
    from tnr_pipeline.inputs.normalise import parse_number, parse_yes_no, to_code_lists

    text = pd.Series(["2022", "", "x"])
    blank = pd.Series(["", ""])  # nothing recognised: the type still comes from the parser, not from the values
    for parsed, dtype in (
        (parse_year(blank), "Int64"),
        (parse_date(blank), "datetime64[s]"),
        (parse_number(blank), "float64"),
        (to_codes(blank, {"x": "X"}), "str"),
        (to_code_lists(pd.Series(["y", "z"]), {"x": "X"}), "str"),
        (parse_yes_no(blank), "boolean"),
    ):
        assert str(parsed.dtype) == dtype
    assert str(parse_year(text).dtype) == "Int64"
    assert str(parse_date(pd.Series(["2022-03-01", ""])).dtype) == "datetime64[s]"
    assert str(parse_number(text).dtype) == "float64"
    assert str(to_codes(text, {"x": "X"}).dtype) == "str"
    assert str(to_code_lists(text, {"x": "X"}).dtype) == "str"
    assert str(parse_yes_no(text).dtype) == "boolean"


@pytest.mark.parametrize(
    "text, year",
    [
        ("2022", 2022),
        ("0999999999", 999_999_999),
        ("1000000000", 10**9),
        ("20220000000000000000000", 10**9),
        ("22.0", 22),  # a whole number written as a decimal (then refused as outside the allowed years)
        ("22.5", None),
    ],
)
def test_years_beyond_any_year_are_one_large_number(text, year):
    parsed = parse_year(pd.Series([text])).iloc[0]
    assert (pd.isna(parsed) and year is None) or parsed == year


@pytest.mark.parametrize(
    "text, answer",
    [
        ("yes", True),
        (" Y ", True),
        ("TRUE", True),
        ("1", True),
        ("x", True),
        ("No", False),
        ("n", False),
        ("false", False),
        ("0", False),
        ("maybe", None),
        ("", None),
    ],
)
def test_yes_no_answers(text, answer):
    from tnr_pipeline.inputs.normalise import parse_yes_no

    parsed = parse_yes_no(pd.Series([text])).iloc[0]
    assert (pd.isna(parsed) and answer is None) or parsed is answer or parsed == answer


def test_code_lists_are_sorted_in_lookup_order_without_repeats():
    from tnr_pipeline.inputs.normalise import to_code_lists

    lookup = {"first": "z", "second": "y", "third": "x"}  # lookup order is not alphabetical order
    parsed = to_code_lists(pd.Series(["third; first | third", "second,first", "first; fourth", ""]), lookup)
    assert parsed.iloc[0] == "z;x" and parsed.iloc[1] == "z;y" and pd.isna(parsed.iloc[2]) and parsed.iloc[3] == ""
