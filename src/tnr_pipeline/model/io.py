"""The file edges: writing and reading Parquet with provenance, writing text atomically, hashing inputs.

What belongs here: anything that touches the file system for output tables (spreadsheets are read by
`spreadsheet`). No validation (see `schemas`), no statistics.
Writes are atomic: a file appears whole or not at all. pandas and pyarrow are imported where they are used, so a
step that only writes text (the report) does not pay for pandas.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd

from tnr_pipeline import __version__
from tnr_pipeline.model.fields import BOOLEAN, DATE, FLOAT, INTEGER, TEXT, table_fields

PROVENANCE_KEY = b"tnr_pipeline"


def sha256_file(path: str | Path) -> str:
    """The SHA-256 of a file's bytes, as hex."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def read_csv_table(path: str | Path) -> tuple[list[str], list[dict[str, str]]]:
    """A small CSV of the project's own (a reference file, the claims file): its header and its rows of text, keyed
    by the header, in one pass; the one reader of them all. UTF-8, with or without a byte-order mark; empty cells
    are ''."""
    import csv

    with open(path, encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        rows = list(reader)
        return list(reader.fieldnames or []), rows


def read_csv_rows(path: str | Path) -> list[dict[str, str]]:
    """The rows of such a CSV (`read_csv_table`)."""
    return read_csv_table(path)[1]


def map_distinct(series: pd.Series, function, dtype=None) -> pd.Series:
    """Apply a Python function once per distinct value of a Series and spread the results back to every row."""
    import pandas as pd

    codes, uniques = pd.factorize(series, use_na_sentinel=False)
    results = pd.Series([function(value) for value in uniques], dtype=dtype)
    return pd.Series(results.to_numpy()[codes], index=series.index, name=series.name, dtype=results.dtype)


def _arrow_type(kind: str):
    import pyarrow as pa

    return {TEXT: pa.string(), INTEGER: pa.int64(), FLOAT: pa.float64(), BOOLEAN: pa.bool_(), DATE: pa.date32()}[kind]


def arrow_schema(table: str):
    """The pyarrow schema of an output table, from its field definitions."""
    import pyarrow as pa

    return pa.schema([pa.field(f.name, _arrow_type(f.kind), nullable=f.nullable) for f in table_fields(table)])


@contextmanager
def atomic_path(path: str | Path) -> Iterator[Path]:
    """Yield a temporary path beside `path`; move it into place only if the block succeeds."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    os.close(handle)
    umask = os.umask(0)
    os.umask(umask)
    try:
        yield Path(temporary)
        os.chmod(temporary, 0o666 & ~umask)
        os.replace(temporary, path)
    finally:
        if os.path.exists(temporary):
            os.remove(temporary)


def remove_other_files(folder: str | Path, patterns: tuple[str, ...], keep) -> list[Path]:
    """Remove the files in `folder` that match one of the glob `patterns` (relative to it) and are not in `keep`,
    then the subfolders that leaves empty: what a step that owns those names wrote in an earlier build and does not
    write now (another language's edition). Returns the files removed, sorted."""
    folder, kept = Path(folder), {Path(path).resolve() for path in keep}
    stale = sorted(
        {path for pattern in patterns for path in folder.glob(pattern) if path.is_file() and path.resolve() not in kept}
    )
    for path in stale:
        path.unlink()
    for parent in sorted({path.parent for path in stale}, reverse=True):
        if parent != folder and not any(parent.iterdir()):
            parent.rmdir()
    return stale


def write_text(path: str | Path, text: str) -> None:
    """Write a text file atomically, UTF-8 with Unix newlines."""
    with atomic_path(path) as temporary:
        temporary.write_text(text, encoding="utf-8", newline="\n")


def public_path(path: str | Path) -> str:
    """How an output names an input file: as given when that is a path inside the working folder
    (data/raw/cases.csv), by its path from the working folder when an absolute path leads inside it, else by its file
    name alone. No output carries a folder of the machine it was built on (a home folder names its user); the input's
    hash, recorded beside its name, identifies it."""
    given = Path(path)
    if not given.is_absolute() and ".." not in given.parts:
        return given.as_posix()
    try:
        return given.resolve().relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return given.name


def provenance(inputs: dict[str, str], config: dict, described: dict[str, dict] | None = None) -> dict:
    """Provenance recorded in every output: input hashes, what each input is (its description, whether it is a
    reconstruction: see `descriptions.describe_input`), the package version and the config values used. Inputs are
    named by `public_path`."""
    return {
        "inputs_sha256": dict(sorted((public_path(path), digest) for path, digest in inputs.items())),
        "inputs_described": dict(sorted((public_path(path), info) for path, info in (described or {}).items())),
        "package_version": __version__,
        "config": config,
    }


def merge_provenance(metas: list[dict], config: dict | None = None) -> dict:
    """The provenance of an output built from several tables: all their inputs and descriptions, their config
    values (earlier tables win a clash) and `config` on top."""
    inputs, described, merged = {}, {}, {}
    for meta in reversed(metas):
        inputs.update(meta["inputs_sha256"])
        described.update(meta.get("inputs_described", {}))
        merged.update(meta.get("config", {}))
    merged.update(config or {})
    version = metas[0]["package_version"] if metas else __version__
    return {**provenance(inputs, merged, described), "package_version": version}


def write_parquet(frame: pd.DataFrame, table: str, path: str | Path, meta: dict) -> None:
    """Write an output table with its explicit schema and provenance metadata, atomically and reproducibly."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    schema = arrow_schema(table)
    arrow = pa.Table.from_pandas(frame[schema.names], schema=schema, preserve_index=False)
    metadata = dict(arrow.schema.metadata or {})
    metadata[PROVENANCE_KEY] = json.dumps(meta, sort_keys=True, ensure_ascii=False).encode()
    arrow = arrow.replace_schema_metadata(metadata)
    with atomic_path(path) as temporary:
        pq.write_table(arrow, temporary, compression="zstd")


def read_parquet(path: str | Path) -> pd.DataFrame:
    """Read an output table written by `write_parquet`."""
    import pandas as pd

    return pd.read_parquet(path)


def read_provenance(path: str | Path) -> dict:
    """The provenance metadata of a file written by `write_parquet`."""
    import pyarrow.parquet as pq

    return json.loads(pq.ParquetFile(path).schema_arrow.metadata[PROVENANCE_KEY])
