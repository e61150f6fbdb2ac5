"""The claims sheet: reading it and checking every row before anything is measured.

A row that cannot be checked (an unknown metric, filter, code or check, an expected value of the wrong kind or one no
value could fail, a sentence that does not state its number and no `reading`, a not_checkable row without its `why`)
is a Problem named by its row and claim_id; any problem stops the step.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from tnr_pipeline.analysis.claims.measures import METRICS
from tnr_pipeline.analysis.claims.notation import (
    AMONG,
    CASE_FILTERS,
    CHECKS,
    CLAIM_COLUMNS,
    CODES,
    COUNT,
    DIRECTIONS,
    NOT_CHECKABLE,
    NOTE_COLUMNS,
    SHARE,
    SOURCES,
    TEST,
    YES_NO,
    ParsedMetric,
    parse_metric,
    trend_years,
    values_of,
    year_range,
)
from tnr_pipeline.inputs.problems import Problem
from tnr_pipeline.model.settings import Analysis


def read_claims(path: str | Path) -> pd.DataFrame:
    """The claims file as text, indexed by its row number (header = row 1); unreadable files are InputInvalid."""
    from tnr_pipeline.inputs.validation import load_sheet

    frame = load_sheet(path, CLAIM_COLUMNS, NOTE_COLUMNS).frame
    for column in NOTE_COLUMNS:
        if column not in frame.columns:
            frame[column] = ""
    return frame


@dataclass(frozen=True)
class Vocabulary:
    """The codes a claim may name: from the settings, the reference data and the survey summary."""

    periods: tuple[str, ...]
    scopes: tuple[str, ...]
    tactics: tuple[str, ...]
    countries: frozenset[str]
    survey_answers: dict  # question -> its answers
    tactic_families: tuple[str, ...] = ()
    region_groups: tuple[str, ...] = ()
    target_profiles: tuple[str, ...] = ()
    verification: tuple[str, ...] = ()

    @classmethod
    def of(cls, analysis: Analysis, reference, survey_summary: pd.DataFrame) -> Vocabulary:
        answers = {q: tuple(rows["answer"]) for q, rows in survey_summary.groupby("question", sort=False)}
        return cls(
            tuple(p.name for p in analysis.periods),
            tuple(s.name for s in analysis.scopes),
            tuple(reference.tactic_codes),
            frozenset(reference.country_lookup.values()),
            answers,
            tuple(dict.fromkeys(reference.typology["family"])),
            tuple(reference.region_groups["group"]),
            tuple(reference.target_profiles["code"]),
            tuple(reference.verification["code"]),
        )

    def allowed(self, key: str):
        """The values a coded filter may take."""
        return {
            "period": self.periods,
            "scope": self.scopes,
            "tactic": self.tactics,
            "tactic_family": self.tactic_families,
            "region_group": self.region_groups,
            "target_profile": self.target_profiles,
            "verification": self.verification,
            "host_country": sorted(self.countries),
            "fh_counted": tuple(YES_NO),
            "eu_member": tuple(YES_NO),
            "direction": DIRECTIONS,
        }[key]


def _one_of(value: str, allowed, what: str) -> str | None:
    if value in allowed:
        return None
    shown = ", ".join(allowed) if len(allowed) <= 30 else "ISO 3166-1 alpha-3 codes such as GEO, ARM, KAZ"
    return f"{what} {value!r} is not known. Allowed: {shown}"


def _year_problems(value: str) -> list[str]:
    problems = []
    for part in values_of(value):
        try:
            low, high = year_range(part)
        except ValueError:
            problems.append(f"year {part!r} is not a year or a range of years (2022, 2022..2024, 2022.., ..2021)")
            continue
        if low > high:
            problems.append(f"year {part!r} starts after it ends")
    return problems


def filter_problems(filters: dict[str, str], takes: tuple[str, ...], name: str, words: Vocabulary) -> list[str]:
    """What is wrong with a metric's filters or arguments: unknown keys, and values that are not codes."""
    problems = [
        f"{name} does not take {key}= (it takes: {', '.join(takes) or 'no argument'})"
        for key in filters
        if key not in takes
    ]
    for key, value in filters.items():
        if key not in takes:
            continue
        if key == "year":
            problems += _year_problems(value)
        elif key == "n":
            if not value.isdigit() or int(value) < 1:
                problems.append(f"n {value!r} is not a whole number of at least 1")
        elif key == "question":
            problems.append(_one_of(value, tuple(words.survey_answers), "question"))
        elif key == "answer":
            continue
        else:
            problems += [_one_of(part, words.allowed(key), key) for part in values_of(value)]
    return [problem for problem in problems if problem]


