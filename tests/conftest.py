"""Shared test fixtures: the reference data, the default settings and small case sheets built inline."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from tnr_pipeline.model.reference import Reference
from tnr_pipeline.model.settings import parse_analysis, parse_periods, parse_scopes

ROOT = Path(__file__).resolve().parents[1]
# The inputs the tests pin numbers on: a frozen, byte-identical copy of data/raw and data/claims.csv as shipped
# (tests/data/README.md). data/raw may change freely; the tests of the real inputs (test_real_data.py) check only
# properties of them.
SHIPPED = ROOT / "tests" / "data" / "shipped"
RAW = ROOT / "data" / "raw"


def pytest_collection_modifyitems(config, items):
    """Under mutmut (`make mutation`), the tests of a mutant run fastest first, by the durations mutmut recorded
    (mutants/mutmut-stats.json): it stops at the first failure, so a killed mutant costs its quickest killing test."""
    recorded = Path("mutmut-stats.json")  # mutmut runs the tests from the mutants/ folder
    if "MUTANT_UNDER_TEST" not in os.environ or not recorded.is_file():
        return
    durations = json.loads(recorded.read_text(encoding="utf-8")).get("duration_by_test", {})
    items.sort(key=lambda item: durations.get(item.nodeid, 0.0))


def examples(n: int) -> int:
    """How many examples a property test generates: n, or a tenth of it (at least 10) when mutmut runs the test
    against a mutant (`make mutation`), so that a mutation run fits in minutes."""
    return max(10, n // 10) if "MUTANT_UNDER_TEST" in os.environ else n


PERIODS_JSON = json.dumps(
    {
        "pre_war": {"label": "Pre-war", "first_year": 2014, "last_year": 2021},
        "post_invasion": {"label": "Post-invasion", "first_year": 2022, "last_year": 2024},
    }
)
SCOPES_JSON = json.dumps(
    {
        "all": {"label": "All cases"},
        "excluding_denial_of_entry": {"label": "Excluding DoE", "exclude_tactics": ["denial_of_entry"]},
        "freedom_house_physical": {"label": "FH physical", "fh_counted_only": True},
    }
)
ANALYSIS = {
    "periods": json.loads(PERIODS_JSON),
    "baseline": "pre_war",
    "comparison": "post_invasion",
    "scopes": json.loads(SCOPES_JSON),
    "confidence_level": 0.95,
    "baseline_starts": [2016, 2018],
    "scope_roles": {
        "headline": "all",
        "without_denial_of_entry": "excluding_denial_of_entry",
        "freedom_house": "freedom_house_physical",
    },
}
ANALYSIS_JSON = json.dumps(ANALYSIS)
MARKER = "PERSONAL-MARKER-7f3a"

# A small valid sheet: 12 cases in 6 countries, with labels, odd spellings, and a personal column.
SMALL_SHEET = pd.DataFrame(
    [
        ["K-01", "2015", "2015-03-01", "Kazakhstan", "Detention", "Activist", "verified", f"{MARKER} Ivanov"],
        ["K-02", "2019", "", "kz", "extradition request", "journalist", "Single source", f"{MARKER} notes"],
        ["K-03", "2021", "", "KAZ", "detention", "lawyer", "unverified", ""],
        ["G-01", "2022", "2022-04-10", "Georgia", "Denial of Entry", "Activist", "verified", f"{MARKER}"],
        ["G-02", "2022", "", " georgia ", "denial_of_entry", "Human rights defender", "verified", ""],
        ["G-03", "2023", "", "GEO", "DENIAL OF ENTRY", "politician", "single_source", ""],
        ["A-01", "2022", "", "Armenia", "detention", "deserter", "verified", ""],
        ["A-02", "2024", "2024-12-31", "ARM", "Detention", "other", "verified", ""],
        ["P-01", "2024", "", "Poland", "Unlawful deportation", "unknown", "verified", ""],
        ["E-01", "2024", "", "Spain", "assassination", "politician", "verified", ""],
        ["T-01", "2023", "", "Turkey", "coercion by proxy", "journalist", "unverified", ""],
        ["U-01", "2018", "", "UK", "Assault", "activist", "verified", ""],
    ],
    columns=["case_id", "year", "date", "host_country", "tactic", "target_profile", "verification", "full_name"],
)


@pytest.fixture(scope="session")
def reference() -> Reference:
    return Reference()


@pytest.fixture(scope="session")
def periods():
    return parse_periods(PERIODS_JSON)


@pytest.fixture(scope="session")
def scopes():
    return parse_scopes(SCOPES_JSON)


@pytest.fixture(scope="session")
def analysis():
    return parse_analysis(ANALYSIS_JSON)


def write_csv(frame: pd.DataFrame, path: Path, sep: str = ",", bom: bool = False) -> Path:
    frame.to_csv(path, sep=sep, index=False, encoding="utf-8-sig" if bom else "utf-8")
    return path


def write_xlsx(frame: pd.DataFrame, path: Path) -> Path:
    """Write a sheet as a person's spreadsheet would hold it: numbers as numbers, dates as dates."""
    typed = frame.copy()
    typed["year"] = [int(v) if str(v).isdigit() else v for v in typed["year"]]
    if "date" in typed:
        typed["date"] = [pd.Timestamp(v) if v else None for v in typed["date"]]
    typed.to_excel(path, index=False, sheet_name="cases")
    return path


