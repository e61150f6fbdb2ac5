"""The registry of outputs: every table and figure by name, where it is written, and what each step reads.

What belongs here: names and paths only, listed once. The Snakefile imports this module to declare each rule's
inputs and outputs, and the steps use the same names, so a table or figure is added or renamed here and nowhere
else. Importing it costs nothing (no third-party import): Snakemake imports it on every run.
"""

from __future__ import annotations

import shlex

PROCESSED = "data/processed"
FIGURES_DIR = "figures"
REPORTS_DIR = "reports"
FIGURE_FORMATS = ("png", "svg")
SOURCE_LANGUAGE = "en"  # the language of the msgids: its outputs keep the plain names (figures/x.png, findings.md)
CATALOGUES = "src/tnr_pipeline/locale"  # <language>/LC_MESSAGES/messages.po, edited by translators

# The Parquet tables each step writes, in the order the step writes them.
TABLES_BY_STEP: dict[str, tuple[str, ...]] = {
    "validate_cases": ("cases",),
    "summarise_survey": ("survey_responses", "survey_summary"),
    "validate_context": ("context_figures",),
    "compute_statistics": (
        "annual_counts",
        "period_summary",
        "period_ratios",
        "country_summary",
        "period_breakdowns",
        "robustness",
        "region_ratios",
    ),
    "check_claims": ("claims",),
}
STATISTICS = TABLES_BY_STEP["compute_statistics"]

# The columns that identify a row of each table (what `tnr-pipeline diff` matches rows on).
TABLE_KEYS: dict[str, tuple[str, ...]] = {
    "cases": ("case_id",),
    "survey_responses": ("respondent_id",),
    "survey_summary": ("question", "answer"),
    "context_figures": ("figure_id",),
    "annual_counts": ("year", "tactic"),
    "period_summary": ("scope", "period"),
    "period_ratios": ("scope",),
    "country_summary": ("host_country", "scope", "period"),
    "period_breakdowns": ("dimension", "category", "scope", "period"),
    "robustness": ("scope", "variant"),
    "region_ratios": ("scope", "region_group"),
    "claims": ("claim_id",),
}

# The tables the claims' metrics read.
CLAIMS_READS = (
    "cases",
    "period_summary",
    "period_ratios",
    "country_summary",
    "survey_summary",
    "robustness",
    "region_ratios",
)

# Each figure and the tables it is drawn from (its source line names them).
FIGURES: dict[str, tuple[str, ...]] = {
    "cases_per_year": ("annual_counts", "period_summary", "period_ratios"),
    "period_means": ("period_summary", "period_ratios"),
    "countries_before_after": ("country_summary",),
    "tactic_mix": ("period_breakdowns",),
    "host_country_map": ("country_summary",),
    "prosecutions_and_cases": ("context_figures", "annual_counts"),
    "survey_answers": ("survey_summary",),
    "robustness": ("robustness", "region_ratios"),
}

# The tables the findings document reads.
REPORT_READS = (
    "cases",
    "annual_counts",
    "period_summary",
    "period_ratios",
    "country_summary",
    "period_breakdowns",
    "claims",
    "survey_summary",
    "context_figures",
    "robustness",
    "region_ratios",
)


def all_tables() -> tuple[str, ...]:
    """Every table the pipeline writes, in step order."""
    return tuple(name for names in TABLES_BY_STEP.values() for name in names)


def table_path(name: str) -> str:
    return f"{PROCESSED}/{name}.parquet"


def table_paths(names) -> dict[str, str]:
    """{name: path} for these tables."""
    return {name: table_path(name) for name in names}


def figure_tables() -> tuple[str, ...]:
    """Every table some figure is drawn from, each once, in the order the figures name them."""
    return tuple(dict.fromkeys(name for tables in FIGURES.values() for name in tables))


def figure_stem(name: str, language: str = SOURCE_LANGUAGE) -> str:
    """A figure's path without its extension: the figure step writes one file per format beside it. The source
    language's figures are in figures/, another language's in figures/<language>/ (a wildcard works too)."""
    return f"{FIGURES_DIR}/{name}" if language == SOURCE_LANGUAGE else f"{FIGURES_DIR}/{language}/{name}"


def figure_stems(language: str = SOURCE_LANGUAGE) -> dict[str, str]:
    return {name: figure_stem(name, language) for name in FIGURES}


def figure_path(name: str, extension: str = "png", language: str = SOURCE_LANGUAGE) -> str:
    return f"{figure_stem(name, language)}.{extension}"


def figure_paths(extension: str = "png", language: str = SOURCE_LANGUAGE) -> dict[str, str]:
    """{figure name: path} of every figure in one format and language."""
    return {name: figure_path(name, extension, language) for name in FIGURES}


def findings_path(extension: str, language: str = SOURCE_LANGUAGE) -> str:
    """reports/findings.md in the source language, reports/findings.<language>.md in another."""
    infix = "" if language == SOURCE_LANGUAGE else f".{language}"
    return f"{REPORTS_DIR}/findings{infix}.{extension}"


def catalogue(language: str) -> str:
    """A language's editable gettext catalogue."""
    return f"{CATALOGUES}/{language}/LC_MESSAGES/messages.po"


def report_category(kind: str, language: str) -> str:
    """The category of Snakemake's HTML report an output is filed under: 'Figures', 'Figures (ru)'."""
    return kind if language == SOURCE_LANGUAGE else f"{kind} ({language})"


def missing_named(option: str, needed, given: dict[str, str]) -> list[str]:
    """A problem for each name a step needs but was not given as `option NAME=PATH`."""
    return [f"{option} {name}=PATH is missing" for name in needed if name not in given]


def language_prefix(language: str) -> str:
    """How a command line names another language's output: its code and a colon (`ru:`); the source language's
    outputs have none."""
    return "" if language == SOURCE_LANGUAGE else f"{language}:"


def named_options(option: str, paths: dict[str, str], language: str = SOURCE_LANGUAGE) -> str:
    """Command-line options giving each path with its name: `--table cases=data/processed/cases.parquet ...`; another
    language's output is named with its prefix: `--figure ru:period_means=figures/ru/period_means`."""
    prefix = language_prefix(language)
    return " ".join(f"{option} {shlex.quote(f'{prefix}{name}={path}')}" for name, path in paths.items())


def language_options(option: str, paths: dict[str, str]) -> str:
    """One option per language (language -> path): `--markdown reports/findings.md --markdown
    ru:reports/findings.ru.md`."""
    return " ".join(f"{option} {shlex.quote(language_prefix(language) + path)}" for language, path in paths.items())
