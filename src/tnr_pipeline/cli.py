"""The command line: one subcommand per pipeline step, each a thin adapter onto a stage module.

What belongs here: argument parsing and the mapping of arguments onto a stage's `run`. Each subcommand imports
its stage only when it runs, so a step pays only for the libraries it uses (the report step imports neither pandas,
pandera nor matplotlib). Exit status: 0 on success, 1 when the input has problems (listed on stderr), 2 on usage errors.
"""

from __future__ import annotations

import argparse
import datetime
import json
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
                          parse_scopes(args.scopes))
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


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="tnr-pipeline", description=__doc__.splitlines()[0])
    steps = parser.add_subparsers(dest="step", required=True, metavar="STEP")

    step = steps.add_parser("validate-cases", help="validate the case spreadsheet and write cases.parquet")
    step.add_argument("--input", required=True, help="case spreadsheet (.csv or .xlsx)")
    step.add_argument("--sheet", type=_optional_text, default=None, help="sheet name of an .xlsx (default: the first sheet)")
    step.add_argument("--output", required=True, help="cases.parquet to write")
    step.add_argument("--problems", required=True, help="validation report to write (problems, or none)")
    step.add_argument("--reference-dir", required=True, help="folder of the reference CSV files")
    step.add_argument("--periods", required=True, help="periods as JSON: {name: {label, first_year, last_year}}")
    step.add_argument("--first-year", type=int, required=True, help="earliest year allowed in the sheet")
    step.add_argument("--last-year", type=_optional_int, default=None,
                      help="latest year allowed in the sheet (default: the current year)")
    step.set_defaults(action=validate_cases)

    step = steps.add_parser("compute-statistics", help="period averages, rate ratios and breakdowns")
    step.add_argument("--cases", required=True, help="cases.parquet")
    step.add_argument("--output-dir", required=True, help="folder for the statistics tables")
    step.add_argument("--reference-dir", required=True, help="folder of the reference CSV files")
    step.add_argument("--periods", required=True, help="periods as JSON: {name: {label, first_year, last_year}}")
    step.add_argument("--scopes", required=True, help="scopes as JSON: {name: {label, exclude_tactics, ...}}")
    step.add_argument("--baseline", required=True, help="name of the baseline period")
    step.add_argument("--comparison", required=True, help="name of the comparison period")
    step.add_argument("--confidence-level", type=float, default=0.95, help="confidence level of the intervals")
    step.set_defaults(action=compute_statistics)

    step = steps.add_parser("check-claims", help="check the report's claims against the statistics")
    step.add_argument("--claims", required=True, help="claims CSV (reference/claims.csv)")
    step.add_argument("--table", action="append", required=True, metavar="NAME=PATH",
                      help="a table the metrics read (cases, period_summary, ...); repeat")
    step.add_argument("--output", required=True, help="claims.parquet to write")
    step.add_argument("--strict", action="store_true", help="fail when any claim does not hold")
    step.set_defaults(action=check_claims)

    step = steps.add_parser("draw-figures", help="draw every figure as PNG and SVG from the statistics tables")
    step.add_argument("--tables-dir", required=True, help="folder of the statistics tables")
    step.add_argument("--output-dir", required=True, help="folder for the figures")
    step.add_argument("--typology", required=True, help="typology CSV (tactic families and labels)")
    step.add_argument("--periods", required=True, help="periods as JSON (labels)")
    step.add_argument("--scopes", required=True, help="scopes as JSON (labels, order)")
    step.set_defaults(action=draw_figures)

    step = steps.add_parser("render-findings", help="render the findings document (Markdown and HTML)")
    step.add_argument("--tables-dir", required=True, help="folder of the Parquet tables")
    step.add_argument("--figures-dir", required=True, help="folder of the figures (PNG are embedded in the HTML)")
    step.add_argument("--template-dir", required=True, help="folder of findings.md.j2 and findings.html.j2")
    step.add_argument("--typology", required=True, help="typology CSV (for the methodology section)")
    step.add_argument("--periods", required=True, help="periods as JSON (labels)")
    step.add_argument("--scopes", required=True, help="scopes as JSON (labels, order)")
    step.add_argument("--markdown", required=True, help="findings.md to write")
    step.add_argument("--html", required=True, help="findings.html to write")
    step.set_defaults(action=render_findings)

    step = steps.add_parser("summarise-survey", help="validate the questionnaire and summarise its answers")
    step.add_argument("--input", required=True, help="questionnaire sheet (.csv or .xlsx)")
    step.add_argument("--responses", required=True, help="survey_responses.parquet to write")
    step.add_argument("--summary", required=True, help="survey_summary.parquet to write")
    step.add_argument("--problems", required=True, help="validation report to write (problems, or none)")
    step.add_argument("--reference-dir", required=True, help="folder of the reference CSV files")
    step.add_argument("--confidence-level", type=float, default=0.95, help="confidence level of the intervals")
    step.set_defaults(action=summarise_survey)

    step = steps.add_parser("validate-context", help="validate the context figures the report cites")
    step.add_argument("--input", required=True, help="context figures sheet (.csv or .xlsx)")
    step.add_argument("--output", required=True, help="context_figures.parquet to write")
    step.add_argument("--problems", required=True, help="validation report to write (problems, or none)")
    step.set_defaults(action=validate_context)
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


if __name__ == "__main__":
    sys.exit(main())
