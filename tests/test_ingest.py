"""The case sheet's contract: each schema rule, the wording of problems, file formats, and personal data."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from helpers import MARKER, PERIODS_JSON, SMALL_SHEET, run_ingest, write_csv, write_xlsx
from tnr_pipeline import cli
from tnr_pipeline.inputs.problems import InputInvalid
from tnr_pipeline.model import io
from tnr_pipeline.model.reference import Reference


def problems_for(tmp_path, frame, periods, name="cases.csv"):
    """The problem messages for a sheet, and proof that nothing was written."""
    path = write_csv(frame, tmp_path / name)
    with pytest.raises(InputInvalid) as raised:
        run_ingest(tmp_path, path, periods)
    assert not (tmp_path / "out" / "cases.parquet").exists()
    messages = [str(p) for p in raised.value.problems]
    assert all(m in str(raised.value) for m in messages)
    return messages


def with_cell(row_position: int, column: str, value: str) -> pd.DataFrame:
    frame = SMALL_SHEET.copy()
    frame.loc[row_position, column] = value
    return frame


def test_small_sheet_is_normalised(tmp_path, periods):
    cases, report = run_ingest(tmp_path, write_csv(SMALL_SHEET, tmp_path / "cases.csv"), periods)
    assert list(cases.columns) == [
        "case_id",
        "year",
        "date",
        "host_country",
        "host_country_name",
        "eu_member",
        "region",
        "tactic",
        "tactic_family",
        "fh_counted",
        "target_profile",
        "verification",
        "period",
    ]
    assert cases["case_id"].tolist() == sorted(SMALL_SHEET["case_id"])
    row = cases.set_index("case_id")
    assert row.loc["K-02", "host_country"] == "KAZ" and row.loc["K-02", "tactic"] == "extradition_request"
    assert row.loc["G-02", "host_country"] == "GEO" and row.loc["G-02", "region"] == "South Caucasus"
    assert row.loc["G-03", "tactic"] == "denial_of_entry" and not row.loc["G-03", "fh_counted"]
    assert row.loc["A-01", "tactic_family"] == "co_opting_host_states" and row.loc["A-01", "fh_counted"]
    assert row.loc["G-02", "target_profile"] == "human_rights_defender"
    assert row.loc["K-02", "verification"] == "single_source"
    assert row.loc["T-01", "host_country_name"] == "Türkiye" and row.loc["T-01", "region"] == "Middle East"
    assert row.loc["P-01", "eu_member"] and row.loc["E-01", "eu_member"] and not row.loc["G-01", "eu_member"]
    assert row.loc["U-01", "eu_member"]  # the UK in 2018
    assert row.loc["K-01", "period"] == "pre_war" and row.loc["A-02", "period"] == "post_invasion"
    assert str(row.loc["A-02", "date"]) == "2024-12-31" and pd.isna(row.loc["K-02", "date"])
    assert "no problems" in report


def test_uk_is_an_eu_member_through_2019_only(reference):
    countries = pd.Series(["GBR", "GBR", "GBR", "POL", "POL"])
    years = pd.Series([1972, 2019, 2020, 2003, 2004])
    assert reference.eu_member(countries, years).tolist() == [False, True, False, False, True]


def test_year_outside_every_period_has_no_period(tmp_path, periods):
    cases, _ = run_ingest(
        tmp_path,
        write_csv(
            with_cell(0, "year", "2010").assign(date=lambda f: f["date"].where(f["case_id"] != "K-01", "")),
            tmp_path / "c.csv",
        ),
        periods,
    )
    assert pd.isna(cases.set_index("case_id").loc["K-01", "period"])


def test_missing_column_is_named(tmp_path, periods):
    messages = problems_for(tmp_path, SMALL_SHEET.drop(columns=["tactic"]), periods)
    assert any('column "tactic" is missing' in m for m in messages)


def test_missing_optional_columns_are_fine(tmp_path, periods):
    cases, _ = run_ingest(
        tmp_path, write_csv(SMALL_SHEET.drop(columns=["date", "full_name"]), tmp_path / "c.csv"), periods
    )
    assert cases["date"].isna().all() and len(cases) == 12


def test_duplicate_ids_name_every_row(tmp_path, periods):
    frame = SMALL_SHEET.copy()
    frame.loc[[3, 7, 10], "case_id"] = "DUP-1"
    messages = problems_for(tmp_path, frame, periods)
    assert messages == [
        'rows 5, 9, 12, column "case_id": "DUP-1" is used by more than one row. '
        "Allowed: a case_id that no other row uses."
    ]


def test_non_numeric_year_is_reported_with_its_row(tmp_path, periods):
    messages = problems_for(tmp_path, with_cell(4, "year", "twenty twenty-two"), periods)
    assert messages == [
        'row 6, column "year": "twenty twenty-two" is not a whole year written in digits. '
        "Allowed: a whole year from 1991 to 2026, in digits, such as 2026."
    ]


def test_fractional_year_is_not_a_year(tmp_path, periods):
    messages = problems_for(tmp_path, with_cell(4, "year", "2022.5"), periods)
    assert messages == [
        'row 6, column "year": "2022.5" is not a whole year written in digits. '
        "Allowed: a whole year from 1991 to 2026, in digits, such as 2026."
    ]


def test_a_whole_year_written_as_a_decimal_in_a_csv_is_that_year(tmp_path, periods):
    """Excel's CSV exports often write a year as "2015.0"."""
    frame = with_cell(0, "year", "2015.0")  # K-01, dated 2015-03-01: the date must still fall in the year
    frame.loc[1, "year"] = "2019.00"
    cases, _ = run_ingest(tmp_path, write_csv(frame, tmp_path / "cases.csv"), periods)
    assert cases.set_index("case_id").loc[["K-01", "K-02"], "year"].tolist() == [2015, 2019]
    assert cases.set_index("case_id").loc["K-01", "period"] == "pre_war"


