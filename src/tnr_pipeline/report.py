"""Stage 5, render_findings: the Parquet tables and figures -> reports/findings.md and reports/findings.html.

What belongs here: gathering the template's context from the tables (selecting and labelling rows, never computing
new statistics), the jinja2 environment and its filters (registered in one place), and the HTML edge: Markdown to
HTML with raw HTML disabled, figures embedded as data URIs, nothing loaded from the network. Imports neither
pandera nor matplotlib.
"""

from __future__ import annotations

import base64
import math
import os
from importlib import metadata
from pathlib import Path

import pandas as pd

from tnr_pipeline import __version__, io
from tnr_pipeline.fields import TABLES, table_fields
from tnr_pipeline.settings import Period, Scope

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
    """'3.6 a year (95% CI 2.4–5.2)' from a period_summary row."""
    return Raw(f"{format_number(row['annual_mean'])} a year (95% CI {format_number(row['annual_mean_ci_low'])}–"
               f"{format_number(row['annual_mean_ci_high'])})")


def format_ratio_interval(row: dict) -> Raw:
    """'8.18 (95% CI 5.33–12.91)' from a period_ratios row."""
    return Raw(f"{format_number(row['ratio'], 2)} (95% CI {format_number(row['ci_low'], 2)}–"
               f"{format_number(row['ci_high'], 2)})")


def format_survey_share(row: dict) -> Raw:
    """'13 of 40 (32.5%, Wilson 95% CI 20.1%–48.0%)' from a survey_summary row."""
    return Raw(f"{row['n']} of {row['respondents']} ({format_share(row['share'], 1)}, Wilson 95% CI "
               f"{format_share(row['ci_low'], 1)}–{format_share(row['ci_high'], 1)})")


def format_claim_verdict(claim: dict | None) -> Raw:
    """'rounds to 8 — holds' from a claims row; a dash when the report makes no such claim."""
    if not claim:
        return Raw("—")
    verdict = "holds" if claim["holds"] else "**does not hold**"
    return Raw(f"{escape_markdown(claim['check'].replace('_', ' '))} {escape_markdown(claim['expected'])} — {verdict}")


def environment(template_dir: str | Path):
    """The jinja2 environment: strict, whitespace-tidy, escaping every data value for Markdown."""
    import jinja2

    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(template_dir)), undefined=jinja2.StrictUndefined,
                             trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True,
                             finalize=escape_markdown, autoescape=False)
    env.filters.update(num=format_number, pct=format_share, md=escape_markdown, mean_ci=format_mean_interval,
                       ratio_ci=format_ratio_interval, verdict=format_claim_verdict,
                       survey_share=format_survey_share)
    return env


# ---- context ---------------------------------------------------------------------------------------------------

def _records(frame: pd.DataFrame) -> list[dict]:
    return frame.to_dict(orient="records")


def data_dictionary() -> list[dict]:
    """Every output table and its columns, from the same field definitions the pandera schemas are built from."""
    return [{"table": table, "description": description,
             "fields": [{"name": f.name, "kind": f.kind, "nullable": f.nullable, "description": f.description,
                         "allowed": f.allowed} for f in table_fields(table)]}
            for table, (description, _) in TABLES.items()]


def versions() -> dict[str, str]:
    found = {"tnr-pipeline": __version__}
    for name in VERSIONED:
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            found[name] = "not installed"
    return found


