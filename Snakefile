# tnr-pipeline: case spreadsheet -> validated cases -> statistics and claims -> figures -> findings.
# A table of contents: each rule is a thin call to the package's command line (`tnr-pipeline <step>`), lists the
# package modules it runs as inputs (editing one reruns exactly the steps that use it) and logs to logs/.
import json
import os

from snakemake.utils import min_version

from tnr_pipeline.model import registry
from tnr_pipeline.workflow.console import (
    mark_build_start,
    print_build_summary,
    print_failures,
    remove_findings_without_tables,
)
from tnr_pipeline.model.settings import analysis_settings, check_config
from tnr_pipeline.workflow.snakemake_patches import (
    cancel_rate_limiter_timers,
    fingerprint_params_without_pandas,
    freeze_loaded_objects,
    hide_scheduler_rounds,
)

min_version("9.0")


configfile: "config.yaml"


PACKAGE = "src/tnr_pipeline"
REFERENCE = f"{PACKAGE}/reference"
# Validate the config against config.schema.yaml (filling in defaults) and check how the settings fit together:
# every problem is printed with its key and value, and the run stops before any job.
check_config(config, "config.schema.yaml", f"{REFERENCE}/typology.csv")
fingerprint_params_without_pandas()
ANALYSIS = json.dumps(analysis_settings(config), sort_keys=True)
FINDINGS = [registry.findings_path(ext, language) for ext in ("md", "html") for language in config["languages"]]
SUMMARY = f"{registry.REPORTS_DIR}/summary.txt"
DESCRIPTIONS = [config["input_descriptions"]] if config["input_descriptions"] else []  # the input data package
RECORDING_REASONS = [config["recording_reasons"]] if config["recording_reasons"] else []  # the report's own words
hide_scheduler_rounds(workflow.output_settings.quiet, workflow.output_settings.verbose)
freeze_loaded_objects()  # the garbage collector skips what is loaded by now (snakemake_patches.py)


# What every step that reads a sheet (the cases, the questionnaire, the context figures, the claims) runs.
READING_SHEETS = ("inputs/problems", "inputs/normalise", "inputs/schemas", "inputs/spreadsheet", "inputs/validation",
                  "model/reference")


def modules(*names):
    """The package modules a step runs, as input files (paths within the package, without .py)."""
    shared = ("__init__", "cli", "stages/__init__", "stages/options", "model/__init__", "model/errors", "model/fields",
              "model/io", "model/messages", "model/settings", "inputs/__init__")
    return [f"{PACKAGE}/{name}.py" for name in dict.fromkeys((*shared, *names))]


onstart:
    mark_build_start()


onsuccess:
    cancel_rate_limiter_timers()
    print_build_summary(SUMMARY,
                        tables=list(registry.table_paths(registry.all_tables()).values()))


onerror:
    cancel_rate_limiter_timers()
    remove_findings_without_tables([*FINDINGS, SUMMARY], registry.table_paths(registry.REPORT_READS).values())
    print_failures()  # the problems of each step that failed in this build, last on the console


rule all:
    """Build every output: the validated cases, the statistics, the claims ledger, the figures, the findings."""
    input:
        tables=registry.table_paths(registry.all_tables()).values(),
        figures=[registry.figure_path(name, ext, language) for name in registry.FIGURES
                 for ext in registry.FIGURE_FORMATS for language in config["languages"]],
        findings=FINDINGS,
        data_package=f"{registry.PROCESSED}/datapackage.json",


