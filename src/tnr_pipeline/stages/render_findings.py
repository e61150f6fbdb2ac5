"""render_findings: the tables and figures -> the findings document as Markdown and HTML, in every language.

Load the tables once, render each language's edition from the templates (`render.findings`), write the documents and
the build's closing summary, and remove the editions of an earlier build that this one does not write.
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass

from tnr_pipeline.stages import options

COMMAND = "render-findings"


@dataclass(frozen=True)
class Step:
    """What render_findings reads and the settings it applies."""

    table_paths: dict[str, str]
    editions: list  # render.findings.Edition, one per language
    template_dir: str
    typology_path: str
    analysis: object  # model.settings.Analysis
    prosecutions_series: str
    summary_path: str | None = None
    claims_path: str | None = None
    region_groups_path: str | None = None
    recording_reasons_path: str | None = None
    workers: int = 1


def register(subparsers) -> None:
    options.add_step(
        subparsers,
        COMMAND,
        run,
        "render the findings document (Markdown and HTML)",
        (
            "--problems",
            "--table",
            "--figure",
            "--typology",
            "--analysis",
            "--prosecutions-series",
            "--language",
            "--catalogue",
        ),
        {
            "--template-dir": {**options.REQUIRED, "help": "folder of findings.md.j2 and findings.html.j2"},
            "--markdown": {**options.REQUIRED, "action": "append", "help": "findings.md to write; one per language"},
            "--html": {**options.REQUIRED, "action": "append", "help": "findings.html to write; one per language"},
            "--summary": {"default": None, "help": "the build's closing summary (text) to write"},
            "--workers": {"type": int, "default": 1, "help": "languages rendered at once, in forked processes"},
            "--claims": {"default": None, "help": "the claims file: the claims' words in other languages (claim_ru)"},
            "--region-groups": {"default": None, "help": "region groups CSV: the groups' names in other languages"},
            "--recording-reasons": {
                "default": None,
                "help": "the report's reasons to expect later cases to be recorded more often (CSV); empty: none",
            },
        },
    )


def run(args: argparse.Namespace) -> None:
    from tnr_pipeline.render.findings import Edition

    languages = options.languages(args)
    figures = options.by_language(args.figure, languages)
    markdown = options.one_each(args.markdown, languages, "--markdown")
    html = options.one_each(args.html, languages, "--html")
    editions = [
        Edition(lang, options.parse_named(figures.get(code), "--figure"), markdown[code], html[code])
        for code, lang in languages.items()
    ]
    step = Step(
        options.parse_named(args.table, "--table"),
        editions,
        args.template_dir,
        args.typology,
        options.analysis(args, typology=args.typology),
        args.prosecutions_series,
        args.summary,
        args.claims,
        args.region_groups,
        args.recording_reasons or None,
        args.workers,
    )
    execute(step)
    for edition in editions:
        print(f"{COMMAND}: wrote {edition.markdown_path} and {edition.html_path} ({edition.lang.code})")


def execute(step: Step) -> None:
    """Render and write every edition, and the summary."""
    from tnr_pipeline.render.findings import render_all

    render_all(
        step.table_paths,
        step.editions,
        step.template_dir,
        step.typology_path,
        step.analysis,
        step.prosecutions_series,
        step.summary_path,
        step.claims_path,
        step.region_groups_path,
        step.recording_reasons_path,
        step.workers,
    )
