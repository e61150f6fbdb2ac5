"""The command line: `tnr-pipeline STEP ...`, one subcommand per pipeline stage (and two tools).

What belongs here: finding the subcommand's module, which registers its options and runs it, and the exit status.
Only the named step's module is imported (with the standard library), so a step pays only for the libraries it
uses. Exit status: 0 on success, 1 when the input or the settings have problems (listed on stderr and in the step's
problems file), 2 on usage errors.
"""

from __future__ import annotations

import argparse
import os
import sys
import traceback
from pathlib import Path

# Every subcommand and the module that registers and runs it: the eight stages, one per Snakemake rule, then the tools.
COMMANDS = {
    "validate-cases": "tnr_pipeline.stages.validate_cases",
    "summarise-survey": "tnr_pipeline.stages.summarise_survey",
    "validate-context": "tnr_pipeline.stages.validate_context",
    "compute-statistics": "tnr_pipeline.stages.compute_statistics",
    "check-claims": "tnr_pipeline.stages.check_claims",
    "draw-figures": "tnr_pipeline.stages.draw_figures",
    "render-findings": "tnr_pipeline.stages.render_findings",
    "describe-outputs": "tnr_pipeline.stages.describe_outputs",
    "check-translations": "tnr_pipeline.tools.check_translations",
    "diff": "tnr_pipeline.tools.diff",
}


def build_parser(step: str | None = None) -> argparse.ArgumentParser:
    """The parser of every subcommand, or of `step` alone (only its module is imported)."""
    parser = argparse.ArgumentParser(prog="tnr-pipeline", description=__doc__.splitlines()[0])
    steps = parser.add_subparsers(dest="step", required=True, metavar="STEP")
    for name, module in COMMANDS.items():
        if step in (None, name):
            __import__(module)  # not importlib.import_module: Python's import-time trace (tests/test_reruns.py) sees it
            sys.modules[module].register(steps)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run a step. Exit status 1 with the problems on stderr when the input or the settings have problems; the step's
    problems file (`--problems`) then holds them too, and only then (the build's end prints it)."""
    argv = sys.argv[1:] if argv is None else argv
    args = build_parser(argv[0] if argv and argv[0] in COMMANDS else None).parse_args(argv)
    from tnr_pipeline.model.errors import UserError

    problems = getattr(args, "problems", None)
    if problems:
        Path(problems).unlink(missing_ok=True)
    try:
        args.action(args)
    except UserError as error:  # a sheet, a setting, a claims row, a strict claim failing, an input description
        message = error.for_console(args.step)
    except BaseException:  # a bug: its traceback, in the problems file too
        if problems:
            _write_problems(problems, traceback.format_exc())
        raise
    else:
        return 0
    print(message, file=sys.stderr)
    if problems:
        _write_problems(problems, message + "\n")
    return 1


def _write_problems(path: str, text: str) -> None:
    from tnr_pipeline.model.io import write_text

    write_text(path, text)


def run_and_exit() -> None:
    """The `tnr-pipeline` command: run a step, then end the process without tearing the interpreter down.

    A step's process exists only to run that step. Once its files are written (atomically, and closed) and its
    output flushed, freeing every object of pandas, pandera, matplotlib and the rest would only cost time. An
    exception still ends the process the normal way, with its traceback and a non-zero status.

    Where hypothesis is installed (the test tools), pandera imports it for a data synthesis no step uses: about 0.2 s
    of every step that validates a table. A step runs without it, as in the build's own environment, where it is not
    installed (pandera then leaves synthesis out).
    """
    sys.modules.setdefault("hypothesis", None)  # `import hypothesis` then raises ImportError, which pandera expects
    code = main()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


if __name__ == "__main__":
    run_and_exit()
