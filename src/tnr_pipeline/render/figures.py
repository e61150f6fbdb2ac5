"""Stage 4, draw_figures: the tables -> one PNG and one SVG per figure of the registry.

What belongs here: the edge of the figure step. It reads the tables it is given by name, picks what each figure
shows from the settings (the scope roles, the baseline and comparison periods), and hands the drawing functions of
`plots` and `world_map` to a pool of forked `workers`. Titles state the finding with numbers from the tables; each
source line names, in words, the raw inputs of the tables the figure is drawn from (registry.FIGURES), with their
hashes and the package version, so that a figure that travels alone says where it comes from.
"""

from __future__ import annotations

from functools import partial
from pathlib import Path

import pandas as pd

from tnr_pipeline.model import io, registry
from tnr_pipeline.model.reference import read_reference_table
from tnr_pipeline.model.settings import Analysis, SettingsError
from tnr_pipeline.render import charts, world_map
from tnr_pipeline.render.i18n import SOURCE_LANGUAGE, Language, describe_scope
from tnr_pipeline.render.layout import describe_source, plt, save_figure
from tnr_pipeline.render.pool import run_forked

STYLE = Path(__file__).with_name("figures.mplstyle")


def drawings(
    tables: dict[str, pd.DataFrame],
    typology: pd.DataFrame,
    analysis: Analysis,
    prosecutions_series: str,
    sources: dict[str, str],
    claims: pd.DataFrame,
    lang: Language,
    region_groups: pd.DataFrame | None,
    origin_country: str,
    shapes: dict | None = None,
    reconstructed: dict[str, bool] | None = None,
) -> dict:
    """Each figure of the registry as a function that draws it (slowest first, so parallel workers end together),
    in the language `lang` (`reconstructed`: whether each figure is drawn from a reconstructed input)."""
    reconstructed = reconstructed or {}
    headline = analysis.role("headline").name
    baseline, comparison = analysis.baseline, analysis.comparison
    tactic_labels = {row["code"]: lang.label(row) for row in typology.to_dict("records")}
    scope_phrases = {scope.name: describe_scope(scope, lang, tactic_labels) for scope in analysis.scopes}
    groups = region_groups if region_groups is not None else pd.DataFrame(columns=["group", "label"])
    region_labels = {row["group"]: lang.label(row) for row in groups.to_dict("records")}

    def host_country_map():
        import pycountry

        alpha2 = {c.alpha_3: c.alpha_2 for c in pycountry.countries}
        return world_map.plot_host_map(
            tables["country_summary"],
            headline,
            comparison,
            alpha2,
            shapes if shapes is not None else world_map.load_country_shapes(),
            sources["host_country_map"],
            lang,
            (alpha2.get(origin_country), lang.country_name(origin_country)),
        )

    survey_labels = {
        **{question: lang.gettext(label) for question, label in charts.SURVEY_LABELS.items()},
        **tactic_labels,
    }
    return {
        "host_country_map": host_country_map,
        "cases_per_year": lambda: charts.plot_cases_per_year(
            tables["annual_counts"],
            tables["period_summary"],
            tables["period_ratios"],
            typology,
            analysis,
            sources["cases_per_year"],
            lang,
        ),
        "countries_before_after": lambda: charts.plot_countries(
            tables["country_summary"],
            headline,
            baseline,
            comparison,
            sources["countries_before_after"],
            lang,
        ),
        "period_means": lambda: charts.plot_period_means(
            tables["period_summary"],
            tables["period_ratios"],
            analysis,
            sources["period_means"],
            lang,
            scope_phrases,
        ),
        "tactic_mix": lambda: charts.plot_tactic_mix(
            tables["period_breakdowns"],
            typology,
            headline,
            [baseline, comparison],
            sources["tactic_mix"],
            lang,
        ),
        "survey_answers": lambda: charts.plot_survey_answers(
            tables["survey_summary"], survey_labels, sources["survey_answers"], lang
        ),
        "robustness": lambda: charts.plot_robustness(
            tables["robustness"],
            tables["region_ratios"],
            claims,
            analysis,
            sources["robustness"],
            lang,
            scope_phrases,
            region_labels,
            tactic_labels,
        ),
        "prosecutions_and_cases": lambda: charts.plot_prosecutions_and_cases(
            tables["context_figures"],
            tables["annual_counts"],
            prosecutions_series,
            sources["prosecutions_and_cases"],
            lang,
            reconstructed.get("prosecutions_and_cases", False),
        ),
    }


