"""validate_cases: the case spreadsheet -> data/processed/cases.parquet.

Load the sheet (only the contract's columns are read past the header: names, notes and free text are dropped on
arrival), validate it against its schema with every problem at once, normalise it to codes, save it with provenance.
"""

from __future__ import annotations

import argparse
import datetime
import json
from dataclasses import dataclass, field

from tnr_pipeline.stages import options

COMMAND = "validate-cases"


@dataclass(frozen=True)
class Step:
    """What validate_cases reads and the settings it applies."""

    raw: str
    output: str
    reference_dir: str
    periods: tuple
    first_year: int
    last_year: int
    sheet: str | None
    config: dict
    columns: dict[str, str] | None = None
    origin_country: str = field(kw_only=True)  # config origin_country
    descriptions: str | None = None
    values: dict[str, dict[str, str]] | None = None


def register(subparsers) -> None:
    options.add_step(
        subparsers,
        COMMAND,
        run,
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
            "--input": {**options.REQUIRED, "help": "case spreadsheet (.csv, .tsv or a workbook)"},
            "--output": {**options.REQUIRED, "help": "cases.parquet to write"},
            "--first-year": {**options.REQUIRED, "type": int, "help": "earliest year allowed in the sheet"},
            "--last-year": {
                "type": options.optional_int,
                "default": None,
                "help": "latest year allowed in the sheet (default: the current year)",
            },
        },
    )


def run(args: argparse.Namespace) -> None:
    from tnr_pipeline.model.settings import parse_periods

    last_year = args.last_year or datetime.date.today().year
    values = options.values(args, "cases")
    columns = options.columns(args.columns)
    config = {
        "periods": json.loads(args.periods),
        "first_year": args.first_year,
        "last_year": last_year,
        "sheet": args.sheet,
        "columns": columns,
        "origin_country": args.origin_country,
        **({"values": values} if values else {}),  # recorded only when given: the default leaves outputs as they were
    }
    step = Step(
        args.input,
        args.output,
        args.reference_dir,
        tuple(parse_periods(args.periods)),
        args.first_year,
        last_year,
        args.sheet,
        config,
        columns,
        descriptions=args.descriptions,
        values=values,
        origin_country=args.origin_country,
    )
    rows = execute(step)
    print(f"{COMMAND}: {rows} cases written to {step.output}")


def execute(step: Step) -> int:
    """Validate the raw sheet and write cases.parquet; rows written. What was read (file, encoding, delimiter or
    sheet, header row, columns) is printed for the step's log."""
    from pathlib import Path

    from tnr_pipeline.inputs.cases import allowed_case_values, load_case_sheet, normalise_cases, validate_case_sheet
    from tnr_pipeline.inputs.descriptions import describe_input
    from tnr_pipeline.inputs.schemas import save_table
    from tnr_pipeline.model import io
    from tnr_pipeline.model.reference import Reference

    reference = Reference(step.reference_dir)
    name = Path(step.raw).name
    read = load_case_sheet(step.raw, step.sheet, step.columns)
    print(read.describe(step.raw))
    validated = validate_case_sheet(
        read,
        reference,
        step.first_year,
        step.last_year,
        name,
        step.raw,
        origin_country=step.origin_country,
        values=step.values,
    )
    cases = normalise_cases(validated, reference, list(step.periods), step.values)
    described = {step.raw: describe_input(step.raw, step.descriptions, "case data")}
    meta = io.provenance({step.raw: io.sha256_file(step.raw)}, step.config, described)
    save_table(cases, "cases", step.output, meta, allowed=allowed_case_values(reference, list(step.periods)))
    print(f"{name}: no problems found in {len(cases)} cases.")
    return len(cases)
