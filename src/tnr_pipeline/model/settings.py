"""The settings: config.yaml checked once as a whole, and the analysis settings each step receives, as typed objects.

What belongs here: the one place that knows what a valid setting is (periods that do not overlap, a baseline and a
comparison that exist and differ, scopes that exclude known tactics, scope roles that name scopes, a confidence
level strictly between 0 and 1), the messages naming each bad key and value, and the pure functions that apply
settings to a case table (which period a year falls in, which cases a scope keeps). Nothing here imports pandas at
module level: the Snakefile imports this module to check the config before any job runs.
"""

from __future__ import annotations

import json
import math
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from tnr_pipeline.model.errors import UserError

if TYPE_CHECKING:
    import pandas as pd

# The scopes the findings give a part to, by the role's name. config.yaml says which scope plays each role.
SCOPE_ROLES = {
    "headline": "the scope whose rate ratio is the headline (the report's 'eightfold')",
    "without_denial_of_entry": "the scope that leaves Denial of Entry out (the report's 'fourfold')",
    "freedom_house": "the scope comparable with Freedom House's count of physical tactics",
}
# Roles a config may leave out: the findings give what they show only when a scope plays them.
OPTIONAL_SCOPE_ROLES = {
    "like_for_like": "the scope that leaves out both tactics the study added to the typology (like for like)",
}

# The coded columns of each sheet (config `values` may give a team's own words for them), and the kind of code each
# holds: a country's ISO alpha-3 code, or a code of the reference file of that kind (REFERENCE_FILES).
CODED_COLUMNS = {
    "cases": {
        "host_country": "country",
        "tactic": "tactic",
        "target_profile": "target_profile",
        "verification": "verification",
    },
    "survey": {"country_of_residence": "country", "tactics_experienced": "tactic"},
}
REFERENCE_FILES = {
    "tactic": "typology.csv",
    "target_profile": "target_profiles.csv",
    "verification": "verification.csv",
}


class SettingsError(UserError, ValueError):
    """The settings are invalid or inconsistent; the message names every bad key and value."""

    def __init__(self, problems: list[str], source: str = "config"):
        noun = "problem" if len(problems) == 1 else "problems"
        message = (
            f"{source}: {len(problems)} {noun} in the settings. Nothing was built; fix these and run again.\n"
            + "\n".join(f"  - {problem}" for problem in problems)
        )
        super().__init__(message, problems)


def _translated(names: tuple[tuple[str, str], ...], language: str, default: str) -> str:
    return dict(names).get(language, default)


def _translations(spec: dict) -> tuple[tuple[str, str], ...]:
    """`label_<language>` keys of a period or scope -> ((language, label), ...)."""
    return tuple(sorted((key[len("label_") :], value) for key, value in spec.items() if key.startswith("label_")))


@dataclass(frozen=True)
class Period:
    name: str
    title: str  # the period's name without its years (config `label`), in the source language
    first_year: int
    last_year: int
    titles: tuple[tuple[str, str], ...] = ()  # (language, title) from config `label_<language>`

    @property
    def years(self) -> int:
        return self.last_year - self.first_year + 1

    @property
    def calendar_years(self) -> range:
        """Each calendar year of the period, in order."""
        return range(self.first_year, self.last_year + 1)

    @property
    def span(self) -> str:
        """'2014–2021', or '2022' for a one-year period."""
        return str(self.first_year) if self.years == 1 else f"{self.first_year}–{self.last_year}"

    @property
    def label(self) -> str:
        """'Pre-war (2014–2021)': the name with its years, as tables and figures show it."""
        return f"{self.title} ({self.span})"

    def title_in(self, language: str) -> str:
        return _translated(self.titles, language, self.title)

    def label_in(self, language: str) -> str:
        return f"{self.title_in(language)} ({self.span})"


@dataclass(frozen=True)
class Scope:
    name: str
    label: str
    exclude_tactics: tuple[str, ...] = ()
    fh_counted_only: bool = False
    labels: tuple[tuple[str, str], ...] = ()  # (language, label) from config `label_<language>`

    def label_in(self, language: str) -> str:
        return _translated(self.labels, language, self.label)


