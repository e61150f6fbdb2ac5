"""Stage 5, render_findings: the Parquet tables and figures -> reports/findings.md and reports/findings.html.

What belongs here: gathering the template's context from the tables (selecting and labelling rows in the document's
language, never computing new statistics), the jinja2 environment with gettext and its filters (in one place), and
the HTML edge: Markdown to HTML with raw HTML disabled, figures embedded as data URIs, nothing loaded from the
network. Imports neither pandas, pandera nor matplotlib.
"""

from __future__ import annotations

import base64
import csv
import math
import os
from dataclasses import dataclass
from functools import partial
from importlib import metadata
from pathlib import Path

from tnr_pipeline import __version__
from tnr_pipeline.inputs.descriptions import undescribed
from tnr_pipeline.model import io, registry
from tnr_pipeline.model.fields import TABLES, table_fields
from tnr_pipeline.model.settings import SCOPE_ROLES, Analysis
from tnr_pipeline.render.escape import Raw, markdown_code
from tnr_pipeline.render.escape import markdown as escape_markdown
from tnr_pipeline.render.i18n import N_, SOURCE_LANGUAGE, Language, describe_scope, describe_variant, name_variant
from tnr_pipeline.render.notices import reconstruction_notice
from tnr_pipeline.render.pool import run_forked

VERSIONED = ("pandas", "pyarrow", "pandera", "matplotlib", "snakemake", "scipy", "jinja2", "pycountry")


# The words for the claims' checks (claims.CHECKS), as the ledger shows them.
CHECK_WORDS = {
    "equals": N_("equals"),
    "at_least": N_("at least"),
    "at_most": N_("at most"),
    "above": N_("above"),
    "rounds_to": N_("rounds to"),
    "between": N_("in the range"),
    "includes_all": N_("includes all of"),
    "equals_set": N_("is exactly"),
    "not_checkable": N_("not checkable from the data"),
}


