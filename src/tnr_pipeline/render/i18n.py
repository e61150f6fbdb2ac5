"""Languages: the gettext catalogues, numbers and dates as each language writes them, and names in each language.

What belongs here: loading a language's compiled catalogue (English is the source language: its messages are the
msgids, it has no catalogue), compiling a catalogue (`.po` -> `.mo`, the compile_translations step) with a message
for every untranslated or fuzzy entry, Babel's locale-aware number, percentage and date formats, and the names a
language gives to reference data (a `label_ru` column, pycountry's ISO 3166 translations). The words themselves
live in the catalogues (`registry.catalogue`) and the reference CSVs, never here. Nothing here imports pandas.
"""

from __future__ import annotations

import gettext
import math
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property
from pathlib import Path

from tnr_pipeline.model.messages import N_  # noqa: F401 (re-exported: the render layer marks messages with it too)
from tnr_pipeline.model.registry import SOURCE_LANGUAGE
from tnr_pipeline.model.words import (
    BASELINE_FROM,
    COMPARED_GROUPS,
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
    VERIFIED_ONLY,
    variant_subject,
    variant_year,
)

SUPERSCRIPT_DIGITS = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")


def has_words(value: object) -> bool:
    """Whether a cell holds text: not None, not a table's missing value (NaN), not empty."""
    return isinstance(value, str) and value != ""


def _percent_points(value: float, digits: int) -> Decimal:
    """0.2016 -> Decimal('20.2') at 1 digit: a share in percentage points, rounded exactly as Python's own percent
    format rounds it (every percent of every edition is rounded here)."""
    return Decimal(f"{value:.{digits}%}".removesuffix("%"))


