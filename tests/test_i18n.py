"""Languages: the catalogues are complete and up to date, numbers are written as each language writes them (English
exactly as before), Russian plural forms, and the settings and catalogue problems a person can make."""

from __future__ import annotations

import math
import re
import subprocess
import sys

import pytest
from babel.messages.pofile import read_po
from hypothesis import given
from hypothesis import strategies as st

from helpers import ANALYSIS, ROOT, compiled_russian, problems_of, shipped_config
from tnr_pipeline.model import registry
from tnr_pipeline.model.settings import Scope, SettingsError
from tnr_pipeline.render import i18n
from tnr_pipeline.render.i18n import Language, describe_scope

ENGLISH = Language("en")
CATALOGUES = [lang for lang in shipped_config()["languages"] if lang != registry.SOURCE_LANGUAGE]
PLACEHOLDER = re.compile(r"%\((\w+)\)s|\{(\w+)\}")


def read_catalogue(path):
    with open(path, "rb") as handle:
        return read_po(handle)


@pytest.fixture(scope="module")
def extracted(tmp_path_factory):
    """The messages of the code and templates as `make messages` extracts them now."""
    from babel.messages.frontend import CommandLineInterface

    pot = tmp_path_factory.mktemp("pot") / "messages.pot"
    argv = ["pybabel", "-q", "extract", "-F", "babel.cfg", "-k", "N_", "--no-location", "--sort-output"]
    argv += ["--omit-header", "-o", str(pot), "."]
    import os

    here = os.getcwd()
    os.chdir(ROOT)
    try:
        CommandLineInterface().run(argv)
    finally:
        os.chdir(here)
    return read_catalogue(pot)


def _ids(catalogue) -> set:
    return {(m.context, m.id if isinstance(m.id, str) else tuple(m.id)) for m in catalogue if m.id}


def test_the_committed_template_holds_every_message_of_the_code_and_templates(extracted):
    committed = read_catalogue(ROOT / registry.CATALOGUES / "messages.pot")
    assert _ids(extracted) == _ids(committed), "run `make messages` and translate what is new"


@pytest.mark.parametrize("language", CATALOGUES)
def test_every_message_has_a_translation_in_every_catalogue(extracted, language):
    path = ROOT / registry.catalogue(language)
    assert i18n.catalogue_problems(path) == []
    assert _ids(read_catalogue(path)) == _ids(extracted)


@pytest.mark.parametrize("language", CATALOGUES)
def test_translations_fill_in_only_the_placeholders_the_message_has(language):
    problems = []
    for message in read_catalogue(ROOT / registry.catalogue(language)):
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        allowed = {name for text in ids for pair in PLACEHOLDER.findall(text) for name in pair if name}
        for text in strings:
            extra = {name for pair in PLACEHOLDER.findall(text) for name in pair if name} - allowed
            if extra:
                problems.append((ids[0], sorted(extra)))
    assert problems == []


@given(st.floats(min_value=-1e9, max_value=1e9, allow_nan=False), st.integers(min_value=0, max_value=3))
def test_english_numbers_are_written_exactly_as_before(value, digits):
    assert ENGLISH.number(value, digits) == f"{value:,.{digits}f}"


@given(st.floats(min_value=0, max_value=1), st.integers(min_value=0, max_value=2))
def test_english_percentages_are_written_exactly_as_before(value, digits):
    assert ENGLISH.percent(value, digits) == f"{value:.{digits}%}"


@given(st.floats(min_value=0, max_value=1e6, allow_nan=False), st.integers(min_value=0, max_value=3))
def test_russian_numbers_round_as_english_ones_and_use_the_decimal_comma(value, digits):
    russian = Language("ru")
    written = russian.number(value, digits)
    assert written.replace("\u00a0", "").replace(",", ".") == f"{value:.{digits}f}"


