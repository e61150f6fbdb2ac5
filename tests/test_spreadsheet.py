"""The user's own spreadsheet as it is: Russian headers and values, encodings, delimiters, title rows, workbooks'
sheets, and one clear message for any file that cannot be read."""

from __future__ import annotations

import subprocess
import zipfile

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from helpers import (
    MAPPING,
    MARKER,
    PERIODS_JSON,
    SHIPPED,
    SMALL_SHEET,
    cases_from,
    examples,
    pipeline_env,
    russian_sheet,
    write_csv,
)
from tnr_pipeline.inputs.problems import InputInvalid
from tnr_pipeline.inputs.spreadsheet import MAX_CELL_CHARS, InputFileError, decode, detect_delimiter, read_sheet
from tnr_pipeline.model.reference import Reference
from tnr_pipeline.stages import summarise_survey


def refused(tmp_path, path, periods, **options) -> str:
    with pytest.raises(InputInvalid) as raised:
        cases_from(tmp_path, path, periods, **options)
    assert not (tmp_path / "out" / "cases.parquet").exists()
    return str(raised.value)


def test_russian_windows_1251_semicolon_csv_gives_the_same_cases(tmp_path, periods, english, capsys):
    path = tmp_path / "дела.csv"
    path.write_bytes(russian_sheet().to_csv(index=False, sep=";").encode("cp1251"))
    cases = cases_from(tmp_path, path, periods, mapping=MAPPING)
    pd.testing.assert_frame_equal(cases, english)
    log = capsys.readouterr().out
    assert "encoding: Windows-1251" in log and "delimiter: semicolon" in log and "header row: 1" in log
    assert 'host_country (from "Страна")' in log and "columns dropped, by name: ФИО" in log
    assert "rows below the header (blank rows left out): 12" in log
    assert MARKER not in log


def test_xlsx_with_a_notes_sheet_and_title_rows_gives_the_same_cases(tmp_path, periods, english, capsys):
    path = tmp_path / "book.xlsx"
    frame = russian_sheet()
    frame["Год"] = frame["Год"].astype(int)
    frame["Дата"] = [pd.Timestamp(v) if v else None for v in frame["Дата"]]
    with pd.ExcelWriter(path) as writer:
        pd.DataFrame({"Заметки": ["Список дел, не для публикации"]}).to_excel(writer, sheet_name="Notes", index=False)
        pd.DataFrame([["Дела ТНР, 2014–2024"], ["Составлено вручную"]]).to_excel(
            writer, sheet_name="Дела", index=False, header=False
        )
        frame.to_excel(writer, sheet_name="Дела", index=False, startrow=2)
    cases = cases_from(tmp_path, path, periods, sheet="Дела", mapping=MAPPING)
    pd.testing.assert_frame_equal(cases, english)
    log = capsys.readouterr().out
    assert "sheet: Дела (of Notes, Дела)" in log and "header row: 3" in log


def test_title_rows_keep_the_sheets_own_row_numbers(tmp_path, periods):
    path = tmp_path / "cases.csv"
    frame = SMALL_SHEET.copy()
    frame.loc[2, "year"] = "20x1"
    path.write_text("Case list (internal)\n\n" + frame.to_csv(index=False), encoding="utf-8")
    message = refused(tmp_path, path, periods)
    # header in row 3; K-03 is the third case -> row 6
    assert 'row 6, column "year": "20x1"' in message


@pytest.mark.parametrize("kind", ["utf-16", "tab", "tsv", "utf-8-bom-semicolon"])
def test_utf16_and_tab_separated_copies_give_the_same_cases(tmp_path, periods, english, kind):
    if kind == "utf-16":
        path = tmp_path / "cases.csv"
        path.write_bytes(SMALL_SHEET.to_csv(index=False).encode("utf-16"))
    elif kind == "tab":
        path = write_csv(SMALL_SHEET, tmp_path / "cases.csv", sep="\t")
    elif kind == "tsv":
        path = write_csv(SMALL_SHEET, tmp_path / "cases.tsv", sep="\t")
    else:
        path = write_csv(SMALL_SHEET, tmp_path / "cases.csv", sep=";", bom=True)
    pd.testing.assert_frame_equal(cases_from(tmp_path, path, periods), english)


