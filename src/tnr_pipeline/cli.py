"""The command line: one subcommand per pipeline step, each a thin adapter onto a stage module.

What belongs here: argument parsing and the mapping of arguments onto a stage's `run`. Each subcommand imports
its stage only when it runs, so a step pays only for the libraries it uses (the report step never imports pandera
or matplotlib). Exit status: 0 on success, 1 when the input has problems (listed on stderr), 2 on usage errors.
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
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    from tnr_pipeline.problems import InputInvalid

    try:
        args.action(args)
    except InputInvalid as invalid:
        print(invalid, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