@dataclass(frozen=True)
class Language:
    """One language of the outputs: its messages (gettext), its number formats (Babel) and its names for data."""

    code: str
    translations: gettext.NullTranslations = field(default_factory=gettext.NullTranslations, compare=False)

    # ---- messages
    def gettext(self, message: str) -> str:
        return self.translations.gettext(message)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return self.translations.ngettext(singular, plural, n)

    def pgettext(self, context: str, message: str) -> str:
        return self.translations.pgettext(context, message)

    def cases(self, n: int) -> str:
        """'1 case', '5 cases'; 'случай', 'случая', 'случаев' by Russian's plural rules."""
        return self.ngettext("{n} case", "{n} cases", n).format(n=n)

    def years(self, n: int) -> str:
        return self.ngettext("{n} year", "{n} years", n).format(n=n)

    def ordinal(self, n: int) -> str:
        """A rank as this language writes it: '1st', '2nd', '3rd', '4th', '11th', '22nd' (en); '1-е' (ru). The
        English suffix picks the message; each language's catalogue gives its own form of it."""
        if n % 100 in (11, 12, 13):
            message = N_("{n}th")
        else:
            message = {1: N_("{n}st"), 2: N_("{n}nd"), 3: N_("{n}rd")}.get(n % 10, N_("{n}th"))
        return self.gettext(message).format(n=n)

    # ---- numbers, as this language writes them
    @cached_property
    def locale(self):
        from babel import Locale

        return Locale.parse(self.code)

    def number(self, value: float | None, digits: int = 1) -> str:
        """1234.5 -> '1,234.5' (en), '1 234,5' (ru); rounded exactly as Python's own format rounds, in every
        language, so that the editions agree digit for digit."""
        special = self._special(value)
        if special is not None:
            return special
        return self._apply(self.locale.decimal_formats[None].pattern, Decimal(f"{value:.{digits}f}"), digits)

    def percent(self, value: float | None, digits: int = 0) -> str:
        """0.325 -> '32.5%' (en), '32,5 %' (ru)."""
        special = self._special(value)
        if special is not None:
            return special
        return self._apply(self.locale.percent_formats[None].pattern, _percent_points(value, digits) / 100, digits)

    def percent_range(self, low: float, high: float, digits: int = 0) -> str:
        """0.201, 0.48 -> '20.1%–48.0%' (en), '20,1–48,0 %' (ru): the catalogue says where the sign goes."""
        if self._special(low) is not None or self._special(high) is not None:
            return f"{self.percent(low, digits)}–{self.percent(high, digits)}"
        low, high = (float(_percent_points(value, digits)) for value in (low, high))
        return self.gettext("{low}%–{high}%").format(low=self.number(low, digits), high=self.number(high, digits))

    def general(self, value: float, digits: int = 2) -> str:
        """A number to `digits` significant digits in the shortest form, with this language's decimal sign and powers
        of ten as people write them: '0.021', '2.1 × 10⁻²⁷' (en), '2,1·10⁻²⁷' (ru)."""
        return self.decimals(f"{value:.{digits}g}")

    def decimals(self, text: str) -> str:
        """Numbers written in a text the way Python writes them ('0.28..0.3334', '8.184', '2.143e-27') given this
        language's decimal sign and powers of ten, and a range A..B as people write it (A–B); everything else (codes,
        words) unchanged."""
        import re

        from babel.numbers import get_decimal_symbol

        symbol = get_decimal_symbol(self.locale)
        text = re.sub(r"(?<=\d)\.\.(?=\d)", "–", str(text))
        text = re.sub(r"(?<=\d)\.(?=\d)", symbol, text)
        mantissa = r"\d+(?:" + re.escape(symbol) + r"\d+)?"
        return re.sub(rf"({mantissa})e([+-]?)0*(\d+)\b", self._power_of_ten, text)

    def _power_of_ten(self, match) -> str:
        """'2.1e-27' as '2.1 × 10⁻²⁷' (the catalogue gives each language its own form)."""
        exponent = ("⁻" if match.group(2) == "-" else "") + match.group(3).translate(SUPERSCRIPT_DIGITS)
        return self.gettext("{mantissa} × 10{exponent}").format(mantissa=match.group(1), exponent=exponent)

    def date(self, value) -> str:
        """A date in this language's long form: 'March 5, 2024', '5 марта 2024 г.'."""
        from babel.dates import format_date

        return format_date(value, "long", locale=self.locale)

    def level(self, level: float) -> str:
        """A confidence level as people write it: 0.8 -> '80%' (en), '80 %' (ru); 0.975 -> '97.5%'."""
        return self.percent(level, max(0, len(f"{level * 100:.10g}".partition(".")[2])))

    def _special(self, value: float | None) -> str | None:
        if value is None or (isinstance(value, float) and math.isnan(value)):
            return self.gettext("n/a")
        if isinstance(value, float) and math.isinf(value):
            return "∞" if value > 0 else "−∞"
        return None

    def _apply(self, pattern: str, value: Decimal, digits: int) -> str:
        from babel.numbers import parse_pattern

        parsed = parse_pattern(pattern)
        parsed.frac_prec = (digits, digits)
        return parsed.apply(value, self.locale)

    # ---- names of data in this language
    def label(self, row: dict, column: str = "label") -> str:
        """A reference row's label in this language: its `<column>_<code>` when it has one, else `<column>`."""
        if self.code == SOURCE_LANGUAGE:
            return row[column]
        translated = row.get(f"{column}_{self.code}")
        return translated if has_words(translated) else row[column]

    def untranslated(self, rows: list[dict], columns: tuple[str, ...], key: str, source: str) -> list[str]:
        """Where reference rows have no words in this language (an empty or absent `<column>_<code>`): each is shown in
        English, and the step's log says so, naming the file, the row and the column to fill in."""
        if self.code == SOURCE_LANGUAGE:
            return []
        return [
            f"{source}: {row[key]}: no {column}_{self.code} (shown in English: {row[column]!r})"
            for row in rows
            for column in columns
            if has_words(row.get(column)) and not has_words(row.get(f"{column}_{self.code}"))
        ]

    def country_name(self, alpha_3: str, english: str | None = None) -> str:
        """A country's short name in this language, from the ISO 3166 translations pycountry ships; the English
        name (`english`, else pycountry's) where there is none."""
        english = english or _country_names(SOURCE_LANGUAGE).get(alpha_3, alpha_3)
        if self.code == SOURCE_LANGUAGE:
            return english
        return _country_names(self.code).get(alpha_3, english)