def test_encodings_are_decided_by_rule():
    assert decode("Грузия;Отказ во въезде".encode("cp1251"), "x.csv")[1] == "Windows-1251"
    assert decode("Géorgie,Türkiye,España".encode("cp1252"), "x.csv")[1] == "Windows-1252"
    assert decode("Грузия".encode(), "x.csv")[1] == "UTF-8"
    assert decode("\ufeffGeorgia".encode("utf-8"), "x.csv") == ("Georgia", "UTF-8 with byte-order mark")
    assert decode("Грузия".encode("utf-16"), "x.csv") == ("Грузия", "UTF-16")
    with pytest.raises(InputFileError, match="cannot be told apart"):
        decode(b"a,\xe9\xe8 b\xe9", "x.csv")  # one word of its own, one inside a Latin word


def test_delimiters_are_detected_with_a_title_row_above():
    assert detect_delimiter("Title, with a comma\ncase_id;year;host_country\nA;2020;GEO\n", ".csv") == ";"
    assert detect_delimiter("case_id\tyear\nA\t2020\n", ".csv") == "\t"
    assert detect_delimiter("case_id,year\nA,2020\n", ".tsv") == "\t"


def _truncated_xlsx(path):
    SMALL_SHEET.to_excel(path, index=False)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])


def _zip_not_a_workbook(path):
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("notes.txt", "not a workbook")


@pytest.mark.parametrize(
    "name, make, expected",
    [
        ("missing.csv", lambda p: None, "does not exist"),
        ("folder.csv", lambda p: p.mkdir(), "is a folder, not a file"),
        ("truncated.xlsx", _truncated_xlsx, "damaged or truncated"),
        ("archive.xlsx", _zip_not_a_workbook, "save it again"),
        (
            "locked.xlsx",
            lambda p: p.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600),
            "password-protected",
        ),
        ("cases.pdf", lambda p: p.write_bytes(b"%PDF-1.4"), "is not a spreadsheet this pipeline reads"),
        ("empty.csv", lambda p: p.write_bytes(b""), "is empty"),
    ],
)
def test_unreadable_files_get_one_message_naming_the_file(tmp_path, periods, name, make, expected):
    path = tmp_path / name
    make(path)
    message = refused(tmp_path, path, periods)
    assert name in message and expected in message
    assert "Traceback" not in message


def test_unreadable_file_from_the_command_line_exits_one_without_traceback(tmp_path):
    path = tmp_path / "truncated.xlsx"
    _truncated_xlsx(path)
    output = tmp_path / "out" / "cases.parquet"
    result = validate_cases_command(path, output, tmp_path)
    assert result.returncode == 1
    assert "truncated.xlsx" in result.stderr and "Traceback" not in result.stderr
    assert not output.exists()


def validate_cases_command(path, output, tmp_path) -> subprocess.CompletedProcess:
    """`tnr-pipeline validate-cases` on one sheet, as the workflow runs it."""
    return subprocess.run(
        [
            "tnr-pipeline",
            "validate-cases",
            "--origin-country",
            "RUS",
            "--input",
            str(path),
            "--output",
            str(output),
            "--problems",
            str(tmp_path / "problems.txt"),
            "--reference-dir",
            str(Reference().directory),
            "--periods",
            PERIODS_JSON,
            "--first-year",
            "1991",
        ],
        capture_output=True,
        text=True,
        env=pipeline_env(),
    )


def test_a_csv_with_cr_only_line_endings_gives_the_same_cases(tmp_path, periods, english):
    """Older Excel for Mac ends lines with CR alone."""
    path = tmp_path / "mac.csv"
    path.write_bytes(SMALL_SHEET.to_csv(index=False, lineterminator="\r").encode("utf-8"))
    assert b"\n" not in path.read_bytes()
    pd.testing.assert_frame_equal(cases_from(tmp_path, path, periods), english)


@pytest.mark.parametrize("where", ["header_rows", "far_below"])
def test_a_cell_longer_than_the_limit_is_named_by_row_and_column_and_nothing_is_written(tmp_path, where):
    frame = SMALL_SHEET.copy()
    position = 1 if where == "header_rows" else len(frame) - 1  # read by the csv module, or only by pandas
    frame.loc[position, "full_name"] = "x" * (MAX_CELL_CHARS + 1)
    path = write_csv(frame, tmp_path / "long.csv")
    raw = path.read_bytes()
    output = tmp_path / "out" / "cases.parquet"
    result = validate_cases_command(path, output, tmp_path)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    column = chr(ord("A") + list(frame.columns).index("full_name"))
    assert f"'long.csv': row {position + 2}, column {column} holds a cell of {MAX_CELL_CHARS + 1:,} characters" in (
        result.stderr
    )
    assert f"at most {MAX_CELL_CHARS:,} characters" in result.stderr
    assert "xxxx" not in result.stderr  # the cell's text is never shown
    assert not output.exists() and path.read_bytes() == raw


