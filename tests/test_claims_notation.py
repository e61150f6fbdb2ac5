"""The claims ledger's notation, without tables: every check at its bound (exactly on it, just below and just above,
for counts and for fractional values; the expected verdicts written out by hand from the README's definition of each
check), what a row may state, how observed values are written, and the problems of a claims sheet. Measuring the
metrics on tables is in test_claims_measures.py."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from tnr_pipeline.analysis.claims import measures, notation, verdicts
from tnr_pipeline.analysis.claims import sheet as claims_sheet

BELOW, AT, ABOVE = "below", "at", "above"
# A whole-number bound (a count) and a fractional one (a share or a ratio), each approached from both sides.
STEPS = {
    "count": {BELOW: 42, AT: 43, ABOVE: 44},
    "fraction": {BELOW: 0.3299999, AT: 0.33, ABOVE: 0.3300001},
}
BOUND = {"count": "43", "fraction": "0.33"}

# check -> the verdict below, at and above its bound (README: "above" is strict, the others include the bound)
VERDICTS = {
    "equals": {BELOW: False, AT: True, ABOVE: False},
    "at_least": {BELOW: False, AT: True, ABOVE: True},
    "above": {BELOW: False, AT: False, ABOVE: True},
    "at_most": {BELOW: True, AT: True, ABOVE: False},
}


@pytest.mark.parametrize("check", list(VERDICTS))
@pytest.mark.parametrize("kind", list(STEPS))
@pytest.mark.parametrize("where", [BELOW, AT, ABOVE])
def test_each_comparison_at_just_below_and_just_above_its_bound(check, kind, where):
    assert verdicts.holds(check, STEPS[kind][where], BOUND[kind]) is VERDICTS[check][where]


@pytest.mark.parametrize(
    "observed, expected, result",
    [
        (7.5, "8", True),  # .5 rounds up
        (7.4999999, "8", False),
        (8.4999999, "8", True),
        (8.5, "8", False),  # .5 rounds up, to 9
        (8.5, "9", True),
        (8.0, "8", True),
        (-0.5, "0", True),  # up, not away from zero
        (-0.5000001, "-1", True),
        (math.inf, "8", False),
        (math.nan, "8", False),
        (8, "8", True),  # a count
        (9, "8", False),
    ],
)
def test_rounds_to_at_the_half(observed, expected, result):
    assert verdicts.holds("rounds_to", observed, expected) is result


@pytest.mark.parametrize(
    "observed, result",
    [
        (0.2799999, False),
        (0.28, True),  # the lower end is included
        (0.2800001, True),
        (0.3099999, True),
        (0.34, True),  # the upper end is included
        (0.3400001, False),
    ],
)
def test_between_includes_both_ends(observed, result):
    assert verdicts.holds("between", observed, "0.28..0.34") is result


@pytest.mark.parametrize("observed, result", [(2, False), (3, True), (4, True), (5, True), (6, False)])
def test_between_on_whole_number_bounds(observed, result):
    assert verdicts.holds("between", observed, "3..5") is result


@pytest.mark.parametrize(
    "check, observed, result",
    [
        # exactly the named set, one fewer, one more
        ("includes_all", ["ESP", "ITA", "ROU"], True),
        ("includes_all", ["ESP", "ITA"], False),
        ("includes_all", ["ESP", "FRA", "ITA", "ROU"], True),
        ("includes_all", [], False),
        ("equals_set", ["ESP", "ITA", "ROU"], True),
        ("equals_set", ["ESP", "ITA"], False),
        ("equals_set", ["ESP", "FRA", "ITA", "ROU"], False),
        ("equals_set", ["ROU", "ESP", "ITA"], True),  # order does not matter
    ],
)
def test_set_checks_at_the_named_set_one_fewer_and_one_more(check, observed, result):
    assert verdicts.holds(check, observed, "ITA ROU ESP") is result


@pytest.mark.parametrize("check", list(VERDICTS) + ["rounds_to", "between"])
def test_a_missing_value_never_holds(check):
    expected = "0..1" if check == "between" else "1"
    assert verdicts.holds(check, None, expected) is False
    assert verdicts.holds(check, math.nan, expected) is False


def test_a_ranking_tied_at_its_cut_never_holds_even_when_the_codes_match():
    tied = measures.Ranked(["GEO"], ["ARM", "KAZ"], 5)
    assert verdicts.holds("equals_set", tied, "GEO") is False
    assert verdicts.holds("includes_all", tied, "GEO") is False
    assert verdicts.holds("equals_set", measures.Ranked(["GEO"], []), "GEO") is True


@pytest.mark.parametrize("n", [1, 2, 3, 4])
def test_rank_countries_with_exactly_as_many_countries_as_asked_and_around_it(n):
    rows = pd.DataFrame({"host_country": ["GEO", "ARM", "KAZ"], "cases": [5, 3, 1]})
    ranked = measures.rank_countries(rows, n)
    assert list(ranked) == sorted(["GEO", "ARM", "KAZ"][:n]) and ranked.tied == []


# ---- what a claims row may state: thresholds that cannot fail, ranges, filters (mutation testing's survivors) ----

WORDS = claims_sheet.Vocabulary(
    periods=("pre_war", "post_invasion"),
    scopes=("all", "excluding_denial_of_entry"),
    tactics=("detention", "denial_of_entry"),
    countries=frozenset({"GEO", "ARM", "KAZ"}),
    survey_answers={"digital_threat": ("yes", "no")},
)
CANNOT_FAIL = "holds for every possible value, so the claim could not fail"


@pytest.mark.parametrize(
    "check, kind, expected, problem",
    [
        # between: a range A..B, not reversed (one value is a range), not covering every possible value
        ("between", notation.SHARE, "0.28..0.34", None),
        ("between", notation.COUNT, "3..3", None),
        ("between", notation.COUNT, "0..5", None),  # a count can exceed 5
        ("between", notation.SHARE, "0..0.99", None),
        ("between", notation.SHARE, "0.01..1", None),
        ("between", notation.SHARE, "0.5..1", None),
        ("between", notation.SHARE, "0..1", "expected '0..1' covers every possible value, so the claim could not fail"),
        (
            "between",
            notation.SHARE,
            "-1..1",
            "expected '-1..1' covers every possible value, so the claim could not fail",
        ),
        ("between", notation.COUNT, "4..3", "expected '4..3' starts above where it ends"),
        ("between", notation.COUNT, "3", "expected '3' is not a range written A..B (e.g. 0.28..0.34)"),
        ("between", notation.COUNT, "a..b", "expected 'a..b' is not a range written A..B (e.g. 0.28..0.34)"),
        ("between", notation.COUNT, "3..", "expected '3..' is not a range written A..B (e.g. 0.28..0.34)"),
        # one-sided thresholds: refused where they hold for every value
        ("at_least", notation.COUNT, "1", None),
        ("at_least", notation.COUNT, "0", f"at_least 0 {CANNOT_FAIL}; write the report's lower bound"),
        ("above", notation.SHARE, "0", None),
        ("above", notation.SHARE, "0.5", None),
        ("above", notation.NUMBER, "-1", f"above -1 {CANNOT_FAIL}"),
        ("at_most", notation.SHARE, "0.99", None),
        ("at_most", notation.SHARE, "1", f"at_most 1 {CANNOT_FAIL}"),
        ("at_most", notation.COUNT, "1000000", None),  # a count has no top
        ("equals", notation.SHARE, "1", None),  # the top of a share is a value a share can equal
        (
            "equals",
            notation.COUNT,
            "2.5",
            "expected '2.5' is not a whole number, and a count equals only whole numbers",
        ),
        ("equals", notation.NUMBER, "2.5", None),
        # a check on the wrong kind of value names the checks that fit
        (
            "above",
            notation.COUNT,
            "5",
            "check above does not apply to this metric's value (count); use one of equals, "
            "at_least, at_most, rounds_to, between",
        ),
        (
            "equals",
            notation.CODES,
            "GEO",
            "check equals does not apply to this metric's value (codes); use one of includes_all, equals_set",
        ),
        ("includes_all", notation.CODES, "GEO XYZ", "expected 'XYZ' is not an ISO 3166-1 alpha-3 country code"),
    ],
)
def test_what_a_claim_may_expect_at_the_edges(check, kind, expected, problem):
    assert claims_sheet.expected_problems(check, kind, expected, WORDS) == ([] if problem is None else [problem])


@pytest.mark.parametrize(
    "filters, takes, problems",
    [
        ({"x": "1"}, (), ["m does not take x= (it takes: no argument)"]),
        (
            {"x": "1", "y": "2"},
            ("period", "n"),
            ["m does not take x= (it takes: period, n)", "m does not take y= (it takes: period, n)"],
        ),
        # every problem, whatever comes first: an unknown key, then a bad year, then a bad code
        (
            {"x": "1", "year": "soon", "period": "war"},
            ("year", "period"),
            [
                "m does not take x= (it takes: year, period)",
                "year 'soon' is not a year or a range of years (2022, 2022..2024, 2022.., ..2021)",
                "period 'war' is not known. Allowed: pre_war, post_invasion",
            ],
        ),
        (
            {"answer": "maybe", "period": "war"},
            ("answer", "period"),
            [
                "period 'war' is not known. Allowed: pre_war, post_invasion",
            ],
        ),  # an answer is checked against its question's answers, elsewhere
        ({"n": "1"}, ("n",), []),
        ({"n": "0"}, ("n",), ["n '0' is not a whole number of at least 1"]),
        ({"n": "x"}, ("n",), ["n 'x' is not a whole number of at least 1"]),
        ({"n": "2"}, ("n",), []),
        ({"question": "digital_threat"}, ("question",), []),
        ({"question": "fear"}, ("question",), ["question 'fear' is not known. Allowed: digital_threat"]),
    ],
)
def test_filter_problems_name_every_unknown_key_and_value(filters, takes, problems):
    assert claims_sheet.filter_problems(filters, takes, "m", WORDS) == problems


@pytest.mark.parametrize("size, listed", [(30, True), (31, False)])
def test_an_unknown_code_lists_the_allowed_ones_up_to_thirty(size, listed):
    allowed = tuple(f"c{i}" for i in range(size))
    shown = ", ".join(allowed) if listed else "ISO 3166-1 alpha-3 codes such as GEO, ARM, KAZ"
    assert claims_sheet._one_of("zz", allowed, "what") == f"what 'zz' is not known. Allowed: {shown}"


@pytest.mark.parametrize(
    "metric, problems",
    [
        ("rank host_country=GEO,ARM", ["rank ranks one host_country: give one code, not a list"]),
        ("n_cases host_country=GEO,ARM", []),  # a list is a filter's OR everywhere else
        (
            "share tactic=detention among tactic=arrest,detention",
            ["tactic 'arrest' is not known. Allowed: detention, denial_of_entry"],
        ),
        (
            "share tactic=detention among colour=red",
            [f"share ... among does not take colour= (it takes: {', '.join(notation.CASE_FILTERS)})"],
        ),
        ("ratio scope=all among period=pre_war", ["ratio does not take 'among'"]),
        (
            "share tactic=detention",
            ["share needs 'among' and the filters of the cases it is a share of (e.g. among period=P)"],
        ),
        ("survey_n question=digital_threat answer=maybe", ["answer 'maybe' is not known. Allowed: yes, no"]),
    ],
)
def test_argument_problems_of_lists_among_and_answers(metric, problems):
    assert claims_sheet.argument_problems(notation.parse_metric(metric), WORDS) == problems


@pytest.mark.parametrize(
    "filters, years",
    [
        ({"period": "post_invasion"}, range(2022, 2025)),
        ({"period": "pre_war,post_invasion"}, None),  # a list of periods is no one range
        ({"year": "2015..2017"}, range(2015, 2018)),
        ({"year": "2015..2017,2020"}, None),
        ({"year": "2015.."}, None),
        ({"year": "..2015"}, None),
        ({"period": "pre_war", "year": "2020.."}, range(2020, 2022)),  # a half-open range bounds the period
        ({"period": "pre_war", "year": "..2015"}, range(2014, 2016)),
        ({"period": "pre_war", "year": "2019..2030"}, range(2019, 2022)),
        ({"period": "pre_war", "year": "2022..2030"}, None),  # they do not meet
        ({"period": "pre_war", "year": "2021"}, range(2021, 2022)),
        ({"period": "pre_war", "year": "2015,2017"}, None),  # a list of years is no one range
        ({"period": "war", "year": "2015..2017"}, None),
    ],
)
def test_the_years_a_trend_is_fitted_on(filters, years, analysis):
    assert notation.trend_years(filters, analysis) == years


def test_an_unknown_check_is_refused_naming_the_checks():
    with pytest.raises(ValueError) as raised:
        verdicts.holds("roughly", 3, "3")
    assert str(raised.value) == (
        "unknown check 'roughly' (known: equals, at_least, at_most, above, below, rounds_to, between, includes_all, "
        "equals_set)"
    )


def _claims_sheet(rows: dict[int, dict]) -> pd.DataFrame:
    blank = dict.fromkeys((*notation.CLAIM_COLUMNS, *notation.NOTE_COLUMNS), "")
    return pd.DataFrame([{**blank, **row} for row in rows.values()], index=list(rows))


def test_every_problem_of_a_claims_sheet_comes_with_its_row_column_and_whole_message():
    from tnr_pipeline.inputs.problems import Problem

    good = {"claim_id": "ok", "section": "S", "claim": "At least 43 cases.", "metric": "n_cases", "check": "at_least"}
    good |= {"expected": "43", "source": "report"}
    sheet = _claims_sheet(
        {
            2: good,
            3: good,
            4: {"source": "blog", "check": "not_checkable", "claim": "x", "metric": "n_cases", "expected": "1"},
            5: {"claim_id": "e"},
            6: {**good, "claim_id": "m", "metric": "nonsense"},
            7: {**good, "claim_id": "r", "expected": "50"},
            8: {**good, "claim_id": "c", "check": "roughly"},
            9: {**good, "claim_id": "n", "check": "not_checkable", "metric": "", "expected": "", "why": "not coded"},
            10: {**good, "claim_id": "a", "metric": ""},
            11: {**good, "claim_id": "b", "check": ""},
            12: {**good, "claim_id": "p", "metric": "n_cases period"},
            13: {**good, "claim_id": "w", "metric": "n_cases period=war"},
            14: {**good, "claim_id": "z", "expected": "0"},
            15: {**good, "claim_id": "", "check": "not_checkable", "metric": "", "expected": "", "why": "uncoded"},
            16: {**good, "claim_id": "q", "metric": "n_cases tactic=a=b period=pre_war period=post_invasion"},
            17: {**good, "claim_id": "t", "metric": "n_cases tactic=a=b"},
        }
    )
    checks = ", ".join(notation.CHECKS)
    assert claims_sheet.claim_problems(sheet, WORDS) == [
        Problem(2, "claim_id", 'rows 2, 3, column "claim_id": "ok" is used by more than one claim.'),
        Problem(
            4,
            "source",
            'row 4, column "source": "blog" is not a source. Allowed: report (a sentence quoted from the report) or '
            "pipeline (a check this project adds).",
        ),
        Problem(4, "claim_id", 'row 4, column "claim_id": the cell is empty.'),
        Problem(4, "section", 'row 4, column "section": the cell is empty.'),
        Problem(
            4,
            "why",
            'row 4, column "why": a not_checkable row says why the case data cannot test the sentence (e.g. "the data '
            'do not code whether the host state cooperated").',
        ),
        Problem(4, "metric", 'row 4, column "metric": a not_checkable row has no metric; leave it empty.'),
        Problem(4, "expected", 'row 4, column "expected": a not_checkable row has no expected; leave it empty.'),
        *(
            Problem(5, column, f'row 5 (claim "e"), column "{column}": the cell is empty.')
            for column in ("section", "claim", "metric", "check", "source")
        ),
        Problem(
            6,
            "metric",
            f'row 6 (claim "m"), column "metric": "nonsense" is not a metric. Allowed: {", ".join(measures.METRICS)}.',
        ),
        Problem(
            7,
            "reading",
            'row 7 (claim "r"), column "reading": the sentence does not state 50, so say how the row reads its words '
            "(e.g. \"'particularly sharp' read as Fisher p ≤ 0.05 against the EU\").",
        ),
        Problem(8, "check", f'row 8 (claim "c"), column "check": "roughly" is not a check. Allowed: {checks}.'),
        Problem(10, "metric", 'row 10 (claim "a"), column "metric": the cell is empty.'),
        Problem(11, "check", 'row 11 (claim "b"), column "check": the cell is empty.'),
        Problem(12, "metric", 'row 12 (claim "p"), column "metric": "n_cases period": \'period\' is not key=value.'),
        Problem(
            13,
            "metric",
            'row 13 (claim "w"), column "metric": "n_cases period=war": period \'war\' is not known. Allowed: '
            "pre_war, post_invasion.",
        ),
        Problem(
            14,
            "expected",
            f'row 14 (claim "z"), column "expected": at_least 0 {CANNOT_FAIL}; write the report\'s lower bound.',
        ),
        Problem(15, "claim_id", 'row 15, column "claim_id": the cell is empty.'),
        Problem(
            16,
            "metric",
            'row 16 (claim "q"), column "metric": "n_cases tactic=a=b period=pre_war '
            'period=post_invasion": period= is given twice.',
        ),
        Problem(
            17,
            "metric",
            'row 17 (claim "t"), column "metric": "n_cases tactic=a=b": tactic \'a=b\' is not known. '
            "Allowed: detention, denial_of_entry.",
        ),
    ]


def test_a_claims_sheet_without_a_column_is_refused_naming_every_missing_column():
    from tnr_pipeline.inputs.problems import Problem

    sheet = _claims_sheet({2: {"claim_id": "a"}}).drop(columns=["source", "check"])
    needs = (
        "The claims file needs these columns: claim_id, section, claim, metric, check, expected, source (header in "
        "row 1); reading, why, repeats are optional."
    )
    assert claims_sheet.claim_problems(sheet, WORDS) == [
        Problem(0, "check", f'column "check" is missing. {needs}'),
        Problem(0, "source", f'column "source" is missing. {needs}'),
    ]


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
    assert verdicts.holds(check, observed, expected) is result


@pytest.mark.parametrize(
    "observed, text",
    [
        (None, "none"),
        (
            measures.Ranked(["ARM", "GEO"], ["KAZ", "KGZ"], 4),
            "ARM GEO (then a tie at the cut: KAZ KGZ with 4 cases each)",
        ),
        (measures.Ranked([], ["KAZ", "KGZ"], 4), "(then a tie at the cut: KAZ KGZ with 4 cases each)"),
        (measures.Ranked(["ARM", "GEO"], []), "ARM GEO"),
        (["ESP", "ITA"], "ESP ITA"),
        (8.18432, "8.184"),
        (2.143e-27, "2.143e-27"),
        (math.inf, "inf"),
        (math.nan, "nan"),
        (43, "43"),
    ],
)
def test_observed_values_are_written_as_the_ledger_shows_them(observed, text):
    assert verdicts.format_observed(observed) == text


@pytest.mark.parametrize(
    "expected, sentence, stated",
    [
        ("43", "at least 43 documented cases", True),
        ("43", "at least 430 documented cases", False),
        ("900000", "approximately 900,000 people", True),
        ("0.28..0.34", "between 0.28 and 0.34 of them", True),
        ("0.28..0.34", "at least 0.28 of them", False),
        ("8", "an eightfold increase", False),
        ("5", "Poland, Spain, and 5 more", True),  # a comma after a word is not a thousands separator
    ],
)
def test_a_value_is_stated_only_when_its_digits_stand_in_the_sentence(expected, sentence, stated):
    assert claims_sheet.stated_in(expected, sentence) is stated


def test_strict_mode_names_every_failing_claim_on_its_own_line():
    failed = verdicts.ClaimsFailed(["a: one", "b: two"])
    assert failed.problems == ["a: one", "b: two"]
    assert str(failed) == (
        "2 statement(s) of the ledger are contradicted by this data or do not hold, and strict_claims is on, so the "
        "claims ledger was not written:\n  - a: one\n  - b: two"
    )


def test_the_prose_kinds_of_metrics_are_those_of_the_metric_table():
    """The render layer writes a share as a percentage, a rank as an ordinal and a set of countries by name: each list
    of notation names exactly the metrics of that kind (read as a descriptive or an estimate, never a test's p)."""
    from tnr_pipeline.analysis.claims import measures, notation

    def named(kind, readings):
        return {name for name, metric in measures.METRICS.items() if metric.kind == kind and metric.reading in readings}

    assert set(notation.PERCENT_METRICS) == named(notation.SHARE, (notation.ESTIMATE, notation.DESCRIPTIVE))
    assert set(notation.COUNTRY_SET_METRICS) == named(notation.CODES, (notation.DESCRIPTIVE,))
    assert set(notation.RANK_METRICS) <= named(notation.COUNT, (notation.DESCRIPTIVE,))