def test_numbers_levels_and_dates_in_russian():
    import datetime

    russian = Language("ru")
    assert russian.number(8.1839, 2) == "8,18"
    assert russian.number(900000, 0) == "900\u00a0000"
    assert russian.percent(0.325, 1) == "32,5\u00a0%"
    assert russian.level(0.95) == "95\u00a0%" and russian.level(0.975) == "97,5\u00a0%"
    assert ENGLISH.level(0.95) == "95%" and ENGLISH.level(0.975) == "97.5%"
    assert ENGLISH.general(0.0213) == "0.021" and russian.general(0.0213) == "0,021"
    assert ENGLISH.general(2.1e-27) == "2.1 × 10⁻²⁷" and ENGLISH.general(1.2e8) == "1.2 × 10⁸"
    assert compiled_russian().general(2.1e-27) == "2,1·10⁻²⁷" and compiled_russian().general(7.5e-10) == "7,5·10⁻¹⁰"
    assert compiled_russian().decimals("observed 2.143e-27 of 0.05") == "observed 2,143·10⁻²⁷ of 0,05"
    assert russian.decimals("0.28..0.3334") == "0,28–0,3334" and russian.decimals("ITA ROU") == "ITA ROU"
    assert ENGLISH.decimals("3.5..8.5") == "3.5–8.5" and ENGLISH.decimals("year=2022..2024") == "year=2022–2024"
    assert ENGLISH.percent_range(0.2014, 0.48, 1) == "20.1%–48.0%" and ENGLISH.percent_range(0, 1) == "0%–100%"
    assert compiled_russian().percent_range(0.2014, 0.48, 1) == "20,1–48,0\u00a0%"
    assert compiled_russian().percent_range(0.00049, 0.9996, 1) == "0,0–100,0\u00a0%"  # rounded as percent() rounds
    assert russian.date(datetime.date(2024, 3, 5)) == "5 марта 2024\u202fг."
    assert ENGLISH.number(math.inf, 2) == "∞" and ENGLISH.number(math.nan) == "n/a"


@pytest.mark.parametrize(
    "n, expected",
    [(1, "1 случай"), (2, "2 случая"), (5, "5 случаев"), (11, "11 случаев"), (21, "21 случай"), (22, "22 случая")],
)
def test_russian_plural_forms(n, expected):
    russian = compiled_russian()
    assert russian.ngettext("{n} case", "{n} cases", n).format(n=n) == expected


def test_countries_and_reference_labels_in_russian(monkeypatch):
    monkeypatch.setattr(i18n, "_COUNTRY_NAMES", {})  # read pycountry's translations afresh, not from the cache
    russian = compiled_russian()
    assert russian.country_name("GEO", "Georgia") == "Грузия"
    assert russian.country_name("XXX", "Atlantis") == "Atlantis"  # no translation: the English name
    assert ENGLISH.country_name("GEO", "Georgia") == "Georgia"
    row = {"label": "Denial of Entry", "label_ru": "Отказ во въезде"}
    assert russian.label(row) == "Отказ во въезде" and ENGLISH.label(row) == "Denial of Entry"
    assert russian.label({"label": "Only English", "label_ru": ""}) == "Only English"


def test_scopes_are_described_from_their_definition_never_lower_cased():
    labels = {"denial_of_entry": "Denial of Entry", "rendition": "Rendition"}
    assert describe_scope(Scope("all", "All cases"), ENGLISH, labels) == "all cases"
    without = Scope("x", "X", exclude_tactics=("denial_of_entry",))
    assert describe_scope(without, ENGLISH, labels) == "excluding Denial of Entry"
    russian = compiled_russian()
    ru_labels = {"denial_of_entry": "Отказ во въезде", "rendition": "Принудительное возвращение"}
    assert describe_scope(without, russian, ru_labels) == "без категории «Отказ во въезде»"
    two = Scope("y", "Y", exclude_tactics=("denial_of_entry", "rendition"), fh_counted_only=True)
    assert describe_scope(two, russian, ru_labels) == (
        "только методы, которые учитывает Freedom House, без категорий «Отказ во въезде» и «Принудительное возвращение»"
    )
    assert describe_scope(two, ENGLISH, labels) == (
        "only the tactics Freedom House counts, excluding Denial of Entry and Rendition"
    )


