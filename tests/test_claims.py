"""The claims ledger: metric notation, checks, and strict mode."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from conftest import ROOT
from test_stats import make_cases
from tnr_pipeline import claims
from tnr_pipeline.problems import InputInvalid
from tnr_pipeline.reference import Reference
from tnr_pipeline.summarise import compute_tables


@pytest.fixture()
def tables(periods, scopes, reference, analysis):
    cases = make_cases(
        [("GEO", 2022, "denial_of_entry")] * 5
        + [("ARM", 2016, "detention")] * 2
        + [("ARM", 2023, "detention")] * 3
        + [("ESP", 2024, "assassination")]
        + [("KAZ", 2015, "digital_threat")],
        periods,
    )
    computed = compute_tables(cases, reference, analysis)
    survey = pd.DataFrame(
        {
            "question": ["reduced_presence", "reduced_presence", "considered_relocating", "considered_relocating"],
            "answer": ["yes", "no", "yes", "no"],
            "n": [3, 7, 2, 6],
            "respondents": [10, 10, 8, 8],
            "share": [0.3, 0.7, 0.25, 0.75],
            "ci_low": [0.1, 0.4, 0.07, 0.4],
            "ci_high": [0.6, 0.9, 0.6, 0.93],
            "confidence_level": [0.95] * 4,
        }
    )
    return {"cases": cases, **computed, "survey_summary": survey}


@pytest.mark.parametrize(
    "metric, expected",
    [
        ("n_cases", 12),
        ("n_cases tactic=denial_of_entry host_country=GEO year=2022", 5),
        ("n_cases year=2022..", 9),
        ("n_cases year=..2021", 3),
        ("n_cases year=2016..2023 host_country=ARM", 5),
        ("n_cases period=pre_war", 3),
        ("n_host_countries", 4),
        ("period_cases scope=all period=post_invasion", 9),
        ("cases_ratio scope=all", 3.0),
        ("new_countries scope=all", ["ESP", "GEO"]),
        ("new_countries scope=excluding_denial_of_entry", ["ESP"]),
        ("top_countries n=2 period=post_invasion scope=all", ["ARM", "GEO"]),
        ("survey_respondents", 10),
        ("survey_respondents question=considered_relocating", 8),
    ],
)
def test_metrics(tables, metric, expected):
    assert claims.measure(metric, tables) == expected


def test_ratio_metric_reads_period_ratios(tables):
    # 3 cases in 8 years vs 9 in 3 years -> 8
    assert claims.measure("ratio scope=all", tables) == pytest.approx(8.0)


@pytest.mark.parametrize(
    "check, observed, expected, result",
    [
        ("equals", 118, "118", True),
        ("equals", 117, "118", False),
        ("at_least", 43, "43", True),
        ("at_least", 42, "43", False),
        ("at_most", 3, "4", True),
        ("rounds_to", 8.18, "8", True),
        ("rounds_to", 7.5, "8", True),
        ("rounds_to", 8.5, "8", False),
        ("rounds_to", math.inf, "8", False),
        ("between", 0.31, "0.28..0.34", True),
        ("between", 0.4, "0.28..0.34", False),
        ("includes_all", ["ESP", "ITA", "ROU", "FRA"], "ITA ROU ESP", True),
        ("includes_all", ["ESP", "ITA"], "ITA ROU ESP", False),
        ("equals_set", ["ARM", "GEO", "KAZ"], "GEO ARM KAZ", True),
        ("equals_set", ["ARM", "GEO", "KGZ"], "GEO ARM KAZ", False),
    ],
)
def test_checks(check, observed, expected, result):
    assert claims.holds(check, observed, expected) is result


def test_unknown_metric_and_check_are_errors(tables):
    with pytest.raises(ValueError, match="unknown metric"):
        claims.measure("n_victims", tables)
    with pytest.raises(ValueError, match="unknown filter"):
        claims.measure("n_cases colour=red", tables)
    with pytest.raises(ValueError, match="unknown check"):
        claims.holds("roughly", 1, "1")


def test_a_tie_at_the_cut_of_top_countries_never_holds(tables):
    # post-invasion, all scopes: GEO 5, ARM 3, ESP 1 -> top 1 is clean, and adding a tie makes top 2 unsettled
    extra = tables["country_summary"].copy()
    extra.loc[(extra["host_country"] == "ESP") & (extra["period"] == "post_invasion"), "cases"] = 3
    ranked = claims.measure("top_countries n=2 period=post_invasion scope=all", {**tables, "country_summary": extra})
    assert list(ranked) == ["GEO"] and ranked.tied == ["ARM", "ESP"]
    assert not claims.holds("equals_set", ranked, "GEO ARM")
    assert not claims.holds("equals_set", ranked, "GEO ESP")
    assert "tie at the cut: ARM ESP with 3 cases each" in claims.format_observed(ranked)


def _claims_file(tmp_path, rows):
    path = tmp_path / "claims.csv"
    pd.DataFrame(rows, columns=["claim_id", "section", "claim", "metric", "check", "expected"]).to_csv(
        path, index=False
    )
    return path


def _write_tables(tmp_path, tables):
    from tnr_pipeline import io

    paths = {}
    for name in ("period_summary", "period_ratios", "country_summary", "survey_summary"):
        paths[name] = tmp_path / f"{name}.parquet"
        io.write_parquet(tables[name], name, paths[name], io.provenance({"raw.csv": "0" * 64}, {}))
    cases = tables["cases"].assign(date=pd.NaT, eu_member=False).astype({"date": "datetime64[s]"})
    paths["cases"] = tmp_path / "cases.parquet"
    io.write_parquet(cases, "cases", paths["cases"], io.provenance({"raw.csv": "0" * 64}, {}))
    return {k: str(v) for k, v in paths.items()}


def _run(path, tmp_path, tables, analysis, strict=False):
    return claims.run(
        str(path),
        _write_tables(tmp_path, tables),
        str(tmp_path / "claims.parquet"),
        str(Reference().directory),
        analysis,
        strict,
        {},
    )


def test_false_claim_is_reported_not_fatal(tmp_path, tables, analysis):
    path = _claims_file(
        tmp_path,
        [
            ["a", "F1", "Twelve cases.", "n_cases", "equals", "12"],
            ["b", "F1", "A hundred cases.", "n_cases", "at_least", "100"],
        ],
    )
    result = _run(path, tmp_path, tables, analysis)
    assert result["holds"].tolist() == [True, False]
    assert result["observed"].tolist() == ["12", "12"]
    assert (tmp_path / "claims.parquet").exists()


def test_strict_mode_fails_and_names_the_claim(tmp_path, tables, analysis):
    path = _claims_file(
        tmp_path,
        [
            ["a", "F1", "Twelve cases.", "n_cases", "equals", "12"],
            ["hundred", "F1", "A hundred cases.", "n_cases", "at_least", "100"],
        ],
    )
    with pytest.raises(claims.ClaimsFailed, match="hundred: A hundred cases"):
        _run(path, tmp_path, tables, analysis, strict=True)
    assert not (tmp_path / "claims.parquet").exists()


def test_shipped_claims_file_is_well_formed():
    shipped = claims.read_claims(ROOT / "data" / "claims.csv")
    assert shipped["claim_id"].is_unique
    assert set(shipped["check"]) <= set(claims.CHECKS)
    assert (shipped["claim"].str.len() > 10).all()


@pytest.mark.parametrize(
    "row, message",
    [
        (
            ["typo", "F2", "No DoE.", "n_cases tactic=denial_of_entrys", "equals", "0"],
            'row 2 (claim "typo"), column "metric": "n_cases tactic=denial_of_entrys": '
            "tactic 'denial_of_entrys' is not known",
        ),
        (
            ["empty", "F3", "New.", "new_countries scope=all", "includes_all", ""],
            'row 2 (claim "empty"), column "expected": expected is empty',
        ),
        (
            ["zero", "F2", "Some.", "n_cases", "at_least", "0"],
            'row 2 (claim "zero"), column "expected": at_least 0 holds for every possible value',
        ),
        (
            ["extra", "M", "40.", "survey_n question=reduced_presence answer=yes scope=all", "equals", "3"],
            "survey_n does not take scope=",
        ),
        (
            ["country", "F1", "Poland.", "n_cases host_country=Poland", "at_least", "5"],
            "host_country 'Poland' is not known",
        ),
        (
            ["period", "F1", "29.", "period_cases scope=all period=prewar", "equals", "29"],
            "period 'prewar' is not known. Allowed: pre_war, post_invasion",
        ),
        (["scope", "F1", "8.", "ratio scope=everything", "rounds_to", "8"], "scope 'everything' is not known"),
        (
            ["answer", "F5", "x.", "survey_share question=reduced_presence answer=maybe", "between", "0.2..0.4"],
            "answer 'maybe' is not known. Allowed: yes, no",
        ),
        (["question", "F5", "x.", "survey_n question=left answer=yes", "equals", "1"], "question 'left' is not known"),
        (["metric", "F1", "x.", "n_victims", "equals", "1"], '"n_victims" is not a metric'),
        (["check", "F1", "x.", "n_cases", "roughly", "1"], '"roughly" is not a check'),
        (["kind", "F1", "x.", "new_countries scope=all", "at_least", "2"], "check at_least does not apply"),
        (["share", "F5", "x.", "survey_share question=reduced_presence answer=yes", "at_most", "1"], "could not fail"),
        (
            ["range", "F5", "x.", "survey_share question=reduced_presence answer=yes", "between", "0.4..0.2"],
            "starts above where it ends",
        ),
        (["year", "F1", "x.", "n_cases year=2024..2022", "at_least", "1"], "starts after it ends"),
        (["code", "F3", "x.", "new_countries scope=all", "includes_all", "ITA Spain"], "'Spain' is not an ISO 3166-1"),
        (["n", "F3", "x.", "top_countries n=0 period=post_invasion scope=all", "equals_set", "GEO"], "n '0' is not"),
    ],
)
def test_a_claim_that_cannot_be_checked_is_refused_with_its_row(tmp_path, tables, analysis, row, message):
    path = _claims_file(tmp_path, [row])
    with pytest.raises(InputInvalid) as raised:
        _run(path, tmp_path, tables, analysis)
    assert message in str(raised.value)
    assert not (tmp_path / "claims.parquet").exists()


def test_every_problem_of_the_claims_file_comes_at_once(tmp_path, tables, analysis):
    path = _claims_file(
        tmp_path,
        [
            ["a", "F", "x.", "n_cases tactic=nope", "equals", "1"],
            ["a", "F", "y.", "ratio scope=all", "at_least", "0"],
            ["", "F", "z.", "n_cases", "equals", "1.5"],
        ],
    )
    with pytest.raises(InputInvalid) as raised:
        _run(path, tmp_path, tables, analysis)
    text = str(raised.value)
    assert "rows 2, 3" in text and "row 2 (claim" in text and "row 3 (claim" in text
    assert 'row 4, column "claim_id": the cell is empty' in text and "not a whole number" in text
