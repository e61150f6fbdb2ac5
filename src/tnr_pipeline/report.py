"""Stage 5, render_findings: the Parquet tables and figures -> reports/findings.md and reports/findings.html.

What belongs here: gathering the template's context from the tables (selecting and labelling rows, never computing
new statistics), the jinja2 environment and its filters (registered in one place), and the HTML edge: Markdown to
HTML with raw HTML disabled, figures embedded as data URIs, nothing loaded from the network. Imports neither
pandera nor matplotlib.
"""

from __future__ import annotations

import base64
import csv
import math
import os
from importlib import metadata
from pathlib import Path

from tnr_pipeline import __version__, io, registry
from tnr_pipeline.descriptions import reconstruction_notice, undescribed
from tnr_pipeline.fields import TABLES, table_fields
from tnr_pipeline.settings import SCOPE_ROLES, Analysis, format_level

MARKDOWN_SPECIAL = {c: "\\" + c for c in "\\`*_[]<>|#~"}
VERSIONED = ("pandas", "pyarrow", "pandera", "matplotlib", "snakemake", "scipy", "jinja2", "pycountry")


class Raw(str):
    """Template text that is already Markdown (figure references): not escaped."""


def escape_markdown(value: object) -> str:
    """Escape text from data so that it reads literally in Markdown (and so in HTML)."""
    if isinstance(value, Raw):
        return value
    if value is None:
        return ""
    return "".join(MARKDOWN_SPECIAL.get(c, c) for c in str(value))


def format_number(value: float, digits: int = 1) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "n/a"
    if isinstance(value, float) and math.isinf(value):
        return "∞"
    return f"{value:,.{digits}f}"


def format_share(value: float, digits: int = 0) -> str:
    return "n/a" if value is None or math.isnan(value) else f"{value:.{digits}%}"


def format_mean_interval(row: dict) -> Raw:
    """'3.6 a year (80% CI 2.7–4.7)' from a period_summary row (the level from its confidence_level)."""
    return Raw(
        f"{format_number(row['annual_mean'])} a year ({format_level(row['confidence_level'])} CI "
        f"{format_number(row['annual_mean_ci_low'])}–{format_number(row['annual_mean_ci_high'])})"
    )


def format_ratio_interval(row: dict) -> Raw:
    """'8.18 (80% CI 6.04–11.13)' from a period_ratios row (the level from its confidence_level)."""
    return Raw(
        f"{format_number(row['ratio'], 2)} ({format_level(row['confidence_level'])} CI "
        f"{format_number(row['ci_low'], 2)}–{format_number(row['ci_high'], 2)})"
    )


def format_survey_share(row: dict) -> Raw:
    """'13 of 40 (32.5%, Wilson 80% CI 24.1%–42.1%)' from a survey_summary row (the level from its
    confidence_level)."""
    return Raw(
        f"{row['n']} of {row['respondents']} ({format_share(row['share'], 1)}, Wilson "
        f"{format_level(row['confidence_level'])} CI {format_share(row['ci_low'], 1)}–"
        f"{format_share(row['ci_high'], 1)})"
    )


def format_claim_verdict(claim: dict | None) -> Raw:
    """'rounds to 8 — holds' from a claims row; a dash when the report makes no such claim."""
    if not claim:
        return Raw("—")
    verdict = "holds" if claim["holds"] else "**does not hold**"
    return Raw(f"{escape_markdown(claim['check'].replace('_', ' '))} {escape_markdown(claim['expected'])} — {verdict}")


def environment(template_dir: str | Path):
    """The jinja2 environment: strict, whitespace-tidy, escaping every data value for Markdown."""
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(template_dir)),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        finalize=escape_markdown,
        autoescape=False,
    )
    env.filters.update(
        num=format_number,
        pct=format_share,
        md=escape_markdown,
        mean_ci=format_mean_interval,
        ratio_ci=format_ratio_interval,
        verdict=format_claim_verdict,
        survey_share=format_survey_share,
        level=format_level,
    )
    return env