@dataclass(frozen=True)
class Analysis:
    """The analysis settings a statistics, claims, figure or report step works with."""

    periods: tuple[Period, ...]  # in chronological order, whatever their order in config
    baseline: Period
    comparison: Period
    scopes: tuple[Scope, ...]  # in config order (the order tables and figures list them in)
    roles: dict[str, Scope] = field(hash=False)  # role name (SCOPE_ROLES) -> scope
    confidence_level: float = 0.95
    baseline_starts: tuple[int, ...] = ()  # later starts of the baseline the robustness analysis tries
    documentation_growth: tuple[float, ...] = ()  # growths of documentation the robustness analysis divides out
    bootstrap_seed: int = 2025  # the seed of the countries' resampling (country_bootstrap)
    bootstrap_resamples: int = 2000  # how many resamples of the countries

    def role(self, name: str) -> Scope:
        return self.roles[name]

    def has_role(self, name: str) -> bool:
        return name in self.roles

    @property
    def scopes_to_show(self) -> tuple[Scope, ...]:
        """The scopes in the order figures and documents show them: the role scopes first (in the roles' order),
        then the others by name, so that reordering `scopes` in config.yaml changes nothing shown."""
        roles = list(dict.fromkeys(self.roles[role] for role in SCOPE_ROLES))
        return tuple(roles + sorted((s for s in self.scopes if s not in roles), key=lambda s: s.name))


# ---- checking -------------------------------------------------------------------------------------------------


