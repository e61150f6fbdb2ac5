"""Every column of every table the pipeline writes, defined once.

What belongs here: the name, type, description and allowed values of each column, and which columns make up
each output table. Nothing here imports pandas, pandera or pyarrow: `schemas` turns these definitions into
pandera and pyarrow schemas, and the findings document turns them into its data dictionary, so the report step
can describe the data without importing the validation stack.
"""

from __future__ import annotations

from dataclasses import dataclass

from tnr_pipeline.model.messages import N_

# Logical types, mapped to pandas and pyarrow types in `schemas`.
TEXT, INTEGER, FLOAT, BOOLEAN, DATE = N_("text"), N_("integer"), N_("float"), N_("boolean"), N_("date")


@dataclass(frozen=True)
class Field:
    """One column: its logical type, what it means, whether it may be missing and which values it may take."""

    name: str
    kind: str
    description: str
    nullable: bool = False
    allowed: str = ""
    unique: bool = False


def _fields(*fields: Field) -> dict[str, Field]:
    return {field.name: field for field in fields}


FIELDS: dict[str, Field] = _fields(
    Field("case_id", TEXT, N_("Identifier of the case, as given in the case spreadsheet."), unique=True),
    Field("year", INTEGER, N_("Calendar year in which the case happened.")),
    Field("date", DATE, N_("Date of the case, where the spreadsheet gives one."), nullable=True),
    Field(
        "host_country",
        TEXT,
        N_("Country where the case happened, as an ISO 3166-1 alpha-3 code."),
        allowed=N_("ISO 3166-1 alpha-3"),
    ),
    Field("host_country_name", TEXT, N_("Short English name of the host country.")),
    Field(
        "eu_member",
        BOOLEAN,
        N_(
            "Whether the host country was an EU member state in the case's year (accession year <= year; "
            "the United Kingdom counts through 2019)."
        ),
    ),
    Field(
        "region",
        TEXT,
        N_("Region of the host country, from the reference table of regions."),
        allowed=N_("see reference/regions.csv"),
    ),
    Field(
        "tactic",
        TEXT,
        N_("Tactic of transnational repression, as a code of the typology."),
        allowed=N_("see reference/typology.csv"),
    ),
    Field("tactic_family", TEXT, N_("Family of the tactic in the typology."), allowed=N_("see reference/typology.csv")),
    Field("fh_counted", BOOLEAN, N_("Whether Freedom House's transnational repression tracker counts this tactic.")),
    Field(
        "target_profile", TEXT, N_("Profile of the targeted person."), allowed=N_("see reference/target_profiles.csv")
    ),
    Field("verification", TEXT, N_("How well the case is verified."), allowed=N_("see reference/verification.csv")),
    Field(
        "period", TEXT, N_("Configured period that contains the case's year; empty when no period does."), nullable=True
    ),
    Field("scope", TEXT, N_("Named tactic filter the statistic is computed on (config: scopes).")),
    Field("first_year", INTEGER, N_("First calendar year of the period.")),
    Field("last_year", INTEGER, N_("Last calendar year of the period.")),
    Field("years", INTEGER, N_("Number of calendar years in the period (last_year - first_year + 1).")),
    Field("cases", INTEGER, N_("Number of cases.")),
    Field("annual_mean", FLOAT, N_("Average number of cases per calendar year of the period (cases / years).")),
    Field(
        "annual_mean_ci_low",
        FLOAT,
        N_(
            "Lower bound of the exact (Garwood) Poisson confidence interval for the "
            "annual mean, at the configured confidence level."
        ),
    ),
    Field(
        "annual_mean_ci_high",
        FLOAT,
        N_(
            "Upper bound of the exact (Garwood) Poisson confidence interval for the "
            "annual mean, at the configured confidence level."
        ),
    ),
    Field("baseline", TEXT, N_("Period the comparison is made against (config: baseline).")),
    Field("comparison", TEXT, N_("Period compared with the baseline (config: comparison).")),
    Field("baseline_cases", INTEGER, N_("Cases in the baseline period, in this scope.")),
    Field("comparison_cases", INTEGER, N_("Cases in the comparison period, in this scope.")),
    Field("baseline_years", INTEGER, N_("Calendar years in the baseline period.")),
    Field("comparison_years", INTEGER, N_("Calendar years in the comparison period.")),
    Field(
        "ratio",
        FLOAT,
        N_(
            "Rate ratio: comparison annual mean / baseline annual mean. Infinite when the baseline has no case "
            "and the comparison has some; missing when neither has a case."
        ),
        nullable=True,
    ),
    Field(
        "ci_low",
        FLOAT,
        N_(
            "Lower bound of the exact conditional confidence interval for the rate ratio (Clopper-Pearson on the "
            "comparison period's share of the two periods' cases); missing when neither period has a case."
        ),
        nullable=True,
    ),
    Field(
        "ci_high",
        FLOAT,
        N_(
            "Upper bound of the exact conditional confidence interval for the rate ratio; infinite when the "
            "baseline has no case; missing when neither period has a case."
        ),
        nullable=True,
    ),
    Field(
        "confidence_level",
        FLOAT,
        N_("Confidence level of the intervals in this row, between 0 and 1 (config: confidence_level)."),
    ),
    Field(
        "p_value",
        FLOAT,
        N_(
            "Central exact conditional test of equal annual rates (twice the smaller tail of the binomial test of "
            "the comparison period's share against its share of the years: the test the interval inverts); 1 when "
            "neither period has a case."
        ),
    ),
    Field(
        "variant",
        TEXT,
        N_(
            "Which assumption is varied: exact_poisson (as period_ratios), "
            "quasi_poisson (yearly counts overdispersed), "
            "drop_YYYY (that year left out of its period), baseline_from_YYYY (the baseline starting that year), "
            "verified_only (only verified cases); and how the cases were found: documentation_growth_k (a case k "
            "times more likely to be recorded in the comparison period: the ratio divided by k), segmented_trend "
            "(a Poisson model of the yearly counts with a shared yearly trend and a jump at the comparison period: "
            "the jump), comparison_trend (the comparison period's own yearly growth factor, not a rate ratio), "
            "drop_country_XXX (that host country left out, by its ISO code), drop_tactic_code (that tactic left "
            "out), country_bootstrap (host countries resampled with replacement: a percentile interval)."
        ),
    ),
    Field("description", TEXT, N_("What the row computes, in words; where it has no interval, why.")),
    Field(
        "dispersion",
        FLOAT,
        N_(
            "Dispersion of the yearly counts (Pearson chi-square / (years - parameters): years - 2 for "
            "quasi_poisson, years - 3 for segmented_trend), before it is floored at 1; missing in the other "
            "variants and where it cannot be estimated."
        ),
        nullable=True,
    ),
    Field(
        "yearly_trend",
        FLOAT,
        N_(
            "segmented_trend: the yearly growth factor both periods share, exp(b); missing in the other variants "
            "and where the model has no finite fit."
        ),
        nullable=True,
    ),
    Field("region_label", TEXT, N_("Readable name of the region group (reference/region_groups.csv).")),
    Field(
        "region_group",
        TEXT,
        N_(
            "Region group of the host countries (reference/region_groups.csv), or near_abroad_vs_eu for the comparison "
            "of the near abroad's rate ratio with the EU's."
        ),
    ),
    Field(
        "new_in_comparison",
        BOOLEAN,
        N_(
            "The country has no case in any year before the comparison period and at least one in the comparison "
            "period, in this scope."
        ),
    ),
    Field(
        "eu_member_at_end",
        BOOLEAN,
        N_("Whether the host country is an EU member state in the last year of the comparison period."),
    ),
    Field(
        "dimension",
        TEXT,
        N_("Which case attribute the breakdown is by."),
        allowed=N_("tactic, tactic_family, target_profile, verification"),
    ),
    Field("category", TEXT, N_("Code of the category within the dimension.")),
    Field("category_label", TEXT, N_("Readable label of the category.")),
    Field(
        "share",
        FLOAT,
        N_(
            "Share of the period's cases in this scope that fall in the category (0-1); missing "
            "when the period has no case."
        ),
        nullable=True,
    ),
    Field(
        "respondent_id",
        TEXT,
        N_("Identifier of the questionnaire response, as given in the survey sheet."),
        unique=True,
    ),
    Field(
        "country_of_residence",
        TEXT,
        N_("Country where the respondent lives, as an ISO 3166-1 alpha-3 code."),
        allowed=N_("ISO 3166-1 alpha-3"),
    ),
    Field(
        "tactics_experienced",
        TEXT,
        N_(
            "Typology codes of the tactics the respondent experienced, ';'-separated in typology order; "
            "empty when none."
        ),
        allowed=N_("see reference/typology.csv"),
    ),
    Field(
        "reduced_presence",
        BOOLEAN,
        N_("Whether the respondent reduced their public or online presence; missing when unanswered."),
        nullable=True,
    ),
    Field(
        "considered_relocating",
        BOOLEAN,
        N_("Whether the respondent considered relocating again; missing when unanswered."),
        nullable=True,
    ),
    Field(
        "experienced_tnr",
        BOOLEAN,
        N_("Whether the respondent experienced any transnational repression; missing when unanswered."),
        nullable=True,
    ),
    Field(
        "question",
        TEXT,
        N_("The questionnaire item summarised."),
        allowed=N_(
            "reduced_presence, considered_relocating, experienced_tnr, tactics_experienced, country_of_residence"
        ),
    ),
    Field("answer", TEXT, N_("The answer counted: yes/no, a typology code or a country code.")),
    Field("n", INTEGER, N_("Respondents who gave this answer.")),
    Field("respondents", INTEGER, N_("Respondents who answered the question (the denominator).")),
    Field("survey_share", FLOAT, N_("n / respondents; missing when nobody answered."), nullable=True),
    Field(
        "wilson_low",
        FLOAT,
        N_(
            "Lower bound of the Wilson score interval for the share, at the confidence level "
            "in confidence_level; missing when nobody answered."
        ),
        nullable=True,
    ),
    Field(
        "wilson_high",
        FLOAT,
        N_(
            "Upper bound of the Wilson score interval for the share, at the confidence level "
            "in confidence_level; missing when nobody answered."
        ),
        nullable=True,
    ),
    Field("figure_id", TEXT, N_("Identifier of the context figure."), unique=True),
    Field(
        "series", TEXT, N_("Name of the yearly series the figure belongs to; empty for a single figure."), nullable=True
    ),
    Field(
        "context_year",
        INTEGER,
        N_("Calendar year a yearly figure refers to; missing for figures that are not yearly."),
        nullable=True,
    ),
    Field("refers_to", TEXT, N_("The date or period the figure refers to, as the source gives it.")),
    Field("value", FLOAT, N_("The figure's value.")),
    Field("unit", TEXT, N_("Unit of the value.")),
    Field("measures", TEXT, N_("What the figure measures.")),
    Field("source", TEXT, N_("Where the figure comes from.")),
    Field("unit_ru", TEXT, N_("The unit in Russian, for the Russian edition; empty when not given."), nullable=True),
    Field("measures_ru", TEXT, N_("What the figure measures, in Russian; empty when not given."), nullable=True),
    Field("source_ru", TEXT, N_("Where the figure comes from, in Russian; empty when not given."), nullable=True),
    Field("claim_id", TEXT, N_("Identifier of the claim in the claims file (config: claims)."), unique=True),
    Field("section", TEXT, N_("Where in the report the claim is made.")),
    Field("claim", TEXT, N_("The report's sentence, quoted (or, for a check this project adds, what it checks).")),
    Field(
        "source",
        TEXT,
        N_("Whose statement the row is: the report's (a quoted sentence) or the pipeline's own check."),
        allowed=N_("report, pipeline"),
    ),
    Field(
        "metric",
        TEXT,
        N_("What is measured to check the claim, in the claims file's metric notation; empty when not checkable."),
    ),
    Field(
        "check",
        TEXT,
        N_("How the observed value is compared with the expected one."),
        allowed=N_(
            "equals, at_least, at_most, above, below, rounds_to, between, includes_all, equals_set, not_checkable"
        ),
    ),
    Field(
        "expected",
        TEXT,
        N_("The value the report states, as written in the claims file; empty when not checkable."),
    ),
    Field(
        "reading",
        TEXT,
        N_("How the row reads words of the sentence that give no number; empty when the sentence states the value."),
    ),
    Field("why", TEXT, N_("Why the case data cannot test the sentence; empty for a checked row.")),
    Field(
        "repeats",
        TEXT,
        N_(
            "The claim_id of the row whose statement this row tests again (counted once in the findings' summary); "
            "empty for a statement's first row."
        ),
    ),
    Field(
        "kind",
        TEXT,
        N_(
            "descriptive: a fact about the documented list (counts, which countries, ranks); inferential: a rate, "
            "share, change or trend the cases estimate with uncertainty; not_checkable: the data cannot test it."
        ),
        allowed=N_("descriptive, inferential, not_checkable"),
    ),
    Field(
        "observed",
        TEXT,
        N_("The value computed from the data (a test's p-value before adjustment); empty when not checkable."),
    ),
    Field(
        "verdict",
        TEXT,
        N_(
            "holds or does_not_hold (descriptive rows); supported (the interval lies wholly where the sentence "
            "says, or a test's Holm-adjusted p is at most its level with the effect the sentence's way), "
            "contradicted (the interval lies wholly outside, or a test's effect goes significantly the other way) "
            "or not_established (inferential rows); not_checkable."
        ),
        allowed=N_("supported, not_established, contradicted, holds, does_not_hold, not_checkable"),
    ),
    Field(
        "holds",
        BOOLEAN,
        N_("True when the verdict is supported or holds, false otherwise; missing when the data cannot test it."),
        nullable=True,
    ),
    Field(
        "by_construction",
        BOOLEAN,
        N_(
            "Whether the reconstructed input was drawn to give this row's verdict (its description lists the row "
            "in built_to_satisfy): such a verdict is not evidence. False when no input is a reconstruction."
        ),
    ),
)
FIELDS["claim_estimate"] = Field(
    "estimate",
    FLOAT,
    N_(
        "An inferential row's estimate: a rate ratio, share, odds ratio (share change, group against the rest, "
        "near abroad against the EU) or yearly growth factor; missing for other rows."
    ),
    nullable=True,
)
FIELDS["claim_ci_low"] = Field(
    "ci_low",
    FLOAT,
    N_(
        "Lower bound of the estimate's interval: exact for rate ratios, Wilson for shares, Fisher's exact for odds "
        "ratios, Wald on the log scale for trends; missing for other rows or where it is not defined."
    ),
    nullable=True,
)
FIELDS["claim_ci_high"] = Field(
    "ci_high", FLOAT, N_("Upper bound of the estimate's interval; missing as for ci_low."), nullable=True
)
FIELDS["claim_confidence_level"] = Field(
    "confidence_level",
    FLOAT,
    N_("Confidence level of the row's interval (config: confidence_level); missing for rows without one."),
    nullable=True,
)
FIELDS["claim_p_value"] = Field(
    "p_value",
    FLOAT,
    N_("The p-value of a row read as a test, before adjustment; missing for other rows."),
    nullable=True,
)
FIELDS["p_adjusted"] = Field(
    "p_adjusted",
    FLOAT,
    N_("The p-value adjusted by Holm's method over every row of the ledger with a p-value; missing for others."),
    nullable=True,
)
FIELDS["p_value_where_defined"] = Field(
    "p_value",
    FLOAT,
    N_(
        "Two-sided p-value of the row's test: of equal annual rates (the central exact binomial test, the one the "
        "exact interval inverts; for quasi_poisson and segmented_trend the t test of the log ratio; for "
        "near_abroad_vs_eu the central Fisher exact test); for documentation_growth_k of a true ratio of 1 once the "
        "growth is divided out; for comparison_trend the likelihood-ratio test of no trend; missing where it is not "
        "defined (country_bootstrap)."
    ),
    nullable=True,
)
# In country_summary, `first_year` means the country's first case year, not a period's: a second definition.
FIELDS["first_year_of_country"] = Field(
    "first_year", INTEGER, N_("Year of the country's first case in the data, in any scope and period.")
)

