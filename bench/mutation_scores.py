"""The mutation score of each module after `mutmut run` (`make mutation`): detected / (detected + survived), where a
mutant is detected when a test fails on it or it makes a test run out of time (an endless loop is caught, as in
Stryker's scores), from mutmut's own result files (mutants/**/*.py.meta) and its own reading of an exit code.

Mutants that no selected test runs ("no tests") are counted apart: they are code the fast unit tests never reach.
Prints a Markdown table (for the README) and exits 0; `mutmut results` lists the survivors by name.
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path


def scores(mutants: Path) -> list[dict]:
    from mutmut.stats import status_by_exit_code

    rows = []
    for meta in sorted(mutants.rglob("*.py.meta")):
        codes = json.loads(meta.read_text(encoding="utf-8"))["exit_code_by_key"]
        counted = Counter(status_by_exit_code[code] for code in codes.values())
        tested = counted["killed"] + counted["survived"] + counted["timeout"]
        rows.append(
            {
                "module": meta.relative_to(mutants).as_posix().removesuffix(".meta"),
                "mutants": len(codes),
                "killed": counted["killed"],
                "survived": counted["survived"],
                "timeout": counted["timeout"],
                "no_tests": counted["no tests"],
                "not_checked": counted["not checked"],
                "score": (counted["killed"] + counted["timeout"]) / tested if tested else float("nan"),
            }
        )
    return rows


def main() -> int:
    mutants = Path(sys.argv[1] if len(sys.argv) > 1 else "mutants")
    if not mutants.is_dir():
        print(f"{mutants}/ does not exist: run `make mutation` first", file=sys.stderr)
        return 1
    print("| module | mutants | killed | survived | timeout | no test runs it | score |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    for row in scores(mutants):
        print(
            f"| {row['module']} | {row['mutants']} | {row['killed']} | {row['survived']} | {row['timeout']} | "
            f"{row['no_tests']} | {row['score']:.1%} |"
            + (f" ({row['not_checked']} not checked)" if row["not_checked"] else "")
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
