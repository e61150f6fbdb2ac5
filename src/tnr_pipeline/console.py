"""What a finished build says on the console: the summary the findings step wrote, printed by the Snakefile.

What belongs here: reading that short text file and printing it, when it describes the tables as they are now.
Standard library only: Snakemake's own process runs it.
"""

from __future__ import annotations

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
