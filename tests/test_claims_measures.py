"""The claims ledger measured on tables: every metric and filter of the notation against independent computations
(scipy, statsmodels, counts by hand), the rows refused when they cannot be measured, the step writing verdicts,
strict mode, and the shipped ledger. Each check and each row's notation alone, without tables, are in
test_claims_notation.py."""

from __future__ import annotations

import math
import warnings

import pandas as pd
import pytest

from helpers import (
    CLAIMS_FILE_COLUMNS,
    ROOT,
    conditional_odds_ratio_by_hand,
    fisher,
    fresh_copies,
    independent_interval,
    make_cases,
    statsmodels_trend,
    statsmodels_trend_interval,
)
from tnr_pipeline.analysis import stats
from tnr_pipeline.analysis.claims import measures, notation, verdicts
from tnr_pipeline.analysis.claims import sheet as claims_sheet
from tnr_pipeline.inputs.problems import InputInvalid
from tnr_pipeline.model.reference import Reference
from tnr_pipeline.stages import check_claims
from tnr_pipeline.stages.compute_statistics import statistics_tables


@pytest.fixture(scope="module")
def computed_tables(periods, scopes, reference, analysis):
    """The small tables, computed once for the module (`tables` gives each test its own copy)."""
    cases = make_cases(
        [("GEO", 2022, "denial_of_entry")] * 5
        + [("ARM", 2016, "detention")] * 2
        + [("ARM", 2023, "detention")] * 3
        + [("ESP", 2024, "assassination")]
        + [("KAZ", 2015, "digital_threat")],
        periods,
    )
    computed = statistics_tables(cases, reference, analysis)
    prepared = measures.prepare_cases(cases, reference.region_groups)
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
    # "cases" as the metrics read it; the validated table (every column) as the claims step reads it from its file
    return {"cases": prepared, "validated_cases": cases, **computed, "survey_summary": survey}


@pytest.fixture()
def tables(computed_tables):
    return fresh_copies(computed_tables)


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
def test_metrics(tables, analysis, metric, expected):
    assert measures.measure(metric, tables, analysis) == expected


def test_ratio_metric_reads_period_ratios(tables, analysis):
    # 3 cases in 8 years vs 9 in 3 years -> 8, with the exact interval of period_ratios' row
    _, low, high, _ = independent_interval(3, 8, 9, 3)
    measured = measures.measure("ratio scope=all", tables, analysis)
    assert (measured.estimate, measured.ci_low, measured.ci_high) == pytest.approx((8.0, low, high), rel=1e-9)
    assert measured.p_value is None  # an estimate, not a test


def test_unknown_metric_and_check_are_errors(tables, analysis):
    with pytest.raises(ValueError, match="unknown metric"):
        measures.measure("n_victims", tables, analysis)
    with pytest.raises(ValueError, match="unknown filter"):
        measures.measure("n_cases colour=red", tables, analysis)
    with pytest.raises(ValueError, match="unknown check"):
        verdicts.holds("roughly", 1, "1")


def test_a_tie_at_the_cut_of_top_countries_never_holds(tables, analysis):
    # post-invasion, all scopes: GEO 5, ARM 3, ESP 1 -> top 1 is clean, and two more Spanish cases make top 2 unsettled
    spain = tables["cases"][tables["cases"]["host_country"] == "ESP"]
    extra = pd.concat([tables["cases"], spain, spain], ignore_index=True)
    ranked = measures.measure("top_countries n=2 period=post_invasion scope=all", {**tables, "cases": extra}, analysis)
    assert list(ranked) == ["GEO"] and ranked.tied == ["ARM", "ESP"]
    assert not verdicts.holds("equals_set", ranked, "GEO ARM")
    assert not verdicts.holds("equals_set", ranked, "GEO ESP")
    assert "tie at the cut: ARM ESP with 3 cases each" in verdicts.format_observed(ranked)


def _claims_file(tmp_path, rows):
    """A claims file from rows of (claim_id, section, claim, metric, check, expected), each a report row with no
    reading, or of all the columns."""
    path = tmp_path / "claims.csv"
    full = [row if len(row) == len(CLAIMS_FILE_COLUMNS) else [*row, "report", "", ""] for row in rows]
    pd.DataFrame(full, columns=CLAIMS_FILE_COLUMNS).to_csv(path, index=False)
    return path