def build_context(tables: dict[str, pd.DataFrame], provenance: dict, typology: pd.DataFrame, periods: list[Period],
                  scopes: list[Scope], figures: dict[str, str]) -> dict:
    """Everything the findings template shows, selected from the tables."""
    ratios = tables["period_ratios"]
    by_name = {p.name: p for p in periods}
    baseline, comparison = by_name[ratios["baseline"].iloc[0]], by_name[ratios["comparison"].iloc[0]]
    first_scope = scopes[0].name
    summary = tables["period_summary"]
    countries = tables["country_summary"]
    breakdowns = tables["period_breakdowns"]
    claims = tables["claims"]
    cases = tables["cases"]

    def period_row(scope: str, period: str) -> dict:
        return summary[(summary["scope"] == scope) & (summary["period"] == period)].iloc[0].to_dict()

    def tactic_row(tactic: str, period: str, scope: str = first_scope) -> dict:
        rows = breakdowns[(breakdowns["dimension"] == "tactic") & (breakdowns["category"] == tactic)
                          & (breakdowns["scope"] == scope) & (breakdowns["period"] == period)]
        return rows.iloc[0].to_dict()

    def country_rows(scope: str, period: str) -> list[dict]:
        rows = countries[(countries["scope"] == scope) & (countries["period"] == period)]
        return _records(rows.sort_values(["cases", "host_country_name"], ascending=[False, True]))

    survey = tables["survey_summary"]
    context = tables["context_figures"]
    scope_labels = {s.name: s.label for s in scopes}
    headline = [dict(row, scope_label=scope_labels[row["scope"]],
                     baseline_row=period_row(row["scope"], baseline.name),
                     comparison_row=period_row(row["scope"], comparison.name))
                for row in _records(ratios)]
    comparison_countries = country_rows(first_scope, comparison.name)
    tactics = {code: {p.name: tactic_row(code, p.name) for p in periods} for code in typology["code"]}
    return {
        "periods": periods, "baseline": baseline, "comparison": comparison, "scopes": scopes,
        "headline": headline, "ratio": {row["scope"]: row for row in headline},
        "claims": _records(claims), "claim_for_metric": {row["metric"]: row for row in _records(claims)},
        "n_claims_holding": int(claims["holds"].sum()),
        "countries_comparison": comparison_countries,
        "countries_with_cases": [row for row in comparison_countries if row["cases"] > 0],
        "new_countries": [row for row in comparison_countries if row["new_in_comparison"]],
        "eu_countries": [row for row in comparison_countries if row["eu_member_at_end"] and row["cases"] > 0],
        "physical_countries": [row for row in country_rows(scopes[-1].name, comparison.name) if row["cases"] > 0],
        "physical_scope": scopes[-1],
        "n_host_countries": int(cases["host_country"].nunique()),
        "n_cases": len(cases),
        "first_year": int(cases["year"].min()) if len(cases) else None,
        "last_year": int(cases["year"].max()) if len(cases) else None,
        "tactics": tactics,
        "survey_yes": {row["question"]: row for row in _records(survey[survey["answer"] == "yes"])},
        "survey_tactics": _records(survey[survey["question"] == "tactics_experienced"]
                                   .sort_values(["n", "answer"], ascending=[False, True])),
        "n_respondents": int(survey["respondents"].max()) if len(survey) else 0,
        "context": _records(context),
        "context_by_id": {row["figure_id"]: row for row in _records(context)},
        "annual_cases": {int(year): int(n) for year, n in
                         tables["annual_counts"].groupby("year")["cases"].sum().items()},
        "prosecutions": _records(context[context["series"] == "ovd_info_prosecutions"].sort_values("year")),
        "tactic_label": dict(zip(typology["code"], typology["label"])),
        "typology": _records(typology),
        "figures": {name: Raw(path) for name, path in figures.items()},
        "dictionary": data_dictionary(),
        "provenance": provenance,
        "inputs": [{"path": path, "sha256": digest} for path, digest in provenance["inputs_sha256"].items()],
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

    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(template_dir)), undefined=jinja2.StrictUndefined,
                             autoescape=True, keep_trailing_newline=True)
    return env.get_template("findings.html.j2").render(title=title, body=jinja2.utils.markupsafe.Markup(body))


def run(tables_dir: str, figures_dir: str, template_dir: str, typology_path: str, markdown_path: str,
        html_path: str, periods: list[Period], scopes: list[Scope]) -> None:
    """Render findings.md and findings.html from the tables and figures."""
    tables_dir = Path(tables_dir)
    names = ("cases", "annual_counts", "period_summary", "period_ratios", "country_summary", "period_breakdowns", "claims",
             "survey_summary", "context_figures")
    tables = {name: io.read_parquet(tables_dir / f"{name}.parquet") for name in names}
    provenance = io.read_provenance(tables_dir / "period_summary.parquet")
    for name in ("cases", "claims", "survey_summary", "context_figures"):
        other = io.read_provenance(tables_dir / f"{name}.parquet")
        provenance["config"] = {**other["config"], **provenance["config"]}
        provenance["inputs_sha256"] = {**provenance["inputs_sha256"], **other["inputs_sha256"]}
    typology = pd.read_csv(typology_path, dtype=str, keep_default_na=False)
    markdown_dir = Path(markdown_path).parent
    figures = {path.stem: Path(os.path.relpath(path, markdown_dir)).as_posix()
               for path in sorted(Path(figures_dir).glob("*.png"))}
    context = build_context(tables, provenance, typology, periods, scopes, figures)
    markdown = render_markdown(template_dir, context)
    html = render_html(template_dir, markdown_to_html(markdown, markdown_dir), "Findings: transnational "
                       "repression by the Russian Federation")
    io.write_text(markdown_path, markdown)
    io.write_text(html_path, html)
