"""The findings template's context: selected and labelled from the tables (rows as dicts) in the document's
language, never computing new statistics."""

from __future__ import annotations

import functools
import math
from importlib import metadata

from tnr_pipeline import __version__
from tnr_pipeline.inputs.descriptions import undescribed
from tnr_pipeline.model.fields import TABLES, table_fields
from tnr_pipeline.model.settings import Analysis
from tnr_pipeline.model.words import (
    COMPARISON_TREND,
    COUNTRY_BOOTSTRAP,
    DOCUMENTATION_GROWTH,
    DROP_COUNTRY,
    DROP_TACTIC,
    DROP_YEAR,
    EXACT,
    GROUP_COMPARISON,
    QUASI_POISSON,
    SEGMENTED_TREND,
    is_assumption_variant,
    variant_family,
    variant_subject,
    variant_year,
)
from tnr_pipeline.render.escape import Raw
from tnr_pipeline.render.filters import P_FLOOR
from tnr_pipeline.render.i18n import (
    SOURCE_LANGUAGE,
    Language,
    count_left_out_countries,
    describe_scope,
    describe_variant,
    describe_what_scope_keeps,
    name_growth,
    name_variant,
    without_country,
    without_tactic,
)
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
    robustness: list[dict],
    regions: list[dict],
    analysis: Analysis,
    lang: Language,
    region_labels: dict[str, str],
    tactic_label: dict[str, str],
) -> dict:
    """The robustness section's rows: every variant of the headline's assumptions for the headline and
    without-Denial-of-Entry scopes side by side, each described in the document's language, the leave-one-year-out
    extremes of the headline, and the region groups of the headline scope."""
    headline, without = analysis.role("headline").name, analysis.role("without_denial_of_entry").name
    by_key = described_variants(robustness, analysis, lang, tactic_label)
    variants = [v for v in dict.fromkeys(row["variant"] for row in robustness) if is_assumption_variant(v)]
    mine = [by_key[(headline, variant)] for variant in variants]
    dropped = [row for row in mine if variant_year(row["variant"], DROP_YEAR) and row["ratio"] == row["ratio"]]
    bounded = [row["ci_low"] for row in mine if row["ci_low"] == row["ci_low"]]
    return {
        "robustness_rows": [
            {
                "variant": v,
                "name": name_variant(v, lang, tactic_label),
                "headline": by_key[(headline, v)],
                "without": by_key[(without, v)],
            }
            for v in variants
        ],
        "robust_quasi": by_key[(headline, QUASI_POISSON)],
        "robust_lowest_bound": min(bounded) if bounded else math.nan,
        "robust_drop_low": _extreme(dropped, min, DROP_YEAR),
        "robust_drop_high": _extreme(dropped, max, DROP_YEAR),
        "regions": [
            dict(row, label=region_labels.get(row["region_group"], row["region_label"]))
            for row in regions
            if row["scope"] == headline and row["region_group"] != GROUP_COMPARISON
        ],
        "region_versus": next(
            (row for row in regions if row["scope"] == headline and row["region_group"] == GROUP_COMPARISON), None
        ),
    }


def _extreme(rows: list[dict], pick, prefix: str) -> dict | None:
    """The row `pick` (min or max) chooses by ratio, with `left_out`: the year it leaves out."""
    if not rows:
        return None
    row = pick(rows, key=lambda row: row["ratio"])
    return dict(row, left_out=variant_year(row["variant"], prefix))


def described_variants(
    robustness: list[dict], analysis: Analysis, lang: Language, tactic_label: dict[str, str]
) -> dict[tuple[str, str], dict]:
    """Every robustness row by (scope, variant), with `described`: what it computes, in the document's language."""
    exact = {row["scope"]: row for row in robustness if row["variant"] == EXACT}
    n_countries = count_left_out_countries(robustness)
    return {
        (row["scope"], row["variant"]): dict(
            row,
            described=describe_variant(
                row, exact[row["scope"]], analysis, lang, tactic_label, n_countries.get(row["scope"])
            ),
        )
        for row in robustness
    }


