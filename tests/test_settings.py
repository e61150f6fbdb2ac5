"""The settings contract (tnr_pipeline.model.settings and config.schema.yaml): each bad setting gives exactly the
message a person acts on, written out whole here (a test that looks for a phrase lets the rest of the message rot),
each check at its boundary, every bad setting of the shipped config named by key and value at once, roles by name,
the confidence level carried into every label, and every key documented in the schema. Builds with settings are in
integration/test_settings_build.py; the Snakemake workarounds in test_snakemake_patches.py."""

from __future__ import annotations

import json
import re

import pandas as pd
import pytest
import yaml

from helpers import ANALYSIS, ROOT, SCHEMA, TYPOLOGY, problems_of, shipped_config
from tnr_pipeline.model import settings
from tnr_pipeline.model.settings import (
    Period,
    Scope,
    SettingsError,
    assign_period,
    baseline_start_problems,
    config_problems,
    in_scope,
    language_problems,
    level_problems,
    parse_analysis,
    parse_periods,
    parse_scopes,
    period_problems,
    read_tactic_codes,
    role_problems,
    scope_problems,
)

TACTICS = ["a", "b"]
PRE = {"label": "Pre", "first_year": 2014, "last_year": 2021}
POST = {"label": "Post", "first_year": 2022, "last_year": 2024}


@pytest.mark.parametrize(
    "spec, baseline, comparison, expected",
    [
        ({}, None, None, ["periods: {} is not a list of named periods (name: {label, first_year, last_year})"]),
        ([1], None, None, ["periods: [1] is not a list of named periods (name: {label, first_year, last_year})"]),
        ({"p": 3}, None, None, ["periods.p: 3 is not a period (label, first_year, last_year)"]),
        (
            {"p": {"first_year": "2014", "last_year": True}},
            None,
            None,
            [
                "periods.p.first_year: '2014' is not a year written in digits",
                "periods.p.last_year: True is not a year written in digits",
            ],
        ),
        (
            {"p": {"first_year": 2021, "last_year": 2014}},
            None,
            None,
            [
                "periods.p: first_year 2021 is after last_year 2014; a period runs from its first year to its last, "
                "both included"
            ],
        ),
        ({"p": {"first_year": 2014, "last_year": 2014}}, None, None, []),  # one year: first == last is a period
        (
            {"p": {"label": "Pre (2014–2021)", "label_ru": "До (2014 - 2021)", "first_year": 2014, "last_year": 2021}},
            None,
            None,
            [
                "periods.p.label: 'Pre (2014–2021)' repeats the period's years, which figures and documents add from "
                "first_year and last_year. Write the name only, e.g. 'Pre'",
                "periods.p.label_ru: 'До (2014 - 2021)' repeats the period's years, which figures and documents add "
                "from first_year and last_year. Write the name only, e.g. 'До'",
            ],
        ),
        (
            {"p": {"label": "Pre 2014-2021", "first_year": 2014, "last_year": 2021}},
            None,
            None,
            [
                "periods.p.label: 'Pre 2014-2021' repeats the period's years, which figures and documents add from "
                "first_year and last_year. Write the name only, e.g. 'Pre 2014-2021'"
            ],
        ),
        ({"p": {"title": "2014–2021", "first_year": 2014, "last_year": 2021}}, None, None, []),  # not a label key
        (
            {"b": {"first_year": 2021, "last_year": 2024}, "a": PRE, "c": {"first_year": 2025, "last_year": 2026}},
            None,
            None,
            [
                "periods.a (2014–2021) and periods.b (2021–2024) overlap: a year may belong to one period only",
            ],
        ),
        ({"a": PRE, "b": POST}, "a", "b", []),  # 2021 then 2022: adjacent, no overlap
        (
            {"a": PRE, "b": POST},
            "x",
            "y",
            ["baseline: 'x' is not one of the periods (a, b)", "comparison: 'y' is not one of the periods (a, b)"],
        ),
        (
            {"a": PRE, "b": POST},
            "a",
            "a",
            ["baseline and comparison are both 'a': compare two different periods"],
        ),
    ],
)
def test_period_problems_are_named_whole(spec, baseline, comparison, expected):
    assert period_problems(spec, baseline, comparison) == expected


