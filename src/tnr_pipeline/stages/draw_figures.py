"""draw_figures: the statistics tables -> every figure as PNG and SVG, in every language.

Load the tables and reference files once, draw each figure in each language (`render.figures`), save them, and
remove the figures of an earlier build that this one does not draw (a language no longer in `languages`).
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass, field

from tnr_pipeline.stages import options

COMMAND = "draw-figures"


@dataclass(frozen=True)
class Step:
    """What draw_figures reads and the settings it applies."""

    table_paths: dict[str, str]
    editions: dict[str, dict[str, str]]  # language -> figure name -> path without extension
    typology_path: str
    analysis: object  # model.settings.Analysis
    prosecutions_series: str
    workers: int = 1
    claims_path: str | None = None
    languages: dict | None = None  # language -> render.i18n.Language
    region_groups_path: str | None = None
    origin_country: str = field(kw_only=True)  # config origin_country: the map draws it as the origin state


def register(subparsers) -> None:
    options.add_step(
        subparsers,
        COMMAND,
        run,
        "draw every figure as PNG and SVG from the tables",
        (
            "--problems",
            "--table",
            "--figure",
            "--typology",
            "--analysis",
            "--prosecutions-series",
            "--language",
            "--catalogue",
            "--origin-country",
        ),
        {
            "--workers": {"type": int, "default": 1, "help": "figures drawn at once, in forked processes"},
            "--claims": {"default": None, "help": "the claims file: the report's own ratios are marked from it"},
            "--region-groups": {
                "default": None,
                "help": "region groups CSV: the groups' names on the robustness figure",
            },
        },
    )


def run(args: argparse.Namespace) -> None:
    languages = options.languages(args)
    stems = {
        code: options.parse_named(values, "--figure")
        for code, values in options.by_language(args.figure, languages).items()
    }
    step = Step(
        options.parse_named(args.table, "--table"),
        stems,
        args.typology,
        options.analysis(args, typology=args.typology),
        args.prosecutions_series,
        args.workers,
        args.claims,
        languages,
        args.region_groups,
        origin_country=args.origin_country,
    )
    written = execute(step)
    print(f"{COMMAND}: {len(written)} files written ({', '.join(languages)})")


def execute(step: Step) -> list:
    """Draw and save every language's figures; returns the files written."""
    from tnr_pipeline.render.figures import draw_all

    return draw_all(
        step.table_paths,
        step.editions,
        step.typology_path,
        step.analysis,
        step.prosecutions_series,
        step.workers,
        step.claims_path,
        step.languages,
        step.region_groups_path,
        origin_country=step.origin_country,
    )
