"""The stages: one module per Snakemake rule, named as the rule (validate_cases, summarise_survey, validate_context,
compute_statistics, check_claims, draw_figures, render_findings, describe_outputs).

Each module exposes `register(subparsers)`, which adds its `tnr-pipeline` subcommand, and `run(args)`, which builds
one frozen dataclass of the step's inputs and settings and hands it to `execute`, which reads as load -> process ->
save on the layers below. At import a stage module loads only the standard library: the libraries it uses are
imported when it runs, so each step pays only for its own.
"""