# ---- context ---------------------------------------------------------------------------------------------------


def read_records(path: str | Path) -> list[dict]:
    """A small output table as a list of rows (pyarrow only: the report step does not import pandas; ParquetFile
    rather than read_table, whose dataset layer imports pandas)."""
    import pyarrow.parquet as pq

    return pq.ParquetFile(path).read().to_pylist()


def read_typology(path: str | Path) -> list[dict]:
    """The typology CSV as rows, `fh_counted` as a boolean."""
    with open(path, encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    return [dict(row, fh_counted=row["fh_counted"].strip().lower() == "true") for row in rows]


def describe_cases(path: str | Path) -> dict:
    """Counts the document states about the case table, read column-wise (fast on a million rows)."""
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    table = pq.ParquetFile(path).read(columns=["year", "host_country"])
    years = pc.min_max(table["year"]).as_py()
    return {
        "n_cases": table.num_rows,
        "n_host_countries": pc.count_distinct(table["host_country"]).as_py(),
        "first_year": years["min"],
        "last_year": years["max"],
    }


def _where(rows: list[dict], **conditions) -> list[dict]:
    return [row for row in rows if all(row[key] == value for key, value in conditions.items())]


def _one(rows: list[dict], **conditions) -> dict:
    matches = _where(rows, **conditions)
    if len(matches) != 1:
        raise ValueError(f"{len(matches)} rows match {conditions}")
    return matches[0]


def _by_cases(rows: list[dict]) -> list[dict]:
    """Most cases first, then by name."""
    return sorted(rows, key=lambda row: (-row["cases"], row["host_country_name"]))


def data_dictionary() -> list[dict]:
    """Every output table and its columns, from the same field definitions the pandera schemas are built from."""
    return [
        {
            "table": table,
            "description": description,
            "fields": [
                {
                    "name": f.name,
                    "kind": f.kind,
                    "nullable": f.nullable,
                    "description": f.description,
                    "allowed": f.allowed,
                }
                for f in table_fields(table)
            ],
        }
        for table, (description, _) in TABLES.items()
    ]


def versions() -> dict[str, str]:
    found = {"tnr-pipeline": __version__}
    for name in VERSIONED:
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            found[name] = "not installed"
    return found


def robustness_context(robustness: list[dict], regions: list[dict], analysis: Analysis) -> dict:
    """The robustness section's rows: every variant for the headline and without-Denial-of-Entry scopes side by
    side, the leave-one-year-out extremes of the headline, and the region groups of the headline scope."""
    headline, without = analysis.role("headline").name, analysis.role("without_denial_of_entry").name
    by_key = {(row["scope"], row["variant"]): row for row in robustness}
    variants = list(dict.fromkeys(row["variant"] for row in robustness))
    mine = [by_key[(headline, variant)] for variant in variants]
    dropped = [row for row in mine if row["variant"].startswith("drop_") and row["ratio"] == row["ratio"]]
    bounded = [row["ci_low"] for row in mine if row["ci_low"] == row["ci_low"]]
    return {
        "robustness_rows": [
            {"variant": v, "headline": by_key[(headline, v)], "without": by_key[(without, v)]} for v in variants
        ],
        "robust_quasi": by_key[(headline, "quasi_poisson")],
        "robust_lowest_bound": min(bounded) if bounded else math.nan,
        "robust_drop_low": min(dropped, key=lambda row: row["ratio"]) if dropped else None,
        "robust_drop_high": max(dropped, key=lambda row: row["ratio"]) if dropped else None,
        "regions": [row for row in regions if row["scope"] == headline and row["region_group"] != "near_abroad_vs_eu"],
        "region_versus": next(
            (row for row in regions if row["scope"] == headline and row["region_group"] == "near_abroad_vs_eu"), None
        ),
    }


def build_context(
    tables: dict[str, list[dict]],
    cases: dict,
    provenance: dict,
    typology: list[dict],
    analysis: Analysis,
    prosecutions_series: str,
    figures: dict[str, str],
) -> dict:
    """Everything the findings template shows, selected from the tables (rows as dicts) and the case counts."""
    ratios, summary = tables["period_ratios"], tables["period_summary"]
    countries, breakdowns = tables["country_summary"], tables["period_breakdowns"]
    claims, survey, context = tables["claims"], tables["survey_summary"], tables["context_figures"]
    baseline, comparison = analysis.baseline, analysis.comparison
    roles = analysis.roles
    headline_scope = roles["headline"].name
    ratio_by_scope = {row["scope"]: row for row in ratios}
    headline = [
        dict(
            ratio_by_scope[scope.name],
            scope_label=scope.label,
            baseline_row=_one(summary, scope=scope.name, period=baseline.name),
            comparison_row=_one(summary, scope=scope.name, period=comparison.name),
        )
        for scope in analysis.scopes_to_show
    ]
    comparison_countries = _by_cases(_where(countries, scope=headline_scope, period=comparison.name))
    tactics = {
        t["code"]: {
            p.name: _one(breakdowns, dimension="tactic", category=t["code"], scope=headline_scope, period=p.name)
            for p in analysis.periods
        }
        for t in typology
    }
    annual_cases: dict[int, int] = {}
    for row in tables["annual_counts"]:
        annual_cases[row["year"]] = annual_cases.get(row["year"], 0) + row["cases"]
    physical = roles["freedom_house"]
    return {
        "periods": analysis.periods,
        "baseline": baseline,
        "comparison": comparison,
        "scopes": analysis.scopes_to_show,
        "roles": roles,
        "headline": headline,
        "ratio": {row["scope"]: row for row in headline},
        "ratio_level": format_level(analysis.confidence_level),
        "mean_level": format_level(summary[0]["confidence_level"]) if summary else "",
        "survey_level": format_level(survey[0]["confidence_level"]) if survey else "",
        "claims": claims,
        "claim_for_metric": {row["metric"]: row for row in claims},
        "n_claims_holding": sum(1 for row in claims if row["holds"]),
        "countries_comparison": comparison_countries,
        "countries_with_cases": [row for row in comparison_countries if row["cases"] > 0],
        "new_countries": [row for row in comparison_countries if row["new_in_comparison"]],
        "eu_countries": [row for row in comparison_countries if row["eu_member_at_end"] and row["cases"] > 0],
        "physical_countries": [
            row for row in _by_cases(_where(countries, scope=physical.name, period=comparison.name)) if row["cases"] > 0
        ],
        "physical_scope": physical,
        **cases,
        "tactics": tactics,
        "survey_yes": {row["question"]: row for row in _where(survey, answer="yes")},
        "survey_tactics": sorted(
            _where(survey, question="tactics_experienced"), key=lambda row: (-row["n"], row["answer"])
        ),
        "n_respondents": max((row["respondents"] for row in survey), default=0),
        "context": context,
        "context_by_id": {row["figure_id"]: row for row in context},
        "annual_cases": annual_cases,
        "prosecutions": sorted(_where(context, series=prosecutions_series), key=lambda row: row["year"]),
        "tactic_label": {t["code"]: t["label"] for t in typology},
        "typology": typology,
        "figures": {name: Raw(path) for name, path in figures.items()},
        "dictionary": data_dictionary(),
        "provenance": provenance,
        "inputs": [{"path": path, "sha256": digest} for path, digest in provenance["inputs_sha256"].items()],
        **robustness_context(tables["robustness"], tables["region_ratios"], analysis),
        "reconstruction_notice": reconstruction_notice(provenance["inputs_described"]),
        "undescribed": [dict(info, path=path) for path, info in undescribed(provenance["inputs_described"]).items()],
        "versions": versions(),
    }


# ---- rendering ---------------------------------------------------------------------------------------------------


def render_markdown(template_dir: str | Path, context: dict) -> str:
    return environment(template_dir).get_template("findings.md.j2").render(**context)


def markdown_to_html(markdown: str, image_root: Path) -> str:
    """Markdown -> HTML body: raw HTML in the source is escaped, every image embedded as a data URI."""
    from markdown_it import MarkdownIt

    parser = MarkdownIt("commonmark", {"html": False}).enable("table")
    tokens = parser.parse(markdown)
    for token in tokens:
        for child in token.children or []:
            if child.type == "image":
                path = (image_root / child.attrGet("src")).resolve()
                encoded = base64.b64encode(path.read_bytes()).decode("ascii")
                child.attrSet("src", f"data:image/png;base64,{encoded}")
    return parser.renderer.render(tokens, parser.options, {})


def render_html(template_dir: str | Path, body: str, title: str) -> str:
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(template_dir)),
        undefined=jinja2.StrictUndefined,
        autoescape=True,
        keep_trailing_newline=True,
    )
    return env.get_template("findings.html.j2").render(title=title, body=jinja2.utils.markupsafe.Markup(body))


