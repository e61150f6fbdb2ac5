"""A build leaves only its own outputs: the user's file modes, no process left running, no edition of an earlier
setting, no findings beside a removed table, no folder of the machine in any output, and its problems last on the
console."""

from __future__ import annotations

import os
import stat
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest

from helpers import copy_build, run_snakemake

pytestmark = pytest.mark.integration

OUTPUT_FOLDERS = ("data/processed", "figures", "reports")
# Snakemake's own lines after the `onerror` handler has printed: nothing of ours can come after them.
SNAKEMAKE_TRAILER = ("Complete log(s):", "Elapsed time:", "WorkflowError:", "At least one job did not complete")


# --- file modes ------------------------------------------------------------------------------------------------


# --- what a step removes ---------------------------------------------------------------------------------------


# --- paths -----------------------------------------------------------------------------------------------------


# --- the console -----------------------------------------------------------------------------------------------


# --- whole builds ----------------------------------------------------------------------------------------------


def _snakemake(workdir: Path, *args: str, umask: int = 0o022) -> subprocess.CompletedProcess:
    """A run with the given umask, its stderr in its stdout as a terminal shows them."""
    return run_snakemake(workdir, *args, umask=umask, one_stream=True)


def _outputs(workdir: Path) -> list[Path]:
    return sorted(path for folder in OUTPUT_FOLDERS for path in (workdir / folder).rglob("*") if path.is_file())


def _processes_in(folder: Path) -> list[str]:
    """The command lines of the processes of the package whose working folder is `folder`."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            cwd = os.readlink(entry / "cwd")
        except OSError:
            continue
        if ("tnr-pipeline" in command or "tnr_pipeline" in command) and Path(cwd) == folder:
            found.append(command)
    return found


def _ours(console_text: str) -> list[str]:
    """The console's lines before Snakemake's closing ones."""
    lines = console_text.rstrip("\n").splitlines()
    while lines and lines[-1].startswith(SNAKEMAKE_TRAILER):
        lines.pop()
    return lines


class Quotes(HTMLParser):
    """Each paragraph's text, with whether it sits inside a blockquote."""

    def __init__(self) -> None:
        super().__init__()
        self.depth, self.paragraphs, self._text = 0, [], None

    def handle_starttag(self, tag, attrs):
        if tag == "blockquote":
            self.depth += 1
        elif tag == "p":
            self._text = []

    def handle_endtag(self, tag):
        if tag == "blockquote":
            self.depth -= 1
        elif tag == "p" and self._text is not None:
            self.paragraphs.append(("".join(self._text).strip(), self.depth > 0))
            self._text = None

    def handle_data(self, data):
        if self._text is not None:
            self._text.append(data)


@pytest.fixture(scope="module")
def private_build(real_build):
    """The shared build made under umask 077 whose inputs are named by absolute paths outside the project, none
    described (conftest's real_build): (workdir, the inputs' folder, its settings, its console). Only read: a test
    that builds again does so in a copy (copy_build)."""
    return real_build.workdir, real_build.inputs, real_build.settings, real_build.console


@pytest.mark.integration
def test_under_umask_077_every_output_is_private(private_build):
    workdir, _, _, _ = private_build
    outputs = _outputs(workdir)
    assert len(outputs) > 40
    assert {path.relative_to(workdir).as_posix(): oct(stat.S_IMODE(path.stat().st_mode)) for path in outputs} == {
        path.relative_to(workdir).as_posix(): "0o600" for path in outputs
    }


@pytest.mark.integration
def test_after_a_build_no_process_of_the_package_is_left_running(private_build):
    workdir, _, _, _ = private_build
    assert _processes_in(workdir) == []


@pytest.mark.integration
def test_no_output_names_a_folder_of_the_machine(private_build):
    workdir, elsewhere, _, _ = private_build
    folders = {str(elsewhere).encode(), str(workdir).encode(), str(Path.home()).encode()} - {b"/"}
    for path in _outputs(workdir):
        content = path.read_bytes()
        assert not [folder for folder in folders if folder in content], path


