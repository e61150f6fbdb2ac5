"""The report step's reading: the output tables as lists of rows (pyarrow only, never pandas), the case table's
counts read column-wise, the small CSVs of words, and selecting rows from such lists."""

from __future__ import annotations

from pathlib import Path

from tnr_pipeline.model import io


def read_records(path: str | Path) -> list[dict]:
    """A small output table as a list of rows (pyarrow only: the report step does not import pandas; ParquetFile
    rather than read_table, whose dataset layer imports pandas)."""
    import pyarrow.parquet as pq

    return pq.ParquetFile(path).read().to_pylist()


def read_typology(path: str | Path) -> list[dict]:
    """The typology CSV as rows, `fh_counted` as a boolean."""
    return [dict(row, fh_counted=row["fh_counted"].strip().lower() == "true") for row in read_csv_rows(path)]


def describe_cases(path: str | Path) -> dict:
    """Counts the document states about the case table, read column-wise (fast on a million rows)."""
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    table = pq.ParquetFile(path).read(columns=["year", "host_country", "date"])
    years, dates = pc.min_max(table["year"]).as_py(), pc.min_max(table["date"]).as_py()
    return {
        "n_cases": table.num_rows,
        "n_host_countries": pc.count_distinct(table["host_country"]).as_py(),
        "first_year": years["min"],
        "last_year": years["max"],
        "n_dated": table.num_rows - table["date"].null_count,
        "first_date": dates["min"],
        "last_date": dates["max"],
    }


def where(rows: list[dict], **conditions) -> list[dict]:
    return [row for row in rows if all(row[key] == value for key, value in conditions.items())]


def one(rows: list[dict], **conditions) -> dict:
    matches = where(rows, **conditions)
    if len(matches) != 1:
        raise ValueError(f"{len(matches)} rows match {conditions}")
    return matches[0]


def read_csv_rows(path: str | Path | None) -> list[dict]:
    """A small CSV of words (region groups, the claims file) as rows; none when no path is given."""
    return io.read_csv_rows(path) if path else []


# The columns of the file of the report's reasons to expect later cases to be recorded more often (config
# recording_reasons); each may have translations (quote_ru, ...).
RECORDING_REASON_COLUMNS = ("reason", "section", "quote", "reading")


def read_recording_reasons(path: str | Path | None) -> list[dict]:
    """The report's reasons to expect later cases to be recorded more often, as rows; none when no path is given. A
    file without the columns, or a row without a quote, is refused with every problem (SettingsError), each row
    counted as a spreadsheet shows it (the header is row 1)."""
    from tnr_pipeline.model.settings import SettingsError

    if not path:
        return []
    try:
        header, rows = io.read_csv_table(path)
    except (OSError, UnicodeDecodeError) as error:
        raise SettingsError([f"{path}: cannot be read as a UTF-8 CSV ({error})"], "recording_reasons") from None
    problems = [
        f"{path}: no column {column!r}. Columns needed: {', '.join(RECORDING_REASON_COLUMNS)}"
        for column in RECORDING_REASON_COLUMNS
        if column not in header
    ]
    if not problems:
        problems = [
            f"{path}, row {number}, column {column}: empty. Each reason needs its {column} (the report's words)"
            for number, row in enumerate(rows, start=2)
            for column in RECORDING_REASON_COLUMNS
            if not (row.get(column) or "").strip()
        ]
    if problems:
        raise SettingsError(problems, "recording_reasons")
    return rows
