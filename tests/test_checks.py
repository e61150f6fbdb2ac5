"""Every check of the claims ledger at its bound: exactly on it, just below and just above, for counts and for
fractional values. The expected verdicts are written out by hand from the README's definition of each check."""

from __future__ import annotations

import math

import pytest

from tnr_pipeline import claims

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
    assert claims.holds(check, STEPS[kind][where], BOUND[kind]) is VERDICTS[check][where]


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
    assert claims.holds("rounds_to", observed, expected) is result


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
    assert claims.holds("between", observed, "0.28..0.34") is result


@pytest.mark.parametrize("observed, result", [(2, False), (3, True), (4, True), (5, True), (6, False)])
def test_between_on_whole_number_bounds(observed, result):
    assert claims.holds("between", observed, "3..5") is result


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
    assert claims.holds(check, observed, "ITA ROU ESP") is result


@pytest.mark.parametrize("check", list(VERDICTS) + ["rounds_to", "between"])
def test_a_missing_value_never_holds(check):
    expected = "0..1" if check == "between" else "1"
    assert claims.holds(check, None, expected) is False
    assert claims.holds(check, math.nan, expected) is False


def test_a_ranking_tied_at_its_cut_never_holds_even_when_the_codes_match():
    tied = claims.Ranked(["GEO"], ["ARM", "KAZ"], 5)
    assert claims.holds("equals_set", tied, "GEO") is False
    assert claims.holds("includes_all", tied, "GEO") is False
    assert claims.holds("equals_set", claims.Ranked(["GEO"], []), "GEO") is True


@pytest.mark.parametrize("n", [1, 2, 3, 4])
def test_rank_countries_with_exactly_as_many_countries_as_asked_and_around_it(n):
    import pandas as pd

    rows = pd.DataFrame({"host_country": ["GEO", "ARM", "KAZ"], "cases": [5, 3, 1]})
    ranked = claims.rank_countries(rows, n)
    assert list(ranked) == sorted(["GEO", "ARM", "KAZ"][:n]) and ranked.tied == []