def _write_tables(tmp_path, tables):
    from tnr_pipeline.model import io

    paths = {}
    for name in ("period_summary", "period_ratios", "country_summary", "survey_summary"):
        paths[name] = tmp_path / f"{name}.parquet"
        io.write_parquet(tables[name], name, paths[name], io.provenance({"raw.csv": "0" * 64}, {}))
    cases = tables["validated_cases"].assign(date=pd.NaT, eu_member=False).astype({"date": "datetime64[s]"})
    paths["cases"] = tmp_path / "cases.parquet"
    io.write_parquet(cases, "cases", paths["cases"], io.provenance({"raw.csv": "0" * 64}, {}))
    return {k: str(v) for k, v in paths.items()}


def _run(path, tmp_path, tables, analysis, strict=False, config=None):
    return check_claims.execute(
        check_claims.Step(
            str(path),
            _write_tables(tmp_path, tables),
            str(tmp_path / "claims.parquet"),
            str(Reference().directory),
            analysis,
            strict,
            config or {},
        )
    )


def test_false_claim_is_reported_not_fatal(tmp_path, tables, analysis):
    path = _claims_file(
        tmp_path,
        [
            ["a", "F1", "12 cases.", "n_cases", "equals", "12"],
            ["b", "F1", "100 cases.", "n_cases", "at_least", "100"],
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
            ["a", "F1", "12 cases.", "n_cases", "equals", "12"],
            ["hundred", "F1", "100 cases.", "n_cases", "at_least", "100"],
        ],
    )
    with pytest.raises(verdicts.ClaimsFailed, match=r"hundred \(does_not_hold\): 100 cases"):
        _run(path, tmp_path, tables, analysis, strict=True)
    assert not (tmp_path / "claims.parquet").exists()


def test_shipped_claims_file_is_well_formed():
    shipped = claims_sheet.read_claims(ROOT / "data" / "claims.csv")
    assert shipped["claim_id"].is_unique
    assert set(shipped["check"]) <= set(notation.CHECKS)
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


# ---- the notation: every case metric and filter against an independent computation ---------------------------

NOTATION_CASES = [
    # (host_country, year, tactic, target_profile, verification)
    ("GEO", 2022, "denial_of_entry", "activist", "verified"),
    ("GEO", 2022, "denial_of_entry", "journalist", "single_source"),
    ("GEO", 2023, "denial_of_entry", "politician", "verified"),
    ("GEO", 2019, "detention", "activist", "verified"),
    ("ARM", 2016, "detention", "lawyer", "unverified"),
    ("ARM", 2023, "detention", "activist", "verified"),
    ("ARM", 2024, "digital_threat", "deserter", "verified"),
    ("KAZ", 2015, "digital_threat", "journalist", "single_source"),
    ("KAZ", 2022, "detention", "activist", "verified"),
    ("POL", 2017, "detention", "activist", "verified"),
    ("POL", 2023, "assassination", "politician", "verified"),
    ("POL", 2024, "denial_of_entry", "activist", "single_source"),
    ("DEU", 2024, "digital_threat", "journalist", "verified"),
    ("ESP", 2024, "assassination", "politician", "verified"),
    ("GBR", 2018, "assassination", "activist", "verified"),
    ("GBR", 2022, "detention", "activist", "verified"),
]
EU = {"POL", "DEU", "ESP"}  # members in every year used; the UK only through 2019
NEAR_ABROAD = {"GEO", "ARM", "KAZ"}


@pytest.fixture()
def notation_tables(periods, reference):
    cases = make_cases([(c, y, t) for c, y, t, _, _ in NOTATION_CASES], periods)
    cases = cases.assign(
        target_profile=[p for *_, p, _ in NOTATION_CASES],
        verification=[v for *_, v in NOTATION_CASES],
        eu_member=[c in EU or (c == "GBR" and y <= 2019) for c, y, *_ in NOTATION_CASES],
    )
    return {"cases": measures.prepare_cases(cases, reference.region_groups)}


def records():
    """The notation cases as plain dicts, with what the filters read, computed here without pandas."""
    family = {"denial_of_entry": "mobility_controls", "detention": "co_opting_host_states"}
    family |= {"digital_threat": "threats_from_a_distance", "assassination": "direct_attack"}
    rows = []
    for country, year, tactic, profile, verification in NOTATION_CASES:
        eu = country in EU or (country == "GBR" and year <= 2019)
        rows.append(
            {
                "country": country,
                "year": year,
                "tactic": tactic,
                "family": family[tactic],
                "fh": tactic in ("detention", "assassination"),
                "profile": profile,
                "verification": verification,
                "eu": eu,
                "group": "near_abroad" if country in NEAR_ABROAD else ("eu" if eu else "rest_of_world"),
                "period": "pre_war" if 2014 <= year <= 2021 else ("post_invasion" if 2022 <= year <= 2024 else None),
            }
        )
    return rows


def where(**tests):
    return [r for r in records() if all(test(r) for test in tests.values())]


