"""A build leaves only its own outputs: the user's file modes, no process left running, no edition of an earlier
setting, no findings beside a removed table, no folder of the machine in any output, and its problems last on the
console."""

from __future__ import annotations

import logging
import os
import shutil
import stat
import subprocess
import time
from html.parser import HTMLParser
from pathlib import Path

import pytest

from helpers import ROOT, copy_project, pipeline_env
from tnr_pipeline.model import io
from tnr_pipeline.workflow import console
from tnr_pipeline.workflow.snakemake_patches import _is_scheduler_round, hide_scheduler_rounds

OUTPUT_FOLDERS = ("data/processed", "figures", "reports")
# Snakemake's own lines after the `onerror` handler has printed: nothing of ours can come after them.
SNAKEMAKE_TRAILER = ("Complete log(s):", "Elapsed time:", "WorkflowError:", "At least one job did not complete")


# --- file modes ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("umask", "mode"), [(0o022, 0o644), (0o077, 0o600), (0o002, 0o664)])
def test_a_file_written_atomically_gets_the_mode_a_plain_open_would(tmp_path, umask, mode):
    previous = os.umask(umask)
    try:
        io.write_text(tmp_path / "written.txt", "text\n")
        with open(tmp_path / "opened.txt", "w") as handle:
            handle.write("text\n")
    finally:
        os.umask(previous)
    assert stat.S_IMODE((tmp_path / "written.txt").stat().st_mode) == mode
    assert stat.S_IMODE((tmp_path / "opened.txt").stat().st_mode) == mode


# --- what a step removes ---------------------------------------------------------------------------------------