# The columns every table of rate ratios shares after its own keys (robustness, region_ratios).
RATIO_COLUMNS = [
    "baseline_cases",
    "baseline_years",
    "comparison_cases",
    "comparison_years",
    "ratio",
    "ci_low",
    "ci_high",
    "confidence_level",
    ("p_value", "p_value_where_defined"),
]

FIELDS["ratio_of_variant"] = Field(
    "ratio",
    FLOAT,
    N_(
        "The variant's rate ratio (comparison annual mean / baseline annual mean; for documentation_growth_k divided "
        "by k; for segmented_trend the jump beyond the shared trend; for country_bootstrap the exact estimate); for "
        "comparison_trend the comparison period's yearly growth factor. Infinite or missing where a period has no "
        "case."
    ),
    nullable=True,
)
FIELDS["ci_low_of_variant"] = Field(
    "ci_low",
    FLOAT,
    N_(
        "Lower bound of the variant's interval: exact conditional, except quasi_poisson and segmented_trend (Wald on "
        "the log scale, scaled by the dispersion, Student's t), comparison_trend (Wald) and country_bootstrap "
        "(percentile); missing where there is none."
    ),
    nullable=True,
)
FIELDS["ci_high_of_variant"] = Field(
    "ci_high",
    FLOAT,
    N_("Upper bound of the variant's interval (see ci_low); missing where there is none."),
    nullable=True,
)