@pytest.mark.parametrize(
    "metric, expected",
    [
        ("n_cases year=2022,2024", len(where(y=lambda r: r["year"] in (2022, 2024)))),
        ("n_cases year=..2016,2023..", len(where(y=lambda r: r["year"] <= 2016 or r["year"] >= 2023))),
        ("n_cases period=pre_war", len(where(p=lambda r: r["period"] == "pre_war"))),
        ("n_cases scope=excluding_denial_of_entry", len(where(t=lambda r: r["tactic"] != "denial_of_entry"))),
        ("n_cases scope=freedom_house_physical", len(where(f=lambda r: r["fh"]))),
        (
            "n_cases tactic=detention,assassination",
            len(where(t=lambda r: r["tactic"] in ("detention", "assassination"))),
        ),
        (
            "n_cases tactic_family=threats_from_a_distance",
            len(where(f=lambda r: r["family"] == "threats_from_a_distance")),
        ),
        ("n_cases fh_counted=false", len(where(f=lambda r: not r["fh"]))),
        ("n_cases fh_counted=true,false", len(records())),
        (
            "n_cases host_country=GEO,ARM year=2022..",
            len(where(c=lambda r: r["country"] in ("GEO", "ARM"), y=lambda r: r["year"] >= 2022)),
        ),
        ("n_cases eu_member=true", len(where(e=lambda r: r["eu"]))),
        (
            "n_cases eu_member=false period=post_invasion",
            len(where(e=lambda r: not r["eu"], p=lambda r: r["period"] == "post_invasion")),
        ),
        ("n_cases region_group=near_abroad", len(where(g=lambda r: r["group"] == "near_abroad"))),
        ("n_cases region_group=eu,rest_of_world", len(where(g=lambda r: r["group"] != "near_abroad"))),
        ("n_cases target_profile=politician,lawyer", len(where(p=lambda r: r["profile"] in ("politician", "lawyer")))),
        ("n_cases verification=single_source", len(where(v=lambda r: r["verification"] == "single_source"))),
        (
            "n_host_countries tactic=detention",
            len({r["country"] for r in where(t=lambda r: r["tactic"] == "detention")}),
        ),
        ("host_countries eu_member=true", sorted({r["country"] for r in where(e=lambda r: r["eu"])})),
        (
            "host_countries region_group=rest_of_world",
            sorted({r["country"] for r in where(g=lambda r: r["group"] == "rest_of_world")}),
        ),
        ("top_countries n=1 tactic=denial_of_entry", ["GEO"]),
        (
            "new_countries",
            sorted(
                {r["country"] for r in where(y=lambda r: 2022 <= r["year"] <= 2024)}
                - {r["country"] for r in where(y=lambda r: r["year"] < 2022)}
            ),
        ),
        ("new_countries tactic=assassination", ["ESP", "POL"]),
        (
            "share tactic=denial_of_entry among period=post_invasion",
            len(where(t=lambda r: r["tactic"] == "denial_of_entry", p=lambda r: r["period"] == "post_invasion"))
            / len(where(p=lambda r: r["period"] == "post_invasion")),
        ),
        ("share verification=verified among", len(where(v=lambda r: r["verification"] == "verified")) / len(records())),
        (
            "share eu_member=true among tactic=assassination",
            len(where(t=lambda r: r["tactic"] == "assassination", e=lambda r: r["eu"]))
            / len(where(t=lambda r: r["tactic"] == "assassination")),
        ),
        ("rank host_country=GEO among", 1),
        ("rank host_country=POL among eu_member=true", 1),
        ("rank host_country=DEU among eu_member=true", 2),  # DEU and ESP tie with one case each: both rank 2
        ("rank host_country=ESP among eu_member=true", 2),
        ("rank host_country=ARM among", 2),  # GEO 4, then ARM 3 and POL 3 tie
        ("rank host_country=POL among", 2),
        ("rank host_country=KAZ among", 4),
        ("rank host_country=ESP among tactic=detention", None),  # no detention in Spain: no rank, never holds
    ],
)
def test_each_case_metric_and_filter_matches_an_independent_count(notation_tables, analysis, metric, expected):
    observed = measures.measure(metric, notation_tables, analysis)
    if isinstance(expected, float):  # a share: its estimate, with statsmodels' Wilson interval of the same counts
        from statsmodels.stats.proportion import proportion_confint

        parsed = notation.parse_metric(metric)
        among = measures.select_cases(notation_tables["cases"], parsed.among, analysis)
        hits = among & measures.select_cases(notation_tables["cases"], parsed.arguments, analysis)
        low, high = proportion_confint(int(hits.sum()), int(among.sum()), alpha=0.05, method="wilson")
        assert observed.estimate == pytest.approx(expected)
        assert (observed.ci_low, observed.ci_high) == pytest.approx((low, high), rel=1e-9, abs=1e-12)
    else:
        assert observed == expected


