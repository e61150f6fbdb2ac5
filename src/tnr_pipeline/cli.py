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


def _optional_int(text: str) -> int | None:
    return int(text) if text not in ("", "None", "null") else None


def _optional_text(text: str) -> str | None:
    return text or None


def validate_cases(args: argparse.Namespace) -> None:
    from tnr_pipeline import ingest
    from tnr_pipeline.settings import parse_periods

    periods = parse_periods(args.periods)
    last_year = args.last_year or datetime.date.today().year
    config = {"periods": json.loads(args.periods), "first_year": args.first_year, "last_year": last_year,
              "sheet": args.sheet}
    rows = ingest.run(args.input, args.output, args.problems, args.reference_dir, periods, args.first_year,
                      last_year, args.sheet, config)
    print(f"validate-cases: {rows} cases written to {args.output}")


def compute_statistics(args: argparse.Namespace) -> None:
    from tnr_pipeline import summarise
    from tnr_pipeline.settings import parse_periods, parse_scopes

    config = {"periods": json.loads(args.periods), "scopes": json.loads(args.scopes), "baseline": args.baseline,
              "comparison": args.comparison, "confidence_level": args.confidence_level}
    rows = summarise.run(args.cases, args.output_dir, args.reference_dir, parse_periods(args.periods),
                         parse_scopes(args.scopes), args.baseline, args.comparison, args.confidence_level, config)
    print("compute-statistics: " + ", ".join(f"{name} {n} rows" for name, n in rows.items()))


def check_claims(args: argparse.Namespace) -> None:
    from tnr_pipeline import claims

    tables = dict(item.split("=", 1) for item in args.table)
    result = claims.run(args.claims, tables, args.output, args.strict, {"strict_claims": args.strict})
    print(f"check-claims: {int(result['holds'].sum())} of {len(result)} claims hold")
    for row in result[~result["holds"]].itertuples():
        print(f"  does not hold: {row.claim_id} (expected {row.check} {row.expected}, observed {row.observed})")


def draw_figures(args: argparse.Namespace) -> None:
    from tnr_pipeline import figures
    from tnr_pipeline.settings import parse_periods, parse_scopes

    written = figures.run(args.tables_dir, args.output_dir, args.typology, parse_periods(args.periods),
                          parse_scopes(args.scopes), args.workers)
    print(f"draw-figures: {len(written)} files written to {args.output_dir}")


def render_findings(args: argparse.Namespace) -> None:
    from tnr_pipeline import report
    from tnr_pipeline.settings import parse_periods, parse_scopes

    report.run(args.tables_dir, args.figures_dir, args.template_dir, args.typology, args.markdown, args.html,
               parse_periods(args.periods), parse_scopes(args.scopes))
    print(f"render-findings: wrote {args.markdown} and {args.html}")


def summarise_survey(args: argparse.Namespace) -> None:
    from tnr_pipeline import survey

    summary = survey.run(args.input, args.responses, args.summary, args.problems, args.reference_dir,
                         args.confidence_level, {"confidence_level": args.confidence_level})
    print(f"summarise-survey: {int(summary['respondents'].max())} responses summarised in {args.summary}")


def validate_context(args: argparse.Namespace) -> None:
    from tnr_pipeline import context

    n = context.run(args.input, args.output, args.problems, {})
    print(f"validate-context: {n} context figures written to {args.output}")