def test_a_cell_exactly_at_the_limit_is_read(tmp_path, periods):
    frame = SMALL_SHEET.copy()
    frame.loc[1, "full_name"] = "x" * MAX_CELL_CHARS
    cases = cases_from(tmp_path, write_csv(frame, tmp_path / "limit.csv"), periods)
    assert len(cases) == len(frame)


def test_a_year_too_large_for_any_integer_gets_the_row_message(tmp_path, periods):
    frame = SMALL_SHEET.copy()
    frame.loc[1, "year"] = "20220000000000000000000"
    message = refused(tmp_path, write_csv(frame, tmp_path / "c.csv"), periods)
    assert 'row 3, column "year": "20220000000000000000000" is outside the allowed years' in message
    assert "Overflow" not in message and "check" not in message


def test_a_case_in_the_origin_state_is_refused_row_by_row(tmp_path, periods):
    frame = SMALL_SHEET.copy()
    frame.loc[[2, 5], "host_country"] = ["Russia", "Россия"]
    message = refused(tmp_path, write_csv(frame, tmp_path / "c.csv"), periods)
    assert 'row 4, column "host_country": "Russia" is the origin state (RUS)' in message
    assert 'row 7, column "host_country": "Россия" is the origin state (RUS)' in message
    assert len(cases_from(tmp_path, write_csv(frame, tmp_path / "c.csv"), periods, origin="BLR")) == 12


@pytest.mark.parametrize("headers", [("case_id", "Case ID"), ("Host country", "host_country"), ("tactic", " TACTIC ")])
def test_a_header_that_appears_twice_in_any_spelling_is_refused(tmp_path, periods, headers):
    frame = SMALL_SHEET.copy()
    frame.insert(len(frame.columns), "extra", frame.iloc[:, 0])
    columns = list(frame.columns)
    original = headers[0].strip().lower().replace(" ", "_")
    columns[columns.index(original)] = headers[0]
    columns[-1] = headers[1]
    frame.columns = columns
    message = refused(tmp_path, write_csv(frame, tmp_path / "c.csv"), periods)
    assert "names a column twice" in message and f'"{headers[1].strip()}"' in message


def test_a_mapped_header_not_in_the_sheet_is_named_with_the_headers_there(tmp_path, periods):
    path = write_csv(russian_sheet(), tmp_path / "c.csv")
    message = refused(tmp_path, path, periods, mapping={**MAPPING, "tactic": "Тактики"})
    assert 'column "Тактики" (given for tactic in config `columns`) is not in the header row (row 1)' in message
    assert '"Тактика"' in message


def test_a_sheet_without_the_columns_names_the_sheets_that_have_them(tmp_path, periods):
    path = tmp_path / "book.xlsx"
    with pd.ExcelWriter(path) as writer:
        pd.DataFrame({"note": ["read me"]}).to_excel(writer, sheet_name="Readme", index=False)
        SMALL_SHEET.to_excel(writer, sheet_name="Cases 2024", index=False)
    message = refused(tmp_path, path, periods)
    assert "The workbook's sheets are: Readme, Cases 2024" in message
    assert "the sheets with every required column: Cases 2024; choose one with raw_cases_sheet" in message


def test_the_questionnaire_is_read_the_same_way(tmp_path):

    frame = pd.read_csv(SHIPPED / "survey.csv", dtype=str, keep_default_na=False)
    headers = {
        "respondent_id": "Респондент",
        "country_of_residence": "Страна проживания",
        "tactics_experienced": "Тактики",
        "reduced_presence": "Сократил присутствие",
        "considered_relocating": "Думал о переезде",
        "experienced_tnr": "Сталкивался с ТНР",
    }
    path = tmp_path / "анкета.csv"
    path.write_bytes(("Анкета 2024\n" + frame.rename(columns=headers).to_csv(index=False, sep=";")).encode("cp1251"))
    out = tmp_path / "out"
    summary = summarise_survey.execute(
        summarise_survey.Step(
            str(path),
            str(out / "r.parquet"),
            str(out / "s.parquet"),
            str(Reference().directory),
            0.95,
            {},
            headers,
        )
    )
    english = summarise_survey.execute(
        summarise_survey.Step(
            str(SHIPPED / "survey.csv"),
            str(out / "r2.parquet"),
            str(out / "s2.parquet"),
            str(Reference().directory),
            0.95,
            {},
        )
    )
    pd.testing.assert_frame_equal(summary, english)