@pytest.mark.parametrize(
    "spec, codes, expected",
    [
        ({}, TACTICS, ["scopes: {} is not a list of named scopes (name: {label, exclude_tactics, fh_counted_only})"]),
        ("x", TACTICS, ["scopes: 'x' is not a list of named scopes (name: {label, exclude_tactics, fh_counted_only})"]),
        ({"s": 1}, TACTICS, ["scopes.s: 1 is not a scope (label, exclude_tactics, fh_counted_only)"]),
        ({"s": {"exclude_tactics": "a"}}, TACTICS, ["scopes.s.exclude_tactics: 'a' is not a list of tactic codes"]),
        (
            {"s": {"exclude_tactics": ["c", "d"]}},
            TACTICS,
            [
                "scopes.s.exclude_tactics: 'c' is not a tactic of the typology. Allowed: a, b",
                "scopes.s.exclude_tactics: 'd' is not a tactic of the typology. Allowed: a, b",
            ],
        ),
        (
            {"s": {"exclude_tactics": ["a", "b"]}},
            TACTICS,
            ["scopes.s.exclude_tactics: excludes every tactic, so the scope could hold no case"],
        ),
        ({"s": {"exclude_tactics": ["a"]}}, TACTICS, []),  # one tactic short of every tactic: fine
        ({"s": {"exclude_tactics": ["a", "b", "zz"]}}, None, []),  # no typology given: codes are not checked
        ({"s": {}}, TACTICS, []),
    ],
)
def test_scope_problems_are_named_whole(spec, codes, expected):
    assert scope_problems(spec, codes) == expected


def test_role_problems_are_named_whole():
    scopes = ["all", "x"]
    assert role_problems(["all"], scopes) == [
        "scope_roles: ['all'] is not a mapping of role to scope name (headline, without_denial_of_entry, "
        "freedom_house, like_for_like)"
    ]
    assert role_problems({"headline": "all", "extra": "x", "freedom_house": "nope"}, scopes) == [
        "scope_roles.without_denial_of_entry: missing. Name the scope that leaves Denial of Entry out (the report's "
        "'fourfold'), one of the scopes (all, x)",
        "scope_roles.extra: not a role. Allowed: headline, without_denial_of_entry, freedom_house, like_for_like",
        "scope_roles.freedom_house: 'nope' is not one of the scopes (all, x)",
    ]
    assert role_problems({"headline": "all", "without_denial_of_entry": "x", "freedom_house": "all"}, scopes) == []
    # like_for_like is optional; named, it names a scope
    assert role_problems(
        {"headline": "all", "without_denial_of_entry": "x", "freedom_house": "all", "like_for_like": "nope"}, scopes
    ) == ["scope_roles.like_for_like: 'nope' is not one of the scopes (all, x)"]


@pytest.mark.parametrize(
    "starts, expected",
    [
        ("2016", ["baseline_starts: '2016' is not a list of years"]),
        ([2016, "2018"], ["baseline_starts: [2016, '2018'] is not a list of years"]),
        ([True], ["baseline_starts: [True] is not a list of years"]),
        ([2015, 2021], []),  # the first later start and the baseline's last year are both allowed
        (
            [2014, 2022, 2013],
            [
                f"baseline_starts: {year} is not a later start of the baseline pre (2014–2021). Allowed: a year from "
                "2015 to 2021"
                for year in (2014, 2022, 2013)
            ],
        ),
        ([], []),
    ],
)
def test_baseline_starts_are_checked_at_both_ends(starts, expected):
    assert baseline_start_problems(starts, {"pre": PRE, "post": POST}, "pre") == expected


