"""The findings template's context: selected and labelled from the tables (rows as dicts) in the document's
language, never computing new statistics."""

from __future__ import annotations

import math
from importlib import metadata

from tnr_pipeline import __version__
from tnr_pipeline.inputs.descriptions import undescribed
from tnr_pipeline.model.fields import TABLES, table_fields
from tnr_pipeline.model.settings import Analysis
from tnr_pipeline.model.words import DROP_YEAR, GROUP_COMPARISON
from tnr_pipeline.render.escape import Raw
from tnr_pipeline.render.i18n import SOURCE_LANGUAGE, Language, describe_scope, describe_variant, name_variant
from tnr_pipeline.render.notices import reconstruction_notice
from tnr_pipeline.render.readers import one, where

VERSIONED = ("pandas", "pyarrow", "pandera", "matplotlib", "snakemake", "scipy", "jinja2", "pycountry")


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
    dropped = [row for row in mine if row["variant"].startswith(DROP_YEAR) and row["ratio"] == row["ratio"]]
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
            if row["scope"] == headline and row["region_group"] != GROUP_COMPARISON
        ],
        "region_versus": next(
            (row for row in regions if row["scope"] == headline and row["region_group"] == GROUP_COMPARISON), None
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
    tactic_label = {t["code"]: lang.label(t) for t in typology}
    scopes = _scopes(analysis, lang, tactic_label)
    roles = {role: scopes[scope.name] for role, scope in analysis.roles.items()}
    region_labels = {row["group"]: lang.label(row) for row in words.get("region_groups", [])}
    return {
        "lang": lang.code,
        **periods_context(analysis, lang, scopes, roles),
        **headline_context(tables["period_ratios"], tables["period_summary"], analysis, scopes, lang),
        "survey_level": lang.level(tables["survey_summary"][0]["confidence_level"]) if tables["survey_summary"] else "",
        **claims_context(tables["claims"], words, lang),
        **countries_context(tables["country_summary"], analysis, roles, lang),
        **cases,
        **tactics_context(tables["period_breakdowns"], typology, analysis, roles, tactic_label, lang),
        **survey_context(tables["survey_summary"]),
        **context_figures_context(tables["context_figures"], tables["annual_counts"], prosecutions_series, lang),
        **documentation_context(figures, provenance, lang),
        **robustness_context(tables["robustness"], tables["region_ratios"], analysis, lang, region_labels),
        "reconstruction_notice": reconstruction_notice(provenance["inputs_described"], lang),
        "undescribed": [
            dict(info, path=path, role=lang.gettext(info["role"]))
            for path, info in undescribed(provenance["inputs_described"]).items()
        ],
        "versions": versions(),
    }


def _scopes(analysis: Analysis, lang: Language, tactic_label: dict[str, str]) -> dict[str, dict]:
    """Every scope of the analysis by name, as the template names and describes it."""
    return {
        scope.name: {
            "name": scope.name,
            "label": scope.label_in(lang.code),
            "phrase": describe_scope(scope, lang, tactic_label),
            "exclude_tactics": scope.exclude_tactics,
            "fh_counted_only": scope.fh_counted_only,
        }
        for scope in analysis.scopes
    }


def periods_context(analysis: Analysis, lang: Language, scopes: dict[str, dict], roles: dict[str, dict]) -> dict:
    """The periods compared and the scopes shown, with the scope of each role."""
    return {
        "periods": [_period(p, lang) for p in analysis.periods],
        "baseline": _period(analysis.baseline, lang),
        "comparison": _period(analysis.comparison, lang),
        "scopes": [scopes[scope.name] for scope in analysis.scopes_to_show],
        "roles": roles,
    }


def headline_context(
    ratios: list[dict], summary: list[dict], analysis: Analysis, scopes: dict[str, dict], lang: Language
) -> dict:
    """Each shown scope's rate ratio with the two periods' rows, and the confidence levels of ratios and means."""
    ratio_by_scope = {row["scope"]: row for row in ratios}
    headline = [
        dict(
            ratio_by_scope[scope.name],
            scope_label=scopes[scope.name]["label"],
            baseline_row=one(summary, scope=scope.name, period=analysis.baseline.name),
            comparison_row=one(summary, scope=scope.name, period=analysis.comparison.name),
        )
        for scope in analysis.scopes_to_show
    ]
    return {
        "headline": headline,
        "ratio": {row["scope"]: row for row in headline},
        "ratio_level": lang.level(analysis.confidence_level),
        "mean_level": lang.level(summary[0]["confidence_level"]) if summary else "",
    }


def claims_context(claims: list[dict], words: dict[str, list[dict]], lang: Language) -> dict:
    """The claims rows with their words in the document's language, by metric and by section, and the ledger."""
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
    return {
        "claims": claims,
        "claim_for_metric": {row["metric"]: row for row in claims if row["metric"]},
        "claims_by_section": _by_section([row for row in claims if row["source"] == "report"]),
        "ledger": count_claims(claims),
    }


def countries_context(countries: list[dict], analysis: Analysis, roles: dict[str, dict], lang: Language) -> dict:
    """The host countries of the comparison period (the headline scope's and the physical scope's), named in the
    document's language, most cases first."""
    comparison = analysis.comparison.name
    comparison_countries = _by_cases(_named(where(countries, scope=roles["headline"]["name"], period=comparison), lang))
    physical = roles["freedom_house"]
    return {
        "countries_comparison": comparison_countries,
        "countries_with_cases": [row for row in comparison_countries if row["cases"] > 0],
        "new_countries": [row for row in comparison_countries if row["new_in_comparison"]],
        "eu_countries": [row for row in comparison_countries if row["eu_member_at_end"] and row["cases"] > 0],
        "physical_countries": [
            row
            for row in _by_cases(_named(where(countries, scope=physical["name"], period=comparison), lang))
            if row["cases"] > 0
        ],
        "physical_scope": physical,
    }


def tactics_context(
    breakdowns: list[dict],
    typology: list[dict],
    analysis: Analysis,
    roles: dict[str, dict],
    tactic_label: dict[str, str],
    lang: Language,
) -> dict:
    """Each tactic's breakdown row in each period (headline scope), and the typology labelled in the document's
    language."""
    headline_scope = roles["headline"]["name"]
    return {
        "tactics": {
            t["code"]: {
                p.name: one(breakdowns, dimension="tactic", category=t["code"], scope=headline_scope, period=p.name)
                for p in analysis.periods
            }
            for t in typology
        },
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
    }


def survey_context(survey: list[dict]) -> dict:
    """The survey's yes answers by question, the tactics experienced (most named first) and the respondents."""
    return {
        "survey_yes": {row["question"]: row for row in where(survey, answer="yes")},
        "survey_tactics": sorted(
            where(survey, question="tactics_experienced"), key=lambda row: (-row["n"], row["answer"])
        ),
        "n_respondents": max((row["respondents"] for row in survey), default=0),
    }


def context_figures_context(
    context: list[dict], annual_counts: list[dict], prosecutions_series: str, lang: Language
) -> dict:
    """The context figures with their words in the document's language, the cases of each year, and the
    prosecutions series beside them."""
    context = [
        dict(row, **{f"{c}_shown": lang.label(row, c) for c in ("unit", "measures", "source")}) for row in context
    ]
    annual_cases: dict[int, int] = {}
    for row in annual_counts:
        annual_cases[row["year"]] = annual_cases.get(row["year"], 0) + row["cases"]
    return {
        "context": context,
        "context_by_id": {row["figure_id"]: row for row in context},
        "annual_cases": annual_cases,
        "prosecutions": sorted(where(context, series=prosecutions_series), key=lambda row: row["year"]),
    }


def documentation_context(figures: dict[str, str], provenance: dict, lang: Language) -> dict:
    """The figures' paths, the data dictionary, and the provenance with its inputs' checksums."""
    return {
        "figures": {name: Raw(path) for name, path in figures.items()},
        "dictionary": data_dictionary(lang),
        "provenance": provenance,
        "inputs": [{"path": path, "sha256": digest} for path, digest in provenance["inputs_sha256"].items()],
    }


def count_claims(claims: list[dict]) -> dict[str, int]:
    """The ledger's counts by verdict, each statement once (a row that `repeats` another is not counted): the
    report's statements (supported, not established, contradicted; descriptive ones holding or not; not checkable;
    how many were drawn to hold by the reconstruction) and, apart, the pipeline's own checks."""
    from collections import Counter

    from tnr_pipeline.analysis.claims.notation import (
        CONTRADICTED,
        DESCRIPTIVE,
        DOES_NOT_HOLD,
        HOLDS,
        NOT_CHECKABLE,
        NOT_ESTABLISHED,
        SUPPORTED,
    )

    counted = [row for row in claims if not row["repeats"]]
    report = [row for row in counted if row["source"] == "report"]
    pipeline = [row for row in counted if row["source"] == "pipeline"]
    verdicts = Counter(row["verdict"] for row in report)
    return {
        "statements": len(report),
        "supported": verdicts[SUPPORTED],
        "not_established": verdicts[NOT_ESTABLISHED],
        "contradicted": verdicts[CONTRADICTED],
        "descriptive": sum(1 for row in report if row["kind"] == DESCRIPTIVE),
        "holding": verdicts[HOLDS],
        "not_holding": verdicts[DOES_NOT_HOLD],
        "not_checkable": verdicts[NOT_CHECKABLE],
        "by_construction": sum(1 for row in report if row["by_construction"]),
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
