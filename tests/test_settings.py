"""The settings contract: every bad setting named by key and value, roles by name, the confidence level carried into
every label, and the Snakemake workarounds kept out of the Snakefile."""

from __future__ import annotations

import json
import re

import pytest
import yaml

from helpers import ANALYSIS, ROOT, SCHEMA, TYPOLOGY, problems_of, shipped_config
from tnr_pipeline.model.settings import (
    SettingsError,
    parse_analysis,
    read_tactic_codes,
)


def test_the_shipped_config_has_no_problem(monkeypatch):
    assert problems_of(monkeypatch) == []


PERIODS = shipped_config()["periods"]


@pytest.mark.parametrize(
    "changes, expected",
    [
        (
            {"periods": {**PERIODS, "later": {"label": "L", "first_year": 2024, "last_year": 2026}}},
            "periods.post_invasion (2022–2024) and periods.later (2024–2026) overlap",
        ),
        (
            {"periods": {**PERIODS, "pre_war": {"label": "P", "first_year": 2021, "last_year": 2014}}},
            "periods.pre_war: first_year 2021 is after last_year 2014",
        ),
        ({"comparison": "pre_war"}, "baseline and comparison are both 'pre_war'"),
        ({"baseline": "prewar"}, "baseline: 'prewar' is not one of the periods (pre_war, post_invasion)"),
        (
            {"scopes": {"all": {"label": "All"}, "x": {"exclude_tactics": ["denial_of_entrys"]}}},
            "scopes.x.exclude_tactics: 'denial_of_entrys' is not a tactic of the typology",
        ),
        (
            {"scope_roles": {"headline": "all", "without_denial_of_entry": "nope", "freedom_house": "all"}},
            "scope_roles.without_denial_of_entry: 'nope' is not one of the scopes",
        ),
        ({"confidence_level": 1.5}, "confidence_level: 1.5 is greater than or equal to the maximum of 1"),
        ({"confidence_level": 0}, "confidence_level: 0 is less than or equal to the minimum of 0"),
        ({"first_year": 2020, "last_year": 2010}, "last_year: 2010 is before first_year 2020"),
        ({"raw_cases": "no/such/file.csv"}, "raw_cases: 'no/such/file.csv' does not exist"),
        ({"claims": "data"}, "claims: 'data' is a folder, not a file"),
        ({"colour": "red"}, "config: unknown setting(s) colour"),
        (
            {"periods": {"a": {"first_year": "2014", "last_year": 2021}, "b": {"first_year": 2022, "last_year": 2024}}},
            "periods.a.first_year: '2014' is not of type 'integer'",
        ),
    ],
)
def test_each_bad_setting_is_named_with_its_value(monkeypatch, changes, expected):
    assert any(expected in problem for problem in problems_of(monkeypatch, **changes)), problems_of(
        monkeypatch, **changes
    )


def test_every_problem_comes_at_once(monkeypatch):
    problems = problems_of(monkeypatch, confidence_level=2, comparison="pre_war", raw_survey="missing.csv")
    assert len(problems) == 3


def test_analysis_settings_are_checked_by_each_step():
    with pytest.raises(SettingsError) as raised:
        parse_analysis({**ANALYSIS, "baseline": "post_invasion", "confidence_level": 1.0}, read_tactic_codes(TYPOLOGY))
    assert "baseline and comparison are both 'post_invasion'" in str(raised.value)
    assert "confidence_level: 1.0 is not a number strictly between 0 and 1" in str(raised.value)
    with pytest.raises(SettingsError, match="not JSON"):
        parse_analysis("{periods:")


def test_periods_are_chronological_and_roles_independent_of_order():
    reordered = {
        **ANALYSIS,
        "periods": dict(reversed(list(ANALYSIS["periods"].items()))),
        "scopes": dict(reversed(list(ANALYSIS["scopes"].items()))),
    }
    analysis, again = parse_analysis(ANALYSIS), parse_analysis(reordered)
    assert analysis.periods == again.periods and analysis.scopes_to_show == again.scopes_to_show
    assert again.role("headline").name == "all" and again.baseline.name == "pre_war"


@pytest.mark.parametrize(
    "level, label", [(0.95, "95%"), (0.9, "90%"), (0.975, "97.5%"), (0.8, "80%"), (0.999, "99.9%")]
)
def test_level_labels_are_built_from_the_level(level, label):
    from tnr_pipeline.render.i18n import Language

    assert Language("en").level(level) == label


# ---- the workflow ------------------------------------------------------------------------------------------------


def test_config_schema_documents_every_key():
    for key, spec in SCHEMA["properties"].items():
        assert spec.get("description"), key
        assert "default" in spec, key
    shipped = yaml.safe_load((ROOT / "config.yaml").read_text(encoding="utf-8"))
    assert set(shipped) == set(SCHEMA["properties"])
    text = (ROOT / "config.yaml").read_text(encoding="utf-8")
    for key in shipped:  # a comment just above every key (or above the key it is paired with)
        assert re.search(rf"#[^\n]*\n(#[^\n]*\n|\w+: [^\n]*\n)*{key}:", text), key
    assert json.dumps(shipped["scope_roles"]) == json.dumps(ANALYSIS["scope_roles"])