def test_baseline_starts_leave_a_bad_period_to_the_period_check():
    assert baseline_start_problems([2016], {"pre": {"first_year": "x", "last_year": 2021}}, "pre") == []
    assert baseline_start_problems([2016], {"pre": PRE}, "nope") == []
    assert baseline_start_problems([2016], "periods", "pre") == []


def test_language_problems_are_named_whole(monkeypatch):
    monkeypatch.chdir(ROOT)
    periods = {"pre": {**PRE, "label_ru": "До"}, "post": POST}
    scopes = {"all": {"label": "All", "label_ru": "Все"}, "x": {"label": "X", "label_ru": ""}}
    assert language_problems("en", periods, scopes) == [
        "languages: 'en' is not a list of language codes (e.g. [en, ru])"
    ]
    assert language_problems(["en", 3], periods, scopes) == [
        "languages: ['en', 3] is not a list of language codes (e.g. [en, ru])"
    ]
    assert language_problems(["ru", "fr"], periods, scopes) == [
        "languages: ['ru', 'fr'] leaves out 'en', the language the pipeline is written in; its outputs are always "
        "built. Write e.g. [en, ru]",
        "periods.post: no label_ru, its name in the 'ru' edition. Add one, or remove 'ru' from languages",
        "scopes.x: no label_ru, its name in the 'ru' edition. Add one, or remove 'ru' from languages",
        "languages: 'fr' has no translation catalogue (src/tnr_pipeline/locale/fr/LC_MESSAGES/messages.po). "
        "Languages with one: en, ru",
    ]
    assert language_problems(["en"], periods, scopes) == []  # English needs no label_ru
    assert language_problems(["en", "ru"], {"pre": {**PRE, "label_ru": "До"}}, "scopes") == []


@pytest.mark.parametrize("level", [0.5, 1e-9, 0.999999, 1 - 1e-12])
def test_a_level_strictly_between_0_and_1_is_fine(level):
    assert level_problems(level) == []


@pytest.mark.parametrize("level", [0, 1, 1.0, -0.1, 95, True, "0.95", None])
def test_a_level_at_or_past_its_bounds_or_not_a_number_is_refused(level):
    assert level_problems(level) == [
        f"confidence_level: {level!r} is not a number strictly between 0 and 1 (e.g. 0.95)"
    ]


def test_the_settings_error_counts_its_problems_and_lists_each():
    one = SettingsError(["a is wrong"], "config.yaml")
    assert (
        str(one)
        == "config.yaml: 1 problem in the settings. Nothing was built; fix these and run again.\n  - a is wrong"
    )
    two = SettingsError(["a", "b"])
    assert str(two) == "config: 2 problems in the settings. Nothing was built; fix these and run again.\n  - a\n  - b"
    assert two.problems == ["a", "b"]


def test_settings_that_are_not_json_or_miss_keys_are_refused_whole():
    with pytest.raises(SettingsError) as raised:
        parse_analysis("{periods:")
    assert raised.value.problems == [
        "the settings given are not JSON (Expecting property name enclosed in double quotes at character 1)"
    ]
    with pytest.raises(SettingsError) as raised:
        parse_analysis({"periods": {}, "scopes": {}})
    assert raised.value.problems == [
        "baseline: missing",
        "comparison: missing",
        "scope_roles: missing",
        "confidence_level: missing",
    ]
    with pytest.raises(SettingsError) as raised:
        parse_analysis({**ANALYSIS, "baseline_starts": [2030]})
    assert raised.value.problems == [
        "baseline_starts: 2030 is not a later start of the baseline pre_war (2014–2021). Allowed: a year from 2015 "
        "to 2021"
    ]
    with pytest.raises(SettingsError) as raised:
        parse_analysis({**ANALYSIS, "scopes": "all", "baseline_starts": [2030]})
    assert raised.value.problems[0].startswith("scopes: 'all' is not a list of named scopes")
    assert all("baseline_starts" not in problem for problem in raised.value.problems)  # only when all else is fine
    with pytest.raises(SettingsError) as raised:
        parse_periods({"a": {"first_year": 2, "last_year": 1}})
    assert raised.value.problems[0].startswith("periods.a: first_year 2 is after last_year 1")
    with pytest.raises(SettingsError) as raised:
        parse_scopes({"s": {"exclude_tactics": ["z"]}}, ["a"])
    assert raised.value.problems == ["scopes.s.exclude_tactics: 'z' is not a tactic of the typology. Allowed: a"]