def test_read_sheet_keeps_only_contract_columns_and_reports_them(tmp_path):
    path = write_csv(SMALL_SHEET, tmp_path / "c.csv")
    read = read_sheet(path, ("case_id", "year"), ("date",))
    assert list(read.frame.columns) == ["case_id", "year", "date"]
    assert read.frame.index[0] == 2 and read.missing == {}
    assert "full_name" in read.describe(path) and MARKER not in read.describe(path)


# ---- exact values of the small helpers (what mutation testing showed untested) --------------------------------


@pytest.mark.parametrize(
    "position, letter",
    [(0, "A"), (1, "B"), (25, "Z"), (26, "AA"), (27, "AB"), (51, "AZ"), (52, "BA"), (701, "ZZ"), (702, "AAA")],
)
def test_column_letters_are_the_spreadsheets_own(position, letter):
    from tnr_pipeline.inputs.spreadsheet import _column_letter

    assert _column_letter(position) == letter


@pytest.mark.parametrize(
    "value, text",
    [
        (None, ""),
        (float("nan"), ""),
        (True, "true"),
        (False, "false"),
        (2022.0, "2022"),
        (2022.5, "2022.5"),
        (7, "7"),
        (pd.Timestamp("2024-03-05"), "2024-03-05"),
        (pd.Timestamp("2024-03-05 10:30:00"), "2024-03-05T10:30:00"),
        (__import__("datetime").date(2024, 3, 5), "2024-03-05"),
        ("  Georgia ", "Georgia"),
    ],
)
def test_a_workbook_cell_reads_as_a_person_reads_it(value, text):
    from tnr_pipeline.inputs.spreadsheet import cell_text

    assert cell_text(value) == text


def test_what_was_read_is_described_line_by_line(tmp_path):
    frame = SMALL_SHEET.rename(columns={"host_country": "Country"})
    read = read_sheet(
        write_csv(frame, tmp_path / "cases.csv"),
        ("case_id", "year", "host_country"),
        ("date",),
        {"host_country": "Country"},
    )
    assert read.describe("cases.csv").splitlines() == [
        "read cases.csv",
        "  encoding: UTF-8",
        "  delimiter: comma",
        "  header row: 1",
        "  rows below the header (blank rows left out): 12",
        '  contract columns found: case_id, year, host_country (from "Country"), date',
        "  columns dropped, by name: tactic, target_profile, verification, full_name",
    ]


@pytest.mark.parametrize(
    "name, data, message",
    [
        (
            "locked.xlsx",
            b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600,
            "'locked.xlsx' is password-protected (encrypted): open it in Excel, remove the password "
            "(File > Info > Protect Workbook) and save it again",
        ),
        (
            "old.XLS",
            b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600,
            "'old.XLS' cannot be read as a workbook: it is damaged, password-protected or not really a .XLS file. "
            "Open it in Excel or LibreOffice and save it again as .xlsx",
        ),
        (
            "cut.ods",
            b"PK\x03\x04 truncated",
            "'cut.ods' is not a readable workbook: it is damaged or truncated, or not really a .ods file. "
            "Open it in Excel or LibreOffice and save it again",
        ),
        (
            "cut.XLSM",
            b"not a zip",
            "'cut.XLSM' is not a readable workbook: it is damaged or truncated, or not really a .XLSM file. "
            "Open it in Excel or LibreOffice and save it again",
        ),
    ],
)
def test_an_unreadable_workbook_gets_the_message_for_what_it_is(tmp_path, name, data, message):
    path = tmp_path / name
    path.write_bytes(data)
    with pytest.raises(InputFileError) as raised:
        read_sheet(path, ("case_id",))
    assert str(raised.value) == message


# ---- decoding, byte by byte: what mutation testing showed untested ----------------------------------------------


