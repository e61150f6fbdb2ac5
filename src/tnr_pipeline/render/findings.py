"""Stage 5, render_findings: the Parquet tables and figures -> reports/findings.md and reports/findings.html.

What belongs here: the orchestration of the step — reading the tables once, rendering every language's edition (in
forked workers), writing the documents and the build's summary, removing editions the build no longer writes. The
parts live beside it: `readers` (the tables as rows), `context` (what the template shows), `filters` and
`templates` (the jinja2 environments), `html` (Markdown to HTML) and `summary` (the console summary). Imports
neither pandas, pandera nor matplotlib.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from tnr_pipeline.model import io, registry
from tnr_pipeline.model.settings import Analysis
from tnr_pipeline.render.context import build_context, untranslated_words
from tnr_pipeline.render.html import markdown_to_html
from tnr_pipeline.render.i18n import SOURCE_LANGUAGE, Language
from tnr_pipeline.render.pool import run_forked
from tnr_pipeline.render.readers import (
    describe_cases,
    read_csv_rows,
    read_recording_reasons,
    read_records,
    read_typology,
)
from tnr_pipeline.render.summary import build_summary
from tnr_pipeline.render.templates import environment, html_environment, render_html, render_markdown


@dataclass(frozen=True)
class Edition:
    """One language's findings: the language, its figures (name -> PNG path, embedded in the HTML) and the two
    documents to write."""

    lang: Language
    figure_paths: dict[str, str]
    markdown_path: str
    html_path: str


def render_all(
    table_paths: dict[str, str],
    editions: list[Edition],
    template_dir: str,
    typology_path: str,
    analysis: Analysis,
    prosecutions_series: str,
    summary_path: str | None = None,
    claims_path: str | None = None,
    region_groups_path: str | None = None,
    recording_reasons_path: str | None = None,
    workers: int = 1,
) -> None:
    """Render findings.md and findings.html of every edition (language) from the named tables, read once, in
    `workers` forked processes, and the build's closing summary, in the source language, naming the other
    editions."""
    from tnr_pipeline.model.settings import SettingsError

    missing = registry.missing_named("--table", registry.REPORT_READS, table_paths)
    for edition in editions:
        missing += [
            f"{problem} ({edition.lang.code})"
            for problem in registry.missing_named("--figure", registry.FIGURES, edition.figure_paths)
        ]
    if missing:
        raise SettingsError(missing, "render-findings")
    tables = {name: read_records(table_paths[name]) for name in registry.REPORT_READS if name != "cases"}
    provenance = io.merge_provenance(
        [
            io.read_provenance(table_paths[name])
            for name in ("period_summary", "cases", "claims", "survey_summary", "context_figures")
        ]
    )
    read = {
        "tables": tables,
        "cases": describe_cases(table_paths["cases"]),
        "provenance": provenance,
        "words": {
            "claims": read_csv_rows(claims_path),
            "region_groups": read_csv_rows(region_groups_path),
            "recording_reasons": read_recording_reasons(recording_reasons_path),
        },
        "typology": read_typology(typology_path),
    }
    environment(template_dir).get_template("findings.md.j2")  # each template compiled once, before the workers fork
    html_environment(template_dir).get_template("findings.html.j2")
    others = tuple(edition.lang.code for edition in editions if edition.lang.code != SOURCE_LANGUAGE)
    jobs = {
        edition.lang.code: partial(
            _render_edition,
            edition,
            read,
            template_dir,
            analysis,
            prosecutions_series,
            summary_path if edition.lang.code == SOURCE_LANGUAGE else None,
            others,
        )
        for edition in editions
    }
    for lines in run_forked(jobs, workers):
        for line in lines:
            print(line)
    written = [path for edition in editions for path in (edition.markdown_path, edition.html_path)]
    for folder in {Path(path).parent for path in written}:
        for path in io.remove_other_files(folder, OWNED_DOCUMENTS, written):
            print(f"render-findings: removed {path} (not an edition of this build)")


# What the document step owns in its folder (reports/): the findings of every language. One that the build does not
# write (a language no longer in `languages`) is removed; the summary and any other file are left alone.
OWNED_DOCUMENTS = ("findings.md", "findings.html", "findings.*.md", "findings.*.html")


def _render_edition(
    edition: Edition,
    read: dict,
    template_dir: str,
    analysis: Analysis,
    prosecutions_series: str,
    summary_path: str | None,
    others: tuple[str, ...],
) -> list[str]:
    """Write one language's findings (and the build's summary, given its path); return the lines to print (the
    words without a translation)."""
    lang = edition.lang
    markdown_dir = Path(edition.markdown_path).parent
    figures = {
        name: Path(os.path.relpath(path, markdown_dir)).as_posix() for name, path in edition.figure_paths.items()
    }
    tables, typology, words = read["tables"], read["typology"], read["words"]
    context = build_context(
        tables, read["cases"], read["provenance"], typology, analysis, prosecutions_series, figures, lang, words
    )
    markdown = render_markdown(template_dir, context, lang)
    html = render_html(
        template_dir,
        markdown_to_html(markdown, markdown_dir),
        lang.gettext("Findings: transnational repression by the Russian Federation"),
        lang.code,
    )
    io.write_text(edition.markdown_path, markdown)
    io.write_text(edition.html_path, html)
    if summary_path:
        io.write_text(summary_path, build_summary(context, edition.markdown_path, edition.html_path, others))
    return untranslated_words(typology, words, tables["context_figures"], lang)
