"""Rerun correctness: each rule declares exactly the package modules its step imports, so editing a module reruns
exactly the steps that use it (and what is built from their outputs), and nothing else."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from helpers import SNAKEMAKE_IMPORTS, copy_build, pipeline_env, run_snakemake, run_snakemake_process

pytestmark = pytest.mark.integration
MODULE = re.compile(r"\|\s*(tnr_pipeline(?:\.\w+)*)\s*$", re.M)


@pytest.fixture(scope="module")
def built(shipped_build, tmp_path_factory):
    """A copy of the shared build (its outputs, times and Snakemake's records kept), whose step logs hold each
    step's import trace: the tests here edit its files."""
    shared, _ = shipped_build
    workdir = copy_build(shared, tmp_path_factory.mktemp("reruns") / "project")
    summary = run_snakemake(workdir, "--detailed-summary")
    assert summary.returncode == 0, summary.stderr
    rules: dict[str, dict] = {}
    for line in summary.stdout.splitlines()[1:]:
        output, _, rule, log, inputs, *_ = line.split("\t")
        entry = rules.setdefault(rule, {"outputs": set(), "inputs": set(), "log": log})
        entry["outputs"].add(output)
        entry["inputs"].update(i for i in inputs.split(",") if i)
    imported = {}
    for rule, entry in rules.items():
        if rule == "all":
            continue
        trace = (workdir / entry["log"]).read_text()
        imported[rule] = {_module_file(workdir, module) for module in MODULE.findall(trace)}
    return workdir, rules, imported


def _module_file(workdir: Path, module: str) -> str:
    """tnr_pipeline.model.io -> src/tnr_pipeline/model/io.py; a package -> its __init__.py."""
    path = "/".join(["src", *module.split(".")])
    return f"{path}/__init__.py" if (workdir / path).is_dir() else f"{path}.py"


def imported_libraries(trace: str, *names: str) -> list[str]:
    """Which of these top-level libraries an import trace (PYTHONPROFILEIMPORTTIME) shows being imported."""
    return re.findall(rf"\|\s*({'|'.join(names)})\s*$", trace, re.M)


DATA_LIBRARIES = ("pandas", "pandera", "matplotlib", "scipy")


def _downstream(rules: dict, start: set[str]) -> set[str]:
    """The rules in `start` and every rule that consumes, directly or not, one of their outputs."""
    found = set(start)
    changed = True
    while changed:
        changed = False
        for rule, entry in rules.items():
            if (
                rule not in found
                and rule != "all"
                and any(entry["inputs"] & rules[other]["outputs"] for other in found)
            ):
                found.add(rule)
                changed = True
    return found


def _planned(workdir: Path) -> set[str]:
    result = run_snakemake(workdir, "-n", "--workflow-profile", "profiles/verbose")  # the default profile lists no jobs
    assert result.returncode == 0, result.stderr
    output = result.stdout + result.stderr
    table = re.search(r"Job stats:\n(.*?)\n\n", result.stdout + "\n\n", re.S)
    if not table:
        assert "Nothing to be done" in output, f"no job list and no 'Nothing to be done' in the dry run:\n{output}"
        return set()
    return {
        row.split()[0]
        for row in table.group(1).splitlines()[2:]
        if row.split() and row.split()[0] not in ("total", "all")
    }


def test_each_rule_declares_exactly_the_modules_its_step_imports(built):
    _, rules, imported = built
    problems = []
    for rule, modules in imported.items():
        declared = {i for i in rules[rule]["inputs"] if i.startswith("src/tnr_pipeline/") and i.endswith(".py")}
        if declared != modules:
            problems.append(f"{rule}: missing {sorted(modules - declared)}, extra {sorted(declared - modules)}")
    assert problems == []


def test_report_step_imports_no_pandas_pandera_or_matplotlib(built):
    workdir, rules, _ = built
    trace = (workdir / rules["render_findings"]["log"]).read_text()
    assert (
        "render-findings: wrote reports/findings.md" in trace
        and "render-findings: wrote reports/findings.ru.md" in trace
    )
    assert not imported_libraries(trace, "pandas", "pandera", "matplotlib")


def test_snakemake_itself_imports_no_pandas_pandera_matplotlib_or_scipy(built):
    """Only the steps pay for the data libraries: Snakemake's process neither in a build nor in a no-op run."""
    workdir, _, _ = built
    build_trace = (workdir / SNAKEMAKE_IMPORTS).read_text()
    assert "| snakemake" in build_trace
    assert not imported_libraries(build_trace, *DATA_LIBRARIES)
    noop = run_snakemake_process(workdir, env={**pipeline_env(), "PYTHONPROFILEIMPORTTIME": "1"})
    assert noop.returncode == 0, noop.stderr[-3000:]
    assert "Nothing to be done" in noop.stderr
    assert not imported_libraries(noop.stderr, *DATA_LIBRARIES)


def test_nothing_to_do_after_a_build(built):
    workdir, _, _ = built
    assert _planned(workdir) == set()


EDITS = [
    "cli",
    "stages/options",
    "stages/validate_cases",
    "stages/compute_statistics",
    "stages/render_findings",
    "render/findings",
    "render/figures",
    "render/charts",
    "render/world_map",
    "render/layout",
    "render/notices",
    "render/pool",
    "render/i18n",
    "model/registry",
    "model/settings",
    "model/io",
    "model/reference",
    "analysis/stats",
    "analysis/claims/notation",
    "analysis/claims/measures",
    "analysis/claims/sheet",
    "analysis/claims/verdicts",
    "analysis/tables",
    "inputs/cases",
    "inputs/survey",
    "inputs/context",
    "inputs/schemas",
    "inputs/validation",
    "inputs/descriptions",
]


@pytest.mark.parametrize("module", EDITS)
def test_editing_a_module_reruns_exactly_the_steps_that_use_it(built, module):
    workdir, rules, imported = built
    path = workdir / "src" / "tnr_pipeline" / f"{module}.py"
    users = {rule for rule, modules in imported.items() if f"src/tnr_pipeline/{module}.py" in modules}
    assert users, f"no step imports {module}"
    before = path.stat()
    text = path.read_text()
    try:
        path.write_text(text + "\n# an edit\n")
        assert _planned(workdir) == _downstream(rules, users)
    finally:
        path.write_text(text)
        os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert _planned(workdir) == set()


@pytest.mark.parametrize(
    "relative, first",
    [
        ("templates/findings.md.j2", {"render_findings"}),
        ("src/tnr_pipeline/render/figures.mplstyle", {"draw_figures"}),
        # the figures mark the report's ratios; the documents quote the claims' Russian words
        (
            "data/claims.csv",
            {"check_claims", "draw_figures", "render_findings"},
        ),
        ("data/raw/survey.csv", {"summarise_survey"}),
        # one process per stage draws and renders every language: a catalogue edit reruns both
        ("src/tnr_pipeline/locale/ru/LC_MESSAGES/messages.po", {"draw_figures", "render_findings"}),
    ],
)
def test_editing_a_template_style_or_data_file_reruns_only_what_depends_on_it(built, relative, first):
    workdir, rules, _ = built
    path = workdir / relative
    before = path.stat()
    text = path.read_text()
    try:
        path.write_text(text + ("\n" if relative.endswith(".csv") else "\n# an edit\n"))
        planned = _planned(workdir)
        assert planned == _downstream(rules, first)
        if relative.startswith("templates"):  # every language's documents, and no figure
            assert planned == {"render_findings"}
        if relative.endswith(".po"):  # the figures and documents, never the statistics
            assert planned == {"draw_figures", "render_findings"}
    finally:
        path.write_text(text)
        os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