def test_rate_ratio_metrics_match_the_independent_exact_interval(notation_tables, analysis):

    chosen = where(f=lambda r: r["tactic"] != "denial_of_entry")
    x_b = sum(1 for r in chosen if r["period"] == "pre_war")
    x_c = sum(1 for r in chosen if r["period"] == "post_invasion")
    _, low, high, p_value = independent_interval(x_b, 8, x_c, 3)
    ratio = measures.measure("rate_ratio tactic=detention,digital_threat,assassination", notation_tables, analysis)
    test = measures.measure("rate_ratio_p tactic=detention,digital_threat,assassination", notation_tables, analysis)
    assert ratio.estimate == pytest.approx((x_c / 3) / (x_b / 8))
    assert (ratio.ci_low, ratio.ci_high) == pytest.approx((low, high), rel=1e-9)
    assert test.p_value == pytest.approx(p_value, rel=1e-9) and test.value == test.p_value
    assert (test.estimate, test.ci_low, test.ci_high) == (ratio.estimate, ratio.ci_low, ratio.ci_high)


@pytest.mark.parametrize(
    "numerator, among, keep_numerator, keep_among",
    [
        ("tactic=denial_of_entry", "", lambda r: r["tactic"] == "denial_of_entry", lambda r: True),
        (
            "eu_member=true",
            "tactic=detention,assassination",
            lambda r: r["eu"],
            lambda r: r["tactic"] in ("detention", "assassination"),
        ),
        (
            "region_group=near_abroad",
            "verification=verified",
            lambda r: r["group"] == "near_abroad",
            lambda r: r["verification"] == "verified",
        ),
    ],
)
def test_share_change_p_is_fishers_exact_test_by_scipy(
    notation_tables, analysis, numerator, among, keep_numerator, keep_among
):
    def count(period, hit):
        return sum(1 for r in records() if r["period"] == period and keep_among(r) and keep_numerator(r) == hit)

    expected = fisher(
        count("pre_war", True), count("pre_war", False), count("post_invasion", True), count("post_invasion", False)
    )
    observed = measures.measure(f"share_change_p {numerator} among {among}".strip(), notation_tables, analysis)
    assert observed.p_value == pytest.approx(expected, rel=1e-9)
    # its effect, the share change: the odds in 2022-2024 over the odds before, conditional MLE and exact interval
    by_hand = conditional_odds_ratio_by_hand(
        count("post_invasion", True), count("post_invasion", False), count("pre_war", True), count("pre_war", False)
    )
    change = measures.measure(f"share_change {numerator} among {among}".strip(), notation_tables, analysis)
    assert (change.estimate, change.ci_low, change.ci_high) == pytest.approx(by_hand, rel=1e-6)
    assert (observed.estimate, observed.ci_low, observed.ci_high) == (change.estimate, change.ci_low, change.ci_high)


@pytest.mark.parametrize(
    "metric, years, keep",
    [
        ("year=2014..2024", range(2014, 2025), lambda r: True),
        ("period=post_invasion", range(2022, 2025), lambda r: True),
        ("period=pre_war tactic=detention", range(2014, 2022), lambda r: r["tactic"] == "detention"),
        ("year=2015..2024 region_group=near_abroad", range(2015, 2025), lambda r: r["group"] == "near_abroad"),
        ("period=post_invasion year=2023..2030", range(2023, 2025), lambda r: True),  # the years both allow
    ],
)
def test_trend_and_its_p_value_match_statsmodels_glm(notation_tables, analysis, metric, years, keep):
    counts = [sum(1 for r in records() if r["year"] == year and keep(r)) for year in years]
    growth, p_value = statsmodels_trend(counts)
    trend = measures.measure(f"trend {metric}", notation_tables, analysis)
    assert trend.estimate == pytest.approx(growth, rel=1e-6)
    assert measures.measure(f"trend_p {metric}", notation_tables, analysis).p_value == pytest.approx(p_value, rel=1e-6)
    if len(years) > 2 and len(set(counts)) > 1:  # statsmodels' Wald interval where it is defined
        _, low, high = statsmodels_trend_interval(counts)
        assert (trend.ci_low, trend.ci_high) == pytest.approx((low, high), rel=1e-6)


