"""The claims ledger in a build: `snakemake --config claims=FILE` checks a ledger written in the notation against
values counted here by hand, and a ledger that cannot be checked stops the build naming its row."""

from __future__ import annotations

import pandas as pd
import pytest

from helpers import (
    CLAIMS_FILE_COLUMNS,
    copy_build,
    fisher,
    run_snakemake,
    statsmodels_trend,
)

pytestmark = pytest.mark.integration


def test_a_claims_file_in_the_notation_on_another_sheet_gives_independent_values(small_build, tmp_path):
    """`snakemake --config claims=FILE raw_cases=SHEET`: every case metric and filter on the small sheet, observed
    values against a count made here from the sheet's rows by hand. Run in a copy of the small sheet's build
    without its claims table, so that only the claims step runs."""

    workdir = copy_build(small_build.workdir, tmp_path / "project")
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

    tests = ("share_change_p", "trend_p")  # read as tests: at_most their level

    def row(claim_id, metric):
        name = metric.split()[0]
        check, threshold = (
            ("includes_all", "KAZ")
            if name in codes
            else ("at_most", "0.05")
            if name in tests
            else ("at_least", "0.001")
        )
        return [claim_id, "F", f"Sentence {claim_id}.", metric, check, threshold, "pipeline", "a test row", ""]

    ledger = pd.DataFrame([row(cid, metric) for cid, (metric, _) in expected.items()], columns=CLAIMS_FILE_COLUMNS)
    ledger.to_csv(tmp_path / "claims.csv", index=False)
    claims_table = "data/processed/claims.parquet"  # the claims step and what it reads; no figure is needed
    (workdir / claims_table).unlink()
    result = run_snakemake(
        workdir, claims_table, "--config", f"claims={tmp_path / 'claims.csv'}", *small_build.settings
    )
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
def test_a_claims_file_that_cannot_be_checked_stops_the_build(shipped_build, tmp_path, row, expected):
    # a copy of the shared build without its claims table: only the claims step runs, on the new ledger
    workdir = copy_build(shipped_build[0], tmp_path / "w")
    (workdir / "data" / "processed" / "claims.parquet").unlink()
    claims = workdir / "my_claims.csv"
    claims.write_text("claim_id,section,claim,metric,check,expected,source\n" + row + "\n", encoding="utf-8")
    result = run_snakemake(workdir, "data/processed/claims.parquet", "--config", "claims=my_claims.csv")
    output = result.stdout + result.stderr
    assert result.returncode != 0 and expected in output, output
    assert "Traceback" not in output
    assert not (workdir / "data" / "processed" / "claims.parquet").exists()


# ---- the verdicts in a build of the shipped data (the shared build) ------------------------------------------------


def _claims(shipped_build) -> pd.DataFrame:
    workdir, _ = shipped_build
    return pd.read_parquet(workdir / "data" / "processed" / "claims.parquet")