# Each output table: its description and its columns, in order. A column given as (name, key) takes its
# definition from FIELDS[key] under another name.
TABLES: dict[str, tuple[str, list]] = {
    "cases": (
        N_(
            "One row per validated case, with codes normalised and reference attributes added. "
            "Sorted by case_id. No personal details: only the coded columns are kept."
        ),
        [
            "case_id",
            "year",
            "date",
            "host_country",
            "host_country_name",
            "eu_member",
            "region",
            "tactic",
            "tactic_family",
            "fh_counted",
            "target_profile",
            "verification",
            "period",
        ],
    ),
    "annual_counts": (
        N_(
            "Cases per year and tactic: a complete grid over the years of the data and the periods, "
            "for every tactic of the typology, zeros included."
        ),
        ["year", "tactic", "cases"],
    ),
    "period_summary": (
        N_("Cases and average cases per year for each scope and period."),
        [
            "scope",
            "period",
            "first_year",
            "last_year",
            "years",
            "cases",
            "annual_mean",
            "annual_mean_ci_low",
            "annual_mean_ci_high",
            "confidence_level",
        ],
    ),
    "period_ratios": (
        N_(
            "Rate ratio of the comparison period's annual mean to the baseline's, with an exact "
            "conditional confidence interval and test, for each scope."
        ),
        [
            "scope",
            "baseline",
            "comparison",
            "baseline_cases",
            "comparison_cases",
            "baseline_years",
            "comparison_years",
            "ratio",
            "ci_low",
            "ci_high",
            "confidence_level",
            "p_value",
        ],
    ),
    "robustness": (
        N_(
            "The rate ratio under each assumption the headline rests on, for every scope: overdispersed yearly counts, "
            "each year left out, later baseline starts, verified cases only; and under each question of how the "
            "cases were found: growth in documentation, a shared trend, each host country or tactic left out, the "
            "host countries resampled."
        ),
        [
            "scope",
            "variant",
            "description",
            "baseline_cases",
            "baseline_years",
            "comparison_cases",
            "comparison_years",
            ("ratio", "ratio_of_variant"),
            ("ci_low", "ci_low_of_variant"),
            ("ci_high", "ci_high_of_variant"),
            "confidence_level",
            ("p_value", "p_value_where_defined"),
            "dispersion",
            "yearly_trend",
        ],
    ),
    "region_ratios": (
        N_(
            "Cases and rate ratio of each region group (near abroad, EU, rest of the world) for every scope, and the "
            "near abroad against the EU: the ratio of their rate ratios with Fisher's exact interval and test."
        ),
        [
            "scope",
            "region_group",
            "region_label",
            "description",
            *RATIO_COLUMNS,
        ],
    ),
    "country_summary": (
        N_("Cases per host country for each scope and period, zeros included, for every country with any case."),
        [
            "host_country",
            "host_country_name",
            "region",
            "eu_member_at_end",
            "scope",
            "period",
            "cases",
            "annual_mean",
            ("first_year", "first_year_of_country"),
            "new_in_comparison",
        ],
    ),
    "period_breakdowns": (
        N_(
            "Cases per category of tactic, tactic family, target profile and verification status, "
            "for each scope and period, with the category's share of the period's cases."
        ),
        ["dimension", "category", "category_label", "scope", "period", "cases", "share"],
    ),
    "survey_responses": (
        N_("One row per questionnaire response, coded columns only (free-text answers never leave data/raw)."),
        [
            "respondent_id",
            "country_of_residence",
            "tactics_experienced",
            "reduced_presence",
            "considered_relocating",
            "experienced_tnr",
        ],
    ),
    "survey_summary": (
        N_(
            "Answers to each questionnaire item with their share of the respondents who answered it and "
            "a Wilson score interval at the configured confidence level."
        ),
        [
            "question",
            "answer",
            "n",
            "respondents",
            ("share", "survey_share"),
            ("ci_low", "wilson_low"),
            ("ci_high", "wilson_high"),
            "confidence_level",
        ],
    ),
    "context_figures": (
        N_(
            "Numbers from outside the case data that the report cites, each with what it measures, its "
            "source and the date it refers to."
        ),
        [
            "figure_id",
            "series",
            ("year", "context_year"),
            "refers_to",
            "value",
            "unit",
            "measures",
            "source",
            "unit_ru",
            "measures_ru",
            "source_ru",
        ],
    ),
    "claims": (
        N_(
            "The report's checkable statements about its case data and questionnaire, each checked against the data "
            "or marked as not checkable with the reason, and the checks this project adds."
        ),
        [
            "claim_id",
            "section",
            "claim",
            "source",
            "metric",
            "check",
            "expected",
            "reading",
            "why",
            "repeats",
            "kind",
            "observed",
            ("estimate", "claim_estimate"),
            ("ci_low", "claim_ci_low"),
            ("ci_high", "claim_ci_high"),
            ("confidence_level", "claim_confidence_level"),
            ("p_value", "claim_p_value"),
            "p_adjusted",
            "verdict",
            "holds",
            "by_construction",
        ],
    ),
}


def table_fields(table: str) -> list[Field]:
    """The fields of an output table, in column order, each under the name it has in that table."""
    fields = []
    for entry in TABLES[table][1]:
        name, key = entry if isinstance(entry, tuple) else (entry, entry)
        field = FIELDS[key]
        fields.append(
            field
            if field.name == name
            else Field(name, field.kind, field.description, field.nullable, field.allowed, field.unique)
        )
    return fields