@pytest.mark.parametrize(
    "counts",
    [[1, 2, 3, 5, 8], [4, 0, 3, 2, 1, 0], [0, 5, 0, 3, 9, 1, 0, 2], [10, 10, 10], [2, 0, 0, 7]],
)
def test_poisson_trend_matches_statsmodels_glm(counts):
    fitted = stats.fit_trend(counts, 0.95)
    growth, p_value = fitted["ratio"], fitted["p_value"]
    expected_growth, expected_p = statsmodels_trend(counts)
    assert growth == pytest.approx(expected_growth, rel=1e-7)
    assert p_value == pytest.approx(expected_p, rel=1e-7, abs=1e-12)


def test_poisson_trend_at_the_edges():
    """All cases in the last (first) year: the fit's limit is an infinite (zero) factor, and the likelihood ratio its
    limit, 2·n·log(years); no case at all gives no factor."""
    fitted = stats.fit_trend([0, 0, 0, 7], 0.95)
    growth, p_value = fitted["ratio"], fitted["p_value"]
    from scipy.stats import chi2

    assert math.isinf(growth) and p_value == pytest.approx(chi2.sf(2 * 7 * math.log(4), 1))
    fitted = stats.fit_trend([3, 0, 0], 0.95)
    growth, p_value = fitted["ratio"], fitted["p_value"]
    assert growth == 0.0 and p_value == pytest.approx(chi2.sf(2 * 3 * math.log(3), 1))
    fitted = stats.fit_trend([0, 0, 0], 0.95)
    growth, p_value = fitted["ratio"], fitted["p_value"]
    assert math.isnan(growth) and p_value == 1.0
    assert not verdicts.holds("above", growth, "1") and not verdicts.holds("at_most", growth, "1")


# ---- refusals: each bad row of the notation is named, with its row and claim_id ------------------------------


@pytest.mark.parametrize(
    "row, message",
    [
        (
            ["r", "F", "x.", "n_cases region_group=nowhere", "at_least", "1", "report", "r", ""],
            "region_group 'nowhere' is not known. Allowed: near_abroad, eu, rest_of_world",
        ),
        (
            ["r", "F", "x.", "n_cases eu_member=maybe", "at_least", "1", "report", "r", ""],
            "eu_member 'maybe' is not known. Allowed: true, false",
        ),
        (
            ["r", "F", "x.", "n_cases fh_counted=yes", "at_least", "1", "report", "r", ""],
            "fh_counted 'yes' is not known",
        ),
        (["r", "F", "x.", "n_cases colour=red", "at_least", "1", "report", "r", ""], "n_cases does not take colour="),
        (
            ["r", "F", "x.", "n_cases target_profile=activist,spy", "at_least", "1", "report", "r", ""],
            "target_profile 'spy' is not known",
        ),
        (
            ["r", "F", "x.", "n_cases verification=certain", "at_least", "1", "report", "r", ""],
            "verification 'certain' is not known",
        ),
        (
            ["r", "F", "x.", "n_cases tactic_family=violence", "at_least", "1", "report", "r", ""],
            "tactic_family 'violence' is not known",
        ),
        (["r", "F", "x.", "rank among eu_member=true", "equals", "1", "report", "r", ""], "rank needs host_country="),
        (["r", "F", "x.", "rank host_country=POL,DEU among", "equals", "1", "report", "r", ""], "rank ranks one"),
        (
            ["r", "F", "x.", "trend tactic=detention", "above", "1", "report", "r", ""],
            "trend needs its years (its filters): one period=P, or year=A..B with both ends",
        ),
        (["r", "F", "x.", "trend_p year=2020..", "at_most", "0.05", "report", "r", ""], "trend_p needs its years"),
        (["r", "F", "x.", "share tactic=detention", "at_least", "0.5", "report", "r", ""], "share needs 'among'"),
        (
            ["r", "F", "x.", "n_cases among period=pre_war", "at_least", "1", "report", "r", ""],
            "n_cases does not take 'among'",
        ),
        (
            ["r", "F", "x.", "share among region_group=nowhere", "at_least", "0.5", "report", "r", ""],
            "region_group 'nowhere' is not known",
        ),
        (["r", "F", "x.", "n_cases among among", "at_least", "1", "report", "r", ""], "more than once"),
        (
            ["r", "F", "x.", "", "not_checkable", "", "report", "", ""],
            'row 2 (claim "r"), column "why": a not_checkable row says why',
        ),
        (
            ["r", "F", "x.", "n_cases", "not_checkable", "", "report", "", "not coded"],
            "a not_checkable row has no metric",
        ),
        (
            ["r", "F", "x.", "n_cases", "equals", "12", "rumour", "", ""],
            'row 2 (claim "r"), column "source": "rumour" is not a source. Allowed: report',
        ),
        (
            ["r", "F", "Nearly a third.", "share tactic=detention among", "at_least", "0.3", "report", "", ""],
            'row 2 (claim "r"), column "reading": the sentence does not state 0.3',
        ),
    ],
)
def test_a_bad_row_of_the_notation_is_refused_by_name(tmp_path, tables, analysis, row, message):
    path = _claims_file(tmp_path, [row])
    with pytest.raises(InputInvalid) as raised:
        _run(path, tmp_path, tables, analysis)
    assert message in str(raised.value)
    assert not (tmp_path / "claims.parquet").exists()