def build_summary(context: dict, markdown_path: str, html_path: str) -> str:
    """The few lines the build prints at its end: the headline ratio of each role scope with its interval, the
    claims that hold (naming those that do not), whether the data is reconstructed, and where the findings are.
    Aggregates only: nothing personal."""
    lines = ["tnr-pipeline: findings built."]
    if context["reconstruction_notice"]:
        lines.append("  RECONSTRUCTED DATA, not the real cases (see the notice at the top of the findings).")
    for scope in dict.fromkeys(context["roles"][role] for role in SCOPE_ROLES):
        lines.append(f"  {scope.label}: rate ratio {format_ratio_interval(context['ratio'][scope.name])}")
    failing = [row["claim_id"] for row in context["claims"] if not row["holds"]]
    lines.append(
        f"  Claims of the report that hold: {context['n_claims_holding']} of {len(context['claims'])}"
        + (f"; not holding: {', '.join(failing)}" if failing else "")
    )
    lines.append(f"  Findings: {html_path} and {markdown_path}")
    return "\n".join(lines) + "\n"


def run(
    table_paths: dict[str, str],
    figure_paths: dict[str, str],
    template_dir: str,
    typology_path: str,
    markdown_path: str,
    html_path: str,
    analysis: Analysis,
    prosecutions_series: str,
    summary_path: str | None = None,
) -> None:
    """Render findings.md and findings.html from the named tables and figures (PNG, embedded in the HTML), and the
    build's closing summary."""
    from tnr_pipeline.settings import SettingsError

    missing = registry.missing_named("--table", registry.REPORT_READS, table_paths)
    missing += registry.missing_named("--figure", registry.FIGURES, figure_paths)
    if missing:
        raise SettingsError(missing, "render-findings")
    tables = {name: read_records(table_paths[name]) for name in registry.REPORT_READS if name != "cases"}
    provenance = io.merge_provenance(
        [
            io.read_provenance(table_paths[name])
            for name in ("period_summary", "cases", "claims", "survey_summary", "context_figures")
        ]
    )
    markdown_dir = Path(markdown_path).parent
    figures = {name: Path(os.path.relpath(path, markdown_dir)).as_posix() for name, path in figure_paths.items()}
    context = build_context(
        tables,
        describe_cases(table_paths["cases"]),
        provenance,
        read_typology(typology_path),
        analysis,
        prosecutions_series,
        figures,
    )
    markdown = render_markdown(template_dir, context)
    html = render_html(
        template_dir,
        markdown_to_html(markdown, markdown_dir),
        "Findings: transnational repression by the Russian Federation",
    )
    io.write_text(markdown_path, markdown)
    io.write_text(html_path, html)
    if summary_path:
        io.write_text(summary_path, build_summary(context, markdown_path, html_path))