def draw_all(
    table_paths: dict[str, str],
    editions: dict[str, dict[str, str]],
    typology_path: str,
    analysis: Analysis,
    prosecutions_series: str,
    workers: int = 1,
    claims_path: str | None = None,
    languages: dict[str, Language] | None = None,
    region_groups_path: str | None = None,
    *,
    origin_country: str,
) -> list[Path]:
    """Draw every language's figures in one process: `editions` maps a language code to the figures to draw in it
    (name -> path without extension), `languages` each code to its Language (the source language needs none). The
    tables, reference files and map outlines are read once, then the figures of every language are shared among
    `workers` forked processes. The claims file gives the report's own ratios to mark, the region groups file their
    names."""
    languages = {SOURCE_LANGUAGE: Language(SOURCE_LANGUAGE), **(languages or {})}
    needed = registry.figure_tables()
    missing = registry.missing_named("--table", needed, table_paths)
    missing += [
        f"--figure {name}: not a figure. Known: {', '.join(registry.FIGURES)}"
        for stems in editions.values()
        for name in stems
        if name not in registry.FIGURES
    ]
    missing += [f"--language {code}: no --catalogue {code}=FILE.po given" for code in editions if code not in languages]
    if missing:
        raise SettingsError(missing, "draw-figures")
    plt.style.use(STYLE)
    tables = {name: io.read_parquet(table_paths[name]) for name in needed}
    provenance = {name: io.read_provenance(table_paths[name]) for name in needed}
    typology = read_reference_table(typology_path)
    claims = read_reference_table(claims_path) if claims_path else pd.DataFrame(columns=["metric", "check", "expected"])
    region_groups = read_reference_table(region_groups_path) if region_groups_path else None
    shapes = world_map.load_country_shapes() if any("host_country_map" in stems for stems in editions.values()) else {}
    merged = {
        figure: io.merge_provenance([provenance[name] for name in names]) for figure, names in registry.FIGURES.items()
    }
    reconstructed = {
        figure: any(info.get("reconstruction") for info in meta.get("inputs_described", {}).values())
        for figure, meta in merged.items()
    }
    drawn = {}
    for code in editions:
        lang = languages[code]
        sources = {figure: describe_source(meta, lang) for figure, meta in merged.items()}
        drawn[code] = drawings(
            tables,
            typology,
            analysis,
            prosecutions_series,
            sources,
            claims,
            lang,
            region_groups,
            origin_country,
            shapes,
            reconstructed,
        )
    slowest_first = list(next(iter(drawn.values()), {}))  # every language's drawings come in the same order
    jobs = {
        (name, code): partial(_draw_and_save, drawn[code][name], editions[code][name])
        for name in slowest_first
        for code in editions
        if name in editions[code]
    }
    written = [path for paths in run_forked(jobs, workers) for path in paths]
    for folder in figure_folders(editions):
        for path in io.remove_other_files(folder, OWNED_FIGURE_FILES, written):
            print(f"draw-figures: removed {path} (not a figure of this build)")
    return written


# What the figure step owns in its folder (figures/): every drawing there and in a language's subfolder. A file of
# these that the build does not write (a language no longer in `languages`, a renamed figure) is removed.
OWNED_FIGURE_FILES = tuple(f"{prefix}*.{extension}" for prefix in ("", "*/") for extension in registry.FIGURE_FORMATS)


def figure_folders(editions: dict[str, dict[str, str]]) -> set[Path]:
    """The folders the figures are written in, as `registry.figure_stem` lays them out: the source language's
    beside its stems, another language's one level up from its own subfolder."""
    return {
        Path(stem).parent if code == SOURCE_LANGUAGE else Path(stem).parent.parent
        for code, stems in editions.items()
        for stem in stems.values()
    }


def _draw_and_save(draw, stem: str) -> list[Path]:
    return save_figure(draw(), stem)