def describe_scope(scope, lang: Language, tactic_labels: dict[str, str]) -> str:
    """What a scope keeps, in words that fit mid-sentence ('all cases', 'excluding Denial of Entry', 'only the tactics
    Freedom House counts'), built from its definition rather than its label, so no label is lower-cased."""
    _ = lang.gettext
    parts = [_("only the tactics Freedom House counts")] if scope.fh_counted_only else []
    if scope.exclude_tactics:
        names = join_and(
            [
                lang.pgettext("a tactic's name in a sentence", "{name}").format(name=tactic_labels.get(code, code))
                for code in scope.exclude_tactics
            ],
            lang,
        )
        parts.append(
            lang.ngettext("excluding {tactics}", "excluding {tactics}", len(scope.exclude_tactics)).format(
                tactics=names
            )
        )
    return ", ".join(parts) if parts else _("all cases")


def describe_what_scope_keeps(scope, lang: Language, typology: list[dict]) -> str:
    """What a scope keeps, for the methodology, from its definition: 'every case, whatever its tactic'; 'every case
    except those of Denial of Entry and Denial of Services'; 'only the cases of the tactics Freedom House counts:
    Assassination, Assault, ...' (`typology`: its rows, each with `code`, its labels and `fh_counted`)."""
    _ = lang.gettext
    names = {
        row["code"]: lang.pgettext("a tactic's name in a sentence", "{name}").format(name=lang.label(row))
        for row in typology
    }
    parts = []
    if scope.fh_counted_only:
        counted = [
            names[row["code"]] for row in typology if row["fh_counted"] and row["code"] not in scope.exclude_tactics
        ]
        parts.append(
            _("only the cases of the tactics Freedom House counts: {tactics}").format(tactics=join_and(counted, lang))
        )
    elif scope.exclude_tactics:
        excluded = [names.get(code, code) for code in scope.exclude_tactics]
        parts.append(_("every case except those of {tactics}").format(tactics=join_and(excluded, lang)))
    if scope.fh_counted_only and scope.exclude_tactics:
        excluded = [names.get(code, code) for code in scope.exclude_tactics]
        parts.append(_("except those of {tactics}").format(tactics=join_and(excluded, lang)))
    return ", ".join(parts) if parts else _("every case, whatever its tactic")


def join_and(items: list[str], lang: Language) -> str:
    """'A, B and C' as the language joins a list."""
    if len(items) < 2:
        return "".join(items)
    return lang.gettext("{items} and {last}").format(items=", ".join(items[:-1]), last=items[-1])


def name_variant(variant: str, lang: Language, tactic_labels: dict[str, str] | None = None) -> str:
    """A robustness variant's short name for a figure's axis, in words: 'exact interval', 'without 2014',
    'baseline from 2016', 'verified only', 'without Georgia', 'documentation ×1.5' (its code where it is none of the
    known kinds). `tactic_labels`: each tactic's name in this language."""
    _ = lang.gettext
    simple = {
        EXACT: N_("exact interval"),
        QUASI_POISSON: N_("quasi-Poisson"),
        VERIFIED_ONLY: N_("verified only"),
        SEGMENTED_TREND: N_("jump beyond a shared trend"),
        COMPARISON_TREND: N_("the later period's own yearly trend"),
        COUNTRY_BOOTSTRAP: N_("host countries resampled"),
    }
    if variant in simple:
        return _(simple[variant])
    if variant_year(variant, DROP_YEAR):
        return _("without {year}").format(year=variant_year(variant, DROP_YEAR))
    if variant_year(variant, BASELINE_FROM):
        return _("baseline from {year}").format(year=variant_year(variant, BASELINE_FROM))
    if variant_subject(variant, DOCUMENTATION_GROWTH):
        return _("documentation grown ×{growth}").format(
            growth=name_growth(variant_subject(variant, DOCUMENTATION_GROWTH), lang)
        )
    if variant_subject(variant, DROP_COUNTRY):
        return without_country(variant_subject(variant, DROP_COUNTRY), lang)
    if variant_subject(variant, DROP_TACTIC):
        code = variant_subject(variant, DROP_TACTIC)
        return without_tactic((tactic_labels or {}).get(code, code), lang)
    return variant