def test_parsed_settings_carry_every_value():
    analysis = parse_analysis({**ANALYSIS, "baseline_starts": [2016, 2018]})
    assert [p.name for p in analysis.periods] == ["pre_war", "post_invasion"]
    assert analysis.baseline.name == "pre_war" and analysis.comparison.name == "post_invasion"
    assert analysis.baseline_starts == (2016, 2018) and analysis.confidence_level == ANALYSIS["confidence_level"]
    assert isinstance(analysis.confidence_level, float)
    without = {key: value for key, value in ANALYSIS.items() if key != "baseline_starts"}
    assert parse_analysis(without).baseline_starts == ()
    scopes = parse_scopes({"s": {"exclude_tactics": ["a"], "fh_counted_only": 1, "label_ru": "С"}, "t": {}})
    assert scopes == [Scope("s", "s", ("a",), True, (("ru", "С"),)), Scope("t", "t", (), False, ())]
    periods = parse_periods({"later": {**POST, "label_ru": "После", "label_uk": "Після"}, "earlier": {**PRE}})
    assert periods == [
        Period("earlier", "Pre", 2014, 2021, ()),
        Period("later", "Post", 2022, 2024, (("ru", "После"), ("uk", "Після"))),
    ]
    assert parse_periods({"p": {"first_year": 2020, "last_year": 2020}})[0].title == "p"  # no label: its name


def test_a_period_and_a_scope_speak_each_language():
    period = Period("post", "Post", 2022, 2024, (("ru", "После"),))
    assert (period.years, period.span, period.label) == (3, "2022–2024", "Post (2022–2024)")
    assert period.title_in("ru") == "После" and period.title_in("fr") == "Post"
    assert period.label_in("ru") == "После (2022–2024)" and period.label_in("en") == "Post (2022–2024)"
    one = Period("y", "Year", 2022, 2022)
    assert (one.years, one.span, one.label) == (1, "2022", "Year (2022)")
    scope = Scope("s", "All", labels=(("ru", "Все"),))
    assert scope.label_in("ru") == "Все" and scope.label_in("de") == "All"


def test_the_scopes_shown_put_the_roles_first_and_the_rest_by_name():
    spec = {
        **ANALYSIS,
        "scopes": {"zeta": {}, "all": {}, "alpha": {}, "no_doe": {"exclude_tactics": ["denial_of_entry"]}},
        "scope_roles": {"headline": "all", "without_denial_of_entry": "no_doe", "freedom_house": "all"},
    }
    analysis = parse_analysis(spec)
    assert [s.name for s in analysis.scopes] == ["zeta", "all", "alpha", "no_doe"]  # config order
    assert [s.name for s in analysis.scopes_to_show] == ["all", "no_doe", "alpha", "zeta"]
    assert analysis.role("without_denial_of_entry").exclude_tactics == ("denial_of_entry",)


def test_a_typology_that_cannot_be_read_is_named(tmp_path):
    broken = tmp_path / "typology.csv"
    broken.write_text("name\nx\n", encoding="utf-8")
    with pytest.raises(SettingsError) as raised:
        read_tactic_codes(broken)
    assert raised.value.problems == [f"typology {str(broken)!r} cannot be read as the typology CSV ('code')"]
    assert read_tactic_codes(TYPOLOGY)[:2] == ["assassination", "assault"]
    with pytest.raises(SettingsError, match="cannot be read as the typology CSV"):
        read_tactic_codes(tmp_path / "missing.csv")


