"""summarise_survey: the questionnaire sheet -> data/processed/survey_responses.parquet and survey_summary.parquet.

Load the sheet (free-text columns are never read past the header), validate it, code its answers, summarise each
question with a Wilson interval, save both tables with provenance.
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass

from tnr_pipeline.stages import options

COMMAND = "summarise-survey"


@dataclass(frozen=True)
class Step:
    """What summarise_survey reads and the settings it applies."""

    raw: str
    responses_path: str
    summary_path: str
    reference_dir: str
    level: float
    config: dict
    columns: dict[str, str] | None = None
    sheet: str | None = None
    descriptions: str | None = None
    values: dict[str, dict[str, str]] | None = None


def register(subparsers) -> None:
    options.add_step(
        subparsers,
        COMMAND,
        run,
        "validate the questionnaire and summarise its answers",
        ("--problems", "--reference-dir", "--confidence-level", "--sheet", "--columns", "--values", "--descriptions"),
        {
            "--input": {**options.REQUIRED, "help": "questionnaire sheet (.csv, .tsv or a workbook)"},
            "--responses": {**options.REQUIRED, "help": "survey_responses.parquet to write"},
            "--summary": {**options.REQUIRED, "help": "survey_summary.parquet to write"},
        },
    )


def run(args: argparse.Namespace) -> None:
    from tnr_pipeline.model.settings import SettingsError, level_problems

    problems = level_problems(args.confidence_level)
    if problems:
        raise SettingsError(problems)
    step = Step(
        args.input,
        args.responses,
        args.summary,
        args.reference_dir,
        args.confidence_level,
        {"confidence_level": args.confidence_level},
        options.columns(args.columns),
        args.sheet,
        args.descriptions,
        options.values(args, "survey"),
    )
    summary = execute(step)
    print(f"{COMMAND}: {int(summary['respondents'].max())} responses summarised in {step.summary_path}")


def execute(step: Step):
    """Validate the questionnaire and write the coded responses and their summary; returns the summary. What was
    read is printed for the step's log."""
    from pathlib import Path

    from tnr_pipeline.analysis.stats import summarise_survey
    from tnr_pipeline.inputs.descriptions import describe_input
    from tnr_pipeline.inputs.schemas import save_table
    from tnr_pipeline.inputs.survey import YES_NO_QUESTIONS, code_responses, load_survey_sheet, validate_survey_sheet
    from tnr_pipeline.model import io
    from tnr_pipeline.model.reference import Reference

    reference = Reference(step.reference_dir)
    name = Path(step.raw).name
    read = load_survey_sheet(step.raw, step.sheet, step.columns)
    print(read.describe(step.raw))
    sheet = validate_survey_sheet(read, reference, name, step.raw, step.values)
    responses = code_responses(sheet, reference, step.values)
    summary = summarise_survey(responses, YES_NO_QUESTIONS, reference.tactic_codes, step.level)
    described = {step.raw: describe_input(step.raw, step.descriptions, "questionnaire")}
    meta = io.provenance({step.raw: io.sha256_file(step.raw)}, step.config, described)
    countries = sorted(set(reference.country_lookup.values()))
    save_table(responses, "survey_responses", step.responses_path, meta, allowed={"country_of_residence": countries})
    save_table(
        summary,
        "survey_summary",
        step.summary_path,
        meta,
        allowed={"question": [*YES_NO_QUESTIONS, "tactics_experienced", "country_of_residence"]},
    )
    print(f"{name}: no problems found in {len(responses)} responses.")
    return summary