def without_country(alpha_3: str, lang: Language) -> str:
    """'without Georgia' ('без страны Грузия'): a host country left out, its name as the language can place it."""
    return lang.pgettext("a host country left out", "without {name}").format(name=lang.country_name(alpha_3))


def without_tactic(label: str, lang: Language) -> str:
    """'without Denial of Entry' ('без категории «Отказ во въезде»'): a tactic left out."""
    return lang.pgettext("a tactic left out", "without {name}").format(name=label)


def name_growth(code: str, lang: Language) -> str:
    """A growth in documentation as its variant's code gives it ('1.5' of documentation_growth_1.5), written in this
    language with as many decimals as the code has ('1.5', '1,5', '2')."""
    return lang.number(float(code), len(code.partition(".")[2]))


def describe_variant(
    row: dict,
    reference: dict,
    analysis,
    lang: Language,
    tactic_labels: dict[str, str] | None = None,
    n_countries: int | None = None,
) -> str:
    """What a robustness row computes, in words, from its variant and numbers (`reference`: the scope's exact_poisson
    row, whose counts the variants change; `tactic_labels`: the tactics' names; `n_countries`: the host countries the
    bootstrap resamples). The statistics step stores the source language's words in the table; each edition of the
    findings says it in its own language."""
    _ = lang.gettext
    variant = row["variant"]
    if variant == EXACT:
        return _("Exact conditional interval, as in the headline.")
    if variant == QUASI_POISSON:
        if row["ci_low"] == row["ci_low"]:
            n_years = row["baseline_years"] + row["comparison_years"]
            return _(
                "Quasi-Poisson: dispersion {dispersion} from {n} yearly counts (used: {used}); Wald interval on the "
                "log scale with Student's t on {df} degrees of freedom."
            ).format(
                dispersion=lang.number(row["dispersion"], 2),
                n=n_years,
                used=lang.number(max(1.0, row["dispersion"]), 2),
                df=n_years - 2,
            )
        if 0 in (row["baseline_cases"], row["comparison_cases"]):
            return _("Quasi-Poisson: no interval: a period has no case, so the log rate ratio has no standard error.")
        return _("Quasi-Poisson: no interval: fewer than three years leave no degrees of freedom for the dispersion.")
    if variant_year(variant, DROP_YEAR):
        in_baseline = row["baseline_years"] < reference["baseline_years"]
        period = analysis.baseline if in_baseline else analysis.comparison
        side = "baseline" if in_baseline else "comparison"
        text = _("{year} ({cases}) left out of {period}.").format(
            year=variant_year(variant, DROP_YEAR),
            cases=lang.cases(reference[f"{side}_cases"] - row[f"{side}_cases"]),
            period=period.label_in(lang.code),
        )
        return text + (" " + _("No ratio: the period has no other year.") if row[f"{side}_years"] == 0 else "")
    if variant_year(variant, BASELINE_FROM):
        return _("Baseline from {start} to {last} ({years}).").format(
            start=variant_year(variant, BASELINE_FROM),
            last=analysis.baseline.last_year,
            years=lang.years(row["baseline_years"]),
        )
    if variant == VERIFIED_ONLY:
        if row["baseline_cases"] + row["comparison_cases"] == 0:
            return _("Only cases whose verification is 'verified' (none is).")
        return _("Only cases whose verification is 'verified'.")
    if variant == SEGMENTED_TREND:
        return _describe_segmented(row, analysis, lang)
    if variant == COMPARISON_TREND:
        return _(
            "Not a rate ratio: the yearly growth factor of {period} alone, from a Poisson regression of its {n} "
            "yearly counts on the year (Wald interval; the claims notation's trend)."
        ).format(period=analysis.comparison.label_in(lang.code), n=row["comparison_years"])
    if variant_subject(variant, DOCUMENTATION_GROWTH):
        growth = name_growth(variant_subject(variant, DOCUMENTATION_GROWTH), lang)
        return _(
            "If a case was {growth} times as likely to be recorded in {comparison} as in {baseline}: the ratio and "
            "its interval divided by {growth}; the p-value tests a true ratio of 1."
        ).format(
            growth=growth,
            comparison=analysis.comparison.label_in(lang.code),
            baseline=analysis.baseline.label_in(lang.code),
        )
    if variant_subject(variant, DROP_COUNTRY) or variant_subject(variant, DROP_TACTIC):
        left_out = (reference["baseline_cases"] - row["baseline_cases"]) + (
            reference["comparison_cases"] - row["comparison_cases"]
        )
        country = variant_subject(variant, DROP_COUNTRY)
        name = (
            lang.country_name(country)
            if country
            else (tactic_labels or {}).get(variant_subject(variant, DROP_TACTIC), variant_subject(variant, DROP_TACTIC))
        )
        text = _("{name} ({cases} in the two periods) left out.").format(name=name, cases=lang.cases(left_out))
        if row["ratio"] != row["ratio"] or row["ci_low"] != row["ci_low"]:
            text += " " + _("No ratio: no other case is left in either period.")
        return text
    if variant == COUNTRY_BOOTSTRAP:
        return lang.ngettext(
            "{n} host country with a case in either period resampled with replacement {resamples} times (seed "
            "{seed}), with all its cases: the percentile interval; the ratio is the exact estimate.",
            "{n} host countries with a case in either period resampled with replacement {resamples} times (seed "
            "{seed}), each with all its cases: the percentile interval; the ratio is the exact estimate.",
            n_countries or 0,
        ).format(n=n_countries or 0, resamples=analysis.bootstrap_resamples, seed=analysis.bootstrap_seed)
    return row["description"]  # a variant this version does not know: the words the table stores


