"""check_claims: the claims sheet and the statistics tables -> data/processed/claims.parquet.

Load the claims sheet and the tables its metrics read, check the sheet (every problem named with its row), measure
each claim and judge it, save the ledger with provenance. In strict mode a claim that does not hold stops the step,
and nothing is written.
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass

from tnr_pipeline.stages import options

COMMAND = "check-claims"


@dataclass(frozen=True)
class Step:
    """What check_claims reads and the settings it applies."""

    claims_path: str
    table_paths: dict[str, str]
    output: str
    reference_dir: str
    analysis: object  # model.settings.Analysis
    strict: bool
    config: dict
    descriptions: str | None = None  # the input data package: which rows the reconstruction was drawn to give


def register(subparsers) -> None:
    options.add_step(
        subparsers,
        COMMAND,
        run,
        "check the report's claims against the statistics",
        ("--problems", "--table", "--reference-dir", "--analysis", "--descriptions"),
        {
            "--claims": {**options.REQUIRED, "help": "claims CSV (config: claims)"},
            "--output": {**options.REQUIRED, "help": "claims.parquet to write"},
            "--strict": {"action": "store_true", "help": "fail when any claim is contradicted or does not hold"},
        },
    )


def run(args: argparse.Namespace) -> None:
    from tnr_pipeline.model.io import public_path

    step = Step(
        args.claims,
        options.parse_named(args.table, "--table"),
        args.output,
        args.reference_dir,
        options.analysis(args, args.reference_dir),
        args.strict,
        {"strict_claims": args.strict, "claims": public_path(args.claims)},
        args.descriptions,
    )
    result = execute(step)
    counts = result["verdict"].value_counts()
    print(f"{COMMAND}: " + ", ".join(f"{counts[verdict]} {verdict}" for verdict in counts.index.sort_values()))
    for row in result[~result["holds"].fillna(True).astype(bool)].itertuples():
        print(f"  {row.verdict}: {row.claim_id} (expected {row.check} {row.expected}, observed {row.observed})")


def execute(step: Step):
    """Check the claims file, measure and judge every claim and write claims.parquet; in strict mode fail, writing
    nothing, if any is contradicted or does not hold. A claims file with problems stops the step, each problem named
    with its row."""
    from pathlib import Path

    from tnr_pipeline.analysis.claims.measures import prepare_cases
    from tnr_pipeline.analysis.claims.notation import CHECKS, KINDS, SOURCES, VERDICTS
    from tnr_pipeline.analysis.claims.sheet import Vocabulary, claim_problems, read_claims
    from tnr_pipeline.analysis.claims.verdicts import ClaimsFailed, check_claims, failing
    from tnr_pipeline.inputs.descriptions import built_to_satisfy
    from tnr_pipeline.inputs.problems import InputInvalid
    from tnr_pipeline.inputs.schemas import save_table
    from tnr_pipeline.model import io
    from tnr_pipeline.model.reference import Reference

    tables = {name: io.read_parquet(path) for name, path in step.table_paths.items()}
    reference = Reference(step.reference_dir)
    tables["cases"] = prepare_cases(tables["cases"], reference.region_groups)
    words = Vocabulary.of(step.analysis, reference, tables["survey_summary"])
    claims = read_claims(step.claims_path)
    problems = claim_problems(claims, words, step.analysis)
    if problems:
        raise InputInvalid(Path(step.claims_path).name, problems)
    meta = io.merge_provenance([io.read_provenance(path) for path in step.table_paths.values()], step.config)
    claims_hash = {io.public_path(step.claims_path): io.sha256_file(step.claims_path)}
    meta["inputs_sha256"] = dict(sorted({**meta["inputs_sha256"], **claims_hash}.items()))
    built = built_to_satisfy(step.descriptions, meta.get("inputs_described", {}))
    result = check_claims(claims, tables, step.analysis, built)
    failed = failing(result)
    if step.strict and len(failed):
        lines = [
            f"{row.claim_id} ({row.verdict}): {row.claim} (expected {row.check} {row.expected}, observed "
            f"{row.observed})"
            for row in failed.itertuples()
        ]
        raise ClaimsFailed(lines)
    allowed = {"check": list(CHECKS), "source": list(SOURCES), "kind": list(KINDS), "verdict": list(VERDICTS)}
    save_table(result, "claims", step.output, meta, allowed=allowed)
    return result
