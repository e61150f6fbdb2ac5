# tnr-pipeline: case spreadsheet -> validated cases -> statistics and claims -> figures -> findings.
# A table of contents: each rule is a thin call to the package's command line (`tnr-pipeline <step>`), lists the
# package modules it runs as inputs (editing one reruns exactly the steps that use it) and logs to logs/.
import json
import threading

from snakemake.utils import min_version, validate

min_version("9.0")


configfile: "config.yaml"


validate(config, "config.schema.yaml")

PACKAGE = "src/tnr_pipeline"
REFERENCE = f"{PACKAGE}/reference"
PROCESSED = "data/processed"
STATISTICS = ["annual_counts", "period_summary", "period_ratios", "country_summary", "period_breakdowns"]
FIGURES = ["cases_per_year", "period_means", "countries_before_after", "tactic_mix", "host_country_map",
           "prosecutions_and_cases", "survey_answers"]


def modules(*names):
    """The package modules a step runs, as input files."""
    return [f"{PACKAGE}/{name}.py" for name in ("__init__", "cli", "io", "fields", "problems", "settings", *names)]


def fingerprint_params_without_pandas():
    """Snakemake imports pandas (about 0.3 s, on every run, no-op included) to fingerprint rule params whenever
    pandas is installed, in case a param is a DataFrame. Ours are text and numbers, which it fingerprints with the
    same builtin function either way, so the recorded fingerprints do not change."""
    from snakemake.persistence import PersistenceBase

    if hasattr(PersistenceBase, "_serialize_param_builtin"):
        PersistenceBase._serialize_param = property(lambda self: self._serialize_param_builtin)


fingerprint_params_without_pandas()


def cancel_rate_limit_timers():
    """Snakemake's job rate limiter leaves a one-second non-daemon timer behind after the last job is submitted,
    and Python waits for it before exiting: every build that ran a job would end a second late. Cancel it."""
    for thread in threading.enumerate():
        if isinstance(thread, threading.Timer):
            thread.cancel()


onsuccess:
    cancel_rate_limit_timers()


onerror:
    cancel_rate_limit_timers()


rule all:
    """Build every output: the validated cases, the statistics, the claims ledger, the figures, the findings."""
    input:
        cases=f"{PROCESSED}/cases.parquet",
        statistics=expand(f"{PROCESSED}/{{table}}.parquet", table=STATISTICS),
        claims=f"{PROCESSED}/claims.parquet",
        survey=[f"{PROCESSED}/survey_responses.parquet", f"{PROCESSED}/survey_summary.parquet"],
        context=f"{PROCESSED}/context_figures.parquet",
        figures=expand("figures/{figure}.{ext}", figure=FIGURES, ext=["png", "svg"]),
        findings=["reports/findings.md", "reports/findings.html"],


rule validate_cases:
    """Validate the case spreadsheet against its schema and write the normalised cases table."""
    input:
        raw=config["raw_cases"],
        reference=[f"{REFERENCE}/{name}" for name in ("typology.csv", "target_profiles.csv", "verification.csv",
                                                        "country_aliases.csv", "eu_membership.csv", "regions.csv")],
        code=modules("reference", "normalise", "schemas", "sheets", "ingest"),
    output:
        cases=f"{PROCESSED}/cases.parquet",
    log:
        "logs/validate_cases.log",
    priority: 1  # on the critical path: validate_cases -> compute_statistics -> draw_figures -> render_findings
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


rule summarise_survey:
    """Validate the questionnaire sheet and summarise its answers with Wilson intervals."""
    input:
        raw=config["raw_survey"],
        reference=[f"{REFERENCE}/{name}" for name in ("typology.csv", "country_aliases.csv", "regions.csv")],
        code=modules("reference", "normalise", "schemas", "sheets", "stats", "survey"),
    output:
        responses=f"{PROCESSED}/survey_responses.parquet",
        summary=f"{PROCESSED}/survey_summary.parquet",
    log:
        "logs/summarise_survey.log",
    params:
        problems="logs/summarise_survey.problems.txt",
        reference_dir=REFERENCE,
        confidence_level=config["confidence_level"],
    shell:
        """
        tnr-pipeline summarise-survey \\
            --input {input.raw:q} \\
            --responses {output.responses:q} \\
            --summary {output.summary:q} \\
            --problems {params.problems:q} \\
            --reference-dir {params.reference_dir:q} \\
            --confidence-level {params.confidence_level:q} \\
            > {log:q} 2>&1
        """


rule validate_context:
    """Validate the context figures (outside numbers the report cites), each with its source and date."""
    input:
        raw=config["raw_context"],
        code=modules("reference", "normalise", "schemas", "sheets", "context"),
    output:
        context=f"{PROCESSED}/context_figures.parquet",
    log:
        "logs/validate_context.log",
    params:
        problems="logs/validate_context.problems.txt",
    shell:
        """
        tnr-pipeline validate-context \\
            --input {input.raw:q} \\
            --output {output.context:q} \\
            --problems {params.problems:q} \\
            > {log:q} 2>&1
        """