def _describe_segmented(row: dict, analysis, lang: Language) -> str:
    """The words of a segmented_trend row: the model, the shared trend and the dispersion, or why there is no
    interval."""
    _ = lang.gettext
    n_years = row["baseline_years"] + row["comparison_years"]
    model = _(
        "A Poisson model of the {n} yearly counts with a yearly trend both periods share and a jump at {period}: the "
        "ratio is the jump beyond the trend."
    ).format(n=n_years, period=analysis.comparison.label_in(lang.code))
    if row["ci_low"] == row["ci_low"]:
        return (
            model
            + " "
            + _(
                "Shared trend: ×{trend} a year. Dispersion {dispersion} (used: {used}); Wald interval on the log "
                "scale with Student's t on {df} degrees of freedom."
            ).format(
                trend=lang.number(row["yearly_trend"], 2),
                dispersion=lang.number(row["dispersion"], 2),
                used=lang.number(max(1.0, row["dispersion"]), 2),
                df=n_years - 3,
            )
        )
    if 0 in (row["baseline_cases"], row["comparison_cases"]):
        return model + " " + _("No interval: a period has no case, so the jump has no finite estimate.")
    if n_years <= 3:
        return model + " " + _("No interval: fewer than four years leave no degrees of freedom for the dispersion.")
    return model + " " + _("No interval: the model has no finite maximum on these counts.")


def describe_region_rows(rows: list[dict], groups: list[dict]) -> tuple[list[str], list[str]]:
    """The `region_label` and `description` of every row of a region_ratios table (as records), in the source
    language, from the region groups' labels (reference/region_groups.csv, as records)."""
    labels = {group["group"]: group["label"] for group in groups}
    near, eu = (labels[group] for group in COMPARED_GROUPS)
    versus = f"{near} against {eu}"
    named = [versus if row["region_group"] == GROUP_COMPARISON else labels[row["region_group"]] for row in rows]
    described = [
        f"{versus}: the ratio of their rate ratios, with Fisher's exact interval of the odds ratio of the 2×2 table "
        "(group × period), and the central Fisher exact test of that table."
        if row["region_group"] == GROUP_COMPARISON
        else f"{labels[row['region_group']]}: rate ratio with its exact conditional interval."
        for row in rows
    ]
    return named, described


