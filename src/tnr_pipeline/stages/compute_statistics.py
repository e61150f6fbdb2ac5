"""compute_statistics: cases.parquet -> the statistics tables in data/processed/.

Load the cases, compute every table with the configured periods and scopes (`analysis.tables`), word the robustness
rows in the source language (`render.i18n`), save each table through its schema with the provenance of the cases.
"""

from __future__ import annotations

import argparse
import json
from dataclasses import dataclass

from tnr_pipeline.stages import options

COMMAND = "compute-statistics"


@dataclass(frozen=True)
class Step:
    """What compute_statistics reads and the settings it applies."""

    cases_path: str
    output_dir: str
    reference_dir: str
    analysis: object  # model.settings.Analysis
    config: dict


def register(subparsers) -> None:
    options.add_step(
        subparsers,
        COMMAND,
        run,
        "period averages, rate ratios and breakdowns",
        ("--problems", "--reference-dir", "--analysis"),
        {
            "--cases": {**options.REQUIRED, "help": "cases.parquet"},
            "--output-dir": {**options.REQUIRED, "help": "folder for the statistics tables"},
        },
    )


def run(args: argparse.Namespace) -> None:
    analysis = options.analysis(args, args.reference_dir)
    step = Step(args.cases, args.output_dir, args.reference_dir, analysis, json.loads(args.analysis))
    rows = execute(step)
    print(f"{COMMAND}: " + ", ".join(f"{name} {n} rows" for name, n in rows.items()))


def execute(step: Step) -> dict[str, int]:
    """Compute and save every statistics table; returns rows written per table."""
    from pathlib import Path

    from tnr_pipeline.analysis.tables import allowed_values
    from tnr_pipeline.inputs.schemas import save_table
    from tnr_pipeline.model import io
    from tnr_pipeline.model.reference import Reference

    reference = Reference(step.reference_dir)
    cases = io.read_parquet(step.cases_path)
    meta = io.merge_provenance([io.read_provenance(step.cases_path)], step.config)
    tables = statistics_tables(cases, reference, step.analysis)
    allowed = allowed_values(reference, step.analysis)
    for name, frame in tables.items():
        save_table(frame, name, Path(step.output_dir) / f"{name}.parquet", meta, allowed=allowed)
    return {name: len(frame) for name, frame in tables.items()}


def statistics_tables(cases, reference, analysis) -> dict:
    """Every statistics table, by name (`analysis.tables.compute_tables`), with the robustness and region rows
    described in words of the source language (`render.i18n`): the tables as the step saves them."""
    from tnr_pipeline.analysis.tables import compute_tables
    from tnr_pipeline.model.registry import SOURCE_LANGUAGE
    from tnr_pipeline.render.i18n import Language, describe_region_rows, describe_variants

    tables = compute_tables(cases, reference, analysis)
    robustness = tables["robustness"]
    tactic_labels = dict(zip(reference.typology["code"], reference.typology["label"]))
    robustness["description"] = describe_variants(
        robustness.to_dict("records"), analysis, Language(SOURCE_LANGUAGE), tactic_labels
    )
    regions = tables["region_ratios"]
    regions["region_label"], regions["description"] = describe_region_rows(
        regions.to_dict("records"), reference.region_groups.to_dict("records")
    )
    return tables
