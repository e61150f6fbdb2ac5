"""Stage 2, compute_statistics: cases.parquet -> the statistics tables in data/processed/.

What belongs here: load the cases, call the pure functions of `stats` with the configured periods and scopes, and
save each table through its schema with provenance (the raw input's hash carried over from cases.parquet).
"""

from __future__ import annotations

import pandas as pd

from tnr_pipeline.analysis import stats
from tnr_pipeline.analysis.robustness import robustness_variants
from tnr_pipeline.model.reference import Reference
from tnr_pipeline.model.settings import Analysis
from tnr_pipeline.model.words import GROUP_COMPARISON


def breakdown_categories(reference: Reference) -> dict[str, dict[str, str]]:
    """The categories of each breakdown dimension, in reference order, with their labels."""
    typology = reference.typology
    return {
        "tactic": dict(zip(typology["code"], typology["label"])),
        "tactic_family": dict(zip(typology["family"], typology["family_label"])),
        "target_profile": dict(zip(reference.target_profiles["code"], reference.target_profiles["label"])),
        "verification": dict(zip(reference.verification["code"], reference.verification["label"])),
    }


def compute_tables(cases: pd.DataFrame, reference: Reference, analysis: Analysis) -> dict[str, pd.DataFrame]:
    """Every statistics table, by name."""
    periods, scopes, level = list(analysis.periods), list(analysis.scopes), analysis.confidence_level
    baseline, comparison = analysis.baseline, analysis.comparison
    period_summary = stats.summarise_periods(cases, periods, scopes, level)
    countries = pd.Series(sorted(cases["host_country"].unique()), dtype="str")
    eu_at_end = pd.Series(
        reference.eu_member(countries, pd.Series(comparison.last_year, index=countries.index)).to_numpy(),
        index=countries,
    )
    return {
        "annual_counts": stats.count_annual(cases, reference.tactic_codes, periods),
        "period_summary": period_summary,
        "period_ratios": stats.compare_periods(period_summary, baseline.name, comparison.name, level),
        "country_summary": stats.summarise_countries(cases, periods, scopes, comparison, eu_at_end),
        "period_breakdowns": stats.break_down_periods(cases, periods, scopes, breakdown_categories(reference)),
        "robustness": robustness_variants(cases, analysis),
        "region_ratios": stats.compare_region_groups(cases, analysis, reference.region_groups),
    }


def allowed_values(reference: Reference, analysis: Analysis) -> dict[str, list]:
    """The allowed values of the statistics tables' coded columns, for their output schemas."""
    return {
        "scope": [s.name for s in analysis.scopes],
        "period": sorted(p.name for p in analysis.periods),
        "tactic": reference.tactic_codes,
        "region_group": [*reference.region_groups["group"], GROUP_COMPARISON],
    }
