"""The `tnr-pipeline` command itself: its exit status and output survive ending the process without teardown."""

from __future__ import annotations

import csv
import shutil
import subprocess
from pathlib import Path

import pytest

from helpers import ROOT, SHIPPED, pipeline_env

pytestmark = pytest.mark.integration


def tnr_pipeline(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    """The installed console script, with Python's output buffered as it is outside this test environment."""
    env = pipeline_env()
    env.pop("PYTHONUNBUFFERED", None)
    command = shutil.which("tnr-pipeline", path=env["PATH"])
    assert command, "the tnr-pipeline console script is not installed"
    with open(cwd / "stdout.txt", "w") as stdout:  # a file, as under Snakemake: block-buffered
        done = subprocess.run(
            [command, *args], cwd=cwd, env=env, stdout=stdout, stderr=subprocess.PIPE, text=True, timeout=120
        )
    return subprocess.CompletedProcess(done.args, done.returncode, (cwd / "stdout.txt").read_text(), done.stderr)


@pytest.mark.integration
def test_a_step_writes_its_output_reports_and_exits_zero(tmp_path):
    done = tnr_pipeline(
        "validate-context",
        "--input",
        str(ROOT / "data" / "raw" / "context_figures.csv"),
        "--output",
        "context.parquet",
        "--problems",
        "problems.txt",
        cwd=tmp_path,
    )
    assert done.returncode == 0, done.stderr
    assert "validate-context:" in done.stdout
    assert (tmp_path / "context.parquet").stat().st_size > 0


@pytest.mark.integration
def test_a_step_on_bad_input_exits_one_with_its_message(tmp_path):
    with open(SHIPPED / "context_figures.csv", encoding="utf-8", newline="") as handle:
        header, first = list(csv.reader(handle))[:2]
    first[header.index("value")] = "many"
    with open(tmp_path / "context.csv", "w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows([header, first])
    done = tnr_pipeline(
        "validate-context",
        "--input",
        "context.csv",
        "--output",
        "context.parquet",
        "--problems",
        "problems.txt",
        cwd=tmp_path,
    )
    assert done.returncode == 1
    assert 'row 2, column "value": "many"' in done.stderr
    assert not (tmp_path / "context.parquet").exists()