@pytest.mark.integration
def test_a_successful_build_prints_its_summary_and_no_job_listing(private_build):
    _, _, _, printed = private_build
    assert "tnr-pipeline: findings built." in printed
    for listing in ("localrule", "Select jobs to execute", "Execute 1 jobs", "Finished jobid", "steps (100%) done"):
        assert listing not in printed
    assert len(printed.splitlines()) < 25


@pytest.mark.integration
@pytest.mark.parametrize("document", ["findings.html", "findings.ru.html"])
def test_the_opening_paragraph_is_never_inside_the_notes_of_undescribed_inputs(private_build, document):
    workdir, _, _, _ = private_build
    parser = Quotes()
    parser.feed((workdir / "reports" / document).read_text(encoding="utf-8"))
    quoted = [text for text, inside in parser.paragraphs if inside]
    markdown = (workdir / "reports" / document.replace(".html", ".md")).read_text(encoding="utf-8")
    assert len(quoted) == sum(line.startswith("> ") for line in markdown.splitlines()) == 3  # one note an input
    opening = next(text for text, inside in parser.paragraphs if not inside)
    assert opening.startswith(("Computed by tnr-pipeline", "Рассчитано"))
    assert parser.paragraphs.index((opening, False)) == len(quoted)


@pytest.mark.integration
def test_switching_languages_leaves_no_edition_of_the_old_setting(private_build, tmp_path):
    built, _, settings, _ = private_build
    workdir = copy_build(built, tmp_path / "project")
    assert (workdir / "reports" / "findings.ru.md").exists() and (workdir / "figures" / "ru").is_dir()
    result = _snakemake(workdir, "--config", *settings, "languages=[en]")
    assert result.returncode == 0, result.stdout
    assert sorted(path.name for path in (workdir / "reports").glob("findings*")) == ["findings.html", "findings.md"]
    assert not (workdir / "figures" / "ru").exists()
    assert len(list((workdir / "figures").glob("*.png"))) == len(list((workdir / "figures").glob("*.svg"))) > 0


@pytest.mark.integration
def test_a_failed_strict_check_leaves_no_findings_and_ends_with_its_problems(private_build, tmp_path):
    built, _, settings, _ = private_build
    workdir = copy_build(built, tmp_path / "project")
    result = _snakemake(workdir, "--config", *settings, "strict_claims=true")
    assert result.returncode == 1
    assert not (workdir / "data" / "processed" / "claims.parquet").exists()
    assert list((workdir / "reports").glob("findings*")) == [] and not (workdir / "reports" / "summary.txt").exists()
    ours = _ours(result.stdout)
    problems = (workdir / "logs" / "check_claims.problems.txt").read_text(encoding="utf-8").splitlines()
    assert problems[0].startswith("tnr-pipeline check-claims:") and "strict_claims" in problems[0]
    assert ours[-len(problems) :] == problems
    command_lines = [line for line in ours if "tnr-pipeline check-claims " in line]
    assert len(command_lines) <= 1  # the long shell command at most once


@pytest.mark.integration
def test_a_bad_sheet_ends_the_console_with_its_problems(private_build, tmp_path):
    built, elsewhere, settings, _ = private_build
    workdir = copy_build(built, tmp_path / "project")
    lines = (elsewhere / "cases.csv").read_text(encoding="utf-8").splitlines()
    header = lines[0].split(",")
    first = lines[1].split(",")
    first[header.index("year")] = "twenty"
    bad = tmp_path / "bad.csv"
    bad.write_text("\n".join([lines[0], ",".join(first), *lines[2:]]) + "\n", encoding="utf-8")
    result = _snakemake(workdir, "--config", *settings[1:], f"raw_cases={bad}", "languages=[en]")
    assert result.returncode == 1
    ours = _ours(result.stdout)
    problems = (workdir / "logs" / "validate_cases.problems.txt").read_text(encoding="utf-8").splitlines()
    assert 'row 2, column "year": "twenty"' in "\n".join(problems)
    assert ours[-len(problems) :] == problems
    assert sum("tnr-pipeline validate-cases " in line for line in ours) <= 1
    assert "check_claims failed" not in "\n".join(ours)  # an earlier build's problems are not this one's
