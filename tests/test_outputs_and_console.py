"""What a step leaves behind and prints, step by step without a build: files written atomically get the mode a plain
open would, other files of the owned names are removed, findings go when a table they read is missing, inputs are
named without any folder of the machine, and only this build's problems files are printed. The same on whole builds
is in tests/integration/test_build_hygiene.py."""

from __future__ import annotations

import os
import stat
import time

import pytest

from tnr_pipeline.model import io
from tnr_pipeline.workflow import console


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


def test_the_problems_files_of_this_build_are_printed_and_older_ones_are_not(tmp_path, capsys):
    (tmp_path / "old_step.problems.txt").write_text("an old problem\n")
    os.utime(tmp_path / "old_step.problems.txt", (1, 1))
    (tmp_path / "validate_cases.problems.txt").write_text("cases.csv: 1 problem found.\n  - row 2\n")
    assert console.print_failures(tmp_path, since=time.time() - 60) == ["validate_cases"]
    printed = capsys.readouterr().out
    assert printed.endswith("cases.csv: 1 problem found.\n  - row 2\n")
    assert "an old problem" not in printed