@pytest.mark.parametrize(
    "data, encoding",
    [
        (b"\x80 \x80 a\xe9", "Windows-1251"),  # a word of byte 0x80 alone is a word of its own: 2 own, 1 inside
        (b"a\x80 b\x80 \xc0", "Windows-1252"),  # 0x80 inside a Latin word counts as inside: 1 own, 2 inside
        (b"A\xe9 B\xe9 \xc0", "Windows-1252"),  # capital Latin letters are Latin too
        (b"\xcf\xf0\xe8 \xe2\xe5\xf2", "Windows-1251"),
    ],
)
def test_the_encoding_is_told_by_where_the_non_ascii_letters_stand(data, encoding):
    assert decode(data, "x.csv")[1] == encoding


@pytest.mark.parametrize(
    "data, message",
    [
        (
            b"\xff\xfe\x00\xd8",
            "'x.csv' starts like UTF-16 text but is not: save it again as 'CSV UTF-8'",
        ),
        (
            b"a\xe9 \xc0",
            "'x.csv' is not UTF-8, and its encoding cannot be told apart between Windows-1251 (Cyrillic) and "
            "Windows-1252 (Western European): save it from Excel as 'CSV UTF-8 (comma delimited)'",
        ),
        (
            b"a\xe9 b\xe9 \x81",
            "'x.csv' is not UTF-8 and not valid Windows-1252 text either (byte 6): save it from Excel as "
            "'CSV UTF-8 (comma delimited)'",
        ),
    ],
)
def test_a_file_that_cannot_be_decoded_is_refused_with_what_to_do(data, message):
    with pytest.raises(InputFileError) as raised:
        decode(data, "x.csv")
    assert str(raised.value) == message


def test_the_byte_order_marks_decide_the_encoding():
    assert decode("\ufeffГод,Страна\n".encode("utf-8"), "x.csv") == ("Год,Страна\n", "UTF-8 with byte-order mark")
    assert decode("Год\n".encode("utf-16"), "x.csv") == ("Год\n", "UTF-16")
    assert decode("Год\n".encode(), "x.csv") == ("Год\n", "UTF-8")
    with pytest.raises(InputFileError) as raised:  # a UTF-8 mark on bytes that are not UTF-8: refused, not guessed
        decode(codecs_bom_utf8() + b"ab\xff", "x.csv")
    assert str(raised.value) == "'x.csv' starts like UTF-8 text but is not (byte 5): save it again as 'CSV UTF-8'"


def codecs_bom_utf8() -> bytes:
    import codecs

    return codecs.BOM_UTF8


def test_the_first_long_cell_is_named_whole_by_its_row_and_column():
    from tnr_pipeline.inputs.spreadsheet import refuse_long_cells

    long_text, longer = "x" * (MAX_CELL_CHARS + 1), "y" * (MAX_CELL_CHARS + 5)
    grid = pd.DataFrame({"a": ["id", "1", "2"], "b": ["name", "ok", long_text], "c": ["note", longer, "ok"]})
    with pytest.raises(InputFileError) as raised:
        refuse_long_cells(grid, "sheet.csv")
    assert str(raised.value) == (
        f"'sheet.csv': row 3, column B holds a cell of {MAX_CELL_CHARS + 1:,} characters. Allowed: at most "
        f"{MAX_CELL_CHARS:,} characters a cell. Shorten that cell or move the text out of the sheet"
    )
    refuse_long_cells(grid.replace({long_text: "x" * MAX_CELL_CHARS, longer: "ok"}), "sheet.csv")  # at the limit


# ---- reading a sheet, piece by piece: what mutation testing showed untested -------------------------------------


