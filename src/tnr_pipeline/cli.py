"""The command line: one subcommand per pipeline step, each a thin adapter onto a stage module.

What belongs here: argument parsing and the mapping of arguments onto a stage's `run`. Each subcommand imports
its stage only when it runs, so a step pays only for the libraries it uses (the report step imports neither pandas,
pandera nor matplotlib). Exit status: 0 on success, 1 when the input has problems (listed on stderr), 2 on usage errors.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import sys
import traceback
from pathlib import Path


def _optional_int(text: str) -> int | None:
    return int(text) if text not in ("", "None", "null") else None


def _optional_text(text: str) -> str | None:
    return text or None


def parse_named(pairs: list[str] | None, option: str) -> dict[str, str]:
    """['cases=path', ...] -> {'cases': 'path'}; a pair that is not NAME=PATH is refused, naming it."""
    from tnr_pipeline.settings import SettingsError

    named, problems = {}, []
    for pair in pairs or []:
        name, separator, path = pair.partition("=")
        if not (separator and name and path):
            problems.append(f"{option} {pair!r} is not NAME=PATH")
        named[name] = path
    if problems:
        raise SettingsError(problems, "command line")
    return named


def _columns(text: str) -> dict[str, str]:
    """The header mapping (contract column -> the sheet's header), as JSON; refused, naming it, when it is not."""
    from tnr_pipeline.settings import SettingsError

    try:
        mapping = json.loads(text or "{}")
    except json.JSONDecodeError:
        raise SettingsError([f"--columns {text!r} is not JSON"], "command line") from None
    if not isinstance(mapping, dict) or not all(isinstance(v, str) for v in mapping.values()):
        raise SettingsError([f"--columns {text!r} is not a mapping of column to header"], "command line")
    return mapping


def _values(args: argparse.Namespace, sheet: str) -> dict[str, dict[str, str]]:
    """A team's own words for the sheet's coded columns (config `values.<sheet>`), as JSON, checked against the
    reference codes (SettingsError names each problem)."""
    from tnr_pipeline.settings import parse_values

    return parse_values(args.values or "{}", sheet, args.reference_dir)


def _analysis(args: argparse.Namespace, reference_dir: str | None = None, typology: str | None = None):
    """The analysis settings the step received, checked against the typology (SettingsError names each problem)."""
    from tnr_pipeline.settings import parse_analysis, read_tactic_codes

    path = typology or f"{reference_dir}/typology.csv"
    return parse_analysis(args.analysis, read_tactic_codes(path))


def validate_cases(args: argparse.Namespace) -> None:
    from tnr_pipeline import ingest
    from tnr_pipeline.settings import parse_periods

    periods = parse_periods(args.periods)
    last_year = args.last_year or datetime.date.today().year
    values = _values(args, "cases")
    config = {
        "periods": json.loads(args.periods),
        "first_year": args.first_year,
        "last_year": last_year,
        "sheet": args.sheet,
        "columns": _columns(args.columns),
        "origin_country": args.origin_country,
        **(
            {"values": values} if values else {}
        ),  # recorded only when given, so the default leaves outputs as they were
    }
    rows = ingest.run(
        args.input,
        args.output,
        args.problems,
        args.reference_dir,
        periods,
        args.first_year,
        last_year,
        args.sheet,
        config,
        _columns(args.columns),
        args.origin_country,
        args.descriptions,
        values,
    )
    print(f"validate-cases: {rows} cases written to {args.output}")


def compute_statistics(args: argparse.Namespace) -> None:
    from tnr_pipeline import summarise

    analysis = _analysis(args, args.reference_dir)
    rows = summarise.run(args.cases, args.output_dir, args.reference_dir, analysis, json.loads(args.analysis))
    print("compute-statistics: " + ", ".join(f"{name} {n} rows" for name, n in rows.items()))


def check_claims(args: argparse.Namespace) -> None:
    from tnr_pipeline import claims
    from tnr_pipeline.io import public_path

    analysis = _analysis(args, args.reference_dir)
    result = claims.run(
        args.claims,
        parse_named(args.table, "--table"),
        args.output,
        args.reference_dir,
        analysis,
        args.strict,
        {"strict_claims": args.strict, "claims": public_path(args.claims)},
    )
    checked = result[result["holds"].notna()]
    print(f"check-claims: {int(checked['holds'].sum())} of {len(checked)} checkable claims hold")
    for row in checked[~checked["holds"].astype(bool)].itertuples():
        print(f"  does not hold: {row.claim_id} (expected {row.check} {row.expected}, observed {row.observed})")


def _languages(args: argparse.Namespace) -> dict:
    """The languages a figure or report step writes in (`--language`, repeated; the source language by default),
    each with its catalogue (`--catalogue CODE=FILE.po`, checked and compiled in the step; none for the source
    language). SettingsError names every language without a readable, finished catalogue."""
    from tnr_pipeline.i18n import SOURCE_LANGUAGE, load_language
    from tnr_pipeline.settings import SettingsError

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


def _by_language(values: list[str] | None, languages: dict) -> dict[str, list[str]]:
    """Options that name another language's output with its code and a colon (`ru:NAME=PATH`, `ru:PATH`), grouped by
    language; a value without a known language's code is the source language's."""
    from tnr_pipeline.i18n import SOURCE_LANGUAGE

    grouped: dict[str, list[str]] = {code: [] for code in languages}
    for value in values or []:
        code, separator, rest = value.partition(":")
        if separator and code in languages and code != SOURCE_LANGUAGE:
            grouped[code].append(rest)
        else:
            grouped.setdefault(SOURCE_LANGUAGE, []).append(value)
    return grouped


def _one_each(values: list[str] | None, languages: dict, option: str) -> dict[str, str]:
    """One path per language (`--markdown reports/findings.md --markdown ru:reports/findings.ru.md`)."""
    from tnr_pipeline.i18n import SOURCE_LANGUAGE
    from tnr_pipeline.settings import SettingsError

    grouped = _by_language(values, languages)
    problems = [
        f"{option}: give one path for {code!r}" + (f" (as {code}:PATH)" if code != SOURCE_LANGUAGE else "")
        for code in languages
        if len(grouped.get(code, [])) != 1
    ]
    if problems:
        raise SettingsError(problems, "command line")
    return {code: grouped[code][0] for code in languages}


def check_translations(args: argparse.Namespace) -> None:
    from tnr_pipeline.i18n import catalogue_problems
    from tnr_pipeline.settings import SettingsError

    problems = catalogue_problems(args.catalogue)
    if problems:
        raise SettingsError(problems, f"catalogue {args.catalogue}")
    print(f"check-translations: {args.catalogue} translates every message")


def draw_figures(args: argparse.Namespace) -> None:
    from tnr_pipeline import figures

    languages = _languages(args)
    figure_stems = {
        code: parse_named(values, "--figure") for code, values in _by_language(args.figure, languages).items()
    }
    written = figures.run(
        parse_named(args.table, "--table"),
        figure_stems,
        args.typology,
        _analysis(args, typology=args.typology),
        args.prosecutions_series,
        args.workers,
        args.claims,
        languages,
        args.region_groups,
        args.origin_country,
    )
    print(f"draw-figures: {len(written)} files written ({', '.join(languages)})")


def render_findings(args: argparse.Namespace) -> None:
    from tnr_pipeline import report

    languages = _languages(args)
    figures = _by_language(args.figure, languages)
    markdown, html = _one_each(args.markdown, languages, "--markdown"), _one_each(args.html, languages, "--html")
    editions = [
        report.Edition(lang, parse_named(figures.get(code), "--figure"), markdown[code], html[code])
        for code, lang in languages.items()
    ]
    report.run(
        parse_named(args.table, "--table"),
        editions,
        args.template_dir,
        args.typology,
        _analysis(args, typology=args.typology),
        args.prosecutions_series,
        args.summary,
        args.claims,
        args.region_groups,
        args.workers,
    )
    for edition in editions:
        print(f"render-findings: wrote {edition.markdown_path} and {edition.html_path} ({edition.lang.code})")


def diff(args: argparse.Namespace) -> None:
    from tnr_pipeline import diff as comparison
    from tnr_pipeline.io import write_text

    try:
        text, report = comparison.run(args.old, args.new, args.format, args.repository)
    except comparison.DiffInputError as error:
        if args.output:  # the reviewer reads the report (CI's job summary), so the failure goes there too
            write_text(args.output, comparison.render_failure(args.old, args.new, str(error), args.format))
        raise
    if args.output:
        write_text(args.output, text)
    print(text, end="")
    broken = [c["claim_id"] for c in report["claims_changed"] if c["was"] is True and c["now"] is not True]
    if broken and args.fail_on_broken_claims:
        raise comparison.BrokenClaims(broken)


def describe_outputs(args: argparse.Namespace) -> None:
    from tnr_pipeline import descriptions

    package = descriptions.write_output_package(
        parse_named(args.table, "--table"), args.output, args.descriptions or None
    )
    print(f"describe-outputs: {len(package['resources'])} tables described in {args.output}")


def summarise_survey(args: argparse.Namespace) -> None:
    from tnr_pipeline import survey
    from tnr_pipeline.settings import SettingsError, level_problems

    problems = level_problems(args.confidence_level)
    if problems:
        raise SettingsError(problems)
    summary = survey.run(
        args.input,
        args.responses,
        args.summary,
        args.problems,
        args.reference_dir,
        args.confidence_level,
        {"confidence_level": args.confidence_level},
        _columns(args.columns),
        args.sheet,
        args.descriptions,
        _values(args, "survey"),
    )
    print(f"summarise-survey: {int(summary['respondents'].max())} responses summarised in {args.summary}")


def validate_context(args: argparse.Namespace) -> None:
    from tnr_pipeline import context

    n = context.run(args.input, args.output, args.problems, {}, args.descriptions)
    print(f"validate-context: {n} context figures written to {args.output}")


# Options several steps share, defined once: name -> keyword arguments of add_argument.
SHARED_OPTIONS = {
    "--origin-country": {
        "default": "RUS",
        "help": "alpha-3 code of the state whose cases abroad are counted (a case hosted there is refused; the map "
        "draws it as the origin state)",
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
        "type": _optional_text,
        "default": None,
        "help": "the input data package (data/raw/datapackage.json) that describes the inputs",
    },
    "--sheet": {"type": _optional_text, "default": None, "help": "sheet of a workbook, by name (default: the first)"},
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


def _step(steps, name: str, action, summary: str, shared: tuple[str, ...], own: dict[str, dict]):
    """A subcommand with its own options and the shared ones it uses."""
    step = steps.add_parser(name, help=summary)
    for option, keywords in own.items():
        step.add_argument(option, **keywords)
    for option in shared:
        step.add_argument(option, **SHARED_OPTIONS[option])
    step.set_defaults(action=action)
    return step


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="tnr-pipeline", description=__doc__.splitlines()[0])
    steps = parser.add_subparsers(dest="step", required=True, metavar="STEP")
    required = {"required": True}
    _step(
        steps,
        "validate-cases",
        validate_cases,
        "validate the case spreadsheet and write cases.parquet",
        (
            "--problems",
            "--reference-dir",
            "--periods",
            "--sheet",
            "--columns",
            "--values",
            "--descriptions",
            "--origin-country",
        ),
        {
            "--input": {**required, "help": "case spreadsheet (.csv, .tsv or a workbook)"},
            "--output": {**required, "help": "cases.parquet to write"},
            "--first-year": {**required, "type": int, "help": "earliest year allowed in the sheet"},
            "--last-year": {
                "type": _optional_int,
                "default": None,
                "help": "latest year allowed in the sheet (default: the current year)",
            },
        },
    )
    _step(
        steps,
        "compute-statistics",
        compute_statistics,
        "period averages, rate ratios and breakdowns",
        ("--problems", "--reference-dir", "--analysis"),
        {
            "--cases": {**required, "help": "cases.parquet"},
            "--output-dir": {**required, "help": "folder for the statistics tables"},
        },
    )
    _step(
        steps,
        "check-claims",
        check_claims,
        "check the report's claims against the statistics",
        ("--problems", "--table", "--reference-dir", "--analysis"),
        {
            "--claims": {**required, "help": "claims CSV (config: claims)"},
            "--output": {**required, "help": "claims.parquet to write"},
            "--strict": {"action": "store_true", "help": "fail when any claim does not hold"},
        },
    )
    _step(
        steps,
        "draw-figures",
        draw_figures,
        "draw every figure as PNG and SVG from the tables",
        (
            "--problems",
            "--table",
            "--figure",
            "--typology",
            "--analysis",
            "--prosecutions-series",
            "--language",
            "--catalogue",
            "--origin-country",
        ),
        {
            "--workers": {"type": int, "default": 1, "help": "figures drawn at once, in forked processes"},
            "--claims": {"default": None, "help": "the claims file: the report's own ratios are marked from it"},
            "--region-groups": {
                "default": None,
                "help": "region groups CSV: the groups' names on the robustness figure",
            },
        },
    )
    _step(
        steps,
        "render-findings",
        render_findings,
        "render the findings document (Markdown and HTML)",
        (
            "--problems",
            "--table",
            "--figure",
            "--typology",
            "--analysis",
            "--prosecutions-series",
            "--language",
            "--catalogue",
        ),
        {
            "--template-dir": {**required, "help": "folder of findings.md.j2 and findings.html.j2"},
            "--markdown": {**required, "action": "append", "help": "findings.md to write; one per language"},
            "--html": {**required, "action": "append", "help": "findings.html to write; one per language"},
            "--summary": {"default": None, "help": "the build's closing summary (text) to write"},
            "--workers": {"type": int, "default": 1, "help": "languages rendered at once, in forked processes"},
            "--claims": {"default": None, "help": "the claims file: the claims' words in other languages (claim_ru)"},
            "--region-groups": {"default": None, "help": "region groups CSV: the groups' names in other languages"},
        },
    )
    _step(
        steps,
        "check-translations",
        check_translations,
        "check a language's catalogue: every message translated, none fuzzy (the build checks it too)",
        (),
        {"--catalogue": {**required, "help": "the catalogue to check (.po)"}},
    )
    _step(
        steps,
        "diff",
        diff,
        "compare two builds (data/processed/ folders or git revisions), table by table",
        (),
        {
            "old": {"help": "the build before: a data/processed/ folder, or a git revision to build"},
            "new": {"help": "the build after: a data/processed/ folder, or a git revision to build"},
            "--format": {"choices": ["markdown", "json"], "default": "markdown", "help": "report format"},
            "--output": {"default": None, "help": "also write the report to this file"},
            "--repository": {"default": ".", "help": "the git repository whose revisions are named (default: here)"},
            "--fail-on-broken-claims": {
                "action": "store_true",
                "help": "exit 1 when a claim that held no longer holds (strict_claims)",
            },
        },
    )
    _step(
        steps,
        "describe-outputs",
        describe_outputs,
        "write the data package that describes every output table",
        ("--problems", "--table", "--descriptions"),
        {"--output": {**required, "help": "datapackage.json to write (beside the tables)"}},
    )
    _step(
        steps,
        "summarise-survey",
        summarise_survey,
        "validate the questionnaire and summarise its answers",
        ("--problems", "--reference-dir", "--confidence-level", "--sheet", "--columns", "--values", "--descriptions"),
        {
            "--input": {**required, "help": "questionnaire sheet (.csv, .tsv or a workbook)"},
            "--responses": {**required, "help": "survey_responses.parquet to write"},
            "--summary": {**required, "help": "survey_summary.parquet to write"},
        },
    )
    _step(
        steps,
        "validate-context",
        validate_context,
        "validate the context figures the report cites",
        ("--problems", "--descriptions"),
        {
            "--input": {**required, "help": "context figures sheet (.csv or .xlsx)"},
            "--output": {**required, "help": "context_figures.parquet to write"},
        },
    )
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run a step. Exit status 1 with the problems on stderr when the input or the settings have problems; the step's
    problems file (`--problems`) then holds them too, and only then (the build's end prints it)."""
    args = build_parser().parse_args(argv)
    from tnr_pipeline.problems import InputInvalid
    from tnr_pipeline.settings import SettingsError

    problems = getattr(args, "problems", None)
    if problems:
        Path(problems).unlink(missing_ok=True)
    try:
        args.action(args)
    except InputInvalid as invalid:
        message = str(invalid)
    except SettingsError as error:  # bad settings, a strict claim failing, an unreadable input description
        message = f"tnr-pipeline {args.step}: {error}"
    except BaseException:  # a bug: its traceback, in the problems file too
        if problems:
            _write_problems(problems, traceback.format_exc())
        raise
    else:
        return 0
    print(message, file=sys.stderr)
    if problems:
        _write_problems(problems, message + "\n")
    return 1


def _write_problems(path: str, text: str) -> None:
    from tnr_pipeline.io import write_text

    write_text(path, text)


def run_and_exit() -> None:
    """The `tnr-pipeline` command: run a step, then end the process without tearing the interpreter down.

    A step's process exists only to run that step. Once its files are written (atomically, and closed) and its
    output flushed, freeing every object of pandas, pandera, matplotlib and the rest would only cost time. An
    exception still ends the process the normal way, with its traceback and a non-zero status.
    """
    code = main()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


if __name__ == "__main__":
    run_and_exit()
