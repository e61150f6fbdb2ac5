# tnr-pipeline: case spreadsheet -> validated cases -> statistics and claims -> figures -> findings.
# A table of contents: each rule is a thin call to the package's command line (`tnr-pipeline <step>`), lists the
# package modules it runs as inputs (editing one reruns exactly the steps that use it) and logs to logs/.
import json

from snakemake.utils import min_version, validate

min_version("9.0")


configfile: "config.yaml"


validate(config, "config.schema.yaml")

PACKAGE = "src/tnr_pipeline"
REFERENCE = f"{PACKAGE}/reference"


def modules(*names):
    """The package modules a step runs, as input files."""
    return [f"{PACKAGE}/{name}.py" for name in ("__init__", "cli", "io", "fields", *names)]


rule all:
    """Build every output: the validated cases."""
    input:
        cases="data/processed/cases.parquet",


rule validate_cases:
    """Validate the case spreadsheet against its schema and write the normalised cases table."""
    input:
        raw=config["raw_cases"],
        reference=[f"{REFERENCE}/{name}" for name in ("typology.csv", "target_profiles.csv", "verification.csv",
                                                        "country_aliases.csv", "eu_membership.csv", "regions.csv")],
        code=modules("reference", "normalise", "settings", "problems", "schemas", "ingest"),
    output:
        cases="data/processed/cases.parquet",
    log:
        "logs/validate_cases.log",
    params:
        problems="logs/validate_cases.problems.txt",
        reference_dir=REFERENCE,
        periods=json.dumps(config["periods"]),
        sheet=config["raw_cases_sheet"] or "",
        first_year=config["first_year"],
        last_year=config["last_year"] or "",
    shell:
        """
        tnr-pipeline validate-cases \
            --input {input.raw:q} \
            --sheet={params.sheet:q} \
            --output {output.cases:q} \
            --problems {params.problems:q} \
            --reference-dir {params.reference_dir:q} \
            --periods {params.periods:q} \
            --first-year {params.first_year:q} \
            --last-year={params.last_year:q} \
            > {log:q} 2>&1
        """