def test_each_year_falls_in_its_period_at_both_ends():
    periods = [Period("pre", "Pre", 2014, 2021), Period("post", "Post", 2022, 2024)]
    years = pd.Series([2013, 2014, 2021, 2022, 2024, 2025], index=[5, 4, 3, 2, 1, 0])
    assigned = assign_period(years, periods)
    assert assigned.tolist()[1:5] == ["pre", "pre", "post", "post"]
    assert assigned.isna().tolist() == [True, False, False, False, False, True]
    assert assigned.index.tolist() == [5, 4, 3, 2, 1, 0]


def test_a_scope_keeps_what_its_filter_says():
    cases = pd.DataFrame({"tactic": ["a", "b", "c"], "fh_counted": [True, False, True]})
    assert in_scope(cases, Scope("s", "S")).tolist() == [True, True, True]
    assert in_scope(cases, Scope("s", "S", ("b",))).tolist() == [True, False, True]
    assert in_scope(cases, Scope("s", "S", ("a",), True)).tolist() == [False, False, True]


def _config(**changes) -> dict:
    config = yaml.safe_load((ROOT / "config.yaml").read_text(encoding="utf-8"))
    config.update(changes)
    return config


@pytest.mark.parametrize("spelling", ["null", "None", "none", ""])
def test_every_spelling_of_null_on_the_command_line_is_null(monkeypatch, spelling):
    monkeypatch.chdir(ROOT)
    config = _config(last_year=spelling, raw_cases_sheet=spelling, input_descriptions=spelling)
    assert config_problems(config, SCHEMA, TYPOLOGY) == []
    assert config["last_year"] is None and config["raw_cases_sheet"] is None and config["input_descriptions"] is None


def test_null_is_only_read_where_the_setting_may_be_null(monkeypatch):
    monkeypatch.chdir(ROOT)
    config = _config(baseline="null")
    problems = config_problems(config, SCHEMA, TYPOLOGY)
    assert config["baseline"] == "null"
    assert problems == ["baseline: 'null' is not one of the periods (pre_war, post_invasion)"]


def test_schema_problems_name_the_key_the_allowed_keys_and_the_settings_meaning(monkeypatch):
    monkeypatch.chdir(ROOT)
    allowed = ", ".join(SCHEMA["properties"])
    problems = config_problems(_config(colour="red", zebra=1, confidence_level="high"), SCHEMA, TYPOLOGY)
    described = SCHEMA["properties"]["confidence_level"]["description"].rstrip(".")
    assert problems == [
        f"config: unknown setting(s) colour, zebra. Allowed: {allowed}",
        f"confidence_level: 'high' is not of type 'number' ({described})",
    ]
    periods = _config()["periods"]
    problems = config_problems(
        _config(periods={**periods, "pre_war": {**periods["pre_war"], "colour": 1}}), SCHEMA, TYPOLOGY
    )
    # label_ru is allowed (a pattern of the schema), so it is never named as unknown
    assert problems == [
        "periods.pre_war: unknown setting(s) colour. Allowed: label, first_year, last_year, label_<language>"
    ]


def test_schema_problems_come_in_the_order_of_their_keys(monkeypatch):
    monkeypatch.chdir(ROOT)
    problems = config_problems(_config(first_year="x", confidence_level="y", baseline=3), SCHEMA, TYPOLOGY)
    assert [problem.split(":")[0] for problem in problems] == ["baseline", "confidence_level", "first_year"]