@pytest.mark.parametrize("year", [2015.0, "2015.0"], ids=["a number cell", "a text cell"])
def test_a_whole_year_written_as_a_decimal_in_a_workbook_is_that_year(tmp_path, periods, year):
    frame = SMALL_SHEET.astype(object)
    frame.loc[0, "year"] = year
    cases, _ = run_ingest(tmp_path, write_xlsx(frame, tmp_path / "cases.xlsx"), periods)
    assert cases.set_index("case_id").loc["K-01", "year"] == 2015


def test_a_sheet_in_former_labels_is_read(tmp_path, periods):
    """tests/data/cases_former_labels.csv names rendition and denial_of_services by the Russian labels the project
    published before (and the rest by today's Russian labels): «Принудительное возвращение», «Отказ в услугах»."""
    fixture = Path(__file__).parent / "data" / "cases_former_labels.csv"
    cases, report = run_ingest(tmp_path, fixture, periods)
    assert cases["tactic"].tolist() == ["rendition", "denial_of_services", "denial_of_services"]
    assert cases["host_country"].tolist() == ["GEO", "KAZ", "ARM"]
    assert cases["target_profile"].tolist() == ["activist", "journalist", "human_rights_defender"]
    assert cases["verification"].tolist() == ["verified", "single_source", "unverified"]
    assert "no problems found in 3 cases" in report


TYPOLOGY_ALLOWED = (
    "assassination (Assassination), assault (Assault), rendition (Rendition), detention (Detention), "
    "unlawful_deportation (Unlawful deportation), extradition_request (Extradition request), digital_threat "
    "(Digital threat), coercion_by_proxy (Coercion by proxy), denial_of_entry (Denial of Entry), "
    "denial_of_services (Denial of Services)"
)


def test_one_line_per_repeated_bad_value_naming_its_rows(tmp_path, periods):
    frame = SMALL_SHEET.copy()
    frame.loc[[0, 2, 3, 5, 9], "tactic"] = "poisoning"  # sheet rows 2, 4, 5, 7, 11
    frame.loc[[1, 4, 8, 10], "tactic"] = "Задержане"  # rows 3, 6, 10, 12: four rows are all named
    frame.loc[[6, 7], "target_profile"] = ""  # rows 8, 9
    messages = problems_for(tmp_path, frame, periods)
    assert messages == [
        f'rows 2, 4, 5 and 2 more, column "tactic": "poisoning" is not a tactic of the typology. '
        f"Allowed: {TYPOLOGY_ALLOWED}.",
        'rows 3, 6, 10, 12, column "tactic": "Задержане" is not a tactic of the typology. Allowed: as for row 2 '
        "above. Closest known names: Задержание (detention).",
        'rows 8, 9, column "target_profile": the cells are empty. Allowed: activist (Activist), journalist '
        "(Journalist), politician (Politician), human_rights_defender (Human rights defender), lawyer (Lawyer), "
        "deserter (Deserter), other (Other), unknown (Unknown).",
    ]


def test_the_problems_file_and_the_count_show_the_grouped_lines(tmp_path, periods):
    frame = SMALL_SHEET.copy()
    frame["verification"] = "probably"
    problems_for(tmp_path, frame, periods)
    out = tmp_path / "out"
    arguments = ["--input", str(tmp_path / "cases.csv"), "--output", str(out / "cases.parquet")]
    arguments += ["--problems", str(out / "problems.txt"), "--reference-dir", str(Reference().directory)]
    arguments += ["--periods", PERIODS_JSON, "--first-year", "1991", "--last-year", "2026", "--origin-country", "RUS"]
    assert cli.main(["validate-cases", *arguments]) == 1
    assert (out / "problems.txt").read_text() == (
        "cases.csv: 1 problem found. Nothing was written; fix these and run again.\n"
        '  - rows 2, 3, 4 and 9 more, column "verification": "probably" is not a known verification status. '
        "Allowed: verified (Verified), single_source (Single source), unverified (Unverified).\n"
    )