class Filters:
    """The template's filters, in one language: numbers, intervals and verdicts as that language writes them."""

    def __init__(self, lang: Language):
        self.lang = lang

    def number(self, value: float, digits: int = 1) -> Raw:
        return Raw(self.lang.number(value, digits))

    def share(self, value: float, digits: int = 0) -> Raw:
        return Raw(self.lang.percent(value, digits))

    def p_value(self, value: float) -> Raw:
        return Raw(self.lang.general(value, 2))

    def cases(self, n: int) -> Raw:
        return Raw(self.lang.cases(n))

    def years(self, n: int) -> Raw:
        return Raw(self.lang.years(n))

    def in_years(self, text: str) -> Raw:
        """'in 2022–2023', 'в 2022–2023 гг.' from a year or a range of years written in the data ('2022', '2022–2023');
        any other text as 'in {text}'."""
        import re

        written = str(text).strip()
        found = re.fullmatch(r"(\d{4})\s*[–-]\s*(\d{4})", written)
        if found:
            return Raw(self.lang.gettext("in {first}–{last}").format(first=found[1], last=found[2]))
        if re.fullmatch(r"\d{4}", written):
            return Raw(self.lang.gettext("in {year}").format(year=written))
        return Raw(self.lang.gettext("in {period}").format(period=escape_markdown(text)))

    def mean_interval(self, row: dict) -> Raw:
        """'3.6 a year (80% CI 2.7–4.7)' from a period_summary row (the level from its confidence_level)."""
        return Raw(
            self.lang.gettext("{mean} a year ({level} CI {low}–{high})").format(
                mean=self.lang.number(row["annual_mean"]),
                level=self.lang.level(row["confidence_level"]),
                low=self.lang.number(row["annual_mean_ci_low"]),
                high=self.lang.number(row["annual_mean_ci_high"]),
            )
        )

    def ratio_interval(self, row: dict) -> Raw:
        """'8.18 (80% CI 6.04–11.13)' from a row with ratio, ci_low, ci_high and confidence_level."""
        return Raw(f"{self.lang.number(row['ratio'], 2)} ({self.interval(row)})")

    def survey_share(self, row: dict) -> Raw:
        """'13 of 40 (32.5%, Wilson 80% CI 24.1%–42.1%)' from a survey_summary row."""
        return Raw(
            self.lang.gettext("{n} of {respondents} ({share}, Wilson {level} CI {range})").format(
                n=row["n"],
                respondents=row["respondents"],
                share=self.lang.percent(row["share"], 1),
                level=self.lang.level(row["confidence_level"]),
                range=self.lang.percent_range(row["ci_low"], row["ci_high"], 1),
            )
        )

    def check(self, code: str) -> Raw:
        return Raw(escape_markdown(self.lang.gettext(CHECK_WORDS.get(code, code.replace("_", " ")))))

    def verdict(self, claim: dict | None) -> Raw:
        """'rounds to 8 — holds' from a claims row; a dash when the report makes no such claim."""
        if not claim:
            return Raw("—")
        expected = escape_markdown(self.lang.decimals(claim["expected"]))
        return Raw(f"{self.check(claim['check'])} {expected} — {self.holds(claim)}")

    def decimals(self, text: str) -> Raw:
        return Raw(escape_markdown(self.lang.decimals(text)))

    def interval(self, row: dict) -> Raw:
        """'80% CI 6.04–11.13' from a row with ci_low, ci_high and confidence_level."""
        return Raw(
            self.lang.gettext("{level} CI {low}–{high}").format(
                level=self.lang.level(row["confidence_level"]),
                low=self.lang.number(row["ci_low"], 2),
                high=self.lang.number(row["ci_high"], 2),
            )
        )

    def tested(self, claim: dict) -> Raw:
        """'observed 8.18, expected rounds to 8: holds' from a claims row; 'not checkable' where the data cannot
        test it."""
        if claim["holds"] is None:
            return self.holds(claim)
        return Raw(
            self.lang.gettext("observed {observed}, expected {check} {expected}: {verdict}").format(
                observed=self.decimals(claim["observed"]),
                check=self.check(claim["check"]),
                expected=self.decimals(claim["expected"]),
                verdict=self.holds(claim),
            )
        )

    def holds(self, claim: dict) -> Raw:
        if claim["holds"] is None:
            return Raw(self.lang.gettext("not checkable"))
        return Raw(self.lang.gettext("holds") if claim["holds"] else self.lang.gettext("**does not hold**"))

    def counted(self, rows: list[dict], mark_eu: bool = False) -> list[Raw]:
        """Country rows as 'Poland (6)', or 'Italy (EU, 1)' with `mark_eu` for EU member states."""
        _ = self.lang.gettext
        return [
            Raw(
                (_("{name} (EU, {n})") if mark_eu and row["eu_member_at_end"] else _("{name} ({n})")).format(
                    name=escape_markdown(row["name"]), n=row["cases"]
                )
            )
            for row in rows
        ]

    def join_list(self, items: list, separator: str = ", ") -> Raw:
        return Raw(separator.join(escape_markdown(item) for item in items))

    def join(self, items: list) -> Raw:
        """'A, B and C' as the language joins a list (each item escaped unless already Markdown)."""
        items = [escape_markdown(item) for item in items]
        if len(items) < 2:
            return Raw("".join(items))
        return Raw(self.lang.gettext("{items} and {last}").format(items=", ".join(items[:-1]), last=items[-1]))


def setting_text(value: object) -> str:
    """A setting's value as config.yaml would write it on one line (YAML flow style: null, true, [en, ru],
    {first_year: 2014, ...}), never as a Python repr."""
    import json

    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, sort_keys=True)


# Each template's compiled code, by the kind of environment that compiled it ("markdown", "html": their settings
# change the code) and jinja2's key (the template's name and a checksum of its source).
_COMPILED: dict[tuple[str, str], bytes] = {}


def _compiled_templates(kind: str):
    """A bytecode cache in memory: every language's environment of one kind compiles a template once per process."""
    import jinja2

    class InMemory(jinja2.BytecodeCache):
        def load_bytecode(self, bucket) -> None:
            if (kind, bucket.key) in _COMPILED:
                bucket.bytecode_from_string(_COMPILED[(kind, bucket.key)])

        def dump_bytecode(self, bucket) -> None:
            _COMPILED[(kind, bucket.key)] = bucket.bytecode_to_string()

    return InMemory()


