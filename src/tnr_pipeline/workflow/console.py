"""What a build says at its end on the console, printed by the Snakefile's `onsuccess` and `onerror` handlers.

What belongs here: reading short text files and printing them. After a finished build: the summary the findings
step wrote, when it describes the tables as they are now. After a failed one: each failed step's problems, so that
they are the last lines an analyst sees. Standard library only: Snakemake's own process runs it.
"""

from __future__ import annotations

import time
from pathlib import Path


def print_build_summary(path: str | Path, tables: list[str] | None = None) -> bool:
    """Print the build's closing summary (headline ratios, claims, where the findings are), if it was written and
    no table is newer than it (a build of some tables only would otherwise show a stale summary)."""
    path = Path(path)
    if not path.is_file():
        return False
    written = path.stat().st_mtime
    if any(Path(table).is_file() and Path(table).stat().st_mtime > written for table in tables or []):
        return False
    print("\n" + path.read_text(encoding="utf-8"), end="", flush=True)
    return True


LOGS = "logs"
_started: list[float] = []


def mark_build_start() -> None:
    """Remember when this build's jobs started (the Snakefile's `onstart`): a problems file written since then is
    this build's."""
    _started[:] = [time.time()]


def failure_reports(logs_dir: str | Path = LOGS, since: float | None = None) -> dict[str, str]:
    """The problems files (`<rule>.problems.txt`) that the steps of this build wrote, by rule. A step writes one only
    when it fails, and removes it when it succeeds."""
    since = (_started[0] if _started else 0.0) if since is None else since
    found = sorted(Path(logs_dir).glob("*.problems.txt")) if Path(logs_dir).is_dir() else []
    return {
        path.name.removesuffix(".problems.txt"): path.read_text(encoding="utf-8", errors="replace")
        for path in found
        if path.stat().st_mtime >= since
    }


def print_failures(logs_dir: str | Path = LOGS, since: float | None = None) -> list[str]:
    """After a failed build: each failed step's problems, the last lines on the console, where an analyst looks.
    Returns the rules reported."""
    reports = failure_reports(logs_dir, since)
    for rule, text in reports.items():
        print(f"\n{rule} failed (its log: {Path(logs_dir) / rule}.log):", flush=True)
        print(text if text.endswith("\n") else text + "\n", end="", flush=True)
    return list(reports)


def remove_findings_without_tables(documents, tables) -> list[str]:
    """After a failed build: remove the findings documents (and the summary) when a table they are built from is
    missing, removed by the step that failed (a strict claims check removes claims.parquet). Findings of an earlier
    build never stay beside the tables of this one. Returns what was removed."""
    if all(Path(table).is_file() for table in tables):
        return []
    removed = [str(path) for path in map(Path, documents) if path.is_file()]
    for path in removed:
        Path(path).unlink()
    if removed:
        print(f"\nRemoved the findings of an earlier build (a table they read is missing): {', '.join(removed)}")
    return removed