rule validate_cases:
    """Validate the case spreadsheet against its schema and write the normalised cases table."""
    input:
        raw=config["raw_cases"],
        reference=[f"{REFERENCE}/{name}" for name in ("typology.csv", "target_profiles.csv", "verification.csv",
                                                        "country_aliases.csv", "eu_membership.csv", "regions.csv")],
        code=modules("stages/validate_cases", "inputs/cases", "inputs/descriptions", *READING_SHEETS),
        descriptions=DESCRIPTIONS,
    output:
        cases=registry.table_path("cases"),
    log:
        "logs/validate_cases.log",
    priority: 1  # on the critical path: validate_cases -> compute_statistics -> draw_figures -> render_findings
    params:
        problems="logs/validate_cases.problems.txt",
        reference_dir=lambda wildcards, input: os.path.dirname(input.reference[0]),
        periods=json.dumps(config["periods"], sort_keys=True),
        sheet=config["raw_cases_sheet"] or "",
        columns=json.dumps(config["columns"].get("cases", {}), sort_keys=True, ensure_ascii=False),
        values=json.dumps(config["values"].get("cases", {}), sort_keys=True, ensure_ascii=False),
        origin_country=config["origin_country"],
        first_year=config["first_year"],
        last_year=config["last_year"] or "",
    shell:
        """
        tnr-pipeline validate-cases \
            --input {input.raw:q} \
            --sheet={params.sheet:q} \
            --columns {params.columns:q} \
            --values {params.values:q} \
            --origin-country {params.origin_country:q} \
            --output {output.cases:q} \
            --problems {params.problems:q} \
            --reference-dir {params.reference_dir:q} \
            --periods {params.periods:q} \
            --first-year {params.first_year:q} \
            --last-year={params.last_year:q} \
            --descriptions={input.descriptions:q} \
            > {log:q} 2>&1
        """


rule summarise_survey:
    """Validate the questionnaire sheet and summarise its answers with Wilson intervals."""
    input:
        raw=config["raw_survey"],
        reference=[f"{REFERENCE}/{name}" for name in ("typology.csv", "country_aliases.csv", "regions.csv")],
        code=modules("stages/summarise_survey", "model/words", "inputs/survey", "inputs/descriptions", *READING_SHEETS,
                     "analysis/__init__", "analysis/stats"),
        descriptions=DESCRIPTIONS,
    output:
        responses=registry.table_path("survey_responses"),
        summary=registry.table_path("survey_summary"),
    log:
        "logs/summarise_survey.log",
    params:
        problems="logs/summarise_survey.problems.txt",
        reference_dir=lambda wildcards, input: os.path.dirname(input.reference[0]),
        sheet=config["raw_survey_sheet"] or "",
        columns=json.dumps(config["columns"].get("survey", {}), sort_keys=True, ensure_ascii=False),
        values=json.dumps(config["values"].get("survey", {}), sort_keys=True, ensure_ascii=False),
        confidence_level=config["confidence_level"],
    shell:
        """
        tnr-pipeline summarise-survey \
            --input {input.raw:q} \
            --sheet={params.sheet:q} \
            --columns {params.columns:q} \
            --values {params.values:q} \
            --responses {output.responses:q} \
            --summary {output.summary:q} \
            --problems {params.problems:q} \
            --reference-dir {params.reference_dir:q} \
            --confidence-level {params.confidence_level:q} \
            --descriptions={input.descriptions:q} \
            > {log:q} 2>&1
        """


rule validate_context:
    """Validate the context figures (outside numbers the report cites), each with its source and date."""
    input:
        raw=config["raw_context"],
        code=modules("stages/validate_context", "inputs/context", "inputs/descriptions", *READING_SHEETS),
        descriptions=DESCRIPTIONS,
    output:
        context=registry.table_path("context_figures"),
    log:
        "logs/validate_context.log",
    params:
        problems="logs/validate_context.problems.txt",
    shell:
        """
        tnr-pipeline validate-context \
            --input {input.raw:q} \
            --output {output.context:q} \
            --problems {params.problems:q} \
            --descriptions={input.descriptions:q} \
            > {log:q} 2>&1
        """


rule compute_statistics:
    """Compute period averages, rate ratios with exact intervals, and country and category breakdowns."""
    input:
        cases=registry.table_path("cases"),
        reference=[f"{REFERENCE}/{name}" for name in ("typology.csv", "target_profiles.csv", "verification.csv",
                                                        "eu_membership.csv", "region_groups.csv")],
        code=modules("stages/compute_statistics", "model/words", "analysis/__init__", "analysis/tables",
                     "analysis/stats", "analysis/robustness", "inputs/normalise", "inputs/schemas", "model/reference",
                     "model/registry", "render/__init__", "render/i18n"),
    output:
        tables=registry.table_paths(registry.STATISTICS).values(),
    log:
        "logs/compute_statistics.log",
    priority: 1  # on the critical path: validate_cases -> compute_statistics -> draw_figures -> render_findings
    params:
        problems="logs/compute_statistics.problems.txt",
        output_dir=lambda wildcards, output: os.path.dirname(output.tables[0]),
        reference_dir=lambda wildcards, input: os.path.dirname(input.reference[0]),
        analysis=ANALYSIS,
    shell:
        """
        tnr-pipeline compute-statistics \
            --problems {params.problems:q} \
            --cases {input.cases:q} \
            --output-dir {params.output_dir:q} \
            --reference-dir {params.reference_dir:q} \
            --analysis {params.analysis:q} \
            > {log:q} 2>&1
        """


