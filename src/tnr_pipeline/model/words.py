"""The domain's codes that the code itself relies on, each defined once: the two region groups the pipeline sets
against each other (from reference/region_groups.csv), the code of that comparison's row, and the prefixes of the
robustness variants that carry a year. Standard library only: every layer imports it.
"""

from __future__ import annotations

# The near abroad against the EU: region_ratios has a row comparing their rate ratios.
COMPARED_GROUPS = ("near_abroad", "eu")
GROUP_COMPARISON = f"{COMPARED_GROUPS[0]}_vs_{COMPARED_GROUPS[1]}"

# Robustness variants that carry a year: drop_2022 (that year left out), baseline_from_2016 (a later baseline).
DROP_YEAR = "drop_"
BASELINE_FROM = "baseline_from_"


def variant_year(variant: str, prefix: str) -> str | None:
    """The year a variant of this prefix names ('2022' of 'drop_2022'), or None for another variant."""
    return variant[len(prefix) :] if variant.startswith(prefix) else None