def test_a_setting_checked_by_the_schema_is_not_checked_again(monkeypatch):
    """A check of how settings fit together runs only when the keys it reads have the right shape, so one mistake
    gives one message."""
    monkeypatch.chdir(ROOT)
    assert len(config_problems(_config(periods="x"), SCHEMA, TYPOLOGY)) == 1
    assert len(config_problems(_config(scopes="x"), SCHEMA, TYPOLOGY)) == 1
    assert len(config_problems(_config(languages="x"), SCHEMA, TYPOLOGY)) == 1
    assert len(config_problems(_config(baseline_starts="x"), SCHEMA, TYPOLOGY)) == 1
    assert len(config_problems(_config(first_year="x", last_year=2000), SCHEMA, TYPOLOGY)) == 1
    assert len(config_problems(_config(raw_cases=3), SCHEMA, TYPOLOGY)) == 1


def test_the_last_year_may_equal_the_first_and_a_missing_one_is_filled_with_its_default(monkeypatch):
    monkeypatch.chdir(ROOT)
    config = _config(first_year=2014, last_year=2014)
    assert config_problems(config, SCHEMA, TYPOLOGY) == []
    assert config_problems(_config(first_year=2015, last_year=2014), SCHEMA, TYPOLOGY) == [
        "last_year: 2014 is before first_year 2015"
    ]
    config = _config()
    del config["strict_claims"]
    assert config_problems(config, SCHEMA, TYPOLOGY) == []
    assert config["strict_claims"] == SCHEMA["properties"]["strict_claims"]["default"]


def test_an_input_that_is_missing_or_a_folder_is_named_with_what_to_write(monkeypatch):
    monkeypatch.chdir(ROOT)
    problems = config_problems(_config(raw_cases="no/such.csv", raw_survey="data"), SCHEMA, TYPOLOGY)
    how = "Give the path of the file, relative to the project folder or absolute"
    assert problems == [
        f"raw_cases: 'no/such.csv' does not exist. {how}",
        f"raw_survey: 'data' is a folder, not a file. {how}",
    ]


def test_check_config_prints_every_problem_and_stops(monkeypatch, capsys):
    monkeypatch.chdir(ROOT)
    schema = ROOT / "config.schema.yaml"
    settings.check_config(_config(), schema, TYPOLOGY)  # a good config: nothing printed, nothing raised
    assert capsys.readouterr().err == ""
    with pytest.raises(SystemExit) as raised:
        settings.check_config(_config(confidence_level=2, baseline="x"), schema, TYPOLOGY)
    assert raised.value.code == 1
    err = capsys.readouterr().err
    assert err.startswith("config.yaml (and --config): 2 problems in the settings. Nothing was built")
    assert "  - baseline: 'x' is not one of the periods" in err and "  - confidence_level: 2 is greater" in err


@pytest.mark.parametrize(
    "key, value",
    [
        ("periods", "x"),
        ("baseline", 3),
        ("comparison", 3),
        ("scopes", "x"),
        ("scope_roles", "x"),
        ("baseline_starts", "x"),
        ("languages", "x"),
        ("first_year", "x"),
        ("last_year", "x"),
    ],
)
def test_a_setting_of_the_wrong_shape_gives_one_message_naming_it(monkeypatch, key, value):
    """The checks of how settings fit together wait until the keys they read have the right shape."""
    monkeypatch.chdir(ROOT)
    problems = config_problems(_config(**{key: value}), SCHEMA, TYPOLOGY)
    described = SCHEMA["properties"][key]["description"].rstrip(".")
    assert len(problems) == 1 and problems[0].startswith(f"{key}: {value!r} is not of type"), problems
    assert problems[0].endswith(f" ({described})")


def test_a_nested_setting_of_the_wrong_shape_is_named_by_its_path_with_its_settings_meaning(monkeypatch):
    monkeypatch.chdir(ROOT)
    periods = _config()["periods"]
    problems = config_problems(
        _config(periods={**periods, "pre_war": {**periods["pre_war"], "first_year": "2014"}}), SCHEMA, TYPOLOGY
    )
    described = SCHEMA["properties"]["periods"]["description"].rstrip(".")
    assert problems == [f"periods.pre_war.first_year: '2014' is not of type 'integer' ({described})"]


