"""The findings document: rendered from small in-test tables, escaping, embedding, and what the step imports."""

from __future__ import annotations

import re
import subprocess
import sys

import pandas as pd
import pytest

from helpers import (
    ANALYSIS,
    PERIODS_JSON,
    ROOT,
    SCOPES_JSON,
    SHIPPED,
    compiled_russian,
    fresh_copies,
    make_cases,
    small_context,
    small_survey_summary,
)
from tnr_pipeline.analysis.claims import measures, verdicts
from tnr_pipeline.model import io
from tnr_pipeline.render import context as findings_context
from tnr_pipeline.render import escape, filters, readers, templates
from tnr_pipeline.render import html as report_html
from tnr_pipeline.stages.compute_statistics import statistics_tables

HOSTILE = "<script>alert('x')</script> | *bold* [link](http://example.invalid)"


@pytest.fixture(scope="module")
def computed_tables(periods, scopes, reference, analysis):
    """The small tables, computed once for the module (`tables` gives each test its own copy)."""
    cases = make_cases(
        [("GEO", 2022, "denial_of_entry")] * 4
        + [("ARM", 2017, "detention")] * 2
        + [("ARM", 2023, "detention")] * 3
        + [("ESP", 2024, "assassination")],
        periods,
    )
    cases = cases.assign(
        host_country_name=cases["host_country"].map({"GEO": "Georgia", "ARM": "Armenia", "ESP": "Spain"})
    )
    computed = statistics_tables(cases, reference, analysis)
    ledger = pd.DataFrame(
        [
            ["n", "Finding 1", HOSTILE, "n_cases", "equals", "10", "report", "", ""],
            ["r", "Finding 1", "Eightfold.", "ratio scope=all", "rounds_to", "8", "report", "'eightfold' as 8", ""],
            ["g", "Finding 2", "Georgia first.", "rank host_country=GEO", "equals", "2", "report", "first as 1", ""],
            ["c", "Finding 4", "States cooperated.", "", "not_checkable", "", "report", "", "cooperation is not coded"],
            [
                "v",
                "Executive Summary",
                "Above 1 in every variant.",
                "variant_ratios scope=all",
                "above",
                "1",
                "pipeline",
                "",
                "",
            ],
        ],
        columns=["claim_id", "section", "claim", "metric", "check", "expected", "source", "reading", "why"],
    )
    return {
        "cases": cases,
        **computed,
        "claims": verdicts.check_claims(
            ledger, {"cases": measures.prepare_cases(cases, reference.region_groups), **computed}, analysis
        ),
        "survey_summary": small_survey_summary(reference),
        "context_figures": small_context(),
    }


@pytest.fixture()
def tables(computed_tables):
    return fresh_copies(computed_tables)


@pytest.fixture(scope="module")
def russian():
    return compiled_russian()


def _render(tmp_path, tables, analysis, reference, lang=None):
    """Write the tables as the pipeline does, then render from them exactly as the report step reads them."""
    from tnr_pipeline.model.registry import FIGURES

    (tmp_path / "figures").mkdir()
    png = (ROOT / "tests" / "data" / "pixel.png").read_bytes()
    for name in FIGURES:
        (tmp_path / "figures" / f"{name}.png").write_bytes(png)
    figures = {p.stem: f"../figures/{p.name}" for p in (tmp_path / "figures").glob("*.png")}
    provenance = io.provenance({"data/raw/cases.csv": "ab" * 32}, {"confidence_level": 0.95})
    (tmp_path / "tables").mkdir()
    records = {}
    for name, frame in tables.items():
        path = tmp_path / "tables" / f"{name}.parquet"
        if name == "cases":
            frame = frame.assign(date=pd.NaT, eu_member=False).astype({"date": "datetime64[s]"})
        io.write_parquet(frame, name, path, provenance)
        records[name] = readers.read_records(path)
    cases = readers.describe_cases(tmp_path / "tables" / "cases.parquet")
    typology = readers.read_typology(reference.directory / "typology.csv")
    words = {
        "claims": readers.read_csv_rows(SHIPPED / "claims.csv"),
        "region_groups": readers.read_csv_rows(reference.directory / "region_groups.csv"),
        "recording_reasons": readers.read_recording_reasons(SHIPPED / "recording_reasons.csv"),
    }
    context = findings_context.build_context(
        records, cases, provenance, typology, analysis, "ovd_info_prosecutions", figures, lang, words
    )
    markdown = templates.render_markdown(ROOT / "templates", context, lang)
    (tmp_path / "reports").mkdir()
    body = report_html.markdown_to_html(markdown, tmp_path / "reports")
    html = templates.render_html(ROOT / "templates", body, "t", lang.code if lang else "en")
    return markdown, html