def test_a_russian_typo_gets_the_closest_russian_names(tmp_path, periods):
    frame = with_cell(5, "host_country", "Грузиа")
    frame.loc[2, "verification"] = "Один истoчник"  # a Latin o among the Cyrillic letters
    messages = problems_for(tmp_path, frame, periods)
    assert messages == [
        'row 4, column "verification": "Один истoчник" is not a known verification status. Allowed: verified '
        "(Verified), single_source (Single source), unverified (Unverified). Closest known names: Один источник "
        "(single_source).",
        'row 7, column "host_country": "Грузиа" is not a country name or code that is recognised. Allowed: a country '
        "name in English or Russian, or an ISO alpha-2 or alpha-3 code. Closest known names: Грузия (GEO).",
    ]


def test_year_out_of_range(tmp_path, periods):
    messages = problems_for(tmp_path, with_cell(2, "year", "1985"), periods)
    assert messages == ['row 4, column "year": "1985" is outside the allowed years. Allowed: a year from 1991 to 2026.']


def test_unknown_country_suggests_close_names(tmp_path, periods):
    messages = problems_for(tmp_path, with_cell(5, "host_country", "Gergia"), periods)
    assert len(messages) == 1
    assert messages[0].startswith('row 7, column "host_country": "Gergia" is not a country name or code')
    assert "Closest known names: Georgia" in messages[0]


def test_unknown_tactic_lists_the_typology(tmp_path, periods):
    messages = problems_for(tmp_path, with_cell(0, "tactic", "poisoning"), periods)
    assert len(messages) == 1 and messages[0].startswith('row 2, column "tactic": "poisoning" is not a tactic')
    assert "denial_of_entry (Denial of Entry)" in messages[0] and "detention (Detention)" in messages[0]


def test_unknown_profile_and_verification(tmp_path, periods):
    frame = with_cell(1, "target_profile", "spy")
    frame.loc[1, "verification"] = "probably"
    messages = problems_for(tmp_path, frame, periods)
    assert messages == [
        'row 3, column "target_profile": "spy" is not a known target profile. Allowed: activist (Activist), '
        "journalist (Journalist), politician (Politician), human_rights_defender (Human rights defender), "
        "lawyer (Lawyer), deserter (Deserter), other (Other), unknown (Unknown).",
        'row 3, column "verification": "probably" is not a known verification status. Allowed: verified '
        "(Verified), single_source (Single source), unverified (Unverified).",
    ]


def test_empty_id(tmp_path, periods):
    messages = problems_for(tmp_path, with_cell(8, "case_id", ""), periods)
    assert messages == ['row 10, column "case_id": the cell is empty. Allowed: any text that identifies the case.']


def test_date_outside_its_year(tmp_path, periods):
    messages = problems_for(tmp_path, with_cell(3, "date", "2021-12-31"), periods)
    assert messages == [
        'row 5, column "date": "2021-12-31" does not fall in the row\'s year (2022). '
        "Allowed: a date in the year given in 'year'."
    ]


def test_impossible_date(tmp_path, periods):
    messages = problems_for(tmp_path, with_cell(3, "date", "2022-02-30"), periods)
    assert len(messages) == 1 and '"2022-02-30" is not a date written as YYYY-MM-DD' in messages[0]


def test_several_faults_in_one_file_all_reported(tmp_path, periods):
    frame = SMALL_SHEET.copy()
    frame.loc[0, "year"] = "abc"  # row 2: not a number
    frame.loc[1, "year"] = "1900"  # row 3: out of range
    frame.loc[2, "host_country"] = "Atlantis"
    frame.loc[4, "tactic"] = "teleport"
    frame.loc[6, "case_id"] = "K-01"  # duplicates row 2
    frame.loc[9, "date"] = "2023-01-01"  # row 11: year is 2024
    messages = problems_for(tmp_path, frame, periods)
    assert [m.split(":")[0] for m in messages] == [
        'rows 2, 8, column "case_id"',
        'row 2, column "year"',
        'row 3, column "year"',
        'row 4, column "host_country"',
        'row 6, column "tactic"',
        'row 11, column "date"',
    ]