def test_every_bad_period_and_scope_is_named_not_only_the_first():
    spec = {"a": 3, "b": {"first_year": "x", "last_year": 2021}, "c": {"first_year": 2022, "last_year": 2020}}
    spec["d"] = {"label": "D (2030–2031)", "first_year": 2030, "last_year": 2031}
    assert [problem.split(":")[0] for problem in period_problems(spec)] == [
        "periods.a",
        "periods.b.first_year",
        "periods.c",
        "periods.d.label",
    ]
    scopes = {
        "a": 1,
        "b": {"exclude_tactics": "x"},
        "c": {"exclude_tactics": ["zz"]},
        "d": {"exclude_tactics": TACTICS},
    }
    assert [problem.split(":")[0] for problem in scope_problems(scopes, TACTICS)] == [
        "scopes.a",
        "scopes.b.exclude_tactics",
        "scopes.c.exclude_tactics",
        "scopes.d.exclude_tactics",
    ]


def test_every_language_without_labels_is_named(monkeypatch):
    monkeypatch.chdir(ROOT)
    problems = language_problems(["en", "xx", "ru"], {"p": {"label": "P"}}, {"s": {"label": "S"}})
    assert [problem.split(":")[0] for problem in problems] == ["languages", "periods.p", "scopes.s"]


def test_the_analysis_checks_excluded_tactics_against_the_typology_and_names_the_scopes():
    with pytest.raises(SettingsError) as raised:
        parse_analysis(
            {**ANALYSIS, "scopes": {**ANALYSIS["scopes"], "x": {"exclude_tactics": ["zz"]}}},
            read_tactic_codes(TYPOLOGY),
        )
    assert raised.value.problems == [
        "scopes.x.exclude_tactics: 'zz' is not a tactic of the typology. Allowed: "
        + ", ".join(read_tactic_codes(TYPOLOGY))
    ]
    with pytest.raises(SettingsError) as raised:
        parse_analysis({**ANALYSIS, "scopes": "all"})
    assert raised.value.problems == [
        "scopes: 'all' is not a list of named scopes (name: {label, exclude_tactics, fh_counted_only})",
        "scope_roles.headline: 'all' is not one of the scopes ()",
        "scope_roles.without_denial_of_entry: 'excluding_denial_of_entry' is not one of the scopes ()",
        "scope_roles.freedom_house: 'freedom_house_physical' is not one of the scopes ()",
        "scope_roles.like_for_like: 'like_for_like' is not one of the scopes ()",
    ]
    assert parse_scopes({"s": {"label": "Named"}})[0].label == "Named"


def test_a_key_pattern_of_the_schema_is_written_as_a_person_writes_the_key():
    assert settings._pattern_words("^label_[a-z]{2,3}$") == "label_<language>"
    assert settings._pattern_words("^x_[0-9]+$") == "^x_[0-9]+$"


def test_a_baseline_start_outside_the_baseline_is_named_in_the_whole_config(monkeypatch):
    monkeypatch.chdir(ROOT)
    assert config_problems(_config(baseline_starts=[2016, 2030]), SCHEMA, TYPOLOGY) == [
        "baseline_starts: 2030 is not a later start of the baseline pre_war (2014–2021). Allowed: a year from 2015 "
        "to 2021"
    ]


def test_every_input_file_is_checked_after_one_of_the_wrong_shape(monkeypatch):
    monkeypatch.chdir(ROOT)
    problems = config_problems(_config(raw_cases=3, claims="missing.csv"), SCHEMA, TYPOLOGY)
    assert [problem.split(":")[0] for problem in problems] == ["raw_cases", "claims"]
    assert problems[1].startswith("claims: 'missing.csv' does not exist.")


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