def describe_variants(
    rows: list[dict], analysis, lang: Language, tactic_labels: dict[str, str] | None = None
) -> list[str]:
    """`describe_variant` for every row of a robustness table (as records), each against its scope's exact_poisson
    row: the words the statistics step stores in the table's `description` column."""
    exact = {row["scope"]: row for row in rows if row["variant"] == EXACT}
    n_countries = count_left_out_countries(rows)
    return [
        describe_variant(row, exact[row["scope"]], analysis, lang, tactic_labels, n_countries.get(row["scope"]))
        for row in rows
    ]


def count_left_out_countries(rows: list[dict]) -> dict[str, int]:
    """Per scope, the host countries a robustness table leaves out one at a time: the countries its bootstrap
    resamples."""
    counted: dict[str, int] = {}
    for row in rows:
        if variant_subject(row["variant"], DROP_COUNTRY):
            counted[row["scope"]] = counted.get(row["scope"], 0) + 1
    return counted


_COUNTRY_NAMES: dict[str, dict[str, str]] = {}


def _country_names(language: str) -> dict[str, str]:
    """Alpha-3 -> short name in `language` (pycountry's common name, else its name, translated by its iso3166-1
    catalogue; the source language's is pycountry's own)."""
    if language not in _COUNTRY_NAMES:
        import pycountry

        translation = gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=[language], fallback=True)
        _COUNTRY_NAMES[language] = {
            country.alpha_3: translation.gettext(getattr(country, "common_name", None) or country.name)
            for country in pycountry.countries
        }
    return _COUNTRY_NAMES[language]


def load_language(code: str, catalogue: str | Path | None = None) -> Language:
    """The language `code` with its catalogue (the `.po` file, checked and compiled in memory: babel does it in a few
    hundredths of a second), unless it is the source language. A catalogue a translator has not finished is refused
    with every message to fix (SettingsError)."""
    import io

    from babel.messages.mofile import write_mo

    from tnr_pipeline.model.settings import SettingsError

    if code == SOURCE_LANGUAGE or catalogue is None:
        if code != SOURCE_LANGUAGE:
            raise ValueError(f"language {code!r} needs its catalogue")
        return Language(code)
    parsed, problems = _read_catalogue(catalogue)
    if problems:
        raise SettingsError(problems, f"catalogue {catalogue}")
    compiled = io.BytesIO()
    write_mo(compiled, parsed)
    compiled.seek(0)
    return Language(code, gettext.GNUTranslations(compiled))


# ---- the catalogues --------------------------------------------------------------------------------------------


def _read_catalogue(po_path: str | Path):
    """The catalogue, and what a translator must fix before it is used: every message without a translation (a
    plural message short of the language's plural forms included) or marked fuzzy, each with its line."""
    from babel.messages.pofile import read_po

    with open(po_path, "rb") as handle:
        catalogue = read_po(handle)
    problems = []
    for message in catalogue:
        if not message.id:
            continue
        where = f"{po_path}, line {message.lineno}: {message.id if isinstance(message.id, str) else message.id[0]!r}"
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if message.fuzzy:
            problems.append(f"{where} is marked fuzzy: check the translation and remove the 'fuzzy' flag")
        elif not all(strings):  # babel gives a plural message as many forms as the language has, empty if missing
            problems.append(f"{where} has no translation: write it in msgstr")
    return catalogue, problems


def catalogue_problems(po_path: str | Path) -> list[str]:
    """What a translator must fix before a catalogue is used (see `_read_catalogue`)."""
    return _read_catalogue(po_path)[1]
