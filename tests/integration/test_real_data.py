"""The real inputs, data/raw and data/claims.csv as they are now (not the frozen copy the other tests pin numbers on,
tests/data/README.md): the whole workflow builds on them, and on them with three more valid cases, and each build
has the properties any valid data gives. No number is fixed here, so a valid edit of the data keeps this green."""

from __future__ import annotations

import csv
import io
import re
import shutil
from pathlib import Path

import pandas as pd
import pytest
import yaml

from helpers import RAW, copy_build, real_settings, run_snakemake
from tnr_pipeline.analysis.claims import notation
from tnr_pipeline.inputs import schemas
from tnr_pipeline.model import registry

pytestmark = pytest.mark.integration


def append_three_cases(path: Path) -> list[str]:
    """Append three valid cases to a case sheet: copies of its last three rows, each under a new case_id made in the
    sheet's own id format (its last id's prefix and digits, numbered on from the highest). Returns the new ids."""
    text = path.read_text(encoding="utf-8")
    header, *rows = list(csv.reader(io.StringIO(text)))
    column = header.index("case_id")
    prefix, digits = re.fullmatch(r"(.*?)(\d+)", rows[-1][column]).groups()
    numbers = [re.fullmatch(re.escape(prefix) + r"(\d+)", row[column]) for row in rows]
    highest = max(int(number.group(1)) for number in numbers if number)
    added = []
    for offset, row in enumerate(rows[-3:], start=1):
        added.append([*row[:column], prefix + str(highest + offset).zfill(len(digits)), *row[column + 1 :]])
    newline = "\r\n" if "\r\n" in text else "\n"
    lines = io.StringIO()
    csv.writer(lines, lineterminator=newline).writerows(added)
    if not text.endswith(("\n", "\r")):
        text += newline
    path.write_text(text + lines.getvalue(), encoding="utf-8", newline="")
    ids = [row[column] for row in added]
    assert not set(ids) & {row[column] for row in rows}
    return ids


@pytest.fixture(scope="module", params=["as committed", "with three more cases"])
def real_data_build(request, real_build, tmp_path_factory):
    """The shared build of the real inputs as committed (conftest's real_build), or a copy of it built again with
    three valid cases appended to a copy of its case sheet (every step that reads the cases runs again):
    (workdir, the case sheet it was built from, the ledger, the ids appended)."""
    ledger = real_build.inputs / "claims.csv"
    if request.param == "as committed":
        return real_build.workdir, real_build.inputs / "cases.csv", ledger, []
    workdir = copy_build(real_build.workdir, tmp_path_factory.mktemp("real-edited") / "project")
    sheet = tmp_path_factory.mktemp("edited-sheet") / "cases.csv"
    shutil.copy(real_build.inputs / "cases.csv", sheet)
    added = append_three_cases(sheet)
    result = run_snakemake(workdir, "--config", *real_settings(real_build.inputs, cases=sheet))
    assert result.returncode == 0, result.stdout + result.stderr[-4000:]
    return workdir, sheet, ledger, added


def _input_cases(sheet: Path) -> pd.DataFrame:
    return pd.read_csv(sheet, dtype=str, keep_default_na=False)


def _tables(workdir: Path) -> dict[str, pd.DataFrame]:
    return {name: pd.read_parquet(workdir / registry.table_path(name)) for name in registry.all_tables()}


def test_the_edit_appended_three_rows_to_the_committed_sheet(real_data_build):
    _, sheet, _, added = real_data_build
    committed = pd.read_csv(RAW / "cases.csv", dtype=str, keep_default_na=False)
    edited = _input_cases(sheet)
    assert len(edited) == len(committed) + len(added)
    assert edited["case_id"].tolist() == committed["case_id"].tolist() + added


def test_every_table_is_written_and_keeps_its_schema(real_data_build):
    workdir, *_ = real_data_build
    tables = _tables(workdir)
    assert sorted(tables) == sorted(p.stem for p in (workdir / registry.PROCESSED).glob("*.parquet"))
    for name, frame in tables.items():
        dates = [field.name for field in schemas.table_fields(name) if field.kind == schemas.DATE]
        typed = frame.astype({column: "datetime64[s]" for column in dates})  # Parquet's date32 reads as objects
        schemas.validate_output(typed, name)  # raises OutputInvalid naming each failure
        assert list(frame.columns) == [field.name for field in schemas.table_fields(name)], name
        assert frame.set_index(list(registry.TABLE_KEYS[name])).index.is_unique, name
    package = (workdir / registry.PROCESSED / "datapackage.json").read_text(encoding="utf-8")
    for name in tables:
        assert f'"{name}.parquet"' in package, name


def test_every_input_case_is_one_row_of_the_cases_table_in_its_period(real_data_build):
    workdir, sheet, _, added = real_data_build
    raw = _input_cases(sheet)
    cases = pd.read_parquet(workdir / registry.table_path("cases"))
    assert len(cases) == len(raw) and sorted(cases["case_id"]) == sorted(raw["case_id"])
    assert set(added) <= set(cases["case_id"])
    periods = yaml.safe_load((workdir / "config.yaml").read_text(encoding="utf-8"))["periods"]
    years = raw["year"].astype(int)
    expected = {
        name: int(years.between(period["first_year"], period["last_year"]).sum()) for name, period in periods.items()
    }
    counted = cases.groupby("period").size().to_dict()
    assert {name: counted.get(name, 0) for name in periods} == expected
    ratios = pd.read_parquet(workdir / registry.table_path("period_ratios")).set_index("scope")
    assert (ratios.loc["all", "baseline_cases"], ratios.loc["all", "comparison_cases"]) == (
        expected["pre_war"],
        expected["post_invasion"],
    )
    summary = pd.read_parquet(workdir / registry.table_path("period_summary")).set_index(["scope", "period"])
    assert {name: int(summary.loc[("all", name), "cases"]) for name in periods} == expected


def test_every_claim_of_the_ledger_is_checked_or_said_to_be_not_checkable(real_data_build):
    workdir, _, ledger_path, _ = real_data_build
    ledger = pd.read_csv(ledger_path, dtype=str, keep_default_na=False)
    checked = pd.read_parquet(workdir / registry.table_path("claims")).set_index("claim_id")
    assert sorted(checked.index) == sorted(ledger["claim_id"])
    not_checkable = ledger.set_index("claim_id")["check"].eq(notation.NOT_CHECKABLE)
    assert checked["holds"].isna().equals(not_checkable.reindex(checked.index))


def test_every_figure_and_document_is_rendered_in_each_language(real_data_build):
    workdir, *_ = real_data_build
    languages = yaml.safe_load((workdir / "config.yaml").read_text(encoding="utf-8"))["languages"]
    for language in languages:
        for name in registry.FIGURES:
            for extension in registry.FIGURE_FORMATS:
                path = workdir / registry.figure_path(name, extension, language)
                assert path.is_file() and path.stat().st_size > 0, path
        for extension in ("md", "html"):
            path = workdir / registry.findings_path(extension, language)
            assert path.is_file() and path.stat().st_size > 0, path
    markdown = (workdir / registry.findings_path("md")).read_text(encoding="utf-8")
    ratio = pd.read_parquet(workdir / registry.table_path("period_ratios")).set_index("scope").loc["all", "ratio"]
    assert f"a rate ratio of **{ratio:.2f} (95% CI" in markdown
    cases = pd.read_parquet(workdir / registry.table_path("cases"))
    rows = re.search(r"Rows in the case table: (\d[\d,]*)\.", markdown)
    assert rows and int(rows.group(1).replace(",", "")) == len(cases)
