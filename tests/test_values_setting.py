"""Config `values`: a team's own words for the codes of a coded column. Checked like the other settings (each bad
key and value named with what is allowed), passed to the steps as JSON, and read like the reference's labels."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
import yaml

from helpers import PERIODS_JSON, ROOT
from tnr_pipeline import cli
from tnr_pipeline.model.settings import SettingsError, config_problems, parse_values, value_problems

SCHEMA = yaml.safe_load((ROOT / "config.schema.yaml").read_text(encoding="utf-8"))
REFERENCE_DIR = ROOT / "src" / "tnr_pipeline" / "reference"
TYPOLOGY = REFERENCE_DIR / "typology.csv"
FIXTURES = Path(__file__).parent / "data"
TACTIC_CODES = (
    "assassination, assault, rendition, detention, unlawful_deportation, extradition_request, digital_threat, "
    "coercion_by_proxy, denial_of_entry, denial_of_services"
)
OWN_WORDS = {
    "tactic": {"Погранотказ": "denial_of_entry"},
    "host_country": {"Тбилиси": "GEO"},
    "verification": {"Двойная проверка": "verified"},
}


def _config(**changes) -> dict:
    config = yaml.safe_load((ROOT / "config.yaml").read_text(encoding="utf-8"))
    config.update(changes)
    return config


def test_the_default_is_no_words_of_ones_own(monkeypatch):
    monkeypatch.chdir(ROOT)
    config = _config()
    del config["values"]
    assert config_problems(config, SCHEMA, TYPOLOGY) == []
    assert config["values"] == {"cases": {}, "survey": {}}
    assert SCHEMA["properties"]["values"]["default"] == {"cases": {}, "survey": {}}


def test_good_words_of_ones_own_are_fine(monkeypatch):
    monkeypatch.chdir(ROOT)
    values = {
        "cases": {**OWN_WORDS, "target_profile": {"Блогер": "journalist"}, "host_country": {"Косова": "XKX"}},
        "survey": {"tactics_experienced": {"Погранотказ": "denial_of_entry"}, "country_of_residence": {"Ер": "ARM"}},
    }
    assert config_problems(_config(values=values), SCHEMA, TYPOLOGY) == []


def test_an_unknown_column_and_an_unknown_code_are_named_with_what_is_allowed(monkeypatch):
    monkeypatch.chdir(ROOT)
    values = {
        "cases": {
            "tactik": {"Погранотказ": "denial_of_entry"},
            "tactic": {"Погранотказ": "denial_of_entri", "Задержание в аэропорту": "detention"},
            "host_country": {"Тбилиси": "GE"},
        },
        "survey": {"host_country": {"Тбилиси": "GEO"}},
    }
    assert config_problems(_config(values=values), SCHEMA, TYPOLOGY) == [
        "values.cases.tactik: not a coded column of the cases sheet. Allowed: host_country, tactic, target_profile, "
        "verification",
        "values.cases.tactic: 'Погранотказ' is mapped to 'denial_of_entri', which is not a code of typology.csv. "
        f"Allowed: {TACTIC_CODES}",
        "values.cases.host_country: 'Тбилиси' is mapped to 'GE', which is not an ISO 3166-1 alpha-3 code. Allowed: "
        "a country's ISO 3166-1 alpha-3 code in capitals, such as GEO",
        "values.survey.host_country: not a coded column of the survey sheet. Allowed: country_of_residence, "
        "tactics_experienced",
    ]


def test_a_sheet_that_is_not_one_is_named_by_the_schema(monkeypatch):
    monkeypatch.chdir(ROOT)
    problems = config_problems(_config(values={"cases": {}, "survey": {}, "claims": {}}), SCHEMA, TYPOLOGY)
    assert problems == ["values: unknown setting(s) claims. Allowed: cases, survey"]


def test_an_empty_word_is_refused():
    assert value_problems({"cases": {"tactic": {" ": "detention"}}}, REFERENCE_DIR) == [
        "values.cases.tactic: ' ' is not a word (an empty word matches nothing)"
    ]


def test_a_step_refuses_bad_words_of_ones_own_naming_them():
    with pytest.raises(SettingsError) as raised:
        parse_values(json.dumps({"verification": {"Двойная проверка": "double"}}), "cases", REFERENCE_DIR)
    assert raised.value.problems == [
        "values.cases.verification: 'Двойная проверка' is mapped to 'double', which is not a code of "
        "verification.csv. Allowed: verified, single_source, unverified"
    ]


def validate_cases(tmp_path: Path, raw: Path, values: dict) -> int:
    return cli.main(
        [
            "validate-cases",
            "--origin-country",
            "RUS",
            "--input",
            str(raw),
            "--output",
            str(tmp_path / "cases.parquet"),
            "--problems",
            str(tmp_path / "problems.txt"),
            "--reference-dir",
            str(REFERENCE_DIR),
            "--periods",
            PERIODS_JSON,
            "--first-year",
            "1991",
            "--last-year",
            "2026",
            "--values",
            json.dumps(values, ensure_ascii=False),
        ]
    )


def test_a_sheet_in_a_teams_own_words_is_read_with_its_mapping(tmp_path):
    """tests/data/cases_own_words.csv: W-01 and W-03 say «Двойная проверка» for verified, W-01 «Тбилиси» for Georgia,
    W-01 and W-02 «Погранотказ» (any case, spaces around) for denial_of_entry; the rest are known words."""
    assert validate_cases(tmp_path, FIXTURES / "cases_own_words.csv", OWN_WORDS) == 0
    cases = pd.read_parquet(tmp_path / "cases.parquet")
    assert cases["case_id"].tolist() == ["W-01", "W-02", "W-03"]
    assert cases["tactic"].tolist() == ["denial_of_entry", "denial_of_entry", "detention"]
    assert cases["host_country"].tolist() == ["GEO", "GEO", "KAZ"]
    assert cases["verification"].tolist() == ["verified", "verified", "verified"]
    assert cases["target_profile"].tolist() == ["activist", "activist", "activist"]


def test_the_mapping_is_recorded_in_the_provenance_only_when_given(tmp_path):
    import pyarrow.parquet as pq

    assert validate_cases(tmp_path, FIXTURES / "cases_own_words.csv", OWN_WORDS) == 0
    meta = json.loads(pq.read_schema(tmp_path / "cases.parquet").metadata[b"tnr_pipeline"])
    assert meta["config"]["values"] == OWN_WORDS
    assert validate_cases(tmp_path, FIXTURES / "cases_former_labels.csv", {}) == 0
    meta = json.loads(pq.read_schema(tmp_path / "cases.parquet").metadata[b"tnr_pipeline"])
    assert "values" not in meta["config"]


def test_without_the_mapping_the_teams_words_are_refused_one_line_a_word(tmp_path, capsys):
    assert validate_cases(tmp_path, FIXTURES / "cases_own_words.csv", {}) == 1
    stderr = capsys.readouterr().err
    problems = (tmp_path / "problems.txt").read_text(encoding="utf-8")
    assert stderr == problems
    assert problems == (
        "cases_own_words.csv: 5 problems found. Nothing was written; fix these and run again.\n"
        '  - row 2, column "host_country": "Тбилиси" is not a country name or code that is recognised. Allowed: a '
        "country name in English or Russian, or an ISO alpha-2 or alpha-3 code.\n"
        '  - row 2, column "tactic": "Погранотказ" is not a tactic of the typology. Allowed: assassination '
        "(Assassination), assault (Assault), rendition (Rendition), detention (Detention), unlawful_deportation "
        "(Unlawful deportation), extradition_request (Extradition request), digital_threat (Digital threat), "
        "coercion_by_proxy (Coercion by proxy), denial_of_entry (Denial of Entry), denial_of_services (Denial of "
        "Services).\n"
        '  - row 2, column "verification": "Двойная проверка" is not a known verification status. Allowed: '
        "verified (Verified), single_source (Single source), unverified (Unverified).\n"
        '  - row 3, column "tactic": "погранотказ" is not a tactic of the typology. Allowed: as for row 2 above.\n'
        '  - row 4, column "verification": "двойная ПРОВЕРКА" is not a known verification status. Allowed: as for '
        "row 2 above.\n"
    )
    assert not (tmp_path / "cases.parquet").exists()


def test_a_step_given_an_unknown_code_exits_one_naming_it(tmp_path, capsys):
    code = validate_cases(tmp_path, FIXTURES / "cases_own_words.csv", {"tactic": {"Погранотказ": "border"}})
    assert code == 1
    assert capsys.readouterr().err == (
        "tnr-pipeline validate-cases: config: 1 problem in the settings. Nothing was built; fix these and run "
        "again.\n  - values.cases.tactic: 'Погранотказ' is mapped to 'border', which is not a code of typology.csv. "
        f"Allowed: {TACTIC_CODES}\n"
    )


def test_a_questionnaire_in_a_teams_own_words_is_read_with_its_mapping(tmp_path):
    """tests/data/survey_own_words.csv: S-01 lists «Погранотказ; detention», S-02 lives in «Тбилиси»."""
    code = cli.main(
        [
            "summarise-survey",
            "--input",
            str(FIXTURES / "survey_own_words.csv"),
            "--responses",
            str(tmp_path / "responses.parquet"),
            "--summary",
            str(tmp_path / "summary.parquet"),
            "--problems",
            str(tmp_path / "problems.txt"),
            "--reference-dir",
            str(REFERENCE_DIR),
            "--confidence-level",
            "0.95",
            "--values",
            json.dumps(
                {
                    "tactics_experienced": {"Погранотказ": "denial_of_entry"},
                    "country_of_residence": {"Тбилиси": "GEO"},
                },
                ensure_ascii=False,
            ),
        ]
    )
    assert code == 0
    responses = pd.read_parquet(tmp_path / "responses.parquet")
    assert responses["country_of_residence"].tolist() == ["GEO", "GEO"]
    assert responses["tactics_experienced"].tolist() == ["detention;denial_of_entry", ""]  # the typology's order
