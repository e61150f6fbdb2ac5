"""check-translations: a language's catalogue translates every message, and none is fuzzy (the build checks it too)."""

from __future__ import annotations

import argparse

from tnr_pipeline.stages import options

COMMAND = "check-translations"


def register(subparsers) -> None:
    options.add_step(
        subparsers,
        COMMAND,
        run,
        "check a language's catalogue: every message translated, none fuzzy (the build checks it too)",
        (),
        {"--catalogue": {**options.REQUIRED, "help": "the catalogue to check (.po)"}},
    )


def run(args: argparse.Namespace) -> None:
    from tnr_pipeline.model.settings import SettingsError
    from tnr_pipeline.render.i18n import catalogue_problems

    problems = catalogue_problems(args.catalogue)
    if problems:
        raise SettingsError(problems, f"catalogue {args.catalogue}")
    print(f"{COMMAND}: {args.catalogue} translates every message")