def test_template_renders_numbers_from_the_tables(tmp_path, tables, analysis, reference):
    markdown, _ = _render(tmp_path, tables, analysis, reference)
    ratio = tables["period_ratios"].set_index("scope").loc["all"]
    assert f"{ratio['ratio']:.2f} (95% CI {ratio['ci_low']:.2f}–{ratio['ci_high']:.2f})" in markdown
    assert "from 2 to" not in markdown  # counts are shown as counts, means as means
    assert "Denial of Entry: 4 cases in 2022–2024" in markdown
    assert "Georgia (4), Armenia (3) and Spain (1)" in markdown
    assert "rounds to 8 —" in markdown
    for section in (
        "## Finding 1",
        "## Finding 2",
        "## Finding 3",
        "## Finding 4",
        "## Finding 5",
        "## Claims ledger",
        "## Methodology",
        "## Data dictionary",
        "## Provenance",
    ):
        assert section in markdown
    assert "ab" * 32 in markdown
    assert "1 of 2 (50.0%, Wilson 95% CI" in markdown  # reduced presence: one of the two who answered
    assert "About 900,000 people left Russia" in markdown and "846 cases in 2022" in markdown
    assert '<html lang="en">' in _


def test_russian_edition_writes_russian_numbers_plurals_and_names(tmp_path, tables, analysis, reference, russian):
    markdown, html = _render(tmp_path, tables, analysis, reference, russian)
    ratio = tables["period_ratios"].set_index("scope").loc["all"]
    assert f"{ratio['ratio']:.2f}".replace(".", ",") + " (95\u00a0% ДИ " in markdown  # decimal comma, 95 %
    assert "." not in f"{ratio['ratio']:.2f}".replace(".", ",")
    assert "Около 900\u00a0000 человек покинуло Россию в 2022 году" in markdown  # grouping, unit, the year
    assert "Грузия (4), Армения (3) и Испания (1)" in markdown  # pycountry's Russian names
    assert "На категорию «Отказ во въезде» приходится 4 случая в 2022–2024\u00a0гг." in markdown  # few: случая
    assert not re.search(r"\d гг\.", markdown)
    assert "1 случай" in markdown and "случаев" in markdown
    assert "## Вывод 1" in markdown and "## Реестр утверждений доклада" in markdown
    assert "округляется до 8 — " in markdown
    assert '<html lang="ru">' in html
    assert "<title>t</title>" in html


def test_data_dictionary_lists_every_column_of_every_table(tmp_path, tables, analysis, reference):
    markdown, _ = _render(tmp_path, tables, analysis, reference)
    from tnr_pipeline.model.fields import TABLES, table_fields

    for table in TABLES:
        assert f"### {escape.markdown(table)}" in markdown
        for field in table_fields(table):
            assert escape.markdown(field.description) in markdown


def test_text_from_data_is_escaped(tmp_path, tables, analysis, reference):
    markdown, html = _render(tmp_path, tables, analysis, reference)
    assert "<script>" not in markdown and "<script>" not in html
    assert "&lt;script&gt;" in html
    assert 'href="http://example.invalid"' not in html
    assert "| *bold*" not in markdown


def test_html_embeds_images_and_loads_nothing(tmp_path, tables, analysis, reference):
    _, html = _render(tmp_path, tables, analysis, reference)
    from tnr_pipeline.model.registry import FIGURES

    assert html.count('src="data:image/png;base64,') == len(FIGURES)
    assert "<link" not in html and 'src="http' not in html and "<a " not in html
    assert "default-src 'none'" in html


def test_missing_context_value_fails_loudly(tmp_path, tables, analysis, reference):
    import jinja2

    with pytest.raises(jinja2.UndefinedError):
        templates.render_markdown(ROOT / "templates", {"versions": {}})


