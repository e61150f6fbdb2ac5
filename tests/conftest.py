"""The fixtures and pytest hooks of the tests: the reference data, the default settings and one shared build of the
shipped data. What they are built from (constants, sheets, builders) is in helpers.py."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from helpers import (
    ANALYSIS_JSON,
    PERIODS_JSON,
    SCOPES_JSON,
    SMALL_SHEET,
    RealBuild,
    SmallBuild,
    build_real,
    build_shipped,
    build_small,
    cases_from,
    real_inputs_of,
    real_settings,
    small_settings,
    small_sheet_of,
    write_csv,
)
from tnr_pipeline.model.reference import Reference
from tnr_pipeline.model.settings import parse_analysis, parse_periods, parse_scopes


def pytest_collection_modifyitems(config, items):
    """Under mutmut (`make mutation`), the tests of a mutant run fastest first, by the durations mutmut recorded
    (mutants/mutmut-stats.json): it stops at the first failure, so a killed mutant costs its quickest killing test."""
    recorded = Path("mutmut-stats.json")  # mutmut runs the tests from the mutants/ folder
    if "MUTANT_UNDER_TEST" not in os.environ or not recorded.is_file():
        return
    durations = json.loads(recorded.read_text(encoding="utf-8")).get("duration_by_test", {})
    items.sort(key=lambda item: durations.get(item.nodeid, 0.0))


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


def _built_once(tmp_path_factory, name: str, build) -> tuple[Path, str]:
    """A build made once per test run by `build(workdir)` (which returns its console), by whichever pytest-xdist
    worker asks first (the others wait for it), in a folder no test writes to: its folder and console."""
    import fcntl

    root = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        root = root.parent  # the folder the workers of one run share
    workdir, done = root / name, root / f"{name}.output"
    with open(root / f"{name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not done.exists():
            shutil.rmtree(workdir, ignore_errors=True)
            done.write_text(build(workdir), encoding="utf-8")
    return workdir, done.read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def shipped_build(tmp_path_factory) -> tuple[Path, str]:
    """One full build on the frozen copy of the shipped data (SHIPPED), shared by every test that only reads its
    outputs (and copied, with copy_build, by a test that changes one thing and rebuilds)."""
    return _built_once(tmp_path_factory, "shipped-build", build_shipped)


@pytest.fixture(scope="session")
def small_build(tmp_path_factory) -> SmallBuild:
    """One full build from clean, in English only, of the small sheet (SMALL_SHEET) as a CSV outside the project,
    which no input description describes: its folder, console, sheet and settings (give them again to build in a
    copy)."""
    workdir, console = _built_once(tmp_path_factory, "small-build", build_small)
    return SmallBuild(workdir, console, small_sheet_of(workdir), small_settings(workdir))


@pytest.fixture(scope="session")
def real_build(tmp_path_factory) -> RealBuild:
    """One full build from clean, under umask 077, of the real inputs as committed, named by absolute paths outside
    the project and none described (build_real): read by the tests of the real data and of a build's hygiene, and
    copied by those that change a setting."""
    workdir, console = _built_once(tmp_path_factory, "real-build", build_real)
    inputs = real_inputs_of(workdir)
    return RealBuild(workdir, console, inputs, real_settings(inputs))


@pytest.fixture(scope="module")
def english(tmp_path_factory):
    """The cases of the small sheet (SMALL_SHEET) as the step reads them from an English CSV: what the same sheet in
    other languages, encodings and formats must give (test_spreadsheet, integration/test_settings_build)."""
    folder = tmp_path_factory.mktemp("english")
    return cases_from(folder, write_csv(SMALL_SHEET, folder / "cases.csv"), parse_periods(PERIODS_JSON))