def _sheet(tmp_path, text: str, name: str = "sheet.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _refusal(path, *args, **options) -> str:
    with pytest.raises(InputFileError) as raised:
        read_sheet(path, *args, **options)
    return str(raised.value)


def test_a_header_is_compared_trimmed_in_lower_case_with_yo_as_ye_and_spaces_as_one_underscore():
    from tnr_pipeline.inputs.spreadsheet import normalise_header

    assert normalise_header("  Объём   ДАННЫХ ") == "объем_данных"
    assert normalise_header("ЁЛКА") == "елка"
    assert normalise_header("Host\tCountry") == "host_country"
    assert normalise_header(2022) == "2022"


def test_the_head_is_the_first_25_rows_with_every_line_ending_read_as_lf():
    from tnr_pipeline.inputs.spreadsheet import HEADER_SEARCH_ROWS, _head

    assert HEADER_SEARCH_ROWS + 5 == 25
    text = "".join(f"{i},x\r\n" if i % 2 else f"{i},x\r" for i in range(40))
    assert _head(text) == "".join(f"{i},x\n" for i in range(25))
    assert _head("a,b") == "a,b"


@pytest.mark.parametrize(
    "text, delimiter, width",
    [("a,b\nc,d,e\n", ",", 3), ("a;b\n", ",", 1), ("", ",", 1), ("\n\n\n", ";", 1), ("\n" * 30 + "a,b,c,d\n", ",", 1)],
)
def test_the_widest_of_the_first_rows_is_at_least_one_column(text, delimiter, width):
    from tnr_pipeline.inputs.spreadsheet import _widest

    assert _widest(text, delimiter) == width


@pytest.mark.parametrize("delimiter", list(",;\t"))
@settings(max_examples=examples(200), deadline=None)
@given(text=st.text(alphabet=st.sampled_from(list('ab",;\t\r\n\x00\u2028 ')), max_size=60))
def test_the_first_rows_of_any_text_are_read_by_the_csv_module_without_an_error(delimiter, text):
    from tnr_pipeline.inputs.spreadsheet import _head, csv_rows

    rows = csv_rows(_head(text), delimiter)
    assert all(isinstance(cell, str) for row in rows for cell in row)


def test_a_tsv_is_read_by_tabs_even_where_its_first_rows_hold_more_commas(tmp_path):
    text = "Title, with, commas, here\ncase_id\tyear\nA, B\t2020\n"
    for name in ("cases.tsv", "CASES.TSV"):
        read = read_sheet(_sheet(tmp_path, text, name), ("case_id", "year"))
        assert read.frame.to_dict("list") == {"case_id": ["A, B"], "year": ["2020"]}
        assert read.details == ["encoding: UTF-8", "delimiter: tab"]


def test_cells_are_read_as_written_not_as_missing_values_nor_numbers(tmp_path):
    """'NA' is Namibia's code and 'null' someone's word; an unnamed column of numbers stays text (and is dropped);
    a row shorter than the header has blank cells; a fully blank row is left out, the others keep their row."""
    text = "case_id,host_country,,note\nA,NA,1,null\n,,,\nB,N/A,2\n007,none,3,\n"
    read = read_sheet(_sheet(tmp_path, text), ("case_id", "host_country"), ("note",))
    assert read.frame.to_dict("index") == {
        2: {"case_id": "A", "host_country": "NA", "note": "null"},
        4: {"case_id": "B", "host_country": "N/A", "note": ""},
        5: {"case_id": "007", "host_country": "none", "note": ""},
    }
    assert read.frame.index.name == "row"


def test_a_row_with_more_cells_than_the_first_rows_is_refused_whole(tmp_path):
    text = "case_id,year\n" + "A,2020\n" * 30 + "B,2021,extra,cells\n"
    message = _refusal(_sheet(tmp_path, text, "wide.csv"), ("case_id", "year"))
    assert message.startswith("'wide.csv' cannot be read as a table (Error tokenizing data. C error: Expected 2 fields")
    assert message.endswith("): check that no row has more cells than the header")


def test_an_undecidable_file_and_a_long_cell_are_named_by_the_files_own_name(tmp_path):
    (tmp_path / "latin.csv").write_bytes(b"case_id\na\xe9 \xc0\n")
    assert _refusal(tmp_path / "latin.csv", ("case_id",)).startswith("'latin.csv' is not UTF-8, and its encoding")
    long_cell = _sheet(tmp_path, "case_id\n" + "A\n" * 30 + "x" * (MAX_CELL_CHARS + 1) + "\n", "long.csv")
    assert _refusal(long_cell, ("case_id",)).startswith("'long.csv': row 32, column A holds a cell of 131,073")


@pytest.mark.parametrize(
    "name, expected",
    [
        ("cases.pdf", "its name ends in '.pdf'"),
        ("cases", "its name ends in 'nothing'"),
    ],
)
def test_a_file_of_another_kind_is_refused_with_the_kinds_allowed(tmp_path, name, expected):
    (tmp_path / name).write_bytes(b"%PDF-1.4")
    assert _refusal(tmp_path / name, ("case_id",)) == (
        f"'{name}' is not a spreadsheet this pipeline reads ({expected}). Allowed: .csv, .tsv, .txt, .xlsx, .xlsm, "
        ".xls, .ods. Save it from Excel as .xlsx or as CSV"
    )


def test_the_header_row_is_the_first_with_every_required_header_else_the_first_with_the_most(tmp_path):
    from tnr_pipeline.inputs.spreadsheet import find_header_row

    required = {"case_id": "case_id", "year": "year", "tactic": "tactic"}
    grid = pd.DataFrame([["Title", "", ""], ["year", "x", ""], ["tactic", "y", ""], ["case_id", "year", "tactic"]])
    assert find_header_row(grid, required) == 3
    assert find_header_row(grid.iloc[:3], required) == 1  # two rows hold one each: the first of them
    assert find_header_row(grid.iloc[:1], required) == 0  # none holds any
    two = {"case_id": "case_id", "year": "year"}
    assert find_header_row(pd.DataFrame([["case_id", ""], ["case_id", "year"]]), two) == 1


def test_a_header_named_twice_is_refused_naming_every_copy_by_its_column(tmp_path):
    text = "Title\ncase_id,Year,,note,Case ID,YEAR\nA,2020,,,B,2021\n"
    assert _refusal(_sheet(tmp_path, text, "twice.csv"), ("case_id", "year")) == (
        '\'twice.csv\': the header row (row 2) names a column twice: "case_id" (column A) and "Case ID" (column E); '
        '"Year" (column B) and "YEAR" (column F). Give each column its own header, or delete the copy'
    )


def test_a_sheet_holding_no_contract_column_reads_its_rows_and_names_every_column_missing(tmp_path):
    read = read_sheet(_sheet(tmp_path, "name,notes\nx,y\nz,w\n"), ("case_id", "year"), (), {"year": "Год"})
    assert list(read.frame.columns) == [] and list(read.frame.index) == [2, 3]
    assert read.missing == {"case_id": "case_id", "year": "Год"}
    assert read.describe("sheet.csv").splitlines()[-2:] == [
        "  contract columns found: none",
        "  columns dropped, by name: name, notes",
    ]
    every = read_sheet(_sheet(tmp_path, "case_id\nA\n"), ("case_id",))
    assert every.describe("sheet.csv").splitlines()[-1] == "  columns dropped, by name: none"


def test_a_workbook_without_the_named_sheet_or_any_sheet_is_refused_naming_its_sheets(tmp_path, monkeypatch):
    from tnr_pipeline.inputs import spreadsheet

    path = tmp_path / "book.xlsx"
    with pd.ExcelWriter(path) as writer:
        pd.DataFrame({"case_id": ["A"]}).to_excel(writer, sheet_name="Cases", index=False)
        pd.DataFrame().to_excel(writer, sheet_name="Empty", index=False)  # unreadable: the search goes on past it
        pd.DataFrame({"note": ["x"]}).to_excel(writer, sheet_name="Notes", index=False)
    assert _refusal(path, ("case_id",), sheet="Cased") == "'book.xlsx' has no sheet named 'Cased'. Its sheets: " + (
        "Cases, Empty, Notes"
    )
    assert _refusal(path, ("case_id",), sheet="Empty") == (
        "'book.xlsx' is empty: it needs a header row and one row per entry"
    )
    assert spreadsheet.sheets_with_columns(path, ("case_id",), None) == ["Cases"]
    assert spreadsheet.sheets_with_columns(path, ("host_country",), {"host_country": "note"}) == ["Notes"]
    monkeypatch.setattr(spreadsheet, "workbook_sheets", lambda path: [])
    assert _refusal(path, ("case_id",)) == "'book.xlsx' has no sheet"


def test_a_workbook_whose_sheet_cannot_be_read_gets_the_damaged_workbook_message(tmp_path):
    path = tmp_path / "book.xlsx"
    pd.DataFrame({"case_id": ["A"]}).to_excel(path, index=False)
    with zipfile.ZipFile(path) as archive:
        parts = {name: archive.read(name) for name in archive.namelist()}
    parts["xl/worksheets/sheet1.xml"] = b"<worksheet><sheetData><row><c r="  # the sheet cut short, its name intact
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    assert _refusal(path, ("case_id",)) == (
        "'book.xlsx' cannot be read as a workbook: it is damaged, password-protected or not really a .xlsx file. "
        "Open it in Excel or LibreOffice and save it again as .xlsx"
    )


def test_a_column_of_numbers_under_a_numeric_header_is_read_as_text(tmp_path):
    read = read_sheet(_sheet(tmp_path, "case_id,2022,year\nA,1,2022\nB,2,2023\n"), ("case_id", "year"))
    assert read.frame.to_dict("list") == {"case_id": ["A", "B"], "year": ["2022", "2023"]}
