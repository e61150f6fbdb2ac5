"""What a finished build says on the console: the summary the findings step wrote, printed by the Snakefile.

What belongs here: reading that short text file and printing it. Standard library only: Snakemake's own process
runs it.
"""

from __future__ import annotations

from pathlib import Path


def print_build_summary(path: str | Path) -> bool:
    """Print the build's closing summary (headline ratios, claims, where the findings are), if it was written."""
    path = Path(path)
    if not path.is_file():
        return False
    print("\n" + path.read_text(encoding="utf-8"), end="", flush=True)
    return True