def detection_context(
    robustness: list[dict],
    analysis: Analysis,
    scopes: dict[str, dict],
    lang: Language,
    tactic_label: dict[str, str],
) -> dict:
    """How the cases were found, for each shown scope: the tipping point (the growth in documentation that would
    explain the increase away: the exact interval's lower bound), the ratios with documentation grown, the jump
    beyond a shared trend and that trend, the comparison period's own trend, the host country and the tactic whose
    leaving out moves the ratio most either way, and the countries resampled."""
    by_key = described_variants(robustness, analysis, lang, tactic_label)
    n_countries = count_left_out_countries(robustness)
    rows = []
    for scope in analysis.scopes_to_show:
        mine = [row for (name, _), row in by_key.items() if name == scope.name]
        exact = by_key[(scope.name, EXACT)]
        family = {}
        for row in mine:
            family.setdefault(variant_family(row["variant"]), []).append(row)
        rows.append(
            {
                **scopes[scope.name],
                "exact": exact,
                "tipping_point": exact["ci_low"],
                "position": interval_position(exact),
                "growths": [
                    dict(row, growth_shown=name_growth(variant_subject(row["variant"], DOCUMENTATION_GROWTH), lang))
                    for row in family.get(DOCUMENTATION_GROWTH, [])
                ],
                "segmented": by_key.get((scope.name, SEGMENTED_TREND)),
                "comparison_trend": by_key.get((scope.name, COMPARISON_TREND)),
                "bootstrap": by_key.get((scope.name, COUNTRY_BOOTSTRAP)),
                "segmented_position": interval_position(by_key.get((scope.name, SEGMENTED_TREND))),
                "bootstrap_position": interval_position(by_key.get((scope.name, COUNTRY_BOOTSTRAP))),
                "n_countries": n_countries.get(scope.name, 0),
                "countries": _left_out_range(
                    family.get(DROP_COUNTRY, []),
                    DROP_COUNTRY,
                    lang.country_name,
                    lambda code: without_country(code, lang),
                ),
                "tactics": _left_out_range(
                    family.get(DROP_TACTIC, []),
                    DROP_TACTIC,
                    lambda code: tactic_label.get(code, code),
                    lambda code: without_tactic(tactic_label.get(code, code), lang),
                ),
            }
        )
    by_scope = {row["name"]: row for row in rows}
    together = list(
        dict.fromkeys(
            analysis.role(role).name
            for role in ("headline", "without_denial_of_entry", "like_for_like")
            if analysis.has_role(role)
        )
    )
    return {
        "detection": rows,
        "detection_together": [by_scope[name] for name in together],
        "resamples": analysis.bootstrap_resamples,
    }


def interval_position(row: dict | None) -> str:
    """Where a row's interval lies against 1: 'above', 'below', 'includes', or 'none' where there is no interval."""
    if not row or row["ci_low"] != row["ci_low"] or row["ci_high"] != row["ci_high"]:
        return "none"
    if row["ci_low"] > 1:
        return "above"
    if row["ci_high"] < 1:
        return "below"
    return "includes"