def _is_year(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def period_problems(spec: object, baseline: object = None, comparison: object = None) -> list[str]:
    """What is wrong with `periods` (and the baseline and comparison named from them), one message each."""
    if not isinstance(spec, dict) or not spec:
        return [f"periods: {spec!r} is not a list of named periods (name: {{label, first_year, last_year}})"]
    problems, valid = [], []
    for name, period in spec.items():
        if not isinstance(period, dict):
            problems.append(f"periods.{name}: {period!r} is not a period (label, first_year, last_year)")
            continue
        first, last = period.get("first_year"), period.get("last_year")
        bad = [key for key, value in (("first_year", first), ("last_year", last)) if not _is_year(value)]
        for key in bad:
            problems.append(f"periods.{name}.{key}: {period.get(key)!r} is not a year written in digits")
        if bad:
            continue
        if first > last:
            problems.append(
                f"periods.{name}: first_year {first} is after last_year {last}; a period runs from its "
                "first year to its last, both included"
            )
            continue
        for key, label in period.items():
            spans = (f"{first}–{last}", f"{first}-{last}", f"{first} - {last}")
            if key.startswith("label") and isinstance(label, str) and any(span in label for span in spans):
                problems.append(
                    f"periods.{name}.{key}: {label!r} repeats the period's years, which figures and documents add "
                    f"from first_year and last_year. Write the name only, e.g. {label.split('(')[0].strip()!r}"
                )
        valid.append((first, last, name))
    valid.sort()
    for i, (first_a, last_a, a) in enumerate(valid):
        for first_b, last_b, b in valid[i + 1 :]:
            if first_b <= last_a:
                problems.append(
                    f"periods.{a} ({first_a}–{last_a}) and periods.{b} ({first_b}–{last_b}) overlap: "
                    "a year may belong to one period only"
                )
    names = ", ".join(spec)
    for role, name in (("baseline", baseline), ("comparison", comparison)):
        if name is not None and name not in spec:
            problems.append(f"{role}: {name!r} is not one of the periods ({names})")
    if baseline is not None and baseline == comparison:
        problems.append(f"baseline and comparison are both {baseline!r}: compare two different periods")
    return problems


def scope_problems(spec: object, tactic_codes: list[str] | None) -> list[str]:
    """What is wrong with `scopes`: each must be a filter, and every excluded tactic a typology code."""
    if not isinstance(spec, dict) or not spec:
        return [f"scopes: {spec!r} is not a list of named scopes (name: {{label, exclude_tactics, fh_counted_only}})"]
    problems = []
    for name, scope in spec.items():
        if not isinstance(scope, dict):
            problems.append(f"scopes.{name}: {scope!r} is not a scope (label, exclude_tactics, fh_counted_only)")
            continue
        excluded = scope.get("exclude_tactics", [])
        if not isinstance(excluded, list):
            problems.append(f"scopes.{name}.exclude_tactics: {excluded!r} is not a list of tactic codes")
            continue
        unknown = [code for code in excluded if tactic_codes is not None and code not in tactic_codes]
        for code in unknown:
            problems.append(
                f"scopes.{name}.exclude_tactics: {code!r} is not a tactic of the typology. Allowed: "
                + ", ".join(tactic_codes or [])
            )
        if tactic_codes is not None and not unknown and set(tactic_codes) <= set(excluded):
            problems.append(f"scopes.{name}.exclude_tactics: excludes every tactic, so the scope could hold no case")
    return problems


def role_problems(roles: object, scope_names: list[str]) -> list[str]:
    """What is wrong with `scope_roles`: every required role named, each naming an existing scope."""
    known = {**SCOPE_ROLES, **OPTIONAL_SCOPE_ROLES}
    if not isinstance(roles, dict):
        return [f"scope_roles: {roles!r} is not a mapping of role to scope name ({', '.join(known)})"]
    problems = [
        f"scope_roles.{role}: missing. Name {SCOPE_ROLES[role]}, one of the scopes ({', '.join(scope_names)})"
        for role in SCOPE_ROLES
        if role not in roles
    ]
    problems += [f"scope_roles.{role}: not a role. Allowed: {', '.join(known)}" for role in roles if role not in known]
    problems += [
        f"scope_roles.{role}: {name!r} is not one of the scopes ({', '.join(scope_names)})"
        for role, name in roles.items()
        if role in known and name not in scope_names
    ]
    return problems


def growth_problems(growths: object) -> list[str]:
    """What is wrong with `documentation_growth`: a list of numbers above 0, each given once."""
    if not isinstance(growths, list) or not all(
        isinstance(k, (int, float)) and not isinstance(k, bool) and math.isfinite(k) and k > 0 for k in growths
    ):
        return [
            f"documentation_growth: {growths!r} is not a list of numbers above 0 (how many times more likely a case "
            "was to be recorded in the comparison period than in the baseline, e.g. [1.5, 2, 3])"
        ]
    named = [f"{k:g}" for k in growths]
    return [
        f"documentation_growth: {name} is given twice; give each growth once"
        for name in sorted(set(named))
        if named.count(name) > 1
    ]


def bootstrap_problems(seed: object, resamples: object) -> list[str]:
    """What is wrong with `bootstrap_seed` and `bootstrap_resamples`: whole numbers, at least 0 and 1."""
    problems = []
    if not _is_year(seed) or seed < 0:  # _is_year: a whole number written in digits
        problems.append(f"bootstrap_seed: {seed!r} is not a whole number of at least 0 (e.g. 2025)")
    if not _is_year(resamples) or resamples < 1:
        problems.append(f"bootstrap_resamples: {resamples!r} is not a whole number of at least 1 (e.g. 2000)")
    return problems


def baseline_start_problems(starts: object, periods: object, baseline: object) -> list[str]:
    """What is wrong with `baseline_starts`: each a year after the baseline's first year, within the baseline."""
    if not isinstance(starts, list) or not all(_is_year(start) for start in starts):
        return [f"baseline_starts: {starts!r} is not a list of years"]
    period = periods.get(baseline) if isinstance(periods, dict) else None
    if not isinstance(period, dict) or not all(_is_year(period.get(k)) for k in ("first_year", "last_year")):
        return []  # reported as a period problem
    first, last = period["first_year"], period["last_year"]
    return [
        f"baseline_starts: {start} is not a later start of the baseline {baseline} ({first}–{last}). Allowed: "
        f"a year from {first + 1} to {last}"
        for start in starts
        if not first < start <= last
    ]


def language_problems(languages: object, periods: object, scopes: object) -> list[str]:
    """What is wrong with `languages`: the source language included, a catalogue for every other language, and a
    `label_<language>` for every period and scope (their names in that language's outputs)."""
    from tnr_pipeline.model.registry import SOURCE_LANGUAGE, catalogue

    if not isinstance(languages, list) or not all(isinstance(code, str) for code in languages):
        return [f"languages: {languages!r} is not a list of language codes (e.g. [en, ru])"]
    have = [SOURCE_LANGUAGE] + sorted(path.parts[-3] for path in Path().glob(catalogue("*")))
    problems = []
    if SOURCE_LANGUAGE not in languages:
        problems.append(
            f"languages: {languages!r} leaves out {SOURCE_LANGUAGE!r}, the language the pipeline is written in; "
            f"its outputs are always built. Write e.g. [{SOURCE_LANGUAGE}, ru]"
        )
    for code in languages:
        if code not in have:
            problems.append(
                f"languages: {code!r} has no translation catalogue ({catalogue(code)}). Languages with one: "
                + ", ".join(have)
            )
            continue
        if code == SOURCE_LANGUAGE:
            continue
        for kind, spec in (("periods", periods), ("scopes", scopes)):
            for name, item in (spec or {}).items() if isinstance(spec, dict) else ():
                if isinstance(item, dict) and not item.get(f"label_{code}"):
                    problems.append(
                        f"{kind}.{name}: no label_{code}, its name in the {code!r} edition. Add one, or remove "
                        f"{code!r} from languages"
                    )
    return problems


def level_problems(level: object) -> list[str]:
    if isinstance(level, bool) or not isinstance(level, (int, float)) or not 0 < level < 1:
        return [f"confidence_level: {level!r} is not a number strictly between 0 and 1 (e.g. 0.95)"]
    return []


def read_tactic_codes(typology_path: str | Path) -> list[str]:
    """The tactic codes of the typology (`io.read_csv_rows`: cheap enough for the Snakefile's start)."""
    from tnr_pipeline.model.io import read_csv_rows

    try:
        return [row["code"] for row in read_csv_rows(typology_path)]
    except (OSError, KeyError, UnicodeDecodeError) as error:
        raise SettingsError([f"typology {str(typology_path)!r} cannot be read as the typology CSV ({error})"]) from None


def known_codes(kind: str, reference_dir: str | Path) -> list[str]:
    """The codes of a kind of coded value (CODED_COLUMNS): ISO alpha-3 codes for countries (pycountry's, and those
    of the alias table, such as Kosovo's XKX), else the `code` column of the kind's reference file, read with the csv
    module (cheap enough for the Snakefile's start)."""
    directory = Path(reference_dir)
    if kind != "country":
        return [row["code"] for row in _csv_rows(directory / REFERENCE_FILES[kind])]
    import pycountry

    codes = {country.alpha_3 for country in pycountry.countries}
    return sorted(codes | {row["alpha3"] for row in _csv_rows(directory / "country_aliases.csv")})


def _csv_rows(path: Path) -> list[dict]:
    from tnr_pipeline.model.io import read_csv_rows

    try:
        return read_csv_rows(path)
    except (OSError, UnicodeDecodeError) as error:
        raise SettingsError([f"reference file {str(path)!r} cannot be read ({error})"]) from None


def value_problems(values: object, reference_dir: str | Path) -> list[str]:
    """What is wrong with `values` (a team's own words for codes, by sheet and column): each sheet one of
    CODED_COLUMNS, each column a coded column of that sheet, each word mapped to a code of that column."""
    if not isinstance(values, dict):
        return [f"values: {values!r} is not a mapping of sheet to columns (cases, survey)"]
    problems, codes_of = [], {}
    for sheet, columns in values.items():
        if sheet not in CODED_COLUMNS:
            problems.append(f"values.{sheet}: not a sheet. Allowed: {', '.join(CODED_COLUMNS)}")
            continue
        if not isinstance(columns, dict):
            problems.append(f"values.{sheet}: {columns!r} is not a mapping of column to {{word: code}}")
            continue
        coded = CODED_COLUMNS[sheet]
        for column, words in columns.items():
            if column not in coded:
                problems.append(
                    f"values.{sheet}.{column}: not a coded column of the {sheet} sheet. Allowed: {', '.join(coded)}"
                )
                continue
            if not isinstance(words, dict):
                problems.append(f"values.{sheet}.{column}: {words!r} is not a mapping of your word to a code")
                continue
            kind = coded[column]
            if kind not in codes_of:
                codes_of[kind] = known_codes(kind, reference_dir)
            what, allowed = (
                ("an ISO 3166-1 alpha-3 code", "a country's ISO 3166-1 alpha-3 code in capitals, such as GEO")
                if kind == "country"
                else (f"a code of {REFERENCE_FILES[kind]}", ", ".join(codes_of[kind]))
            )
            for word, code in words.items():
                if not isinstance(word, str) or not word.strip():
                    problems.append(f"values.{sheet}.{column}: {word!r} is not a word (an empty word matches nothing)")
                elif code not in codes_of[kind]:
                    problems.append(
                        f"values.{sheet}.{column}: {word!r} is mapped to {code!r}, which is not {what}. "
                        f"Allowed: {allowed}"
                    )
    return problems


def parse_values(text: str | dict, sheet: str, reference_dir: str | Path) -> dict[str, dict[str, str]]:
    """A team's own words for one sheet's coded columns ({column: {word: code}}, as JSON or a dict), checked against
    the reference codes; SettingsError names every problem."""
    spec = _load(text)
    problems = value_problems({sheet: spec}, reference_dir)
    if problems:
        raise SettingsError(problems)
    return spec


# ---- the analysis settings a step receives ----------------------------------------------------------------------


def _periods(spec: dict) -> tuple[Period, ...]:
    periods = [
        Period(name, p.get("label", name), p["first_year"], p["last_year"], _translations(p))
        for name, p in spec.items()
    ]
    return tuple(sorted(periods, key=lambda period: period.first_year))


def _scopes(spec: dict) -> tuple[Scope, ...]:
    return tuple(
        Scope(
            name,
            s.get("label", name),
            tuple(s.get("exclude_tactics", [])),
            bool(s.get("fh_counted_only", False)),
            _translations(s),
        )
        for name, s in spec.items()
    )


def _load(text: str | dict) -> dict:
    if not isinstance(text, str):
        return text
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise SettingsError([f"the settings given are not JSON ({error.msg} at character {error.pos})"]) from None


def parse_periods(text: str | dict) -> list[Period]:
    """Periods from config ({name: {label, first_year, last_year}}, as JSON or a dict), in chronological order."""
    spec = _load(text)
    problems = period_problems(spec)
    if problems:
        raise SettingsError(problems)
    return list(_periods(spec))


def parse_scopes(text: str | dict, tactic_codes: list[str] | None = None) -> list[Scope]:
    """Scopes from config ({name: {label, exclude_tactics, fh_counted_only}}), in config order."""
    spec = _load(text)
    problems = scope_problems(spec, tactic_codes)
    if problems:
        raise SettingsError(problems)
    return list(_scopes(spec))


def analysis_settings(config: dict) -> dict:
    """The part of the config the analysis steps receive (as JSON, through the command line)."""
    keys = (
        "periods",
        "baseline",
        "comparison",
        "scopes",
        "scope_roles",
        "confidence_level",
        "baseline_starts",
        "documentation_growth",
        "bootstrap_seed",
        "bootstrap_resamples",
    )
    return {key: config[key] for key in keys}


def parse_analysis(text: str | dict, tactic_codes: list[str] | None = None) -> Analysis:
    """The analysis settings, checked as a whole; SettingsError names every problem."""
    spec = _load(text)
    missing = [
        key
        for key in ("periods", "baseline", "comparison", "scopes", "scope_roles", "confidence_level")
        if key not in spec
    ]
    problems = [f"{key}: missing" for key in missing]
    if not missing:
        problems += period_problems(spec["periods"], spec["baseline"], spec["comparison"])
        problems += scope_problems(spec["scopes"], tactic_codes)
        problems += role_problems(spec["scope_roles"], list(spec["scopes"]) if isinstance(spec["scopes"], dict) else [])
        problems += level_problems(spec["confidence_level"])
        problems += growth_problems(spec.get("documentation_growth", []))
        problems += bootstrap_problems(spec.get("bootstrap_seed", 2025), spec.get("bootstrap_resamples", 2000))
        if not problems:
            problems += baseline_start_problems(spec.get("baseline_starts", []), spec["periods"], spec["baseline"])
    if problems:
        raise SettingsError(problems)
    periods, scopes = _periods(spec["periods"]), _scopes(spec["scopes"])
    by_name = {p.name: p for p in periods}
    scope_by_name = {s.name: s for s in scopes}
    return Analysis(
        periods,
        by_name[spec["baseline"]],
        by_name[spec["comparison"]],
        scopes,
        {role: scope_by_name[name] for role, name in spec["scope_roles"].items()},
        float(spec["confidence_level"]),
        tuple(spec.get("baseline_starts", [])),
        tuple(float(k) for k in spec.get("documentation_growth", [])),
        int(spec.get("bootstrap_seed", 2025)),
        int(spec.get("bootstrap_resamples", 2000)),
    )


# ---- the whole config, when the workflow starts ---------------------------------------------------------------


def _pattern_words(pattern: str) -> str:
    """A key pattern of the schema as a person writes the key: '^label_[a-z]{2,3}$' -> 'label_<language>'."""
    return "label_<language>" if pattern.startswith("^label_") else pattern


def _schema_problems(config: dict, schema: dict) -> dict[str, list[str]]:
    """Type and shape problems (JSON Schema), by top-level key, each message naming its key path."""
    import jsonschema

    problems: dict[str, list[str]] = {}
    for error in sorted(jsonschema.Draft202012Validator(schema).iter_errors(config), key=lambda e: list(e.path)):
        key = ".".join(str(part) for part in error.path) or "config"
        top = str(error.path[0]) if error.path else "config"
        if error.validator == "additionalProperties":
            patterns = list(error.schema.get("patternProperties", {}))
            named = list(error.schema.get("properties", {}))
            allowed = ", ".join(named + [_pattern_words(pattern) for pattern in patterns]) or "see config.schema.yaml"
            extra = sorted(
                name
                for name in set(error.instance) - set(named)
                if not any(re.search(pattern, name) for pattern in patterns)
            )
            message = f"{key}: unknown setting(s) {', '.join(extra)}. Allowed: {allowed}"
        else:
            described = schema["properties"].get(top, {}).get("description", "") if top != "config" else ""
            message = f"{key}: {error.message}" + (f" ({described.rstrip('.')})" if described else "")
        problems.setdefault(top, []).append(message)
    return problems


def config_problems(config: dict, schema: dict, typology_path: str | Path) -> list[str]:
    """Every problem with the config: its shape against the schema, then how the settings fit together (each check
    runs when the keys it reads have the right shape, so one run names every problem)."""
    for key, spec in schema["properties"].items():  # `--config key=null` arrives as the text "null"
        if "null" in spec.get("type", []) and config.get(key) in ("null", "None", "none", ""):
            config[key] = None
    by_key = _schema_problems(config, schema)
    problems = [message for messages in by_key.values() for message in messages]
    for key, spec in schema["properties"].items():
        if key not in config and "default" in spec:
            config[key] = spec["default"]

    def fine(*keys: str) -> bool:
        return not any(key in by_key for key in keys)

    if fine("periods", "baseline", "comparison"):
        problems += period_problems(config["periods"], config["baseline"], config["comparison"])
    if fine("scopes"):
        problems += scope_problems(config["scopes"], read_tactic_codes(typology_path))
    if fine("scopes", "scope_roles"):
        problems += role_problems(config["scope_roles"], list(config["scopes"]))
    if fine("periods", "baseline", "baseline_starts"):
        problems += baseline_start_problems(config["baseline_starts"], config["periods"], config["baseline"])
    if fine("documentation_growth"):
        problems += growth_problems(config["documentation_growth"])
    if fine("bootstrap_seed", "bootstrap_resamples"):
        problems += bootstrap_problems(config["bootstrap_seed"], config["bootstrap_resamples"])
    if fine("values"):
        problems += value_problems(config["values"], Path(typology_path).parent)
    if fine("languages", "periods", "scopes"):
        problems += language_problems(config["languages"], config["periods"], config["scopes"])
    last_year = config.get("last_year")
    if fine("first_year", "last_year") and last_year is not None and last_year < config["first_year"]:
        problems.append(f"last_year: {last_year} is before first_year {config['first_year']}")
    for key in ("raw_cases", "raw_survey", "raw_context", "claims", "input_descriptions", "recording_reasons"):
        if not fine(key) or config[key] is None:
            continue
        path = Path(config[key])
        if not path.is_file():
            what = "is a folder, not a file" if path.is_dir() else "does not exist"
            problems.append(
                f"{key}: {str(path)!r} {what}. Give the path of the file, relative to the project folder or absolute"
            )
    return problems


def check_config(config: dict, schema_path: str | Path, typology_path: str | Path) -> None:
    """For the Snakefile: print every problem with the config and stop with exit status 1, before any job runs.

    A person reads the message, not a traceback: each problem names the setting and its value.
    """
    import yaml

    with open(schema_path, encoding="utf-8") as handle:  # libyaml's safe loader where PyYAML has it: 10x faster
        schema = yaml.load(handle, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    problems = config_problems(config, schema, typology_path)
    if problems:
        print(SettingsError(problems, "config.yaml (and --config)"), file=sys.stderr)
        sys.exit(1)


# ---- applying settings to cases -------------------------------------------------------------------------------


def assign_period(year: pd.Series, periods: list[Period] | tuple[Period, ...]) -> pd.Series:
    """The name of the period containing each year, or missing when no period does."""
    import pandas as pd

    period = pd.Series(pd.NA, index=year.index, dtype="str")
    for each in periods:
        period = period.mask(year.between(each.first_year, each.last_year), each.name)
    return period


# The case columns a scope reads (in_scope).
SCOPE_COLUMNS = ("tactic", "fh_counted")


def in_scope(cases: pd.DataFrame, scope: Scope) -> pd.Series:
    """Which cases a scope keeps: boolean mask over `cases` (needs its SCOPE_COLUMNS)."""
    keep = ~cases["tactic"].isin(scope.exclude_tactics)
    if scope.fh_counted_only:
        keep &= cases["fh_counted"].astype(bool)
    return keep
