"""validate_context: the context figures sheet -> data/processed/context_figures.parquet.

The numbers the report cites from outside its own data, each validated to carry its value, unit, what it measures,
its source and the date it refers to; saved with provenance.
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass

from tnr_pipeline.stages import options

COMMAND = "validate-context"


@dataclass(frozen=True)
class Step:
    """What validate_context reads and writes."""

    raw: str
    output: str
    config: dict
    descriptions: str | None = None


def register(subparsers) -> None:
    options.add_step(
        subparsers,
        COMMAND,
        run,
        "validate the context figures the report cites",
        ("--problems", "--descriptions"),
        {
            "--input": {**options.REQUIRED, "help": "context figures sheet (.csv or .xlsx)"},
            "--output": {**options.REQUIRED, "help": "context_figures.parquet to write"},
        },
    )


def run(args: argparse.Namespace) -> None:
    step = Step(args.input, args.output, {}, args.descriptions)
    n = execute(step)
    print(f"{COMMAND}: {n} context figures written to {step.output}")


def execute(step: Step) -> int:
    """Validate the context figures and write them; returns the number of figures."""
    from pathlib import Path

    from tnr_pipeline.inputs.context import code_context, load_context_sheet, validate_context_sheet
    from tnr_pipeline.inputs.descriptions import describe_input
    from tnr_pipeline.inputs.schemas import save_table
    from tnr_pipeline.model import io

    name = Path(step.raw).name
    read = load_context_sheet(step.raw)
    print(read.describe(step.raw))
    figures = code_context(validate_context_sheet(read, name, step.raw))
    described = {step.raw: describe_input(step.raw, step.descriptions, "context figures")}
    meta = io.provenance({step.raw: io.sha256_file(step.raw)}, step.config, described)
    save_table(figures, "context_figures", step.output, meta)
    print(f"{name}: no problems found in {len(figures)} figures.")
    return len(figures)
