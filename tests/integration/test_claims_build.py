"""The claims ledger in a build: `snakemake --config claims=FILE` checks a ledger written in the notation against
values counted here by hand, and a ledger that cannot be checked stops the build naming its row."""

from __future__ import annotations

import shutil

import pandas as pd
import pytest

from helpers import (
    CLAIMS_FILE_COLUMNS,
    SHIPPED,
    SMALL_SHEET,
    copy_project,
    fisher,
    run_snakemake,
    statsmodels_trend,
    write_csv,
)

pytestmark = pytest.mark.integration


def test_a_claims_file_in_the_notation_on_another_sheet_gives_independent_values(tmp_path):
    """`snakemake --config claims=FILE raw_cases=SHEET`: every case metric and filter on the small sheet, observed
    values against a count made here from the sheet's rows by hand."""

    workdir = copy_project(tmp_path / "project")
    sheet = write_csv(SMALL_SHEET, tmp_path / "sheet.csv")
    # the sheet, coded by hand: (country, year, tactic, profile, verification); EU: POL, ESP (GBR only until 2019)
    rows = [
        ("KAZ", 2015, "detention", "activist", "verified"),
        ("KAZ", 2019, "extradition_request", "journalist", "single_source"),
        ("KAZ", 2021, "detention", "lawyer", "unverified"),
        ("GEO", 2022, "denial_of_entry", "activist", "verified"),
        ("GEO", 2022, "denial_of_entry", "human_rights_defender", "verified"),
        ("GEO", 2023, "denial_of_entry", "politician", "single_source"),
        ("ARM", 2022, "detention", "deserter", "verified"),
        ("ARM", 2024, "detention", "other", "verified"),
        ("POL", 2024, "unlawful_deportation", "unknown", "verified"),
        ("ESP", 2024, "assassination", "politician", "verified"),
        ("TUR", 2023, "coercion_by_proxy", "journalist", "unverified"),
        ("GBR", 2018, "assault", "activist", "verified"),
    ]
    post = [r for r in rows if r[1] >= 2022]
    pre = [r for r in rows if 2014 <= r[1] <= 2021]
    eu = lambda r: r[0] in ("POL", "ESP") or (r[0] == "GBR" and r[1] <= 2019)  # noqa: E731
    yearly = [sum(1 for r in rows if r[1] == y) for y in range(2014, 2025)]
    a, c = sum(1 for r in pre if eu(r)), sum(1 for r in post if eu(r))
    expected = {
        "n_all": ("n_cases year=2014..2024", str(len(rows))),
        "n_eu_post": ("n_cases eu_member=true period=post_invasion", str(sum(1 for r in post if eu(r)))),
        "n_near_abroad": (
            "n_cases region_group=near_abroad",
            str(sum(1 for r in rows if r[0] in ("KAZ", "GEO", "ARM"))),
        ),
        "n_profiles": (
            "n_cases target_profile=activist,politician",
            str(sum(1 for r in rows if r[3] in ("activist", "politician"))),
        ),
        "n_family": (
            "n_cases tactic_family=co_opting_host_states",
            str(sum(1 for r in rows if r[2] in ("detention", "unlawful_deportation", "extradition_request"))),
        ),
        "n_fh": (
            "n_cases fh_counted=true scope=all",
            str(sum(1 for r in rows if r[2] in ("detention", "unlawful_deportation", "assassination", "assault"))),
        ),
        "n_without_doe": (
            "n_cases scope=excluding_denial_of_entry host_country=GEO,KAZ",
            str(sum(1 for r in rows if r[0] in ("GEO", "KAZ") and r[2] != "denial_of_entry")),
        ),
        "n_countries": ("n_host_countries verification=verified", str(len({r[0] for r in rows if r[4] == "verified"}))),
        "countries": ("host_countries tactic=detention", " ".join(sorted({r[0] for r in rows if r[2] == "detention"}))),
        "top": ("top_countries n=1 period=post_invasion", "GEO"),
        "new": ("new_countries", " ".join(sorted({r[0] for r in post} - {r[0] for r in rows if r[1] < 2022}))),
        "share": ("share tactic=denial_of_entry among period=post_invasion", f"{3 / len(post):.4g}"),
        "rank": ("rank host_country=ARM among period=post_invasion", "2"),
        "ratio": ("rate_ratio region_group=near_abroad", f"{(5 / 3) / (3 / 8):.4g}"),
        "change": ("share_change_p eu_member=true among", f"{fisher(a, len(pre) - a, c, len(post) - c):.4g}"),
        "trend": ("trend year=2014..2024", f"{statsmodels_trend(yearly)[0]:.4g}"),
        "trend_p": ("trend_p year=2014..2024", f"{statsmodels_trend(yearly)[1]:.4g}"),
    }
    codes = ("host_countries", "top_countries", "new_countries")  # checked against a set of codes, the rest a number

    def row(claim_id, metric):
        check, threshold = ("includes_all", "KAZ") if metric.split()[0] in codes else ("at_least", "0.001")
        return [claim_id, "F", f"Sentence {claim_id}.", metric, check, threshold, "pipeline", "a test row", ""]

    ledger = pd.DataFrame([row(cid, metric) for cid, (metric, _) in expected.items()], columns=CLAIMS_FILE_COLUMNS)
    ledger.to_csv(tmp_path / "claims.csv", index=False)
    claims_table = "data/processed/claims.parquet"  # the claims step and what it reads; no figure is needed
    result = run_snakemake(workdir, claims_table, "--config", f"claims={tmp_path / 'claims.csv'}", f"raw_cases={sheet}")
    assert result.returncode == 0, result.stdout + result.stderr[-4000:]
    written = pd.read_parquet(workdir / claims_table).set_index("claim_id")
    assert {cid: written.at[cid, "observed"] for cid in expected} == {
        cid: value for cid, (_, value) in expected.items()
    }
    assert set(written.columns) >= {"source", "reading", "why"}


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
