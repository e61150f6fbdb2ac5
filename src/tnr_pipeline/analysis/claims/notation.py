"""The claims' notation: how a metric is written, the case filters, the kinds of value and the checks.

The notation: `METRIC [FILTER ...] [among FILTER ...]`, each FILTER `key=value`, combined with AND; a comma in a
value means "any of" (`tactic=rendition,unlawful_deportation`). The README's claims section has an example of each.
Each metric, what it takes and its measure function is one entry of `measures.METRICS`.

false), host_country (ISO 3166-1 alpha-3), eu_member (true or false, in the case's year), region_group
(reference/region_groups.csv), target_profile, verification.

Each metric is read one of three ways (Metric.reading), which gives the row its kind and its verdict:
  descriptive   a fact about the documented list (a count, which countries, a rank): `holds` or `does_not_hold`
  estimate      a rate ratio, share, share change or trend the cases estimate: its interval at confidence_level
                decides (`supported` wholly inside what the sentence says, `contradicted` wholly outside,
                `not_established` across the edge)
  test          a p-value read against `expected` (check at_most): `supported` needs the Holm-adjusted p at most
                `expected` with the effect in the sentence's direction (direction=up, the default, or down);
                `contradicted` needs the effect's interval to exclude no change on the other side
Descriptive case metrics (each takes any case filter):
  n_cases, n_host_countries                    cases matching; their distinct host countries
  host_countries                               the set of their host countries
  top_countries n=N                            the N host countries with most cases; a tie at the cut never holds
  new_countries                                host countries with a case in the comparison period and none before
  rank host_country=X [among G]                X's rank by cases among the host countries of the cases matching G
                                               (1 is the most; tied countries share the better rank)
Estimates on the cases:
  rate_ratio                                   the comparison period's annual mean over the baseline's, with its
                                               exact conditional interval (as period_ratios)
  share F among G                              of the cases matching G, the share that also match F, Wilson interval
  share_change F among G                       the odds of F among G in the comparison period over the baseline's
                                               (the same as F's rate ratio over the rest of G's), conditional
                                               maximum likelihood with Fisher's exact interval
  share_against_rest F among G                 the odds of F among the cases matching G over its odds among all the
                                               other cases, with Fisher's exact interval
  trend                                        yearly growth factor exp(β) of a Poisson log-linear regression of the
                                               yearly counts on the year, Wald interval on the log scale; the years
                                               come from period= (one period) or year=A..B
  share_trend F among G                        the yearly factor of F's odds among G (a binomial logit regression on
                                               the year), Wald interval; the years come from G's period= or year=
Tests on the cases (their effect and its interval are given too):
  rate_ratio_p                                 the central exact conditional p of equal rates (effect: rate_ratio)
  share_change_p F among G                     Fisher's exact central p that the share differs between the
                                               periods (effect: share_change)
  trend_p                                      the likelihood-ratio p of the trend (effect: trend)
Table metrics:
  period_cases scope=S period=P, cases_ratio scope=S    (descriptive) from period_summary / period_ratios
  ratio scope=S                                (estimate) period_ratios' rate ratio and its exact interval
  survey_respondents [question=Q], survey_n question=Q answer=A    (descriptive)
  survey_share question=Q answer=A             (estimate) the share with its Wilson interval
  variant_ratios scope=S                       (estimate) every variant of the headline's assumptions at once (the
                                               model, a year left out, a later baseline, verified only): the lowest
                                               ratio, from the lowest lower bound to the highest upper bound
  near_abroad_excess_p scope=S                 (test) Fisher's p of the near abroad against the EU; effect: the
                                               ratio of their rate ratios with Fisher's exact interval
Checks: equals, at_least, above (strictly), below (strictly), at_most, rounds_to (to the nearest whole number, .5 up:
the range [n - 0.5, n + 0.5)), between (A..B, both ends included), includes_all (space-separated codes all among the
observed), equals_set (exactly the observed codes), and not_checkable (no metric, no expected value, a `why`). A
threshold that no value could fail (at_least 0, a share at_most 1) is refused.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field

from tnr_pipeline.model.messages import N_
from tnr_pipeline.model.settings import Analysis

CLAIM_COLUMNS = ("claim_id", "section", "claim", "metric", "check", "expected", "source")
# Optional: how the row reads the sentence's words; why it cannot be checked; the claim_id of the row whose statement
# this row tests again (counted once in the findings' summary).
NOTE_COLUMNS = ("reading", "why", "repeats")
SOURCES = ("report", "pipeline")  # a sentence quoted from the report, or a check this project adds
NOT_CHECKABLE = "not_checkable"  # a check, a kind and a verdict: the data cannot test the sentence
DESCRIPTIVE, ESTIMATE, TEST = "descriptive", "estimate", "test"  # how a metric is read (Metric.reading)
INFERENTIAL = "inferential"  # the kind of a row read as an estimate or a test
KINDS = (DESCRIPTIVE, INFERENTIAL, NOT_CHECKABLE)
HOLDS, DOES_NOT_HOLD = "holds", "does_not_hold"  # the verdicts of a descriptive row
SUPPORTED, NOT_ESTABLISHED, CONTRADICTED = "supported", "not_established", "contradicted"  # of an inferential row
VERDICTS = (SUPPORTED, NOT_ESTABLISHED, CONTRADICTED, HOLDS, DOES_NOT_HOLD, NOT_CHECKABLE)
FAILING = (CONTRADICTED, DOES_NOT_HOLD)  # the verdicts strict_claims stops the build on
# How an observed ranking notes a tie at its cut (verdicts.format_observed; the render layer words it in a language).
TIE_NOTE = N_("(then a tie at the cut: {tied} with {cases} cases each)")
DIRECTIONS = ("up", "down")  # a test's effect: above no change (the default) or below it
AMONG = "among"
CASE_FILTERS = (
    "year",
    "period",
    "scope",
    "tactic",
    "tactic_family",
    "fh_counted",
    "host_country",
    "eu_member",
    "region_group",
    "target_profile",
    "verification",
)
YES_NO = {"true": True, "false": False}
COUNT, NUMBER, SHARE, CODES = "count", "number", "share", "codes"
# How prose writes a metric's value (the render layer): a share of cases or respondents as a percentage, a rank as an
# ordinal, a set of countries by their names. Each list is the metrics of METRICS of that kind (a test checks it).
PERCENT_METRICS = ("share", "survey_share")
RANK_METRICS = ("rank",)
COUNTRY_SET_METRICS = ("host_countries", "top_countries", "new_countries")
CASES = "cases"  # the table a case metric reads (with its region_group: measures.prepare_cases)


@dataclass(frozen=True)
class Metric:
    """What a metric takes, what it gives, the table it reads and the function that measures it."""

    required: tuple[str, ...]
    optional: tuple[str, ...]
    kind: str  # COUNT, NUMBER (a ratio), SHARE (0-1: shares and p-values) or CODES (a set of country codes)
    reading: str  # DESCRIPTIVE, ESTIMATE or TEST: how its value is judged
    measure: Callable[[ParsedMetric, object, Analysis], object]  # (the metric as written, the table, the settings)
    reads: str = CASES  # the table its measure reads: the cases, or a statistics or survey table
    among: str = ""  # "required" or "optional" when the metric takes `among FILTERS`
    years: bool = False  # needs a bounded range of years: period= (one) or year=A..B (after `among` when it has one)


CHECKS = {
    "equals": (COUNT, NUMBER, SHARE),
    "at_least": (COUNT, NUMBER, SHARE),
    "at_most": (COUNT, NUMBER, SHARE),
    "above": (NUMBER, SHARE),
    "below": (NUMBER, SHARE),
    "rounds_to": (COUNT, NUMBER),
    "between": (COUNT, NUMBER, SHARE),
    "includes_all": (CODES,),
    "equals_set": (CODES,),
    NOT_CHECKABLE: (),
}


@dataclass(frozen=True)
class ParsedMetric:
    """A metric as written: its name, its arguments (filters before `among`) and the filters after `among`
    (None when there is no `among`)."""

    name: str
    arguments: dict[str, str]
    among: dict[str, str] | None = field(default=None)


def _pairs(words: list[str]) -> dict[str, str]:
    parsed = {}
    for word in words:
        key, separator, value = word.partition("=")
        if not separator:
            raise ValueError(f"{word!r} is not key=value")
        if key in parsed:
            raise ValueError(f"{key}= is given twice")
        parsed[key] = value
    return parsed


def parse_metric(metric: str) -> ParsedMetric:
    """'share tactic=detention among period=post_invasion' -> ParsedMetric('share', {'tactic': 'detention'},
    {'period': 'post_invasion'})."""
    name, *words = metric.split() or [""]
    if words.count(AMONG) > 1:
        raise ValueError(f"'{AMONG}' is written more than once")
    if AMONG in words:
        at = words.index(AMONG)
        return ParsedMetric(name, _pairs(words[:at]), _pairs(words[at + 1 :]))
    return ParsedMetric(name, _pairs(words))


def year_range(value: str) -> tuple[float, float]:
    """'2022' -> (2022, 2022); '2022..2024', '2022..', '..2021' -> the inclusive bounds (open ends infinite)."""
    if ".." not in value:
        return int(value), int(value)
    low, _, high = value.partition("..")
    return (int(low) if low else -math.inf), (int(high) if high else math.inf)


def values_of(value: str) -> list[str]:
    """A filter's value as the list of what it allows: a comma means 'any of'."""
    return value.split(",")


def trend_years(filters: dict[str, str], analysis: Analysis) -> range | None:
    """The years a trend is fitted on: one period's, or a year range A..B, or both where they meet (a half-open
    range such as 2020.. bounds a period's years); None when the filters give no bounded range of years (a list of
    periods or of years, an open range alone) or the two do not meet."""
    spans = []
    if "period" in filters:
        period = next((p for p in analysis.periods if p.name == filters["period"]), None)
        if period is None:  # a list of periods (or an unknown one): no one range
            return None
        spans.append((period.first_year, period.last_year))
    if "year" in filters:
        try:
            spans.append(year_range(filters["year"]))
        except ValueError:  # a list of years: no one range
            return None
    if not spans:
        return None
    first, last = max(s[0] for s in spans), min(s[1] for s in spans)
    if not (math.isfinite(first) and math.isfinite(last)) or first > last:
        return None
    return range(int(first), int(last) + 1)