def test_report_module_imports_no_pandas_pandera_or_matplotlib():
    code = (
        "import sys; from tnr_pipeline import cli; from tnr_pipeline.render import findings; "
        "from tnr_pipeline.stages import render_findings; "
        "print(sorted(m for m in ('pandas', 'pandera', 'matplotlib', 'scipy') if m in sys.modules))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"


def test_periods_and_scopes_json_match_config():
    import json

    import yaml

    config = yaml.safe_load((ROOT / "config.yaml").read_text())
    assert list(config["periods"]) == list(json.loads(PERIODS_JSON))
    assert list(config["scopes"]) == list(json.loads(SCOPES_JSON))
    assert config["scope_roles"] == ANALYSIS["scope_roles"]


def test_labels_follow_the_confidence_level_of_each_row(russian):
    from tnr_pipeline.render.i18n import Language

    english, russian = filters.Filters(Language("en")), filters.Filters(russian)
    ratio = {"ratio": 8.18, "ci_low": 5.68, "ci_high": 12.01, "confidence_level": 0.9}
    assert english.ratio_interval(ratio) == "8.18 (90% CI 5.68–12.01)"
    assert russian.ratio_interval(ratio) == "8,18 (90\u00a0% ДИ 5,68–12,01)"
    mean = {"annual_mean": 3.6, "annual_mean_ci_low": 2.5, "annual_mean_ci_high": 5.0, "confidence_level": 0.975}
    assert english.mean_interval(mean) == "3.6 a year (97.5% CI 2.5–5.0)"
    assert russian.mean_interval(mean) == "3,6 в год (97,5\u00a0% ДИ 2,5–5,0)"
    share = {"n": 1, "respondents": 2, "share": 0.5, "ci_low": 0.1, "ci_high": 0.9, "confidence_level": 0.8}
    assert english.survey_share(share) == "1 of 2 (50.0%, Wilson 80% CI 10.0%–90.0%)"
    assert russian.survey_share(share) == "1 из 2 (50,0\u00a0%, 80\u00a0% ДИ Уилсона 10,0–90,0\u00a0%)"


def test_the_headline_follows_the_role_not_the_order_of_scopes(tmp_path, tables, reference):
    from tnr_pipeline.model.settings import parse_analysis

    reordered = dict(reversed(list(ANALYSIS["scopes"].items())))
    analysis = parse_analysis({**ANALYSIS, "scopes": reordered})
    markdown, _ = _render(tmp_path, tables, analysis, reference)
    ratio = tables["period_ratios"].set_index("scope").loc["all"]
    assert f"a rate ratio of **{ratio['ratio']:.2f} (95% CI" in markdown
    assert "excluding Denial of Entry, by a factor of" in markdown


def test_words_without_a_translation_are_named_for_the_log(reference, russian):
    from tnr_pipeline.render.i18n import Language

    typology = readers.read_typology(reference.directory / "typology.csv")
    words = {
        "claims": readers.read_csv_rows(SHIPPED / "claims.csv"),
        "region_groups": readers.read_csv_rows(reference.directory / "region_groups.csv"),
    }
    shipped_context = readers.read_csv_rows(SHIPPED / "context_figures.csv")
    assert (
        findings_context.untranslated_words(typology, words, shipped_context, russian) == []
    )  # the shipped data: all of it
    typology[3] = dict(typology[3], family_label_ru="")
    words["claims"][0] = {k: v for k, v in words["claims"][0].items() if k != "claim_ru"}
    found = findings_context.untranslated_words(typology, words, shipped_context, russian)
    assert found == [
        f"typology.csv: {typology[3]['code']}: no family_label_ru (shown in English: {typology[3]['family_label']!r})",
        f"the claims file: {words['claims'][0]['claim_id']}: no claim_ru (shown in English: "
        f"{words['claims'][0]['claim']!r})",
    ]
    assert findings_context.untranslated_words(typology, words, shipped_context, Language("en")) == []


@pytest.mark.parametrize(
    "claim, english, russian",
    [
        (
            {
                "kind": "descriptive",
                "metric": "top_countries n=3",
                "observed": "ARM GEO KAZ",
                "check": "equals_set",
                "expected": "ARM GEO KAZ",
                "verdict": "holds",
            },
            "observed Armenia, Georgia and Kazakhstan, expected is exactly Armenia, Georgia and Kazakhstan: holds",
            "Армения, Грузия и Казахстан",
        ),
        (
            {
                "kind": "descriptive",
                "metric": "rank host_country=POL",
                "observed": "1",
                "check": "at_most",
                "expected": "2",
                "verdict": "holds",
            },
            "ranked 1st, expected 1st or 2nd: holds",
            "1-е место, ожидалось 1-е или 2-е",
        ),
        (
            {
                "kind": "descriptive",
                "metric": "n_cases year=..2013",
                "observed": "0",
                "check": "equals",
                "expected": "0",
                "verdict": "holds",
            },
            "observed none, expected none: holds",
            "наблюдается: ни одного; ожидалось: ни одного",
        ),
        (
            {
                "kind": "inferential",
                "metric": "share eu_member=true among period=post_invasion",
                "estimate": 0.2022,
                "ci_low": 0.132,
                "ci_high": 0.297,
                "confidence_level": 0.95,
                "p_value": None,
                "check": "at_most",
                "expected": "0.25",
                "verdict": "not_established",
            },
            "estimate 20.2% (95% CI 13.2%–29.7%), read as at most 25%: not established",
            "20,2\u00a0%",
        ),
    ],
)
def test_prose_writes_countries_by_name_ranks_as_ordinals_zero_as_none_and_shares_as_percentages(
    claim, english, russian
):
    from tnr_pipeline.render.filters import Filters
    from tnr_pipeline.render.i18n import Language

    assert str(Filters(Language("en")).tested(claim)) == english
    assert russian in str(Filters(compiled_russian()).tested(claim))


def test_a_reading_names_another_row_by_its_number():
    numbers = {"georgia_systematic_2024": 91, "georgia": 3}
    assert findings_context.refer_by_number("(2024: row georgia_systematic_2024)", numbers) == "(2024: row 91)"
    assert findings_context.refer_by_number("Georgia's georgia_x stays", numbers) == "Georgia's georgia_x stays"
    plain = {"accelerated": 5}  # a one-word claim_id is a row only after "row": the same word quoted stays
    reading = "'accelerated significantly' read as in row accelerated (строка accelerated)"
    assert findings_context.refer_by_number(reading, plain) == "'accelerated significantly' read as in row 5 (строка 5)"