def test_not_checkable_rows_are_written_without_a_verdict(tmp_path, tables, analysis):
    path = _claims_file(
        tmp_path,
        [
            ["a", "F1", "12 cases.", "n_cases", "equals", "12", "report", "", ""],
            ["b", "F4", "States cooperated.", "", "not_checkable", "", "report", "", "cooperation is not coded"],
            ["c", "F1", "Above 1.", "ratio scope=all", "above", "1", "pipeline", "", ""],
        ],
    )
    result = _run(path, tmp_path, tables, analysis)
    assert result["holds"].tolist()[0] is True and pd.isna(result["holds"].iloc[1])
    assert result.loc[1, ["why", "observed", "metric"]].tolist() == ["cooperation is not coded", "", ""]
    assert result["source"].tolist() == ["report", "report", "pipeline"]
    written = pd.read_parquet(tmp_path / "claims.parquet")
    assert {"source", "reading", "why"} <= set(written.columns) and written["holds"].isna().sum() == 1


def test_the_shipped_ledger_covers_the_report(analysis):
    shipped = pd.read_csv(ROOT / "data" / "claims.csv", dtype=str, keep_default_na=False)
    assert len(shipped) >= 40
    assert set(shipped["source"]) == {"report", "pipeline"}
    unchecked = shipped[shipped["check"] == notation.NOT_CHECKABLE]
    assert len(unchecked) and (unchecked["why"].str.len() > 10).all() and (unchecked["why_ru"].str.len() > 10).all()
    report = ROOT.parent / "shared" / "report" / "tnr-russia-interim-report-2025.txt"
    if report.exists():  # every report row quotes the report (square brackets mark what the ledger withholds)
        text = " ".join(report.read_text(encoding="utf-8").replace("’", "'").split())
        for row in shipped[shipped["source"] == "report"].itertuples():
            for part in row.claim.split("[name withheld]"):
                assert part.strip(" .") in text, row.claim_id


# ---- what mutation testing showed untested ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "metric, expected",
    [
        ("survey_n question=reduced_presence answer=yes", 3),
        ("survey_n question=considered_relocating answer=no", 6),
        ("survey_share question=considered_relocating answer=yes", 0.25),
        ("survey_share question=reduced_presence answer=no", 0.7),
    ],
)
def test_survey_metrics_read_their_row(tables, analysis, metric, expected):
    observed = measures.measure(metric, tables, analysis)
    if isinstance(expected, float):  # a share, with the interval of its row
        row = (
            tables["survey_summary"]
            .set_index(["question", "answer"])
            .loc[tuple(part.split("=")[1] for part in metric.split()[1:])]
        )
        assert (observed.estimate, observed.ci_low, observed.ci_high) == (expected, row["ci_low"], row["ci_high"])
    else:
        assert observed == expected and type(observed) is type(expected)


def test_edge_values_of_the_table_metrics(tables, analysis):
    no_baseline = tables["period_ratios"].assign(baseline_cases=0)
    assert measures.measure("cases_ratio scope=all", {**tables, "period_ratios": no_baseline}, analysis) == math.inf
    unanswered = tables["survey_summary"][tables["survey_summary"]["question"] != "considered_relocating"]
    assert (
        measures.measure(
            "survey_respondents question=considered_relocating", {**tables, "survey_summary": unanswered}, analysis
        )
        == 0
    )
    regions = pd.DataFrame(
        {
            "scope": ["all"] * 3,
            "region_group": ["near_abroad", "eu", "near_abroad_vs_eu"],
            "ratio": [4.0, 4.0, 1.0],
            "ci_low": [2.0, 2.0, 0.2],
            "ci_high": [8.0, 8.0, 5.0],
            "p_value": [0.5, 0.5, 0.01],
        }
    )
    # equal rate ratios: the effect is 1, so even a small p cannot support "sharper in the near abroad"
    excess = measures.measure("near_abroad_excess_p scope=all", {**tables, "region_ratios": regions}, analysis)
    assert (excess.p_value, excess.estimate, excess.ci_low, excess.ci_high) == (0.01, 1.0, 0.2, 5.0)
    assert verdicts.judge_test(excess, 0.01, 0.05) == notation.NOT_ESTABLISHED


