"""What the stages share on the command line: options defined once, and how their values are read.

What belongs here: argument types and parsers that turn option text into checked values (a problem is named with its
option, as a SettingsError). Standard library only at import: every `tnr-pipeline` command imports it.
"""

from __future__ import annotations

import argparse
import json


def optional_int(text: str) -> int | None:
    return int(text) if text not in ("", "None", "null") else None


def optional_text(text: str) -> str | None:
    return text or None


def parse_named(pairs: list[str] | None, option: str) -> dict[str, str]:
    """['cases=path', ...] -> {'cases': 'path'}; a pair that is not NAME=PATH is refused, naming it."""
    from tnr_pipeline.model.settings import SettingsError

    named, problems = {}, []
    for pair in pairs or []:
        name, separator, path = pair.partition("=")
        if not (separator and name and path):
            problems.append(f"{option} {pair!r} is not NAME=PATH")
        named[name] = path
    if problems:
        raise SettingsError(problems, "command line")
    return named


def columns(text: str) -> dict[str, str]:
    """The header mapping (contract column -> the sheet's header), as JSON; refused, naming it, when it is not."""
    from tnr_pipeline.model.settings import SettingsError

    try:
        mapping = json.loads(text or "{}")
    except json.JSONDecodeError:
        raise SettingsError([f"--columns {text!r} is not JSON"], "command line") from None
    if not isinstance(mapping, dict) or not all(isinstance(v, str) for v in mapping.values()):
        raise SettingsError([f"--columns {text!r} is not a mapping of column to header"], "command line")
    return mapping


def values(args: argparse.Namespace, sheet: str) -> dict[str, dict[str, str]]:
    """A team's own words for the sheet's coded columns (config `values.<sheet>`), as JSON, checked against the
    reference codes (SettingsError names each problem)."""
    from tnr_pipeline.model.settings import parse_values

    return parse_values(args.values or "{}", sheet, args.reference_dir)


def analysis(args: argparse.Namespace, reference_dir: str | None = None, typology: str | None = None):
    """The analysis settings the step received, checked against the typology (SettingsError names each problem)."""
    from tnr_pipeline.model.settings import parse_analysis, read_tactic_codes

    path = typology or f"{reference_dir}/typology.csv"
    return parse_analysis(args.analysis, read_tactic_codes(path))


def languages(args: argparse.Namespace) -> dict:
    """The languages a figure or report step writes in (`--language`, repeated; the source language by default),
    each with its catalogue (`--catalogue CODE=FILE.po`, checked and compiled in the step; none for the source
    language). SettingsError names every language without a readable, finished catalogue."""
    from tnr_pipeline.model.settings import SettingsError
    from tnr_pipeline.render.i18n import SOURCE_LANGUAGE, load_language

    catalogues = parse_named(args.catalogue, "--catalogue")
    languages, problems = {}, []
    for code in args.language or [SOURCE_LANGUAGE]:
        if code != SOURCE_LANGUAGE and code not in catalogues:
            problems.append(f"--language {code}: give its catalogue as --catalogue {code}=FILE.po")
            continue
        try:
            languages[code] = load_language(code, catalogues.get(code))
        except SettingsError as error:
            problems += error.problems
        except (OSError, ValueError) as error:
            problems.append(f"--catalogue {code}={catalogues.get(code)}: the catalogue cannot be read ({error})")
    if problems:
        raise SettingsError(problems, "command line")
    return languages


def by_language(values: list[str] | None, languages: dict) -> dict[str, list[str]]:
    """Options that name another language's output with its code and a colon (`ru:NAME=PATH`, `ru:PATH`), grouped by
    language; a value without a known language's code is the source language's."""
    from tnr_pipeline.render.i18n import SOURCE_LANGUAGE

    grouped: dict[str, list[str]] = {code: [] for code in languages}
    for value in values or []:
        code, separator, rest = value.partition(":")
        if separator and code in languages and code != SOURCE_LANGUAGE:
            grouped[code].append(rest)
        else:
            grouped.setdefault(SOURCE_LANGUAGE, []).append(value)
    return grouped


def one_each(values: list[str] | None, languages: dict, option: str) -> dict[str, str]:
    """One path per language (`--markdown reports/findings.md --markdown ru:reports/findings.ru.md`)."""
    from tnr_pipeline.model.settings import SettingsError
    from tnr_pipeline.render.i18n import SOURCE_LANGUAGE

    grouped = by_language(values, languages)
    problems = [
        f"{option}: give one path for {code!r}" + (f" (as {code}:PATH)" if code != SOURCE_LANGUAGE else "")
        for code in languages
        if len(grouped.get(code, [])) != 1
    ]
    if problems:
        raise SettingsError(problems, "command line")
    return {code: grouped[code][0] for code in languages}


# Options several steps share, defined once: name -> keyword arguments of add_argument.
SHARED_OPTIONS = {
    "--origin-country": {
        "required": True,
        "help": "alpha-3 code of the state whose cases abroad are counted (config: origin_country): a case hosted "
        "there is refused; the map draws it as the origin state",
    },
    "--problems": {
        "default": None,
        "help": "file to write the step's problems to when it fails (removed when it succeeds); the build prints it",
    },
    "--reference-dir": {"required": True, "help": "folder of the reference CSV files"},
    "--periods": {"required": True, "help": "periods as JSON: {name: {label, first_year, last_year}}"},
    "--analysis": {
        "required": True,
        "help": "analysis settings as JSON: periods, baseline, comparison, scopes, "
        "scope_roles, confidence_level (as in config.yaml)",
    },
    "--confidence-level": {"type": float, "required": True, "help": "confidence level of the intervals"},
    "--descriptions": {
        "type": optional_text,
        "default": None,
        "help": "the input data package (data/raw/datapackage.json) that describes the inputs",
    },
    "--sheet": {"type": optional_text, "default": None, "help": "sheet of a workbook, by name (default: the first)"},
    "--columns": {"default": "{}", "help": "the sheet's own headers as JSON: {contract column: header}"},
    "--values": {"default": "{}", "help": "the team's own words for codes as JSON: {coded column: {word: code}}"},
    "--table": {
        "required": True,
        "action": "append",
        "metavar": "NAME=PATH",
        "help": "a Parquet table the step reads, by its name; repeat",
    },
    "--figure": {"required": True, "action": "append", "metavar": "NAME=PATH", "help": "a figure, by its name; repeat"},
    "--typology": {"required": True, "help": "typology CSV (tactic labels, families, colours)"},
    "--prosecutions-series": {"required": True, "help": "series of the context figures set beside the cases"},
    "--language": {
        "action": "append",
        "help": "a language to write the outputs in (config: languages); repeat; default en. Another language's "
        "outputs are named with its code and a colon: --figure ru:NAME=PATH",
    },
    "--catalogue": {
        "action": "append",
        "metavar": "CODE=FILE.po",
        "help": "a language's catalogue, checked and compiled by the step; repeat; not needed for en",
    },
}


def add_step(steps, name: str, run, summary: str, shared: tuple[str, ...], own: dict[str, dict]):
    """A subcommand with its own options and the shared ones it uses; `run(args)` runs it."""
    step = steps.add_parser(name, help=summary, description=summary)
    for option, keywords in own.items():
        step.add_argument(option, **keywords)
    for option in shared:
        step.add_argument(option, **SHARED_OPTIONS[option])
    step.set_defaults(action=run)
    return step


REQUIRED = {"required": True}
