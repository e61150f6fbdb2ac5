"""The claims ledger: metric notation, checks, and strict mode."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from tnr_pipeline import claims
from tnr_pipeline.summarise import compute_tables
from test_stats import make_cases


@pytest.fixture()
def tables(periods, scopes, reference):
    cases = make_cases([("GEO", 2022, "denial_of_entry")] * 5 + [("ARM", 2016, "detention")] * 2
                       + [("ARM", 2023, "detention")] * 3 + [("ESP", 2024, "assassination")]
                       + [("KAZ", 2015, "digital_threat")], periods)
    computed = compute_tables(cases, reference, periods, scopes, "pre_war", "post_invasion", 0.95)
    return {"cases": cases, **computed}


@pytest.mark.parametrize("metric, expected", [
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
])
def test_metrics(tables, metric, expected):
    assert claims.measure(metric, tables) == expected


def test_ratio_metric_reads_period_ratios(tables):
    # 3 cases in 8 years vs 9 in 3 years -> 8
    assert claims.measure("ratio scope=all", tables) == pytest.approx(8.0)


@pytest.mark.parametrize("check, observed, expected, result", [
    ("equals", 118, "118", True), ("equals", 117, "118", False),
    ("at_least", 43, "43", True), ("at_least", 42, "43", False),
    ("at_most", 3, "4", True),
    ("rounds_to", 8.18, "8", True), ("rounds_to", 7.5, "8", True), ("rounds_to", 8.5, "8", False),
    ("rounds_to", math.inf, "8", False),
    ("between", 0.31, "0.28..0.34", True), ("between", 0.4, "0.28..0.34", False),
    ("includes_all", ["ESP", "ITA", "ROU", "FRA"], "ITA ROU ESP", True),
    ("includes_all", ["ESP", "ITA"], "ITA ROU ESP", False),
    ("equals_set", ["ARM", "GEO", "KAZ"], "GEO ARM KAZ", True),
    ("equals_set", ["ARM", "GEO", "KGZ"], "GEO ARM KAZ", False),
])
def test_checks(check, observed, expected, result):
    assert claims.holds(check, observed, expected) is result


def test_unknown_metric_and_check_are_errors(tables):
    with pytest.raises(ValueError, match="unknown metric"):
        claims.measure("n_victims", tables)
    with pytest.raises(ValueError, match="unknown filter"):
        claims.measure("n_cases colour=red", tables)
    with pytest.raises(ValueError, match="unknown check"):
        claims.holds("roughly", 1, "1")


def _claims_file(tmp_path, rows):
    path = tmp_path / "claims.csv"
    pd.DataFrame(rows, columns=["claim_id", "section", "claim", "metric", "check", "expected"]).to_csv(path,
                                                                                                     index=False)
    return path


def _write_tables(tmp_path, tables):
    from tnr_pipeline import io

    paths = {}
    for name in ("period_summary", "period_ratios", "country_summary"):
        paths[name] = tmp_path / f"{name}.parquet"
        io.write_parquet(tables[name], name, paths[name], io.provenance({"raw.csv": "0" * 64}, {}))
    cases = tables["cases"].assign(date=pd.NaT, eu_member=False).astype({"date": "datetime64[s]"})
    paths["cases"] = tmp_path / "cases.parquet"
    io.write_parquet(cases, "cases", paths["cases"], io.provenance({"raw.csv": "0" * 64}, {}))
    return {k: str(v) for k, v in paths.items()}


def test_false_claim_is_reported_not_fatal(tmp_path, tables):
    path = _claims_file(tmp_path, [["a", "F1", "Twelve cases.", "n_cases", "equals", "12"],
                                   ["b", "F1", "A hundred cases.", "n_cases", "at_least", "100"]])
    result = claims.run(str(path), _write_tables(tmp_path, tables), str(tmp_path / "claims.parquet"), False, {})
    assert result["holds"].tolist() == [True, False]
    assert result["observed"].tolist() == ["12", "12"]
    assert (tmp_path / "claims.parquet").exists()


def test_strict_mode_fails_and_names_the_claim(tmp_path, tables):
    path = _claims_file(tmp_path, [["a", "F1", "Twelve cases.", "n_cases", "equals", "12"],
                                   ["hundred", "F1", "A hundred cases.", "n_cases", "at_least", "100"]])
    with pytest.raises(claims.ClaimsFailed, match="hundred: A hundred cases"):
        claims.run(str(path), _write_tables(tmp_path, tables), str(tmp_path / "claims.parquet"), True, {})
    assert not (tmp_path / "claims.parquet").exists()


def test_shipped_claims_file_is_well_formed(reference):
    shipped = claims.read_claims(str(reference.directory / "claims.csv"))
    assert shipped["claim_id"].is_unique
    assert set(shipped["check"]) <= set(claims.CHECKS)
    assert (shipped["claim"].str.len() > 10).all()