rule check_claims:
    """Check each quantitative claim of the report against the statistics and write the claims ledger."""
    input:
        claims=config["claims"],
        tables=registry.table_paths(registry.CLAIMS_READS).values(),
        reference=[f"{REFERENCE}/{name}" for name in ("typology.csv", "target_profiles.csv", "verification.csv",
                                                        "country_aliases.csv", "eu_membership.csv", "regions.csv",
                                                        "region_groups.csv")],
        code=modules("stages/check_claims", "model/words", "analysis/__init__", "analysis/claims/__init__",
                     "analysis/claims/notation", "analysis/claims/measures", "analysis/claims/sheet",
                     "analysis/claims/verdicts", "analysis/stats", "inputs/descriptions", *READING_SHEETS),
        descriptions=DESCRIPTIONS,
    output:
        claims=registry.table_path("claims"),
    log:
        "logs/check_claims.log",
    params:
        problems="logs/check_claims.problems.txt",
        tables=registry.named_options("--table", registry.table_paths(registry.CLAIMS_READS)),
        reference_dir=lambda wildcards, input: os.path.dirname(input.reference[0]),
        analysis=ANALYSIS,
        strict="--strict" if str(config["strict_claims"]).lower() == "true" else "",
    shell:
        """
        tnr-pipeline check-claims \
            --problems {params.problems:q} \
            --claims {input.claims:q} \
            {params.tables} \
            --reference-dir {params.reference_dir:q} \
            --analysis {params.analysis:q} \
            --descriptions={input.descriptions:q} \
            --output {output.claims:q} \
            {params.strict} \
            > {log:q} 2>&1
        """


# The figure and report steps each run once for every language of config `languages`: the source language's outputs
# are figures/ and reports/findings.*, another language's figures/<language>/ and reports/findings.<language>.*
# (named on the command line with the language's code and a colon). Each step reads the tables once, checks and
# compiles the catalogues it is given, and shares its work among forked workers. Editing a catalogue reruns every
# language's figures and documents; editing the template reruns only the document step.
LANGUAGES = config["languages"]
TRANSLATED = [language for language in LANGUAGES if language != registry.SOURCE_LANGUAGE]
CATALOGUES = {language: registry.catalogue(language) for language in TRANSLATED}
LANGUAGE_OPTIONS = " ".join(f"--language {language}" for language in LANGUAGES)


rule draw_figures:
    """Draw every figure as PNG and SVG from the tables, in every language."""
    input:
        tables=registry.table_paths(registry.figure_tables()).values(),
        typology=f"{REFERENCE}/typology.csv",
        region_groups=f"{REFERENCE}/region_groups.csv",
        claims=config["claims"],
        recording_reasons=RECORDING_REASONS,
        catalogues=CATALOGUES.values(),
        style=f"{PACKAGE}/render/figures.mplstyle",
        code=modules("stages/draw_figures", "model/words", "model/registry", "model/reference", "inputs/descriptions",
                     "render/__init__", "render/i18n", "render/notices", "render/pool", "render/figures",
                     "render/charts", "render/world_map", "render/layout"),
    output:
        png=[report(registry.figure_path(name, "png", language), caption=f"templates/captions/{name}.rst",
                    category=registry.report_category("Figures", language))
             for language in LANGUAGES for name in registry.FIGURES],
        svg=[registry.figure_path(name, "svg", language) for language in LANGUAGES for name in registry.FIGURES],
    log:
        "logs/draw_figures.log",
    priority: 1  # on the critical path: validate_cases -> compute_statistics -> draw_figures -> render_findings
    resources:
        figure_workers=config["figure_workers"],
    params:
        problems="logs/draw_figures.problems.txt",
        tables=registry.named_options("--table", registry.table_paths(registry.figure_tables())),
        figures=" ".join(registry.named_options("--figure", registry.figure_stems(lang), lang) for lang in LANGUAGES),
        languages=LANGUAGE_OPTIONS,
        catalogues=registry.named_options("--catalogue", CATALOGUES),
        analysis=ANALYSIS,
        prosecutions_series=config["prosecutions_series"],
        origin_country=config["origin_country"],
    shell:
        """
        tnr-pipeline draw-figures \
            --problems {params.problems:q} \
            {params.tables} \
            {params.figures} \
            {params.languages} \
            {params.catalogues} \
            --typology {input.typology:q} \
            --claims {input.claims:q} \
            --region-groups {input.region_groups:q} \
            --origin-country {params.origin_country:q} \
            --analysis {params.analysis:q} \
            --prosecutions-series {params.prosecutions_series:q} \
            --workers {resources.figure_workers} \
            > {log:q} 2>&1
        """