def argument_problems(parsed: ParsedMetric, words: Vocabulary, analysis: Analysis | None = None) -> list[str]:
    """What is wrong with a metric's arguments: unknown or missing ones, values that are not existing codes, an
    `among` where the metric takes none (or none where it needs one), a trend without its years."""
    name, arguments, metric = parsed.name, parsed.arguments, METRICS[parsed.name]
    problems = filter_problems(arguments, (*metric.required, *metric.optional), name, words)
    problems += [f"{name} needs {key}=" for key in metric.required if key not in arguments]
    if name == "rank" and "," in arguments.get("host_country", ""):
        problems.append("rank ranks one host_country: give one code, not a list")
    if parsed.among is not None:
        if not metric.among:
            problems.append(f"{name} does not take '{AMONG}'")
        else:
            problems += filter_problems(parsed.among, CASE_FILTERS, f"{name} ... {AMONG}", words)
    elif metric.among == "required":
        problems.append(f"{name} needs '{AMONG}' and the filters of the cases it is a share of (e.g. {AMONG} period=P)")
    if "answer" in arguments and arguments.get("question") in words.survey_answers:
        problems.append(_one_of(arguments["answer"], words.survey_answers[arguments["question"]], "answer"))
    years_from = (parsed.among or {}) if metric.among else arguments
    if metric.years and analysis is not None and trend_years(years_from, analysis) is None:
        where = f"after '{AMONG}'" if metric.among else "its filters"
        problems.append(f"{name} needs its years ({where}): one period=P, or year=A..B with both ends")
    return [problem for problem in problems if problem]


def _number(text: str) -> float | None:
    try:
        value = float(text)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def expected_problems(check: str, kind: str, expected: str, words: Vocabulary) -> list[str]:
    """What is wrong with `expected` for this check on a metric of this kind, including thresholds that cannot fail."""
    if expected.strip() == "":
        return ["expected is empty: write the value the report states"]
    if kind not in CHECKS[check]:
        fitting = [name for name, kinds in CHECKS.items() if kind in kinds]
        return [f"check {check} does not apply to this metric's value ({kind}); use one of {', '.join(fitting)}"]
    if kind == CODES:
        codes = expected.split()
        return [
            f"expected {code!r} is not an ISO 3166-1 alpha-3 country code"
            for code in codes
            if code not in words.countries
        ]
    top = 1.0 if kind == SHARE else math.inf
    if check == "between":
        low, separator, high = expected.partition("..")
        bounds = (_number(low), _number(high))
        if not separator or None in bounds:
            return [f"expected {expected!r} is not a range written A..B (e.g. 0.28..0.34)"]
        if bounds[0] > bounds[1]:
            return [f"expected {expected!r} starts above where it ends"]
        if bounds[0] <= 0 and bounds[1] >= top:
            return [f"expected {expected!r} covers every possible value, so the claim could not fail"]
        return []
    value = _number(expected)
    if value is None:
        return [f"expected {expected!r} is not a number"]
    if check == "at_least" and value <= 0:
        return [
            f"at_least {expected} holds for every possible value, so the claim could not fail; "
            "write the report's lower bound"
        ]
    if check == "above" and value < 0:
        return [f"above {expected} holds for every possible value, so the claim could not fail"]
    if check == "at_most" and value >= top:
        return [f"at_most {expected} holds for every possible value, so the claim could not fail"]
    if kind == COUNT and check == "equals" and not value.is_integer():
        return [f"expected {expected!r} is not a whole number, and a count equals only whole numbers"]
    return []


NUMBER_IN_TEXT = re.compile(r"\d+(?:\.\d+)?")


def stated_in(expected: str, sentence: str) -> bool:
    """Whether every number of `expected` (one, or both ends of A..B) is written, in digits, in the sentence (a
    comma between digits is a thousands separator: "900,000")."""
    stated = {float(n) for n in NUMBER_IN_TEXT.findall(re.sub(r"(?<=\d),(?=\d)", "", sentence))}
    wanted = [_number(part) for part in expected.split("..")]
    return all(value is not None and value in stated for value in wanted)


def claim_problems(claims: pd.DataFrame, words: Vocabulary, analysis: Analysis | None = None) -> list[Problem]:
    """Every problem in the claims file, each with its row (header = row 1) and claim_id."""
    problems = []
    missing = [column for column in CLAIM_COLUMNS if column not in claims.columns]
    if missing:
        return [
            Problem(
                0,
                column,
                f'column "{column}" is missing. The claims file needs these columns: '
                f"{', '.join(CLAIM_COLUMNS)} (header in row 1); {', '.join(NOTE_COLUMNS)} are optional.",
            )
            for column in missing
        ]
    duplicated = claims["claim_id"][claims["claim_id"].duplicated(keep=False) & (claims["claim_id"] != "")]
    for claim_id in dict.fromkeys(duplicated):
        rows = claims.index[claims["claim_id"] == claim_id].tolist()
        problems.append(
            Problem(
                rows[0],
                "claim_id",
                f'rows {", ".join(map(str, rows))}, column "claim_id": "{claim_id}" is used by more than one claim.',
            )
        )
    for row, claim in claims.iterrows():
        problems += _row_problems(row, claim, words, analysis)
    return problems + _repeat_problems(claims)


