"""The domain's codes that the code itself relies on, each defined once: the two region groups the pipeline sets
against each other (from reference/region_groups.csv), the code of that comparison's row, and the prefixes of the
robustness variants that carry a year. Standard library only: every layer imports it.
"""

from __future__ import annotations

# The near abroad against the EU: region_ratios has a row comparing their rate ratios.
COMPARED_GROUPS = ("near_abroad", "eu")
GROUP_COMPARISON = f"{COMPARED_GROUPS[0]}_vs_{COMPARED_GROUPS[1]}"

# The robustness variants, by code. Those that name something carry it after a prefix: drop_2022 (that year left
# out), baseline_from_2016 (a later baseline), documentation_growth_1.5 (documentation grown 1.5-fold),
# drop_country_GEO (a host country left out), drop_tactic_detention (a tactic left out).
EXACT = "exact_poisson"
QUASI_POISSON = "quasi_poisson"
VERIFIED_ONLY = "verified_only"
SEGMENTED_TREND = "segmented_trend"
COUNTRY_BOOTSTRAP = "country_bootstrap"
COMPARISON_TREND = "comparison_trend"
DROP_YEAR = "drop_"
BASELINE_FROM = "baseline_from_"
DOCUMENTATION_GROWTH = "documentation_growth_"
DROP_COUNTRY = "drop_country_"
DROP_TACTIC = "drop_tactic_"

# The variants that vary an assumption of the headline's own computation (the model, one year, the baseline's start,
# the verification standard): "every variant" of the ledger's check. The others ask how the cases were found
# (documentation growth, a trend, one country or tactic, the countries resampled) and are read on their own.
ASSUMPTION_VARIANTS = (EXACT, QUASI_POISSON, DROP_YEAR, BASELINE_FROM, VERIFIED_ONLY)


def variant_year(variant: str, prefix: str) -> str | None:
    """The year a variant of this prefix names ('2022' of 'drop_2022'), or None for another variant."""
    rest = variant[len(prefix) :] if variant.startswith(prefix) else ""
    return rest if rest.isdigit() else None


def variant_subject(variant: str, prefix: str) -> str | None:
    """What a variant of this prefix names ('GEO' of 'drop_country_GEO', '1.5' of 'documentation_growth_1.5'), or
    None for another variant."""
    rest = variant[len(prefix) :] if variant.startswith(prefix) else ""
    return rest or None


def variant_family(variant: str) -> str:
    """The kind of a variant: its prefix for one that names something ('drop_country_' of 'drop_country_GEO'), else
    its code. A year-free 'drop_' variant is not a dropped year."""
    for prefix in (DOCUMENTATION_GROWTH, DROP_COUNTRY, DROP_TACTIC, BASELINE_FROM):
        if variant_subject(variant, prefix):
            return prefix
    return DROP_YEAR if variant_year(variant, DROP_YEAR) else variant


def is_assumption_variant(variant: str) -> bool:
    """Whether a variant varies an assumption of the headline's computation (ASSUMPTION_VARIANTS)."""
    return variant_family(variant) in ASSUMPTION_VARIANTS