def test_an_untranslated_or_fuzzy_message_is_named_with_its_line(tmp_path):
    po = tmp_path / "messages.po"
    text = (ROOT / registry.catalogue("ru")).read_text(encoding="utf-8")
    text = text.replace('msgstr "Главное"', 'msgstr ""', 1)
    text = text.replace('msgid "Headline"', 'msgid "Headline"', 1)
    text = text.replace(
        '#, python-format\nmsgid "Rows in the case table', '#, fuzzy, python-format\nmsgid "Rows in the case table'
    )
    po.write_text(text, encoding="utf-8")
    problems = i18n.catalogue_problems(po)
    assert any("'Headline' has no translation" in p and ", line " in p for p in problems), problems
    assert any("is marked fuzzy" in p and "Rows in the case table" in p for p in problems), problems
    result = subprocess.run(
        [sys.executable, "-m", "tnr_pipeline.cli", "check-translations", "--catalogue", str(po)],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "has no translation: write it in msgstr" in result.stderr
    with pytest.raises(SettingsError) as raised:  # the figure and document steps refuse it the same way
        i18n.load_language("ru", po)
    assert raised.value.problems == problems
    good = subprocess.run(
        [
            sys.executable,
            "-m",
            "tnr_pipeline.cli",
            "check-translations",
            "--catalogue",
            str(ROOT / registry.catalogue("ru")),
        ],
        capture_output=True,
        text=True,
    )
    assert good.returncode == 0 and "translates every message" in good.stdout


def test_the_catalogue_compiles_to_the_same_translations_on_every_load():
    first = i18n.load_language("ru", ROOT / registry.catalogue("ru")).translations
    second = i18n.load_language("ru", ROOT / registry.catalogue("ru")).translations
    assert first._catalog == second._catalog and len(first._catalog) > 300
    assert first.gettext("Headline") == "Главное" and first.plural(5) == 2


PERIODS = shipped_config()["periods"]
SCOPES = shipped_config()["scopes"]


@pytest.mark.parametrize(
    "changes, expected",
    [
        ({"languages": ["en", "de"]}, "languages: 'de' has no translation catalogue"),
        ({"languages": ["ru"]}, "languages: ['ru'] leaves out 'en'"),
        (
            {"periods": {**PERIODS, "pre_war": {**PERIODS["pre_war"], "label_ru": ""}}},
            "periods.pre_war: no label_ru, its name in the 'ru' edition",
        ),
        (
            {"scopes": {**SCOPES, "all": {"label": "All cases"}}},
            "scopes.all: no label_ru, its name in the 'ru' edition",
        ),
        (
            {"periods": {**PERIODS, "pre_war": {**PERIODS["pre_war"], "label": "Pre-war (2014–2021)"}}},
            "periods.pre_war.label: 'Pre-war (2014–2021)' repeats the period's years",
        ),
        ({"languages": "ru"}, "languages: 'ru' is not of type 'array'"),
    ],
)
def test_language_settings_a_person_can_get_wrong(monkeypatch, changes, expected):
    problems = problems_of(monkeypatch, **changes)
    assert any(expected in problem for problem in problems), problems


def test_english_only_needs_no_russian_labels(monkeypatch):
    periods = {name: {k: v for k, v in p.items() if k != "label_ru"} for name, p in PERIODS.items()}
    assert problems_of(monkeypatch, languages=["en"], periods=periods) == []


def test_loading_a_language_needs_its_catalogue_unless_it_is_english():
    english = i18n.load_language("en")
    assert english.code == "en" and english.gettext("Headline") == "Headline"
    assert i18n.load_language("en", None).code == "en"
    with pytest.raises(ValueError, match="language 'ru' needs its catalogue"):
        i18n.load_language("ru")
    assert compiled_russian().gettext("Headline") == "Главное"


def test_missing_and_infinite_values_are_written_as_such_in_every_format():
    russian = Language("ru")
    for lang in (ENGLISH, russian):
        assert lang.percent(None) == lang.number(None) == lang.percent(math.nan) == "n/a"
        assert lang.percent(math.inf) == "∞" and lang.number(-math.inf) == "−∞"
    assert ENGLISH.percent(0.5) == "50%" and russian.percent(0.5, 1) == "50,0\u00a0%"


def test_a_plural_message_short_of_the_language_forms_is_named(tmp_path):
    po = tmp_path / "messages.po"
    po.write_text(
        'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n'
        '"Plural-Forms: nplurals=3; plural=(n%10==1 && n%100!=11 ? 0 : n%10>=2 && n%10<=4 && (n%100<10 || '
        'n%100>=20) ? 1 : 2);\\n"\n\n'
        'msgid "{n} case"\nmsgid_plural "{n} cases"\nmsgstr[0] "{n} случай"\nmsgstr[1] "{n} случая"\n\n'
        'msgid "Headline"\nmsgstr "Главное"\n',
        encoding="utf-8",
    )
    problems = i18n.catalogue_problems(po)
    # babel gives the message the language's three forms, the missing one empty
    assert problems == [f"{po}, line 6: '{{n}} case' has no translation: write it in msgstr"], problems


@pytest.mark.parametrize(
    "ratio, english, russian",
    [
        (8.0, "8-fold", "в 8 раз"),
        (7.0, "7-fold", "в 7 раз"),
        (2.0, "2-fold", "в 2 раза"),
        (21.0, "21-fold", "в 21 раз"),
        (1.6, "1.6-fold", "в 1,6 раза"),
        (8.18, "8.2-fold", "в 8,2 раза"),
        (4.96, "5-fold", "в 5 раз"),  # written as a whole number, so it takes a whole number's form
    ],
)
def test_a_fold_takes_the_plural_form_of_the_number_as_written(ratio, english, russian):
    from tnr_pipeline.render.layout import fold

    assert fold(ratio, ENGLISH) == english
    assert fold(ratio, compiled_russian()) == russian


def test_rendition_is_named_as_an_abduction_not_a_return_in_russian():
    from tnr_pipeline.model.reference import Reference

    typology = Reference().typology.set_index("code")
    assert typology.at["rendition", "label_ru"] == "Похищение и незаконный вывоз"
    assert typology.at["rendition", "freedom_house_category_ru"] == "Похищение и незаконный вывоз"
    shown = typology.drop(columns=["aliases_ru"])  # a former label stays readable in a sheet, never shown
    assert not any("Принудительное возвращение" in str(v) for v in shown.to_numpy().ravel())


def test_counts_take_their_plural_in_each_language():
    russian = compiled_russian()
    assert [ENGLISH.cases(n) for n in (0, 1, 2)] == ["0 cases", "1 case", "2 cases"]
    assert [ENGLISH.years(n) for n in (1, 8)] == ["1 year", "8 years"]
    assert [russian.cases(n) for n in (1, 3, 5)] == ["1 случай", "3 случая", "5 случаев"]
    assert [russian.years(n) for n in (1, 3, 8)] == ["1 год", "3 года", "8 лет"]


def test_a_percent_range_with_a_missing_or_infinite_end_shows_each_end_as_it_is():
    assert ENGLISH.percent_range(math.nan, 0.5, 1) == "n/a–50.0%"
    assert ENGLISH.percent_range(0.25, math.nan, 1) == "25.0%–n/a"
    assert ENGLISH.percent_range(0.125, math.inf, 2) == "12.50%–∞"
    assert compiled_russian().percent_range(math.nan, 0.5, 1) == "н/д–50,0\u00a0%"


def test_an_unfinished_catalogue_is_refused_naming_the_catalogue_and_each_message(tmp_path):
    po = tmp_path / "messages.po"
    po.write_text(
        'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n'
        '"Plural-Forms: nplurals=3; plural=(n%10==1 && n%100!=11 ? 0 : n%10>=2 && n%10<=4 && (n%100<10 || '
        'n%100>=20) ? 1 : 2);\\n"\n\n'
        'msgid "Headline"\nmsgstr ""\n\n'
        'msgid "{n} case"\nmsgid_plural "{n} cases"\nmsgstr[0] "{n} случай"\nmsgstr[1] ""\nmsgstr[2] "{n} случаев"\n\n'
        '#, fuzzy\nmsgid "Method"\nmsgstr "Метод"\n',
        encoding="utf-8",
    )
    expected = [
        f"{po}, line 6: 'Headline' has no translation: write it in msgstr",
        f"{po}, line 9: '{{n}} case' has no translation: write it in msgstr",
        f"{po}, line 16: 'Method' is marked fuzzy: check the translation and remove the 'fuzzy' flag",
    ]
    assert i18n.catalogue_problems(po) == expected
    with pytest.raises(SettingsError) as raised:
        i18n.load_language("ru", po)
    assert raised.value.problems == expected
    assert str(raised.value).startswith(f"catalogue {po}: 3 problems in the settings.")


# ---- robustness rows in words, countries and scopes without a label: what mutation testing showed untested -------

REFERENCE_ROW = {"baseline_years": 8, "comparison_years": 3, "baseline_cases": 29, "comparison_cases": 89}
RU_QUASI = (
    "Квазипуассоновская модель: параметр избыточной дисперсии — {d} (оценён по 11 годовым числам; использован: {u}); "
    "интервал Вальда в "
    "логарифмической шкале с t-распределением Стьюдента с 9 степенями свободы."
)


def _row(variant: str, **changes) -> dict:
    return {"variant": variant, "ci_low": 1.5, "dispersion": 2.345, **REFERENCE_ROW, **changes}


@pytest.mark.parametrize(
    "row, english, russian_words",
    [
        (
            _row("exact_poisson"),
            "Exact conditional interval, as in the headline.",
            "Точный условный интервал, как в разделе «Главное».",
        ),
        (
            _row("quasi_poisson"),
            "Quasi-Poisson: dispersion 2.35 from 11 yearly counts (used: 2.35); Wald interval on the log scale with "
            "Student's t on 9 degrees of freedom.",
            RU_QUASI.format(d="2,35", u="2,35"),
        ),
        (
            _row("quasi_poisson", dispersion=0.5),  # underdispersion: the dispersion used is 1
            "Quasi-Poisson: dispersion 0.50 from 11 yearly counts (used: 1.00); Wald interval on the log scale with "
            "Student's t on 9 degrees of freedom.",
            RU_QUASI.format(d="0,50", u="1,00"),
        ),
        (
            _row("quasi_poisson", ci_low=math.nan, comparison_cases=0),
            "Quasi-Poisson: no interval: a period has no case, so the log rate ratio has no standard error.",
            "Квазипуассоновская модель: интервала нет — в одном из периодов нет случаев, поэтому у логарифма "
            "отношения частот нет стандартной ошибки.",
        ),
        (
            _row("quasi_poisson", ci_low=math.nan, baseline_cases=0),
            "Quasi-Poisson: no interval: a period has no case, so the log rate ratio has no standard error.",
            "Квазипуассоновская модель: интервала нет — в одном из периодов нет случаев, поэтому у логарифма "
            "отношения частот нет стандартной ошибки.",
        ),
        (
            _row("quasi_poisson", ci_low=math.nan, baseline_years=1, comparison_years=1),
            "Quasi-Poisson: no interval: fewer than three years leave no degrees of freedom for the dispersion.",
            "Квазипуассоновская модель: интервала нет — при менее чем трёх годах для дисперсии не остаётся степеней "
            "свободы.",
        ),
        (
            _row("drop_2014", baseline_years=7, baseline_cases=28),
            "2014 (1 case) left out of Pre-war (2014–2021).",
            "2014 год (1 случай) исключён из периода «Pre-war (2014–2021)».",
        ),
        (
            _row("drop_2023", comparison_years=2, comparison_cases=84),
            "2023 (5 cases) left out of Post-invasion (2022–2024).",
            "2023 год (5 случаев) исключён из периода «Post-invasion (2022–2024)».",
        ),
        (
            _row("drop_2022", comparison_years=0, comparison_cases=0),
            "2022 (89 cases) left out of Post-invasion (2022–2024). No ratio: the period has no other year.",
            "2022 год (89 случаев) исключён из периода «Post-invasion (2022–2024)». Отношение не определено: других "
            "лет в периоде нет.",
        ),
        (
            _row("baseline_from_2016", baseline_years=6),
            "Baseline from 2016 to 2021 (6 years).",
            "Базовый период с 2016 по 2021 год (6 лет).",
        ),
        (
            _row("verified_only", baseline_cases=20, comparison_cases=0),
            "Only cases whose verification is 'verified'.",
            "Только случаи со статусом «подтверждён».",
        ),
        (
            _row("verified_only", baseline_cases=5, comparison_cases=5),  # as many in both: still some
            "Only cases whose verification is 'verified'.",
            "Только случаи со статусом «подтверждён».",
        ),
        (
            _row("verified_only", baseline_cases=0, comparison_cases=0),
            "Only cases whose verification is 'verified' (none is).",
            "Только случаи со статусом «подтверждён» (таких нет).",
        ),
        (_row("a_future_variant", description="As stored."), "As stored.", "As stored."),
    ],
)
def test_every_robustness_variant_is_described_whole_in_each_language(row, english, russian_words, analysis):
    assert i18n.describe_variant(row, REFERENCE_ROW, analysis, ENGLISH) == english
    assert i18n.describe_variant(row, REFERENCE_ROW, analysis, compiled_russian()) == russian_words


def test_a_country_without_an_english_name_given_takes_pycountrys_else_its_code(monkeypatch):
    monkeypatch.setattr(i18n, "_COUNTRY_NAMES", {})  # built here, not taken from an earlier test's cache
    russian = compiled_russian()
    assert ENGLISH.country_name("GEO") == "Georgia" and russian.country_name("GEO") == "Грузия"
    assert ENGLISH.country_name("XXX") == "XXX" and russian.country_name("XXX") == "XXX"
    assert ENGLISH.country_name("MDA") == "Moldova"  # pycountry's common name before its official one


def test_a_scope_excluding_a_tactic_without_a_label_names_its_code():
    without = Scope("x", "X", exclude_tactics=("new_tactic",))
    assert describe_scope(without, ENGLISH, {}) == "excluding new_tactic"


def test_a_language_pycountry_does_not_translate_names_countries_in_english(monkeypatch):
    monkeypatch.setattr(i18n, "_COUNTRY_NAMES", {})
    assert i18n._country_names("tlh")["GEO"] == "Georgia"
    assert i18n._country_names("tlh")["MDA"] == "Moldova"


def test_a_left_out_year_names_its_period_in_the_editions_language():
    import json

    from tnr_pipeline.model.settings import parse_analysis

    titles = {"pre_war": "До войны", "post_invasion": "После вторжения"}
    periods = {name: {**period, "label_ru": titles[name]} for name, period in ANALYSIS["periods"].items()}
    analysis = parse_analysis(json.dumps({**ANALYSIS, "periods": periods}))
    row = _row("drop_2014", baseline_years=7, baseline_cases=28)
    assert i18n.describe_variant(row, REFERENCE_ROW, analysis, compiled_russian()) == (
        "2014 год (1 случай) исключён из периода «До войны (2014–2021)»."
    )


def test_a_number_has_one_decimal_unless_told():
    assert ENGLISH.number(1234.56) == "1,234.6" and ENGLISH.number(1234.56, 2) == "1,234.56"
    assert compiled_russian().number(1234.56) == "1\u00a0234,6"
