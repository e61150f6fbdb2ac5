"""Reference data: the typology, country names and aliases, EU membership, regions and the report's claims.

What belongs here: loading the small CSV files under `tnr_pipeline/reference/` (the defaults) or another folder,
and the lookups built from them (label -> code). The files are data under version control; nothing in this module
hard-codes a tactic, a country or a region.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import pandas as pd

from tnr_pipeline.model.io import read_csv_table

DEFAULT_DIR = Path(__file__).parents[1] / "reference"
OTHER_REGION = "Other"


def lookup_key(text: str) -> str:
    """How labels are compared: case-insensitive, trimmed, inner spaces collapsed, '-' and '_' as spaces, ё as е."""
    return " ".join(text.replace("_", " ").replace("-", " ").casefold().replace("ё", "е").split())


def read_reference_table(path: str | Path) -> pd.DataFrame:
    """A reference CSV as a table of text (empty cells ''), read once by `io.read_csv_table`."""
    columns, rows = read_csv_table(path)
    return pd.DataFrame(rows, columns=columns, dtype=str)


def _read(directory: Path, name: str) -> pd.DataFrame:
    return read_reference_table(directory / name)


LABEL_COLUMNS = ("label", "label_ru")  # the languages a sheet may name a code in
# Former labels and synonyms, in the same languages: a sheet may name a code by them as by its label. Several in a
# cell are separated by ALIAS_SEPARATOR.
ALIAS_COLUMNS = ("aliases", "aliases_ru")
ALIAS_SEPARATOR = "|"


def split_aliases(cell: str) -> list[str]:
    """'Отказ в услугах|Отказ в консульских услугах' -> each alias, trimmed; [] for an empty cell."""
    return [alias.strip() for alias in cell.split(ALIAS_SEPARATOR) if alias.strip()]


def code_words(table: pd.DataFrame) -> list[tuple[str, str]]:
    """Every word a sheet may name a code of a coded table by, as written, with its code: the codes, the aliases
    (former labels and synonyms), then the labels, in every language the table has."""
    words = [(code, code) for code in table["code"]]
    for column in ALIAS_COLUMNS:
        if column in table:
            for code, cell in zip(table["code"], table[column]):
                words += [(alias, code) for alias in split_aliases(cell)]
    for column in LABEL_COLUMNS:
        if column in table:
            words += [(label, code) for code, label in zip(table["code"], table[column]) if label]
    return words


def _code_lookup(table: pd.DataFrame) -> dict[str, str]:
    """Code, its labels and its aliases in every language the table has (any case, ё as е) -> code. A label or a
    code wins over an alias written the same (the reference tests allow no such alias)."""
    lookup = {lookup_key(word): code for word, code in code_words(table)}
    lookup.update({lookup_key(code): code for code in table["code"]})
    return lookup


# How alike (difflib's ratio, 0 to 1) a known word must be to a spelling to be suggested for it: "Грузиа" is 0.83
# like "Грузия" but only 0.6 like "Гуам".
CLOSE_ENOUGH = 0.7


def closest_words(text: str, words: list[tuple[str, str]], n: int = 3) -> list[str]:
    """The known words closest to a spelling that was not recognised (for messages only), each as written, in the
    language it was found in, with its code in brackets: 'Задержане' -> ['Задержание (detention)']. One word per
    code, the closest first."""
    by_key = {lookup_key(word): (word, code) for word, code in words}  # the last written wins: a label over its code
    shown: dict[str, str] = {}
    for key in difflib.get_close_matches(lookup_key(text), list(by_key), n=len(by_key), cutoff=CLOSE_ENOUGH):
        word, code = by_key[key]
        shown.setdefault(code, word if word == code else f"{word} ({code})")
        if len(shown) == n:
            break
    return list(shown.values())


def russian_country_names() -> dict[str, list[str]]:
    """Alpha-3 -> the country's Russian names (short, official, common), from the ISO 3166 translations that
    pycountry ships."""
    import gettext

    import pycountry

    russian = gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=["ru"], fallback=True)
    names: dict[str, list[str]] = {}
    for country in pycountry.countries:
        for attribute in ("name", "official_name", "common_name"):
            english = getattr(country, attribute, None)
            translated = russian.gettext(english) if english else None
            if translated and translated != english:
                names.setdefault(country.alpha_3, []).append(translated)
    return names


@dataclass
class Reference:
    """The reference tables, loaded once per run."""

    directory: Path = field(default=DEFAULT_DIR)

    def __post_init__(self):
        self.directory = Path(self.directory)
        self.typology = _read(self.directory, "typology.csv")
        self.typology["fh_counted"] = self.typology["fh_counted"].str.lower().eq("true")
        self.target_profiles = _read(self.directory, "target_profiles.csv")
        self.verification = _read(self.directory, "verification.csv")
        self.country_aliases = _read(self.directory, "country_aliases.csv")
        self.eu_membership = _read(self.directory, "eu_membership.csv")
        self.regions = _read(self.directory, "regions.csv")
        self.region_groups = _read(self.directory, "region_groups.csv")

    @property
    def tactic_codes(self) -> list[str]:
        return self.typology["code"].tolist()

    @cached_property
    def tactic_lookup(self) -> dict[str, str]:
        return _code_lookup(self.typology)

    @cached_property
    def target_profile_lookup(self) -> dict[str, str]:
        return _code_lookup(self.target_profiles)

    @cached_property
    def verification_lookup(self) -> dict[str, str]:
        return _code_lookup(self.verification)

    @cached_property
    def country_names(self) -> dict[str, str]:
        """Alpha-3 -> short English name: regions.csv's short_name, else pycountry's common name, else its name."""
        import pycountry

        names = {c.alpha_3: getattr(c, "common_name", None) or c.name for c in pycountry.countries}
        names.update({a: n for a, n in zip(self.regions["alpha3"], self.regions["short_name"]) if n})
        return names

    @cached_property
    def country_lookup(self) -> dict[str, str]:
        """Any accepted spelling (lookup_key) -> alpha-3: ISO codes and English names from pycountry, its Russian
        translations, then the alias table (which also holds common Russian variants)."""
        lookup = dict(self.country_lookup_without_aliases)
        lookup.update(
            {lookup_key(a): code for a, code in zip(self.country_aliases["alias"], self.country_aliases["alpha3"])}
        )
        return lookup

    @cached_property
    def country_lookup_without_aliases(self) -> dict[str, str]:
        """What pycountry (codes, English names and their Russian translations) and regions.csv's short names
        resolve on their own: every row of the alias table adds a spelling that this lookup misses."""
        import pycountry

        lookup: dict[str, str] = {}
        for country in pycountry.countries:
            for attribute in ("alpha_2", "alpha_3", "name", "common_name", "official_name"):
                value = getattr(country, attribute, None)
                if value:
                    lookup[lookup_key(value)] = country.alpha_3
        for alpha3, name in self.country_names.items():
            lookup[lookup_key(name)] = alpha3
            lookup.setdefault(lookup_key(alpha3), alpha3)
        for alpha3, names in russian_country_names().items():
            for name in names:
                lookup.setdefault(lookup_key(name), alpha3)
        return lookup

    @cached_property
    def country_words(self) -> list[tuple[str, str]]:
        """Country names a person writes, with their alpha-3 code, for suggestions: the short English names, every
        English name pycountry has, the Russian names from its ISO 3166 translations, and the alias table."""
        import pycountry

        words = [(name, alpha3) for alpha3, name in self.country_names.items()]
        for country in pycountry.countries:
            for attribute in ("name", "common_name", "official_name"):
                if getattr(country, attribute, None):
                    words.append((getattr(country, attribute), country.alpha_3))
        words += [(name, alpha3) for alpha3, names in russian_country_names().items() for name in names]
        words += list(zip(self.country_aliases["alias"], self.country_aliases["alpha3"]))
        return words

    def words(self, kind: str) -> list[tuple[str, str]]:
        """The known words of a kind of coded value (`country`, `tactic`, `target_profile`, `verification`), each
        with its code, for suggestions."""
        tables = {"tactic": self.typology, "target_profile": self.target_profiles, "verification": self.verification}
        return self.country_words if kind == "country" else code_words(tables[kind])

    def lookup(self, kind: str) -> dict[str, str]:
        """The lookup (lookup_key -> code) of a kind of coded value, as `words` names them."""
        return self.country_lookup if kind == "country" else getattr(self, f"{kind}_lookup")

    def lookups(
        self, kinds: dict[str, str], team_words: dict[str, dict[str, str]] | None = None
    ) -> dict[str, dict[str, str]]:
        """Column -> its lookup, for columns of the given kinds (column -> kind), with a team's own words for a column
        (config `values`: word -> code) added; a team's word wins over the reference's."""
        team_words = team_words or {}
        return {
            column: {**self.lookup(kind), **{lookup_key(w): code for w, code in team_words.get(column, {}).items()}}
            for column, kind in kinds.items()
        }

    def closest_word_hints(
        self, kinds: dict[str, str], team_words: dict[str, dict[str, str]] | None = None
    ) -> dict[str, Callable[[str], str]]:
        """Column -> advice for a value that was not recognised: the closest known words (the team's own included)."""
        team_words = team_words or {}

        def hint(words: list[tuple[str, str]]) -> Callable[[str], str]:
            def closest(value: str) -> str:
                names = closest_words(value, words)
                return f" Closest known names: {', '.join(names)}." if names else ""

            return closest

        return {
            column: hint(self.words(kind) + list(team_words.get(column, {}).items())) for column, kind in kinds.items()
        }

    def suggest_countries(self, text: str, n: int = 3) -> list[str]:
        """The closest known country names to a spelling that was not recognised (for error messages only)."""
        return closest_words(text, self.country_words, n)

    def region_of(self) -> dict[str, str]:
        return dict(zip(self.regions["alpha3"], self.regions["region"]))

    @property
    def region_names(self) -> list[str]:
        return sorted(set(self.regions["region"]) | {OTHER_REGION})

    def eu_member(self, alpha3: pd.Series, year: pd.Series) -> pd.Series:
        """Whether each country was an EU member state in each year (accession <= year <= exit, if any)."""
        from tnr_pipeline.model.io import map_distinct

        membership = self.eu_membership.set_index("alpha3")
        accession = dict(zip(membership.index, pd.to_numeric(membership["accession_year"])))
        exits = dict(zip(membership.index, pd.to_numeric(membership["exit_year"].replace("", None))))
        first = map_distinct(alpha3, lambda code: accession.get(code, float("nan")), dtype="float64")
        last = map_distinct(alpha3, lambda code: exits.get(code, float("nan")), dtype="float64")
        return (first.notna() & (first <= year) & (last.isna() | (year <= last))).astype(bool)