def test_unconvertible_year_does_not_hide_other_problems_in_the_column(tmp_path, periods):
    frame = with_cell(0, "year", "soon")
    frame.loc[1, "year"] = "3000"
    frame.loc[2, "year"] = ""
    messages = problems_for(tmp_path, frame, periods)
    assert [m.split(":")[0] for m in messages] == [
        'row 2, column "year"',
        'row 3, column "year"',
        'row 4, column "year"',
    ]
    assert "the cell is empty" in messages[2]


def test_blank_rows_are_ignored_and_row_numbers_stay_true(tmp_path, periods):
    path = tmp_path / "cases.csv"
    lines = write_csv(SMALL_SHEET, path).read_text().splitlines()
    lines.insert(3, "")
    lines.insert(4, ",,,,,,,")
    path.write_text("\n".join(lines).replace("K-03,2021", "K-03,20x1") + "\n")
    with pytest.raises(InputInvalid) as raised:
        run_ingest(tmp_path, path, periods)
    # K-03 is data row 3 -> sheet row 4, pushed to row 5 by the blank line and row 6 by the empty-cells line
    assert [p.row for p in raised.value.problems] == [6]


def test_header_without_rows_is_refused(tmp_path, periods):
    messages = problems_for(tmp_path, SMALL_SHEET.iloc[0:0], periods)
    assert messages == ["the sheet has no rows below the header row: add one row per entry, starting in row 2"]


@pytest.mark.parametrize("bad", ["not,a,sheet\n", ""])
def test_unusable_files_get_a_clear_message(tmp_path, periods, bad):
    path = tmp_path / "cases.csv"
    path.write_text(bad)
    with pytest.raises(InputInvalid) as raised:
        run_ingest(tmp_path, path, periods)
    assert raised.value.problems
    assert not (tmp_path / "out" / "cases.parquet").exists()


def test_windows_1252_file_is_read_as_such(tmp_path, periods):
    path = tmp_path / "cases.csv"
    path.write_bytes(SMALL_SHEET.to_csv(index=False).replace("Georgia", "Géorgie").encode("cp1252"))
    with pytest.raises(InputInvalid) as raised:
        run_ingest(tmp_path, path, periods)
    assert '"Géorgie" is not a country name' in str(raised.value)


def test_csv_semicolon_bom_and_xlsx_give_identical_cases(tmp_path, periods):
    results = []
    for name, writer in [
        ("comma.csv", lambda p: write_csv(SMALL_SHEET, p)),
        ("semicolon.csv", lambda p: write_csv(SMALL_SHEET, p, sep=";")),
        ("bom.csv", lambda p: write_csv(SMALL_SHEET, p, bom=True)),
        ("sheet.xlsx", lambda p: write_xlsx(SMALL_SHEET, p)),
    ]:
        folder = tmp_path / name.replace(".", "_")
        folder.mkdir()
        cases, _ = run_ingest(folder, writer(folder / name), periods)
        results.append(cases)
    for other in results[1:]:
        pd.testing.assert_frame_equal(results[0], other)


def test_named_xlsx_sheet(tmp_path, periods):
    path = tmp_path / "book.xlsx"
    with pd.ExcelWriter(path) as writer:
        pd.DataFrame({"note": ["cover sheet"]}).to_excel(writer, sheet_name="readme", index=False)
        SMALL_SHEET.to_excel(writer, sheet_name="cases", index=False)
    cases, _ = run_ingest(tmp_path, path, periods, sheet="cases")
    assert len(cases) == 12
    with pytest.raises(InputInvalid, match="no sheet named 'missing'"):
        run_ingest(tmp_path, path, periods, sheet="missing")


def test_personal_columns_never_reach_outputs_or_messages(tmp_path, periods):
    cases, report = run_ingest(tmp_path, write_csv(SMALL_SHEET, tmp_path / "cases.csv"), periods)
    assert "full_name" not in cases.columns
    blob = (tmp_path / "out" / "cases.parquet").read_bytes() + report.encode()
    assert MARKER.encode() not in blob
    bad = with_cell(0, "tactic", "unknown thing")
    with pytest.raises(InputInvalid) as raised:
        run_ingest(tmp_path, write_csv(bad, tmp_path / "bad.csv"), periods)
    assert MARKER not in str(raised.value)


def test_raw_file_is_never_modified(tmp_path, periods):
    path = write_csv(SMALL_SHEET, tmp_path / "cases.csv")
    before = io.sha256_file(path)
    run_ingest(tmp_path, path, periods)
    assert io.sha256_file(path) == before


def test_output_carries_provenance(tmp_path, periods):
    path = write_csv(SMALL_SHEET, tmp_path / "cases.csv")
    run_ingest(tmp_path, path, periods)
    meta = io.read_provenance(tmp_path / "out" / "cases.parquet")
    assert meta["inputs_sha256"] == {path.name: io.sha256_file(path)}  # no folder of the machine
    assert meta["package_version"] and meta["config"] == {"test": True}