def _left_out_range(rows: list[dict], prefix: str, name, without) -> dict | None:
    """The lowest and the highest ratio of one-at-a-time variants, each with what it leaves out in words (`without`:
    'without Georgia'); and the names of those whose interval does not stay above 1."""
    rated = [row for row in rows if row["ratio"] == row["ratio"]]
    if not rated:
        return None
    low = min(rated, key=lambda row: row["ratio"])
    high = max(rated, key=lambda row: row["ratio"])
    return {
        "low": dict(low, left_out=without(variant_subject(low["variant"], prefix))),
        "high": dict(high, left_out=without(variant_subject(high["variant"], prefix))),
        "n": len(rows),
        "not_above_one": [
            name(variant_subject(row["variant"], prefix)) for row in rows if interval_position(row) != "above"
        ],
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
    scopes = _scopes(analysis, lang, tactic_label, typology)
    roles = {role: scopes[scope.name] for role, scope in analysis.roles.items()}
    region_labels = {row["group"]: lang.label(row) for row in words.get("region_groups", [])}
    return {
        "lang": lang.code,
        **periods_context(analysis, lang, scopes, roles),
        **headline_context(
            tables["period_ratios"], tables["period_summary"], tables["robustness"], analysis, scopes, lang
        ),
        "survey_level": lang.level(tables["survey_summary"][0]["confidence_level"]) if tables["survey_summary"] else "",
        **claims_context(tables["claims"], words, lang),
        **countries_context(tables["country_summary"], analysis, roles, lang),
        **cases,
        **tactics_context(tables["period_breakdowns"], typology, analysis, roles, tactic_label, lang),
        **survey_context(tables["survey_summary"]),
        **context_figures_context(tables["context_figures"], tables["annual_counts"], prosecutions_series, lang),
        **documentation_context(figures, provenance, lang),
        **robustness_context(
            tables["robustness"], tables["region_ratios"], analysis, lang, region_labels, tactic_label
        ),
        **detection_context(tables["robustness"], analysis, scopes, lang, tactic_label),
        "recording_reasons": [
            {column: lang.label(row, column) for column in ("section", "quote", "reading")}
            for row in words.get("recording_reasons", [])
        ],
        "reconstruction_notice": reconstruction_notice(provenance["inputs_described"], lang),
        "undescribed": [
            dict(info, path=path, role=lang.gettext(info["role"]))
            for path, info in undescribed(provenance["inputs_described"]).items()
        ],
        "versions": versions(),
        "p_floor": P_FLOOR,
    }


def _scopes(analysis: Analysis, lang: Language, tactic_label: dict[str, str], typology: list[dict]) -> dict[str, dict]:
    """Every scope of the analysis by name, as the template names and describes it."""
    return {
        scope.name: {
            "name": scope.name,
            "label": scope.label_in(lang.code),
            "phrase": describe_scope(scope, lang, tactic_label),
            "keeps": describe_what_scope_keeps(scope, lang, typology),
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
    ratios: list[dict],
    summary: list[dict],
    robustness: list[dict],
    analysis: Analysis,
    scopes: dict[str, dict],
    lang: Language,
) -> dict:
    """Each shown scope's rate ratio with the two periods' rows and its quasi-Poisson row (robustness), and the
    confidence levels of ratios and means."""
    ratio_by_scope = {row["scope"]: row for row in ratios}
    quasi = {row["scope"]: row for row in robustness if row["variant"] == QUASI_POISSON}
    headline = [
        dict(
            ratio_by_scope[scope.name],
            scope_label=scopes[scope.name]["label"],
            baseline_row=one(summary, scope=scope.name, period=analysis.baseline.name),
            comparison_row=one(summary, scope=scope.name, period=analysis.comparison.name),
            quasi_row=quasi.get(scope.name),
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
    numbers = {row["claim_id"]: number for number, row in enumerate(claims, start=1)}
    claims = [
        dict(
            row,
            number=numbers[row["claim_id"]],
            **{
                f"{column}_shown": refer_by_number(
                    lang.label(dict(row, **claim_words.get(row["claim_id"], {})), column), numbers
                )
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


def refer_by_number(text: str, numbers: dict[str, int]) -> str:
    """A reading that names another ledger row by its claim_id ('row georgia_systematic_2024', 'строка eightfold')
    names it by the number the ledger gives it instead ('row 91'): prose holds no identifiers. A snake_case claim_id
    is replaced wherever it stands; a one-word one ('eightfold') only after 'row' or 'rows' in a language, so that
    the same word in a quotation stays."""
    if not text or not numbers:
        return text
    snake, after_row = _row_patterns(tuple(numbers))
    if snake is not None:
        text = snake.sub(lambda found: str(numbers[found[1]]), text)
    if after_row is not None:
        text = after_row.sub(lambda found: f"{found[1]} {numbers[found[2]]}", text)
    return text


@functools.lru_cache(maxsize=4)
def _row_patterns(ids: tuple[str, ...]):
    """The two patterns of `refer_by_number` for a ledger's claim_ids, compiled once per ledger."""
    import re

    snake = sorted((i for i in ids if "_" in i), key=len, reverse=True)
    plain = sorted((i for i in ids if "_" not in i), key=len, reverse=True)
    snake_pattern = re.compile(r"(?<![\w])(" + "|".join(map(re.escape, snake)) + r")(?![\w])") if snake else None
    words = "|".join(map(re.escape, plain))
    row_pattern = re.compile(r"\b(row|rows|строка|строки|строке|строку|строках) (" + words + r")\b") if plain else None
    return snake_pattern, row_pattern


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
        *lang.untranslated(
            words.get("recording_reasons", []), ("section", "quote", "reading"), "reason", "the recording reasons"
        ),
    ]