@pytest.mark.parametrize(
    "metric, problem",
    [
        ("n_cases year=2022..2022", None),  # a range of one year is a range
        ("n_cases year=2024..2022,2019", "year '2024..2022' starts after it ends"),
        ("n_cases year=soon,later", "year 'later' is not a year"),  # every bad part, not only the first
        ("trend period=pre_war,post_invasion", "trend needs its years (its filters)"),  # one period, not a list
        ("trend year=2014..2016,2020..2022", "trend needs its years"),
        ("trend year=2022..2022", None),
        ("trend period=post_invasion year=2010..2013", "trend needs its years"),  # the two ranges do not meet
    ],
)
def test_year_arguments_at_their_edges(tables, analysis, metric, problem):
    from tnr_pipeline.model.reference import Reference

    words = claims_sheet.Vocabulary.of(analysis, Reference(), tables["survey_summary"])
    problems = claims_sheet.argument_problems(notation.parse_metric(metric), words, analysis)
    assert (problems == []) if problem is None else any(problem in p for p in problems), problems


def test_filters_that_need_the_settings_use_them_after_among(notation_tables, analysis):
    # scope= is the one filter read from the settings: inside `among`, in a rank, and in a share
    assert (
        measures.measure("rank host_country=ARM among scope=excluding_denial_of_entry", notation_tables, analysis) == 1
    )
    assert measures.measure(
        "share host_country=GEO among scope=excluding_denial_of_entry", notation_tables, analysis
    ).estimate == (pytest.approx(1 / len(where(t=lambda r: r["tactic"] != "denial_of_entry"))))
    both = measures.measure("n_cases scope=excluding_denial_of_entry,freedom_house_physical", notation_tables, analysis)
    assert both == len(where(t=lambda r: r["tactic"] != "denial_of_entry" or r["fh"]))


def test_a_share_of_no_case_is_missing_and_never_holds(notation_tables, analysis):
    share = measures.measure("share tactic=detention among host_country=ITA", notation_tables, analysis)
    assert math.isnan(share.estimate) and math.isnan(share.ci_low) and math.isnan(share.ci_high)
    assert verdicts.judge_interval(share.ci_low, share.ci_high, "at_most", "0.5") == notation.NOT_ESTABLISHED


@pytest.mark.parametrize("expected", ["inf", "nan", "-inf", "eight"])
def test_an_expected_value_that_is_no_finite_number_is_refused(tables, analysis, expected):
    from tnr_pipeline.model.reference import Reference

    words = claims_sheet.Vocabulary.of(analysis, Reference(), tables["survey_summary"])
    assert claims_sheet.expected_problems("at_least", notation.COUNT, expected, words) == [
        f"expected {expected!r} is not a number"
    ]


def test_an_unknown_country_code_is_refused_with_examples_not_the_whole_list(tables, analysis):
    from tnr_pipeline.model.reference import Reference

    words = claims_sheet.Vocabulary.of(analysis, Reference(), tables["survey_summary"])
    problems = claims_sheet.argument_problems(notation.parse_metric("n_cases host_country=XYZ"), words, analysis)
    assert problems == ["host_country 'XYZ' is not known. Allowed: ISO 3166-1 alpha-3 codes such as GEO, ARM, KAZ"]
    periods = claims_sheet.argument_problems(notation.parse_metric("n_cases period=war"), words, analysis)
    assert periods == ["period 'war' is not known. Allowed: pre_war, post_invasion"]


# ---- what mutation testing showed untested: the confidence level, zero denominators, the ledger's shape ----------


def test_rate_ratio_intervals_take_the_confidence_level_of_the_settings(notation_tables, analysis):
    from dataclasses import replace

    chosen = where(f=lambda r: r["tactic"] != "denial_of_entry")
    x_b = sum(1 for r in chosen if r["period"] == "pre_war")
    x_c = sum(1 for r in chosen if r["period"] == "post_invasion")
    _, low, high, _ = independent_interval(x_b, 8, x_c, 3, level=0.8)
    at_80 = replace(analysis, confidence_level=0.8)
    ratio = measures.measure("rate_ratio tactic=detention,digital_threat,assassination", notation_tables, at_80)
    assert (ratio.ci_low, ratio.ci_high) == pytest.approx((low, high), rel=1e-9)