rule render_findings:
    """Render the findings document as Markdown and self-contained HTML from the tables and figures, in every
    language."""
    input:
        tables=registry.table_paths(registry.REPORT_READS).values(),
        figures=[registry.figure_path(name, "png", language) for language in LANGUAGES for name in registry.FIGURES],
        templates=["templates/findings.md.j2", "templates/findings.html.j2"],
        typology=f"{REFERENCE}/typology.csv",
        region_groups=f"{REFERENCE}/region_groups.csv",
        claims=config["claims"],
        recording_reasons=RECORDING_REASONS,
        catalogues=CATALOGUES.values(),
        code=modules("stages/render_findings", "model/words", "model/registry", "inputs/descriptions",
                     "analysis/__init__", "analysis/claims/__init__", "analysis/claims/notation",
                     "render/__init__", "render/i18n", "render/notices", "render/pool", "render/findings",
                     "render/context", "render/escape", "render/filters", "render/html", "render/readers",
                     "render/summary", "render/templates"),
    output:
        markdown=[registry.findings_path("md", language) for language in LANGUAGES],
        html=[report(registry.findings_path("html", language), caption="templates/captions/findings.rst",
                     category=registry.report_category("Findings", language)) for language in LANGUAGES],
        summary=SUMMARY,
    log:
        "logs/render_findings.log",
    resources:
        figure_workers=config["figure_workers"],
    params:
        problems="logs/render_findings.problems.txt",
        tables=registry.named_options("--table", registry.table_paths(registry.REPORT_READS)),
        figures=" ".join(registry.named_options("--figure", registry.figure_paths("png", lang), lang)
                         for lang in LANGUAGES),
        markdown=registry.language_options("--markdown",
                                           {lang: registry.findings_path("md", lang) for lang in LANGUAGES}),
        html=registry.language_options("--html", {lang: registry.findings_path("html", lang) for lang in LANGUAGES}),
        languages=LANGUAGE_OPTIONS,
        catalogues=registry.named_options("--catalogue", CATALOGUES),
        template_dir=lambda wildcards, input: os.path.dirname(input.templates[0]),
        analysis=ANALYSIS,
        prosecutions_series=config["prosecutions_series"],
    shell:
        """
        tnr-pipeline render-findings \
            --problems {params.problems:q} \
            {params.tables} \
            {params.figures} \
            {params.markdown} \
            {params.html} \
            {params.languages} \
            {params.catalogues} \
            --template-dir {params.template_dir:q} \
            --typology {input.typology:q} \
            --region-groups {input.region_groups:q} \
            --claims {input.claims:q} \
            --recording-reasons={input.recording_reasons:q} \
            --analysis {params.analysis:q} \
            --prosecutions-series {params.prosecutions_series:q} \
            --summary {output.summary:q} \
            --workers {resources.figure_workers} \
            > {log:q} 2>&1
        """


rule describe_outputs:
    """Write the data package that describes every output table (fields, provenance, the inputs' description)."""
    input:
        tables=registry.table_paths(registry.all_tables()).values(),
        descriptions=DESCRIPTIONS,
        code=modules("stages/describe_outputs", "model/words", "model/registry", "inputs/descriptions",
                     "render/__init__", "render/i18n", "render/notices"),
    output:
        package=f"{registry.PROCESSED}/datapackage.json",
    log:
        "logs/describe_outputs.log",
    params:
        problems="logs/describe_outputs.problems.txt",
        tables=registry.named_options("--table", registry.table_paths(registry.all_tables())),
    shell:
        """
        tnr-pipeline describe-outputs \
            --problems {params.problems:q} \
            {params.tables} \
            --descriptions={input.descriptions:q} \
            --output {output.package:q} \
            > {log:q} 2>&1
        """