def pipeline_env() -> dict[str, str]:
    """The environment for running snakemake and tnr-pipeline from the test's interpreter."""
    env = dict(os.environ)
    env["PATH"] = str(Path(sys.executable).parent) + os.pathsep + env.get("PATH", "")
    return env


def copy_project(destination: Path, inputs: Path = SHIPPED, claims: Path = SHIPPED / "claims.csv") -> Path:
    """A copy of the workflow (Snakefile, config, profile, package sources) without any outputs, with the inputs
    other than the cases (survey, context figures, their data package) from `inputs` in its data/raw and the claims
    ledger `claims` as its data/claims.csv: by default the frozen copy of the shipped inputs (SHIPPED)."""
    destination.mkdir(parents=True, exist_ok=True)
    for name in ("Snakefile", "config.yaml", "config.schema.yaml"):
        shutil.copy(ROOT / name, destination / name)
    (destination / "data").mkdir(parents=True, exist_ok=True)
    shutil.copy(claims, destination / "data" / "claims.csv")
    for folder in ("profiles", "src", "templates"):
        if (ROOT / folder).exists():
            shutil.copytree(
                ROOT / folder, destination / folder, ignore=shutil.ignore_patterns("__pycache__", "*.egg-info")
            )
    (destination / "data" / "raw").mkdir(parents=True)
    for name in ("survey.csv", "context_figures.csv", "datapackage.json"):
        shutil.copy(inputs / name, destination / "data" / "raw" / name)
    return destination


def run_snakemake(workdir: Path, *args: str, timeout: int = 600) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "snakemake", *args],
        cwd=workdir,
        env=pipeline_env(),
        capture_output=True,
        text=True,
        timeout=timeout,
    )


@pytest.fixture(scope="session")
def shipped_build(tmp_path_factory) -> tuple[Path, str]:
    """One full build on the frozen copy of the shipped data (SHIPPED), shared by every test that only reads its
    outputs: built once per test run, by whichever pytest-xdist worker asks first (the others wait for it), in a
    folder no test writes to."""
    import fcntl

    root = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        root = root.parent  # the folder the workers of one run share
    workdir, done = root / "shipped-build", root / "shipped-build.output"
    with open(root / "shipped-build.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not done.exists():
            shutil.rmtree(workdir, ignore_errors=True)
            copy_project(workdir)
            shutil.copy(SHIPPED / "cases.csv", workdir / "data" / "raw" / "cases.csv")
            result = run_snakemake(workdir)
            assert result.returncode == 0, result.stdout + result.stderr
            done.write_text(result.stdout + result.stderr, encoding="utf-8")
    return workdir, done.read_text(encoding="utf-8")