def test_other_files_of_the_owned_names_are_removed_and_emptied_folders_with_them(tmp_path):
    for name in ("a.png", "a.svg", "old.png", "notes.txt", "ru/a.png", "ru/a.svg", "de/a.png"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("x")
    keep = [tmp_path / "a.png", tmp_path / "a.svg", tmp_path / "ru" / "a.png", tmp_path / "ru" / "a.svg"]
    removed = io.remove_other_files(tmp_path, ("*.png", "*.svg", "*/*.png", "*/*.svg"), keep)
    assert removed == [tmp_path / "de" / "a.png", tmp_path / "old.png"]
    assert not (tmp_path / "de").exists()
    assert (tmp_path / "notes.txt").exists()  # not a name the step owns
    assert all(path.exists() for path in keep)


def test_findings_are_removed_when_a_table_they_read_is_missing(tmp_path, capsys):
    documents = [tmp_path / "findings.md", tmp_path / "summary.txt"]
    for path in documents:
        path.write_text("x")
    table = tmp_path / "claims.parquet"
    table.write_text("x")
    assert console.remove_findings_without_tables(documents, [table]) == []
    assert all(path.exists() for path in documents)
    table.unlink()
    assert console.remove_findings_without_tables(documents, [table]) == [str(path) for path in documents]
    assert not any(path.exists() for path in documents)
    assert "Removed the findings of an earlier build" in capsys.readouterr().out


# --- paths -----------------------------------------------------------------------------------------------------


def test_an_input_is_named_without_any_folder_of_the_machine(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "data").mkdir()
    assert io.public_path("data/raw/cases.csv") == "data/raw/cases.csv"
    assert io.public_path(tmp_path / "data" / "cases.csv") == "data/cases.csv"
    assert io.public_path("/home/someone/private/cases.xlsx") == "cases.xlsx"
    assert io.public_path("../elsewhere/cases.csv") == "cases.csv"
    meta = io.provenance({"/home/someone/cases.csv": "abc"}, {}, {"/home/someone/cases.csv": {"described": False}})
    assert meta["inputs_sha256"] == {"cases.csv": "abc"}
    assert meta["inputs_described"] == {"cases.csv": {"described": False}}


# --- the console -----------------------------------------------------------------------------------------------


def test_the_problems_files_of_this_build_are_printed_and_older_ones_are_not(tmp_path, capsys):
    (tmp_path / "old_step.problems.txt").write_text("an old problem\n")
    os.utime(tmp_path / "old_step.problems.txt", (1, 1))
    (tmp_path / "validate_cases.problems.txt").write_text("cases.csv: 1 problem found.\n  - row 2\n")
    assert console.print_failures(tmp_path, since=time.time() - 60) == ["validate_cases"]
    printed = capsys.readouterr().out
    assert printed.endswith("cases.csv: 1 problem found.\n  - row 2\n")
    assert "an old problem" not in printed


def test_the_scheduler_rounds_are_hidden_only_when_the_progress_is(monkeypatch):
    def record(message: str) -> logging.LogRecord:
        return logging.LogRecord("snakemake.logging", logging.INFO, __file__, 1, message, (), None)

    assert _is_scheduler_round(record("Select jobs to execute..."))
    assert _is_scheduler_round(record("Execute 2 jobs..."))
    assert not _is_scheduler_round(record("Execute the plan"))
    assert not _is_scheduler_round(record("Building DAG of jobs..."))
    logger = logging.getLogger("snakemake.logging")
    monkeypatch.setattr(logger, "filters", [])
    assert not hide_scheduler_rounds(["rules"])
    assert not hide_scheduler_rounds(["progress"], verbose=True)
    assert hide_scheduler_rounds(["progress", "rules"])
    assert not logger.filter(record("Select jobs to execute..."))
    assert logger.filter(record("Building DAG of jobs..."))


# --- whole builds ----------------------------------------------------------------------------------------------


def _snakemake(workdir: Path, *args: str, umask: int = 0o022) -> subprocess.CompletedProcess:
    return subprocess.run(
        [shutil.which("snakemake", path=pipeline_env()["PATH"]), *args],
        cwd=workdir,
        env=pipeline_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,  # one stream, in the order a terminal shows it
        text=True,
        timeout=600,
        preexec_fn=lambda: os.umask(umask),
    )


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
def private_build(tmp_path_factory):
    """A build under umask 077 whose inputs are named by absolute paths outside the project, none described."""
    workdir = copy_project(tmp_path_factory.mktemp("hygiene") / "project")
    elsewhere = tmp_path_factory.mktemp("someone-private-folder")
    for name in ("cases.csv", "survey.csv", "context_figures.csv"):
        shutil.copy(ROOT / "data" / "raw" / name, elsewhere / name)
    shutil.copy(ROOT / "data" / "claims.csv", elsewhere / "claims.csv")
    settings = [
        f"raw_cases={elsewhere / 'cases.csv'}",
        f"raw_survey={elsewhere / 'survey.csv'}",
        f"raw_context={elsewhere / 'context_figures.csv'}",
        f"claims={elsewhere / 'claims.csv'}",
        "input_descriptions=null",
    ]
    result = _snakemake(workdir, "--config", *settings, umask=0o077)
    assert result.returncode == 0, result.stdout
    return workdir, elsewhere, settings, result


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
    _, _, _, result = private_build
    printed = result.stdout
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
def test_switching_languages_leaves_no_edition_of_the_old_setting(private_build):
    workdir, _, settings, _ = private_build
    assert (workdir / "reports" / "findings.ru.md").exists() and (workdir / "figures" / "ru").is_dir()
    result = _snakemake(workdir, "--config", *settings, "languages=[en]")
    assert result.returncode == 0, result.stdout
    assert sorted(path.name for path in (workdir / "reports").glob("findings*")) == ["findings.html", "findings.md"]
    assert not (workdir / "figures" / "ru").exists()
    assert len(list((workdir / "figures").glob("*.png"))) == len(list((workdir / "figures").glob("*.svg"))) > 0


@pytest.mark.integration
def test_a_failed_strict_check_leaves_no_findings_and_ends_with_its_problems(private_build):
    workdir, _, settings, _ = private_build
    result = _snakemake(workdir, "--config", *settings, "languages=[en]", "strict_claims=true")
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
    workdir, elsewhere, settings, _ = private_build
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
