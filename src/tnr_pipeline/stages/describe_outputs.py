"""describe_outputs: every output table -> data/processed/datapackage.json.

Load each table's provenance, describe every table (its fields from `model.fields`, its allowed values) and the
inputs (the input data package's own description, and which inputs are reconstructed), save the data package.
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass

from tnr_pipeline.stages import options

COMMAND = "describe-outputs"


@dataclass(frozen=True)
class Step:
    """What describe_outputs reads and writes."""

    table_paths: dict[str, str]
    output: str
    input_package_path: str | None = None


def register(subparsers) -> None:
    options.add_step(
        subparsers,
        COMMAND,
        run,
        "write the data package that describes every output table",
        ("--problems", "--table", "--descriptions"),
        {"--output": {**options.REQUIRED, "help": "datapackage.json to write (beside the tables)"}},
    )


def run(args: argparse.Namespace) -> None:
    step = Step(options.parse_named(args.table, "--table"), args.output, args.descriptions or None)
    package = execute(step)
    print(f"{COMMAND}: {len(package['resources'])} tables described in {step.output}")


def execute(step: Step) -> dict:
    """Write datapackage.json for the named tables, atomically; returns the package."""
    import json
    from pathlib import Path

    from tnr_pipeline.inputs.descriptions import output_package, read_input_package
    from tnr_pipeline.model.io import merge_provenance, read_provenance, write_text
    from tnr_pipeline.render.notices import reconstruction_notice

    described = {name: {"path": path, "provenance": read_provenance(path)} for name, path in step.table_paths.items()}
    provenance = merge_provenance([table["provenance"] for table in described.values()])
    package = output_package(
        described,
        provenance,
        Path(step.output).parent,
        read_input_package(step.input_package_path),
        step.input_package_path,
        reconstruction_notice(provenance["inputs_described"]),
    )
    write_text(step.output, json.dumps(package, indent=2, ensure_ascii=False, sort_keys=False) + "\n")
    return package