# Options several steps share, defined once: name -> keyword arguments of add_argument.
SHARED_OPTIONS = {
    "--problems": {"required": True, "help": "validation report to write (the problems, or that there are none)"},
    "--reference-dir": {"required": True, "help": "folder of the reference CSV files"},
    "--periods": {"required": True, "help": "periods as JSON: {name: {label, first_year, last_year}}"},
    "--scopes": {"required": True, "help": "scopes as JSON: {name: {label, exclude_tactics, fh_counted_only}}"},
    "--confidence-level": {"type": float, "default": 0.95, "help": "confidence level of the intervals"},
    "--tables-dir": {"required": True, "help": "folder of the Parquet tables"},
    "--typology": {"required": True, "help": "typology CSV (tactic labels, families, colours)"},
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
    _step(steps, "validate-cases", validate_cases, "validate the case spreadsheet and write cases.parquet",
          ("--problems", "--reference-dir", "--periods"), {
              "--input": {**required, "help": "case spreadsheet (.csv or .xlsx)"},
              "--sheet": {"type": _optional_text, "default": None,
                          "help": "sheet name of an .xlsx (default: the first sheet)"},
              "--output": {**required, "help": "cases.parquet to write"},
              "--first-year": {**required, "type": int, "help": "earliest year allowed in the sheet"},
              "--last-year": {"type": _optional_int, "default": None,
                              "help": "latest year allowed in the sheet (default: the current year)"}})
    _step(steps, "compute-statistics", compute_statistics, "period averages, rate ratios and breakdowns",
          ("--reference-dir", "--periods", "--scopes", "--confidence-level"), {
              "--cases": {**required, "help": "cases.parquet"},
              "--output-dir": {**required, "help": "folder for the statistics tables"},
              "--baseline": {**required, "help": "name of the baseline period"},
              "--comparison": {**required, "help": "name of the comparison period"}})
    _step(steps, "check-claims", check_claims, "check the report's claims against the statistics", (), {
        "--claims": {**required, "help": "claims CSV (reference/claims.csv)"},
        "--table": {**required, "action": "append", "metavar": "NAME=PATH",
                    "help": "a table the metrics read (cases, period_summary, ...); repeat"},
        "--output": {**required, "help": "claims.parquet to write"},
        "--strict": {"action": "store_true", "help": "fail when any claim does not hold"}})
    _step(steps, "draw-figures", draw_figures, "draw every figure as PNG and SVG from the tables",
          ("--tables-dir", "--typology", "--periods", "--scopes"), {
              "--output-dir": {**required, "help": "folder for the figures"},
              "--workers": {"type": int, "default": 1, "help": "figures drawn at once, in forked processes"}})
    _step(steps, "render-findings", render_findings, "render the findings document (Markdown and HTML)",
          ("--tables-dir", "--typology", "--periods", "--scopes"), {
              "--figures-dir": {**required, "help": "folder of the figures (PNG are embedded in the HTML)"},
              "--template-dir": {**required, "help": "folder of findings.md.j2 and findings.html.j2"},
              "--markdown": {**required, "help": "findings.md to write"},
              "--html": {**required, "help": "findings.html to write"}})
    _step(steps, "summarise-survey", summarise_survey, "validate the questionnaire and summarise its answers",
          ("--problems", "--reference-dir", "--confidence-level"), {
              "--input": {**required, "help": "questionnaire sheet (.csv or .xlsx)"},
              "--responses": {**required, "help": "survey_responses.parquet to write"},
              "--summary": {**required, "help": "survey_summary.parquet to write"}})
    _step(steps, "validate-context", validate_context, "validate the context figures the report cites",
          ("--problems",), {
              "--input": {**required, "help": "context figures sheet (.csv or .xlsx)"},
              "--output": {**required, "help": "context_figures.parquet to write"}})
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    from tnr_pipeline.problems import InputInvalid
    from tnr_pipeline.settings import SettingsError

    try:
        args.action(args)
    except InputInvalid as invalid:
        print(invalid, file=sys.stderr)
        return 1
    except SettingsError as error:
        print(f"tnr-pipeline {args.step}: {error}", file=sys.stderr)
        return 1
    return 0


def run_and_exit() -> None:
    """The `tnr-pipeline` command: run a step, then end the process without tearing the interpreter down.

    A step's process exists only to run that step. Once its files are written (atomically, and closed) and its
    output flushed, freeing every object of pandas, pandera, matplotlib and the rest would only cost time (about
    0.2 s a step). An exception still ends the process the normal way, with its traceback and a non-zero status.
    """
    code = main()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


if __name__ == "__main__":
    run_and_exit()