rule compute_statistics:
    """Compute period averages, rate ratios with exact intervals, and country and category breakdowns."""
    input:
        cases=f"{PROCESSED}/cases.parquet",
        reference=[f"{REFERENCE}/{name}" for name in ("typology.csv", "target_profiles.csv", "verification.csv",
                                                        "eu_membership.csv")],
        code=modules("reference", "normalise", "schemas", "stats", "summarise"),
    output:
        tables=expand(f"{PROCESSED}/{{table}}.parquet", table=STATISTICS),
    log:
        "logs/compute_statistics.log",
    priority: 1  # on the critical path: validate_cases -> compute_statistics -> draw_figures -> render_findings
    params:
        output_dir=PROCESSED,
        reference_dir=REFERENCE,
        periods=json.dumps(config["periods"]),
        scopes=json.dumps(config["scopes"]),
        baseline=config["baseline"],
        comparison=config["comparison"],
        confidence_level=config["confidence_level"],
    shell:
        """
        tnr-pipeline compute-statistics \
            --cases {input.cases:q} \
            --output-dir {params.output_dir:q} \
            --reference-dir {params.reference_dir:q} \
            --periods {params.periods:q} \
            --scopes {params.scopes:q} \
            --baseline {params.baseline:q} \
            --comparison {params.comparison:q} \
            --confidence-level {params.confidence_level:q} \
            > {log:q} 2>&1
        """


rule check_claims:
    """Check each quantitative claim of the report against the statistics and write the claims ledger."""
    input:
        claims=f"{REFERENCE}/claims.csv",
        cases=f"{PROCESSED}/cases.parquet",
        period_summary=f"{PROCESSED}/period_summary.parquet",
        period_ratios=f"{PROCESSED}/period_ratios.parquet",
        country_summary=f"{PROCESSED}/country_summary.parquet",
        survey_summary=f"{PROCESSED}/survey_summary.parquet",
        code=modules("reference", "normalise", "schemas", "claims"),
    output:
        claims=f"{PROCESSED}/claims.parquet",
    log:
        "logs/check_claims.log",
    params:
        strict="--strict" if str(config["strict_claims"]).lower() == "true" else "",
    shell:
        """
        tnr-pipeline check-claims \
            --claims {input.claims:q} \
            --table cases={input.cases:q} \
            --table period_summary={input.period_summary:q} \
            --table period_ratios={input.period_ratios:q} \
            --table country_summary={input.country_summary:q} \
            --table survey_summary={input.survey_summary:q} \
            --output {output.claims:q} \
            {params.strict} \
            > {log:q} 2>&1
        """


rule draw_figures:
    """Draw every figure as PNG and SVG from the statistics tables."""
    input:
        tables=expand(f"{PROCESSED}/{{table}}.parquet", table=STATISTICS),
        survey_summary=f"{PROCESSED}/survey_summary.parquet",
        context=f"{PROCESSED}/context_figures.parquet",
        typology=f"{REFERENCE}/typology.csv",
        style=f"{PACKAGE}/figures.mplstyle",
        code=modules("figures"),
    output:
        png=[report(f"figures/{name}.png", caption=f"templates/captions/{name}.rst", category="Figures")
             for name in FIGURES],
        svg=expand("figures/{figure}.svg", figure=FIGURES),
    log:
        "logs/draw_figures.log",
    resources:
        figure_workers=config["figure_workers"],
    params:
        tables_dir=PROCESSED,
        output_dir="figures",
        periods=json.dumps(config["periods"]),
        scopes=json.dumps(config["scopes"]),
    shell:
        """
        tnr-pipeline draw-figures \
            --tables-dir {params.tables_dir:q} \
            --output-dir {params.output_dir:q} \
            --typology {input.typology:q} \
            --periods {params.periods:q} \
            --scopes {params.scopes:q} \
            --workers {resources.figure_workers} \
            > {log:q} 2>&1
        """


rule render_findings:
    """Render the findings document as Markdown and self-contained HTML from the tables and figures."""
    input:
        tables=[f"{PROCESSED}/{name}.parquet" for name in ("cases", "annual_counts", "period_summary", "period_ratios",
                                                             "country_summary", "period_breakdowns", "claims",
                                                             "survey_summary", "context_figures")],
        figures=expand("figures/{figure}.png", figure=FIGURES),
        templates=["templates/findings.md.j2", "templates/findings.html.j2"],
        typology=f"{REFERENCE}/typology.csv",
        code=modules("report"),
    output:
        markdown="reports/findings.md",
        html=report("reports/findings.html", caption="templates/captions/findings.rst", category="Findings"),
    log:
        "logs/render_findings.log",
    params:
        tables_dir=PROCESSED,
        figures_dir="figures",
        template_dir="templates",
        periods=json.dumps(config["periods"]),
        scopes=json.dumps(config["scopes"]),
    shell:
        """
        tnr-pipeline render-findings \
            --tables-dir {params.tables_dir:q} \
            --figures-dir {params.figures_dir:q} \
            --template-dir {params.template_dir:q} \
            --typology {input.typology:q} \
            --periods {params.periods:q} \
            --scopes {params.scopes:q} \
            --markdown {output.markdown:q} \
            --html {output.html:q} \
            > {log:q} 2>&1
        """