def environment(template_dir: str | Path, lang: Language | None = None):
    """The jinja2 environment in one language: strict, whitespace-tidy, escaping every data value for Markdown,
    with gettext (jinja2's i18n extension) and the language's filters."""
    import jinja2

    lang = lang or Language(SOURCE_LANGUAGE)
    env = jinja2.Environment(
        bytecode_cache=_compiled_templates("markdown"),
        loader=jinja2.FileSystemLoader(str(template_dir)),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        optimized=False,  # jinja's constant folding: a third of compiling the findings template, nothing at render
        finalize=escape_markdown,
        autoescape=False,
        extensions=["jinja2.ext.i18n", "jinja2.ext.do"],
    )
    env.policies["ext.i18n.trimmed"] = True
    env.install_gettext_callables(
        lambda message: Raw(lang.gettext(message)),
        lambda singular, plural, n: Raw(lang.ngettext(singular, plural, n)),
        newstyle=True,
        pgettext=lambda context, message: Raw(lang.pgettext(context, message)),
    )
    filters = Filters(lang)
    env.filters.update(
        num=filters.number,
        pct=filters.share,
        pvalue=filters.p_value,
        md=escape_markdown,
        code=markdown_code,
        setting=setting_text,
        decimals=filters.decimals,
        ci=filters.interval,
        cases=filters.cases,
        years=filters.years,
        mean_ci=filters.mean_interval,
        ratio_ci=filters.ratio_interval,
        in_years=filters.in_years,
        verdict=filters.verdict,
        holds=filters.holds,
        tested_verdict=filters.tested,
        as_markdown=Raw,  # the template's own Markdown (a macro's output, its data escaped inside): not escaped again
        check=filters.check,
        survey_share=filters.survey_share,
        level=lang.level,
        date=lang.date,
        join_and=filters.join,
        join_list=filters.join_list,
        counted=filters.counted,
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
    return [dict(row, fh_counted=row["fh_counted"].strip().lower() == "true") for row in read_csv_rows(path)]


def describe_cases(path: str | Path) -> dict:
    """Counts the document states about the case table, read column-wise (fast on a million rows)."""
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    table = pq.ParquetFile(path).read(columns=["year", "host_country", "date"])
    years, dates = pc.min_max(table["year"]).as_py(), pc.min_max(table["date"]).as_py()
    return {
        "n_cases": table.num_rows,
        "n_host_countries": pc.count_distinct(table["host_country"]).as_py(),
        "first_year": years["min"],
        "last_year": years["max"],
        "n_dated": table.num_rows - table["date"].null_count,
        "first_date": dates["min"],
        "last_date": dates["max"],
    }


def _where(rows: list[dict], **conditions) -> list[dict]:
    return [row for row in rows if all(row[key] == value for key, value in conditions.items())]


def _one(rows: list[dict], **conditions) -> dict:
    matches = _where(rows, **conditions)
    if len(matches) != 1:
        raise ValueError(f"{len(matches)} rows match {conditions}")
    return matches[0]


def read_csv_rows(path: str | Path | None) -> list[dict]:
    """A small CSV of words (region groups, the claims file) as rows; none when no path is given."""
    if not path:
        return []
    with open(path, encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def _by_cases(rows: list[dict]) -> list[dict]:
    """Most cases first, then by name (in the document's language)."""
    return sorted(rows, key=lambda row: (-row["cases"], row["name"]))


def _named(rows: list[dict], lang: Language) -> list[dict]:
    """Country rows with `name`: the country's name in the document's language."""
    return [dict(row, name=lang.country_name(row["host_country"], row["host_country_name"])) for row in rows]


def data_dictionary(lang: Language) -> list[dict]:
    """Every output table and its columns, from the same field definitions the pandera schemas are built from, in
    the document's language."""
    _ = lang.gettext
    return [
        {
            "table": table,
            "description": _(description),
            "fields": [
                {
                    "name": f.name,
                    "kind": _(f.kind),
                    "nullable": f.nullable,
                    "description": _(f.description),
                    "allowed": _(f.allowed) if f.allowed else "",
                }
                for f in table_fields(table)
            ],
        }
        for table, (description, _columns) in TABLES.items()
    ]


def versions() -> dict[str, str]:
    found = {"tnr-pipeline": __version__}
    for name in VERSIONED:
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            found[name] = "not installed"
    return found


def robustness_context(
    robustness: list[dict], regions: list[dict], analysis: Analysis, lang: Language, region_labels: dict[str, str]
) -> dict:
    """The robustness section's rows: every variant for the headline and without-Denial-of-Entry scopes side by
    side, each described in the document's language, the leave-one-year-out extremes of the headline, and the
    region groups of the headline scope."""
    headline, without = analysis.role("headline").name, analysis.role("without_denial_of_entry").name
    by_key = {(row["scope"], row["variant"]): row for row in robustness}
    by_key = {
        key: dict(row, described=describe_variant(row, by_key[(key[0], "exact_poisson")], analysis, lang))
        for key, row in by_key.items()
    }
    variants = list(dict.fromkeys(row["variant"] for row in robustness))
    mine = [by_key[(headline, variant)] for variant in variants]
    dropped = [row for row in mine if row["variant"].startswith("drop_") and row["ratio"] == row["ratio"]]
    bounded = [row["ci_low"] for row in mine if row["ci_low"] == row["ci_low"]]
    return {
        "robustness_rows": [
            {
                "variant": v,
                "name": name_variant(v, lang),
                "headline": by_key[(headline, v)],
                "without": by_key[(without, v)],
            }
            for v in variants
        ],
        "robust_quasi": by_key[(headline, "quasi_poisson")],
        "robust_lowest_bound": min(bounded) if bounded else math.nan,
        "robust_drop_low": min(dropped, key=lambda row: row["ratio"]) if dropped else None,
        "robust_drop_high": max(dropped, key=lambda row: row["ratio"]) if dropped else None,
        "regions": [
            dict(row, label=region_labels.get(row["region_group"], row["region_label"]))
            for row in regions
            if row["scope"] == headline and row["region_group"] != "near_abroad_vs_eu"
        ],
        "region_versus": next(
            (row for row in regions if row["scope"] == headline and row["region_group"] == "near_abroad_vs_eu"), None
        ),
    }


def _period(period, lang: Language) -> dict:
    """A period as the template names it: `title` (its name), `label` (name and years), `span` (its years)."""
    return {
        "name": period.name,
        "title": period.title_in(lang.code),
        "label": period.label_in(lang.code),
        "span": period.span,
        "first_year": period.first_year,
        "last_year": period.last_year,
        "years": period.years,
    }


def build_context(
    tables: dict[str, list[dict]],
    cases: dict,
    provenance: dict,
    typology: list[dict],
    analysis: Analysis,
    prosecutions_series: str,
    figures: dict[str, str],
    lang: Language | None = None,
    words: dict[str, list[dict]] | None = None,
) -> dict:
    """Everything the findings template shows, selected from the tables (rows as dicts) and the case counts, named
    in the document's language (`words`: the region groups and the claims file, for their translated columns)."""
    lang = lang or Language(SOURCE_LANGUAGE)
    words = words or {}
    ratios, summary = tables["period_ratios"], tables["period_summary"]
    countries, breakdowns = tables["country_summary"], tables["period_breakdowns"]
    claims, survey, context = tables["claims"], tables["survey_summary"], tables["context_figures"]
    baseline, comparison = analysis.baseline, analysis.comparison
    tactic_label = {t["code"]: lang.label(t) for t in typology}
    scopes = {
        scope.name: {
            "name": scope.name,
            "label": scope.label_in(lang.code),
            "phrase": describe_scope(scope, lang, tactic_label),
            "exclude_tactics": scope.exclude_tactics,
            "fh_counted_only": scope.fh_counted_only,
        }
        for scope in analysis.scopes
    }
    roles = {role: scopes[scope.name] for role, scope in analysis.roles.items()}
    headline_scope = roles["headline"]["name"]
    ratio_by_scope = {row["scope"]: row for row in ratios}
    headline = [
        dict(
            ratio_by_scope[scope.name],
            scope_label=scopes[scope.name]["label"],
            baseline_row=_one(summary, scope=scope.name, period=baseline.name),
            comparison_row=_one(summary, scope=scope.name, period=comparison.name),
        )
        for scope in analysis.scopes_to_show
    ]
    comparison_countries = _by_cases(_named(_where(countries, scope=headline_scope, period=comparison.name), lang))
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
    context = [
        dict(row, **{f"{c}_shown": lang.label(row, c) for c in ("unit", "measures", "source")}) for row in context
    ]
    claim_words = {row["claim_id"]: row for row in words.get("claims", [])}
    claims = [
        dict(
            row,
            **{
                f"{column}_shown": lang.label(dict(row, **claim_words.get(row["claim_id"], {})), column)
                for column in ("claim", "section", "reading", "why")
            },
        )
        for row in claims
    ]
    region_labels = {row["group"]: lang.label(row) for row in words.get("region_groups", [])}
    return {
        "lang": lang.code,
        "periods": [_period(p, lang) for p in analysis.periods],
        "baseline": _period(baseline, lang),
        "comparison": _period(comparison, lang),
        "scopes": [scopes[scope.name] for scope in analysis.scopes_to_show],
        "roles": roles,
        "headline": headline,
        "ratio": {row["scope"]: row for row in headline},
        "ratio_level": lang.level(analysis.confidence_level),
        "mean_level": lang.level(summary[0]["confidence_level"]) if summary else "",
        "survey_level": lang.level(survey[0]["confidence_level"]) if survey else "",
        "claims": claims,
        "claim_for_metric": {row["metric"]: row for row in claims if row["metric"]},
        "claims_by_section": _by_section([row for row in claims if row["source"] == "report"]),
        "ledger": count_claims(claims),
        "countries_comparison": comparison_countries,
        "countries_with_cases": [row for row in comparison_countries if row["cases"] > 0],
        "new_countries": [row for row in comparison_countries if row["new_in_comparison"]],
        "eu_countries": [row for row in comparison_countries if row["eu_member_at_end"] and row["cases"] > 0],
        "physical_countries": [
            row
            for row in _by_cases(_named(_where(countries, scope=physical["name"], period=comparison.name), lang))
            if row["cases"] > 0
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
        "tactic_label": tactic_label,
        "typology": [
            dict(
                t,
                label=lang.label(t),
                family_label=lang.label(t, "family_label"),
                freedom_house_category=lang.label(t, "freedom_house_category"),
            )
            for t in typology
        ],
        "figures": {name: Raw(path) for name, path in figures.items()},
        "dictionary": data_dictionary(lang),
        "provenance": provenance,
        "inputs": [{"path": path, "sha256": digest} for path, digest in provenance["inputs_sha256"].items()],
        **robustness_context(tables["robustness"], tables["region_ratios"], analysis, lang, region_labels),
        "reconstruction_notice": reconstruction_notice(provenance["inputs_described"], lang),
        "undescribed": [
            dict(info, path=path, role=lang.gettext(info["role"]))
            for path, info in undescribed(provenance["inputs_described"]).items()
        ],
        "versions": versions(),
    }


def count_claims(claims: list[dict]) -> dict[str, int]:
    """The ledger's counts: the report's statements (checkable, holding, not checkable) and the pipeline's own
    checks (and how many hold), from the claims table's `source` and `holds`."""
    report = [row for row in claims if row["source"] == "report"]
    pipeline = [row for row in claims if row["source"] == "pipeline"]
    return {
        "report_checkable": sum(1 for row in report if row["holds"] is not None),
        "report_holding": sum(1 for row in report if row["holds"] is True),
        "report_not_checkable": sum(1 for row in report if row["holds"] is None),
        "pipeline": len(pipeline),
        "pipeline_holding": sum(1 for row in pipeline if row["holds"] is True),
    }


def _by_section(rows: list[dict]) -> dict[str, list[dict]]:
    """Claims rows grouped by the report's section they quote (in the claims file's order)."""
    grouped: dict[str, list[dict]] = {}
    for row in rows:
        grouped.setdefault(row["section"], []).append(row)
    return grouped


def untranslated_words(
    typology: list[dict], words: dict[str, list[dict]], context: list[dict], lang: Language
) -> list[str]:
    """The words of the data this edition shows in English for want of a translation, for the step's log."""
    return [
        *lang.untranslated(typology, ("label", "family_label", "freedom_house_category"), "code", "typology.csv"),
        *lang.untranslated(words.get("region_groups", []), ("label",), "group", "region_groups.csv"),
        *lang.untranslated(
            words.get("claims", []), ("claim", "section", "reading", "why"), "claim_id", "the claims file"
        ),
        *lang.untranslated(context, ("unit", "measures", "source"), "figure_id", "the context figures"),
    ]


# ---- rendering ---------------------------------------------------------------------------------------------------


def render_markdown(template_dir: str | Path, context: dict, lang: Language | None = None) -> str:
    return environment(template_dir, lang).get_template("findings.md.j2").render(**context)


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


def html_environment(template_dir: str | Path):
    """The jinja2 environment of the HTML page: autoescaping, the body given as Markup (made from the Markdown)."""
    import jinja2

    return jinja2.Environment(
        bytecode_cache=_compiled_templates("html"),
        loader=jinja2.FileSystemLoader(str(template_dir)),
        undefined=jinja2.StrictUndefined,
        autoescape=True,
        keep_trailing_newline=True,
        optimized=False,
    )


def render_html(template_dir: str | Path, body: str, title: str, language: str = SOURCE_LANGUAGE) -> str:
    from markupsafe import Markup

    return (
        html_environment(template_dir)
        .get_template("findings.html.j2")
        .render(title=title, language=language, body=Markup(body))
    )


def build_summary(context: dict, markdown_path: str, html_path: str, editions: tuple[str, ...] = ()) -> str:
    """The few lines the build prints at its end: the headline ratio of each role scope with its interval, the
    claims that hold (naming those that do not), whether the data is reconstructed, and where the findings are.
    Aggregates only: nothing personal. In the source language: it is written for the person running the build, and
    names the other editions (`editions`: their language codes)."""
    filters = Filters(Language(SOURCE_LANGUAGE))
    lines = ["tnr-pipeline: findings built."]
    if context["reconstruction_notice"]:
        lines.append("  RECONSTRUCTED DATA, not the real cases (see the notice at the top of the findings).")
    for scope in dict.fromkeys(context["roles"][role]["name"] for role in SCOPE_ROLES):
        label = next(s["label"] for s in context["scopes"] if s["name"] == scope)
        lines.append(f"  {label}: rate ratio {filters.ratio_interval(context['ratio'][scope])}")
    ledger = context["ledger"]
    failing = [row["claim_id"] for row in context["claims"] if row["source"] == "report" and row["holds"] is False]
    lines.append(
        f"  Statements of the report that hold: {ledger['report_holding']} of {ledger['report_checkable']} checkable"
        f" ({ledger['report_not_checkable']} not checkable from the data)"
        + (f"; not holding: {', '.join(failing)}" if failing else "")
    )
    lines.append(f"  The pipeline's own checks that hold: {ledger['pipeline_holding']} of {ledger['pipeline']}")
    lines.append(f"  Findings: {html_path} and {markdown_path}")
    for language in editions:
        from babel import Locale

        name = Locale.parse(language).get_display_name(SOURCE_LANGUAGE)
        paths = [registry.findings_path(extension, language) for extension in ("html", "md")]
        lines.append(f"  In {name}: {paths[0]} and {paths[1]}")
    return "\n".join(lines) + "\n"


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
        "words": {"claims": read_csv_rows(claims_path), "region_groups": read_csv_rows(region_groups_path)},
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
