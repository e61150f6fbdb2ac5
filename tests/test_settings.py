"""The settings contract: every bad setting named by key and value, roles by name, the confidence level carried into
every label, and the Snakemake workarounds kept out of the Snakefile."""

from __future__ import annotations

import json
import re
import shutil
import threading
from types import SimpleNamespace

import pytest
import yaml

from helpers import ANALYSIS, ROOT, SCHEMA, SHIPPED, TYPOLOGY, copy_project, problems_of, run_snakemake, shipped_config
from tnr_pipeline.model.settings import (
    SettingsError,
    parse_analysis,
    read_tactic_codes,
)
from tnr_pipeline.workflow import snakemake_patches


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


def test_the_snakefile_is_a_table_of_contents_without_patches():
    text = (ROOT / "Snakefile").read_text(encoding="utf-8")
    for patch in ("threading", "PersistenceBase", "_serialize_param", "Timer", "def "):
        if patch == "def ":
            assert len(re.findall(r"^def ", text, re.M)) <= 1  # `modules`, the one helper
        else:
            assert patch not in text, patch


def test_only_the_rate_limiters_timer_is_cancelled():
    def other():
        pass

    def release():
        pass

    release.__qualname__ = "JobScheduler._schedule_reevalutation.<locals>.<lambda>"
    mine, limiter = threading.Timer(30, other), threading.Timer(30, release)
    mine.start(), limiter.start()
    try:
        assert snakemake_patches.cancel_rate_limiter_timers() == 1
        limiter.join(2)
        assert not limiter.is_alive() and mine.is_alive()
    finally:
        mine.cancel()


def test_the_fingerprint_patch_applies_on_the_installed_snakemake():
    """The speed-up is real only if the patch applies to the Snakemake the project pins: True here, and the params
    are then fingerprinted by the builtin function."""
    from snakemake import persistence

    assert snakemake_patches.fingerprint_params_without_pandas() is True
    patched = persistence.PersistenceBase.__dict__["_serialize_param"]
    builtin = object()
    assert isinstance(patched, property) and patched.fget(SimpleNamespace(_serialize_param_builtin=builtin)) is builtin


def test_freezing_keeps_the_collector_off_what_is_loaded_and_nothing_else():
    """What exists when the Snakefile freezes is never collected (its modules live to the end anyway); garbage made
    after it is collected as before."""
    import gc
    import weakref

    class Cycle:
        def __init__(self):
            self.me = self

    loaded = Cycle()
    try:
        assert snakemake_patches.freeze_loaded_objects() == gc.get_freeze_count() > 0
        made_later = Cycle()
        loaded_alive, later_alive = weakref.ref(loaded), weakref.ref(made_later)
        del loaded, made_later
        gc.collect()
        assert loaded_alive() is not None and later_alive() is None
    finally:
        gc.unfreeze()
    gc.collect()
    assert loaded_alive() is None


def test_patches_apply_only_to_the_snakemake_release_they_were_checked_on(monkeypatch):
    monkeypatch.setattr(snakemake_patches, "_snakemake_version", lambda: (8, 20))
    assert snakemake_patches.fingerprint_params_without_pandas() is False
    monkeypatch.setattr(snakemake_patches, "_snakemake_version", lambda: (10, 0))
    assert snakemake_patches.fingerprint_params_without_pandas() is False


# ---- the workflow ------------------------------------------------------------------------------------------------


def _bad_config(workdir, **changes):
    path = workdir / "bad.yaml"
    path.write_text(yaml.safe_dump(changes), encoding="utf-8")
    return run_snakemake(workdir, "-n", "--configfile", str(path))


@pytest.mark.integration
def test_snakemake_refuses_bad_settings_naming_each_without_traceback(tmp_path):
    workdir = copy_project(tmp_path / "w")
    shutil.copy(SHIPPED / "cases.csv", workdir / "data" / "raw" / "cases.csv")
    result = _bad_config(
        workdir,
        comparison="pre_war",
        confidence_level=1.2,
        scopes={"odd": {"label": "Odd", "exclude_tactics": ["nonsense"]}},
        periods={
            "extra": {"label": "E", "first_year": 2020, "last_year": 2023},
            "reversed": {"label": "R", "first_year": 2030, "last_year": 2026},
        },
    )
    output = result.stdout + result.stderr
    assert result.returncode == 1
    assert "Traceback" not in output and 'File "' not in output
    for expected in (
        "baseline and comparison are both 'pre_war'",
        "confidence_level: 1.2",
        "scopes.odd.exclude_tactics: 'nonsense'",
        "periods.reversed: first_year 2030 is after",
        "overlap",
    ):
        assert expected in output, output
    assert not (workdir / "data" / "processed" / "cases.parquet").exists()