def test_every_inferential_verdict_follows_its_interval_and_holm(shipped_build):
    """Over every row of the ledger: Holm as statsmodels adjusts the ledger's p-values, and each verdict as the rules
    give it, written here again from the interval, the adjusted p and the effect."""
    from helpers import holm_by_statsmodels

    claims = _claims(shipped_build)
    tested = claims[claims["p_value"].notna()]
    assert tested["p_adjusted"].tolist() == pytest.approx(holm_by_statsmodels(tested["p_value"].tolist()))
    assert claims.loc[claims["p_value"].isna(), "p_adjusted"].isna().all()
    ranges = {
        "above": lambda e: (float(e), False, float("inf"), True),
        "below": lambda e: (float("-inf"), True, float(e), False),
        "at_least": lambda e: (float(e), True, float("inf"), True),
        "at_most": lambda e: (float("-inf"), True, float(e), True),
        "rounds_to": lambda e: (float(e) - 0.5, True, float(e) + 0.5, False),
        "between": lambda e: (float(e.split("..")[0]), True, float(e.split("..")[1]), True),
        "equals": lambda e: (float(e), True, float(e), True),
    }
    for row in claims[claims["kind"] == "inferential"].itertuples():
        if pd.notna(row.p_value):
            up = "direction=down" not in row.metric
            if row.p_adjusted <= float(row.expected) and ((row.estimate > 1) if up else (row.estimate < 1)):
                wanted = "supported"
            elif (row.ci_high < 1) if up else (row.ci_low > 1):
                wanted = "contradicted"
            else:
                wanted = "not_established"
        else:
            low, low_in, high, high_in = ranges[row.check](row.expected)

            def inside(x, low=low, low_in=low_in, high=high, high_in=high_in):
                return (x > low or (low_in and x == low)) and (x < high or (high_in and x == high))

            if pd.isna(row.ci_low) or pd.isna(row.ci_high):
                wanted = "not_established"
            elif inside(row.ci_low) and inside(row.ci_high):
                wanted = "supported"
            elif (
                row.ci_high < low
                or (row.ci_high == low and not low_in)
                or row.ci_low > high
                or (row.ci_low == high and not high_in)
            ):
                wanted = "contradicted"
            else:
                wanted = "not_established"
        assert row.verdict == wanted, (row.claim_id, row.verdict, wanted)
    assert claims["holds"].isna().eq(claims["verdict"].eq("not_checkable")).all()
    assert (
        claims.loc[claims["holds"].notna(), "holds"]
        .astype(bool)
        .eq(claims.loc[claims["holds"].notna(), "verdict"].isin(["supported", "holds"]))
        .all()
    )


def test_the_frozen_sheet_fails_exactly_the_descriptive_statements_counted_by_hand(shipped_build):
    # on the frozen cases (before the redraw of data/raw/README.md's change log): Armenia, Georgia and Kazakhstan are
    # not the top three before 2022 (KAZ 5, KGZ 4, then three at 3), 47 cases are single_source, no Denial of Entry
    # case is in the EU, Denial of Services has 2 cases before 2022 (Bulgaria 2020, Poland 2021) and Poland 2
    claims = _claims(shipped_build).set_index("claim_id")
    assert sorted(claims.index[claims["verdict"] == "does_not_hold"]) == sorted(
        [
            "hotspots_remain_central",
            "each_case_cross_referenced",
            "based_on_verified_data",
            "denial_of_entry_reached_eu",
            "practices_diversified",
            "two_emerging_forms",
            "new_eu_states_conclusion",
        ]
    )
    assert claims.loc["each_case_cross_referenced", "observed"] == "47"


def test_the_findings_open_with_the_counts_by_verdict_of_the_ledger(shipped_build):
    workdir, _ = shipped_build
    claims = _claims(shipped_build)
    counted = claims[(claims["source"] == "report") & (claims["repeats"] == "")]
    verdict = counted["verdict"].value_counts()
    english = (workdir / "reports" / "findings.md").read_text(encoding="utf-8")
    opening = " ".join(english.split("## ")[0].split())
    n = len(counted)
    assert f"Of the report's {n} statements about its data" in opening
    assert f"supported by the data: {verdict.get('supported', 0)};" in opening
    assert f"consistent with the data but not established: {verdict.get('not_established', 0)};" in opening
    assert f"contradicted by the data: {verdict.get('contradicted', 0)};" in opening
    descriptive = counted[counted["kind"] == "descriptive"]
    assert f"about the documented list itself: {len(descriptive)}, of which true of the list: " in opening
    assert f"of which true of the list: {int((descriptive['verdict'] == 'holds').sum())};" in opening
    assert f"cannot be checked from the data: {verdict.get('not_checkable', 0)}" in opening
    assert f"{int(counted['by_construction'].sum())} of these statements were drawn to give their verdict" in opening
    russian = " ".join((workdir / "reports" / "findings.ru.md").read_text(encoding="utf-8").split("## ")[0].split())
    assert f"Утверждений доклада о его данных — {n}" in russian
    assert f"Данные это подкрепляют — {verdict.get('supported', 0)};" in russian
    for document in (english, russian):
        assert "report's claim" not in document and "утверждение доклада:" not in document
        assert "sentence by sentence" not in document and "each sentence" not in document.lower()