def _repeat_problems(claims: pd.DataFrame) -> list[Problem]:
    """A `repeats` cell names another row's claim_id, and that row repeats no other."""
    if "repeats" not in claims.columns:
        return []
    repeats = dict(zip(claims["claim_id"], claims["repeats"].fillna(""), strict=True))
    problems = []
    for row, claim in claims.iterrows():
        target = str(claim["repeats"] or "").strip()
        if not target:
            continue
        where = f'row {row} (claim "{claim["claim_id"]}"), column "repeats"'
        if target not in repeats or target == claim["claim_id"]:
            problems.append(
                Problem(row, "repeats", f'{where}: "{target}" is not the claim_id of another row of the claims file.')
            )
        elif repeats[target].strip():
            problems.append(
                Problem(
                    row,
                    "repeats",
                    f'{where}: "{target}" itself repeats "{repeats[target]}"; name the row it repeats, '
                    f'"{repeats[target]}".',
                )
            )
    return problems


def _row_problems(row: int, claim: pd.Series, words: Vocabulary, analysis: Analysis | None) -> list[Problem]:
    where = f'row {row} (claim "{claim["claim_id"]}")' if claim["claim_id"] else f"row {row}"
    note = {column: str(claim.get(column) or "") for column in NOTE_COLUMNS}
    problems = []
    if claim["source"] not in ("", *SOURCES):
        problems.append(
            Problem(
                row,
                "source",
                f'{where}, column "source": "{claim["source"]}" is not a source. Allowed: report (a sentence '
                "quoted from the report) or pipeline (a check this project adds).",
            )
        )
    if claim["check"] == NOT_CHECKABLE:
        required = [c for c in ("claim_id", "section", "claim", "source") if claim[c] == ""]
        problems += [Problem(row, c, f'{where}, column "{c}": the cell is empty.') for c in required]
        if not note["why"].strip():
            problems.append(
                Problem(
                    row,
                    "why",
                    f'{where}, column "why": a not_checkable row says why the case data cannot test the sentence '
                    '(e.g. "the data do not code whether the host state cooperated").',
                )
            )
        for column in ("metric", "expected"):
            if claim[column].strip():
                problems.append(
                    Problem(
                        row, column, f'{where}, column "{column}": a not_checkable row has no {column}; leave it empty.'
                    )
                )
        return problems
    empty = [column for column in CLAIM_COLUMNS if column != "expected" and claim[column] == ""]
    problems += [Problem(row, column, f'{where}, column "{column}": the cell is empty.') for column in empty]
    if "metric" in empty or "check" in empty:
        return problems
    try:
        parsed = parse_metric(claim["metric"])
    except ValueError as error:
        return [*problems, Problem(row, "metric", f'{where}, column "metric": "{claim["metric"]}": {error}.')]
    if parsed.name not in METRICS:
        return [
            *problems,
            Problem(
                row,
                "metric",
                f'{where}, column "metric": "{parsed.name}" is not a metric. Allowed: {", ".join(METRICS)}.',
            ),
        ]
    for problem in argument_problems(parsed, words, analysis):
        problems.append(Problem(row, "metric", f'{where}, column "metric": "{claim["metric"]}": {problem}.'))
    if claim["check"] not in CHECKS:
        allowed = ", ".join(CHECKS)
        return [
            *problems,
            Problem(row, "check", f'{where}, column "check": "{claim["check"]}" is not a check. Allowed: {allowed}.'),
        ]
    kind = METRICS[parsed.name].kind
    if METRICS[parsed.name].reading == TEST and claim["check"] != "at_most":
        return [
            *problems,
            Problem(
                row,
                "check",
                f'{where}, column "check": {parsed.name} is a p-value, read as a test: its check is at_most, with '
                "expected the level the sentence is read at (e.g. at_most 0.05).",
            ),
        ]
    expected_wrong = expected_problems(claim["check"], kind, claim["expected"], words)
    problems += [Problem(row, "expected", f'{where}, column "expected": {p}.') for p in expected_wrong]
    if (
        not expected_wrong
        and kind != CODES
        and not note["reading"].strip()
        and not stated_in(claim["expected"], claim["claim"])
    ):
        problems.append(
            Problem(
                row,
                "reading",
                f'{where}, column "reading": the sentence does not state {claim["expected"]}, so say how the row reads '
                "its words (e.g. \"'particularly sharp' read as Fisher p ≤ 0.05 against the EU\").",
            )
        )
    return problems