def _document_numbers(workdir) -> str:
    """The findings up to Provenance (which lists the settings as given, in their order)."""
    markdown = (workdir / "reports" / "findings.md").read_text(encoding="utf-8")
    return markdown[: markdown.index("## Provenance")]


@pytest.mark.integration
def test_a_build_at_90_percent_says_90_everywhere_and_reordering_changes_nothing(tmp_path, shipped_build):
    import pandas as pd

    workdir = copy_project(tmp_path / "w")
    shutil.copy(SHIPPED / "cases.csv", workdir / "data" / "raw" / "cases.csv")
    result = run_snakemake(workdir, "--config", "confidence_level=0.9")
    assert result.returncode == 0, result.stdout + result.stderr
    markdown = (workdir / "reports" / "findings.md").read_text(encoding="utf-8")
    html = (workdir / "reports" / "findings.html").read_text(encoding="utf-8")
    assert "95%" not in markdown and "95%" not in html
    assert "8.18 (90% CI" in markdown and "Wilson 90% CI" in markdown and "Rate ratio (90% CI)" in markdown
    for name in ("period_summary", "period_ratios", "survey_summary"):
        assert pd.read_parquet(workdir / "data" / "processed" / f"{name}.parquet")["confidence_level"].eq(0.9).all()
    for svg in (workdir / "figures").glob("*.svg"):
        assert "95%" not in svg.read_text(encoding="utf-8"), svg.name

    config = yaml.safe_load((workdir / "config.yaml").read_text(encoding="utf-8"))
    normal, _ = shipped_build
    config["scopes"] = dict(reversed(list(config["scopes"].items())))
    config["periods"] = dict(reversed(list(config["periods"].items())))
    (workdir / "config.yaml").write_text(yaml.safe_dump(config, allow_unicode=True, sort_keys=False), encoding="utf-8")
    result = run_snakemake(workdir)
    assert result.returncode == 0, result.stdout + result.stderr
    reordered = _document_numbers(workdir)
    assert reordered == _document_numbers(normal)
    assert "a rate ratio of **8.18 (95% CI 5.33–12.91)**" in reordered
    assert "by a factor of 4.23 (95% CI 2.60–6.98)" in reordered
    for figure in ("period_means", "cases_per_year"):
        assert (workdir / "figures" / f"{figure}.svg").read_bytes() == (
            normal / "figures" / f"{figure}.svg"
        ).read_bytes()


@pytest.mark.integration
@pytest.mark.parametrize(
    "row, expected",
    [
        ("typo,F2,x,n_cases tactic=denial_of_entrys,equals,0,report", 'claim "typo"'),
        ("empty,F3,x,new_countries scope=all,includes_all,,report", 'claim "empty"'),
        ("zero,F2,x,n_cases,at_least,0,report", 'claim "zero"'),
        ("extra,M,x,n_cases colour=red,equals,118,report", 'claim "extra"'),
        ("source,M,118 cases,n_cases,equals,118,hearsay", 'claim "source"'),
    ],
)
def test_a_claims_file_that_cannot_be_checked_stops_the_build(tmp_path, row, expected):
    workdir = copy_project(tmp_path / "w")
    shutil.copy(SHIPPED / "cases.csv", workdir / "data" / "raw" / "cases.csv")
    claims = workdir / "my_claims.csv"
    claims.write_text("claim_id,section,claim,metric,check,expected,source\n" + row + "\n", encoding="utf-8")
    # the claims step and what it waits for: the figures, which do not read the claims table, are not needed here
    result = run_snakemake(workdir, "data/processed/claims.parquet", "--config", "claims=my_claims.csv")
    output = result.stdout + result.stderr
    assert result.returncode != 0 and expected in output, output
    assert "Traceback" not in output
    assert not (workdir / "data" / "processed" / "claims.parquet").exists()


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