def test_zero_denominators_give_their_value_without_a_division_warning(notation_tables, tables, analysis):

    no_cases = tables["period_ratios"].assign(baseline_cases=0, comparison_cases=0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        share = measures.measure("share tactic=detention among host_country=ITA", notation_tables, analysis)
        ratio = measures.measure("cases_ratio scope=all", {**tables, "period_ratios": no_cases}, analysis)
    assert math.isnan(share.estimate) and ratio == math.inf


def test_a_ledger_of_no_claim_has_the_ledgers_columns_and_a_missing_column_reads_empty(tables, analysis):
    empty = verdicts.check_claims(pd.DataFrame(columns=["claim_id", "check", "metric"]), tables, analysis)
    assert list(empty.columns) == [*verdicts.LEDGER_COLUMNS, *verdicts.RESULT_COLUMNS] and empty.empty
    one = pd.DataFrame([{"claim_id": "c", "check": "not_checkable", "metric": "", "claim": "A sentence."}])
    row = verdicts.check_claims(one, tables, analysis).iloc[0].to_dict()
    assert row["section"] == "" and row["why"] == "" and row["observed"] == "" and pd.isna(row["holds"])
    assert row["kind"] == row["verdict"] == notation.NOT_CHECKABLE and row["by_construction"] is False
    assert all(math.isnan(row[column]) for column in verdicts.NUMBERS)


def test_a_claim_on_cases_is_measured_with_the_analysis_settings(notation_tables, analysis):
    metric = "n_cases scope=excluding_denial_of_entry"  # a scope is read from the settings
    claim = pd.DataFrame([{"claim_id": "c", "check": "equals", "metric": metric, "expected": "0", "claim": "x"}])
    row = verdicts.check_claims(claim, notation_tables, analysis).iloc[0]
    assert row["observed"] == str(len(where(t=lambda r: r["tactic"] != "denial_of_entry")))


def test_internal_lookups_name_what_they_did_not_find(notation_tables, analysis):
    with pytest.raises(ValueError) as unknown:
        measures.select_cases(notation_tables["cases"], {"colour": "red"}, analysis)
    assert str(unknown.value) == "unknown filter 'colour'"
    with pytest.raises(ValueError) as none:
        measures._one(pd.DataFrame({"scope": ["all", "all"], "ratio": [1.0, 2.0]}), "ratio", scope="all")
    assert str(none.value) == "2 rows match {'scope': 'all'}"


def test_the_step_reads_region_groups_and_periods_records_its_inputs_and_tolerates_unchecked_rows(
    tmp_path, tables, analysis
):
    from tnr_pipeline.model import io

    path = _claims_file(
        tmp_path,
        [
            ["near", "F1", "11 cases nearby.", "n_cases region_group=near_abroad", "equals", "11"],
            ["before", "F1", "3 cases before.", "n_cases period=pre_war scope=all", "equals", "3"],
            ["open", "F2", "Cooperation.", "", "not_checkable", "", "report", "", "the data do not code it"],
        ],
    )
    result = _run(path, tmp_path, tables, analysis, strict=True, config={"claims": "claims.csv"})  # no failure
    assert result["holds"].tolist() == [True, True, pd.NA]
    meta = io.read_provenance(tmp_path / "claims.parquet")
    assert meta["inputs_sha256"][path.name] == io.sha256_file(path) and "raw.csv" in meta["inputs_sha256"]
    assert meta["config"] == {"claims": "claims.csv"}


def test_a_claims_file_with_problems_is_named_by_its_file_name(tmp_path, tables, analysis):
    from tnr_pipeline.inputs.problems import InputInvalid

    path = _claims_file(tmp_path, [["typo", "F1", "12 cases.", "n_cases", "equals", "twelve"]])
    with pytest.raises(InputInvalid) as raised:
        _run(path, tmp_path, tables, analysis)
    assert raised.value.source == "claims.csv" and not (tmp_path / "claims.parquet").exists()


def test_the_vocabulary_keeps_the_surveys_question_order_and_the_reference_codes(tables, analysis):
    reference = Reference()
    words = claims_sheet.Vocabulary.of(analysis, reference, tables["survey_summary"])
    assert list(words.survey_answers) == ["reduced_presence", "considered_relocating"]  # as the survey asks them
    assert words.survey_answers["reduced_presence"] == ("yes", "no")
    assert words.target_profiles == tuple(reference.target_profiles["code"]) and "activist" in words.target_profiles
    assert words.verification == tuple(reference.verification["code"]) and "verified" in words.verification


def test_a_claims_file_without_the_optional_columns_reads_them_empty(tmp_path):
    path = tmp_path / "claims.csv"
    pd.DataFrame(
        [["a", "F1", "Many cases.", "n_cases", "at_least", "12", "report"]], columns=notation.CLAIM_COLUMNS
    ).to_csv(path, index=False)
    frame = claims_sheet.read_claims(path)
    assert frame.loc[2, "reading"] == "" and frame.loc[2, "why"] == ""
