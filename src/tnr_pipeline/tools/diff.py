"""Review a data change: what differs between two builds, table by table (`tnr-pipeline diff OLD NEW`).

What belongs here: reading two data/processed/ folders (or building two git revisions in temporary worktrees),
matching each table's rows on its keys (registry.TABLE_KEYS), and reporting, as Markdown or JSON, the cases added,
removed and changed (coded fields only), every statistic that changed, the claims whose status changed, and the
tables whose schema changed. Only the Parquet tables are read: nothing personal ever is.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from tnr_pipeline.model import io, registry
from tnr_pipeline.model.errors import UserError
from tnr_pipeline.render.escape import Raw, markdown, markdown_code, markdown_code_block

MAX_ROWS = 60  # changed rows listed per table in the Markdown report (the JSON has them all)


class DiffInputError(UserError):
    """A side of the comparison cannot be read: not a built data/processed folder, nor a git revision that builds."""


class BrokenClaims(UserError):
    """A claim that held no longer holds, and the caller asked for that to fail (strict_claims)."""

    def __init__(self, claim_ids: list[str]):
        message = f"{len(claim_ids)} claim(s) of the report no longer hold (strict claims): " + ", ".join(claim_ids)
        super().__init__(message, claim_ids)


@dataclass
class TableDiff:
    name: str
    added: list[dict] = field(default_factory=list)
    removed: list[dict] = field(default_factory=list)
    changed: list[dict] = field(default_factory=list)  # {"key": {...}, "column": c, "old": v, "new": v}
    schema: dict = field(default_factory=dict)  # {"added_columns", "removed_columns", "retyped_columns"}
    only_in: str = ""  # "old" or "new" when the table exists on one side only

    @property
    def unchanged(self) -> bool:
        return not (self.added or self.removed or self.changed or self.schema or self.only_in)


# ---- reading the two sides ----------------------------------------------------------------------------------


def read_build(folder: str | Path) -> dict:
    """The tables of a build (name -> DataFrame) and their merged provenance; DiffInputError when unreadable."""
    import pandas as pd

    folder = Path(folder)
    if not folder.is_dir():
        raise DiffInputError(f"'{folder}' is not a folder of built tables (data/processed/) nor a git revision")
    paths = sorted(folder.glob("*.parquet"))
    if not paths:
        raise DiffInputError(f"'{folder}' holds no Parquet table: build it first (snakemake)")
    tables, provenance = {}, []
    for path in paths:
        try:
            tables[path.stem] = pd.read_parquet(path)
            provenance.append(io.read_provenance(path))
        except Exception as error:  # noqa: BLE001 - any unreadable file is the same problem for a reviewer
            raise DiffInputError(f"'{path}' cannot be read as a table written by tnr-pipeline ({error})") from None
    return {"tables": tables, "provenance": io.merge_provenance(provenance), "source": str(folder)}


def build_revision(revision: str, repository: str | Path, workdir: str | Path) -> Path:
    """Check out a git revision in a temporary worktree and build its tables there with its own workflow; returns
    the worktree's data/processed folder."""
    repository, workdir = Path(repository), Path(workdir)
    checked = subprocess.run(
        ["git", "-C", str(repository), "rev-parse", "--verify", "--quiet", f"{revision}^{{commit}}"],
        capture_output=True,
        text=True,
    )
    if checked.returncode != 0:
        raise DiffInputError(
            f"'{revision}' is neither a folder of built tables nor a git revision of {repository.resolve()}"
        )
    added = subprocess.run(
        ["git", "-C", str(repository), "worktree", "add", "--detach", str(workdir), revision],
        capture_output=True,
        text=True,
    )
    if added.returncode != 0:
        raise DiffInputError(f"git could not check out '{revision}': {added.stderr.strip()}")
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(filter(None, [str(workdir / "src"), os.environ.get("PYTHONPATH")])),
    }
    env["PATH"] = str(Path(sys.executable).parent) + os.pathsep + env.get("PATH", "")
    targets = [registry.table_path(name) for name in registry.all_tables()]
    built = subprocess.run(
        [sys.executable, "-m", "snakemake", *targets, "--cores", "2", "--quiet", "all"],
        cwd=workdir,
        capture_output=True,
        text=True,
        env=env,
    )
    if built.returncode != 0:
        raise DiffInputError(f"revision '{revision}' did not build:\n{(built.stdout + built.stderr)[-3000:]}")
    return workdir / registry.PROCESSED


def remove_worktree(repository: str | Path, workdir: str | Path) -> None:
    """Remove a worktree made by `build_revision`, and the temporary folder that holds it."""
    subprocess.run(
        ["git", "-C", str(repository), "worktree", "remove", "--force", str(workdir)], capture_output=True, text=True
    )
    subprocess.run(["git", "-C", str(repository), "worktree", "prune"], capture_output=True, text=True)
    shutil.rmtree(Path(workdir).parent, ignore_errors=True)


# ---- comparing -------------------------------------------------------------------------------------------------


def _same(old, new) -> bool:
    """Equal values, with missing equal to missing and floats equal to 12 significant digits (relative only: a
    p-value of 1e-27 differs from one of 1e-28)."""
    import pandas as pd

    if pd.isna(old) and pd.isna(new):
        return True
    if pd.isna(old) or pd.isna(new):
        return False
    if isinstance(old, float) or isinstance(new, float):
        old, new = float(old), float(new)
        if math.isinf(old) or math.isinf(new):
            return old == new
        return math.isclose(old, new, rel_tol=1e-12)
    return old == new


def _plain(value):
    """A cell as JSON-ready Python (missing as None, numpy scalars as Python numbers, dates as text)."""
    import pandas as pd

    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, float) and math.isinf(value):
        return "inf" if value > 0 else "-inf"
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def compare_table(name: str, old, new) -> TableDiff:
    """Rows added, removed and changed (matched on the table's keys), and schema changes."""
    result = TableDiff(name)
    old_types, new_types = {c: str(t) for c, t in old.dtypes.items()}, {c: str(t) for c, t in new.dtypes.items()}
    schema = {
        "added_columns": sorted(set(new_types) - set(old_types)),
        "removed_columns": sorted(set(old_types) - set(new_types)),
        "retyped_columns": sorted(c for c in set(old_types) & set(new_types) if old_types[c] != new_types[c]),
    }
    result.schema = {key: value for key, value in schema.items() if value}
    keys = [k for k in registry.TABLE_KEYS.get(name, ()) if k in old_types and k in new_types]
    if not keys:
        if not result.schema and not old.reset_index(drop=True).equals(new.reset_index(drop=True)):
            result.changed.append({"key": {}, "column": "(whole table)", "old": len(old), "new": len(new)})
        return result
    common = [
        c for c in old_types if c in new_types and c not in keys and c not in result.schema.get("retyped_columns", [])
    ]
    old_rows = {
        tuple(_plain(v) for v in row[: len(keys)]): row for row in old[keys + common].itertuples(index=False, name=None)
    }
    new_rows = {
        tuple(_plain(v) for v in row[: len(keys)]): row for row in new[keys + common].itertuples(index=False, name=None)
    }
    for key in sorted(set(new_rows) - set(old_rows), key=str):
        result.added.append(_row_dict(keys, common, new_rows[key]))
    for key in sorted(set(old_rows) - set(new_rows), key=str):
        result.removed.append(_row_dict(keys, common, old_rows[key]))
    for key in sorted(set(old_rows) & set(new_rows), key=str):
        before, after = old_rows[key], new_rows[key]
        for i, column in enumerate(common, start=len(keys)):
            if not _same(before[i], after[i]):
                result.changed.append(
                    {"key": dict(zip(keys, key)), "column": column, "old": _plain(before[i]), "new": _plain(after[i])}
                )
    return result


def _row_dict(keys: list[str], columns: list[str], row: tuple) -> dict:
    return {column: _plain(value) for column, value in zip(keys + columns, row)}


def compare_builds(old: dict, new: dict) -> dict:
    """The whole comparison, as plain data (what `--format json` prints)."""
    same_inputs = (
        old["provenance"]["inputs_sha256"] == new["provenance"]["inputs_sha256"]
        and old["provenance"]["config"] == new["provenance"]["config"]
    )
    report = {
        "old": old["source"],
        "new": new["source"],
        "inputs": {"old": old["provenance"]["inputs_sha256"], "new": new["provenance"]["inputs_sha256"]},
        "identical_inputs": same_inputs,
        "tables": {},
        "unchanged_tables": [],
        "claims_changed": [],
        "headline": [],
    }
    if same_inputs:
        return report
    names = list(dict.fromkeys([*registry.all_tables(), *old["tables"], *new["tables"]]))
    for name in names:
        if name not in old["tables"] and name not in new["tables"]:
            continue
        if name not in old["tables"] or name not in new["tables"]:
            diff = TableDiff(name, only_in="new" if name in new["tables"] else "old")
        else:
            diff = compare_table(name, old["tables"][name], new["tables"][name])
        if diff.unchanged:
            report["unchanged_tables"].append(name)
        else:
            report["tables"][name] = diff.__dict__
    report["claims_changed"] = _claims_changed(old["tables"].get("claims"), new["tables"].get("claims"))
    report["headline"] = _headline(old["tables"].get("period_ratios"), new["tables"].get("period_ratios"))
    return report


def _claims_changed(old, new) -> list[dict]:
    """Claims whose status changed: now failing, now holding, added or removed."""
    if old is None or new is None or "holds" not in old or "holds" not in new:
        return []
    before, after = old.set_index("claim_id"), new.set_index("claim_id")
    changed = []
    for claim_id in sorted(set(before.index) | set(after.index)):
        was, now = _status(before, claim_id), _status(after, claim_id)
        if was == now:
            continue
        row = after.loc[claim_id] if claim_id in after.index else before.loc[claim_id]
        changed.append(
            {
                "claim_id": claim_id,
                "claim": str(row["claim"]),
                "was": _shown(was),
                "now": _shown(now),
                "observed_old": str(before.at[claim_id, "observed"]) if was is not None else None,
                "observed_new": str(after.at[claim_id, "observed"]) if now is not None else None,
                "expected": f"{row['check']} {row['expected']}",
            }
        )
    return changed


def _status(claims, claim_id: str):
    """A claim's status in one build: True or False, claims.NOT_CHECKABLE (holds is missing: the data cannot test
    it), or None when it is absent."""
    import pandas as pd

    from tnr_pipeline.analysis.claims.notation import NOT_CHECKABLE

    if claim_id not in claims.index:
        return None
    holds = claims.at[claim_id, "holds"]
    return NOT_CHECKABLE if pd.isna(holds) else bool(holds)


def _shown(status):
    """A status as the report gives it: NOT_CHECKABLE_WORDS for claims.NOT_CHECKABLE, any other as it is."""
    from tnr_pipeline.analysis.claims.notation import NOT_CHECKABLE

    return NOT_CHECKABLE_WORDS if status == NOT_CHECKABLE else status


def _headline(old, new) -> list[dict]:
    """Each scope's rate ratio and interval, old and new."""
    if old is None or new is None:
        return []
    columns = ("ratio", "ci_low", "ci_high")
    before, after = old.set_index("scope"), new.set_index("scope")
    return [
        {
            "scope": scope,
            **{f"{c}_old": _plain(before.at[scope, c]) if scope in before.index else None for c in columns},
            **{f"{c}_new": _plain(after.at[scope, c]) if scope in after.index else None for c in columns},
        }
        for scope in dict.fromkeys([*before.index, *after.index])
    ]


# ---- the Markdown report ---------------------------------------------------------------------------------------

# The report's words for a claim's status (the claims table's `holds`: true, false, or missing when the data cannot
# test the claim); the JSON report gives the same words for a claim that is not checkable.
NOT_CHECKABLE_WORDS = "not checkable"
STATUS_WORDS = {True: "holds", False: "fails", NOT_CHECKABLE_WORDS: NOT_CHECKABLE_WORDS}

# The coded fields listed for a case added or removed (the case table's other columns are not shown).
CODED_FIELDS = ("year", "host_country", "tactic", "target_profile", "verification", "period")

# The folder of diff.md.j2 and diff_failure.md.j2: the project's templates/.
TEMPLATE_DIR = Path(__file__).resolve().parents[3] / "templates"


def _number(value) -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:.4g}"
    return str(value)


def _cells(values, separator: str = ", ") -> Raw:
    """Values as the report shows them, each escaped, joined."""
    return Raw(separator.join(markdown(_number(value)) for value in values))


def environment(template_dir: str | Path = TEMPLATE_DIR):
    """The jinja2 environment of the report: strict, whitespace-tidy, escaping every data value for Markdown
    (`finalize`), with the report's filters."""
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(template_dir)),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        finalize=markdown,
        autoescape=False,
    )
    env.filters.update(
        cell=_number,  # escaped by finalize, as every value written
        cells=_cells,
        number=lambda value: Raw(_number(value)),  # a number as written, unescaped
        code=markdown_code,
        code_block=lambda text: Raw(markdown_code_block(text)),
        as_markdown=Raw,  # the report's own words (field names), not escaped
    )
    return env


def render_markdown(report: dict, template_dir: str | Path = TEMPLATE_DIR) -> str:
    inputs = report["inputs"]
    changed_inputs = [
        (path, inputs["old"].get(path), inputs["new"].get(path))
        for path in sorted(set(inputs["old"]) | set(inputs["new"]))
        if inputs["old"].get(path) != inputs["new"].get(path)
    ]
    cases = report["tables"].get("cases")
    changed_case_ids = list(dict.fromkeys(c["key"].get("case_id") for c in cases["changed"])) if cases else []
    return (
        environment(template_dir)
        .get_template("diff.md.j2")
        .render(
            report=report,
            changed_inputs=changed_inputs,
            changed_case_ids=changed_case_ids,
            coded_fields=CODED_FIELDS,
            status_words=STATUS_WORDS,
            table_keys=registry.TABLE_KEYS,
            max_rows=MAX_ROWS,
        )
    )


def render_failure(
    old: str, new: str, message: str, output_format: str = "markdown", template_dir: str | Path = TEMPLATE_DIR
) -> str:
    """The report when a side could not be read or built: the error, shown as written."""
    if output_format == "json":
        return json.dumps({"old": old, "new": new, "error": message}, indent=2, ensure_ascii=False) + "\n"
    return environment(template_dir).get_template("diff_failure.md.j2").render(old=old, new=new, message=message)


# ---- the command ------------------------------------------------------------------------------------------------


def compare(old: str, new: str, output_format: str = "markdown", repository: str = ".") -> tuple[str, dict]:
    """Compare two builds (folders) or two git revisions (built in temporary worktrees); returns the text to print
    and the report."""
    worktrees = []
    try:
        sides = []
        for side in (old, new):
            if Path(side).is_dir():
                sides.append(read_build(side))
                continue
            workdir = Path(tempfile.mkdtemp(prefix="tnr-diff-")) / "worktree"  # removed with its folder
            worktrees.append(workdir)
            folder = build_revision(side, repository, workdir)
            sides.append({**read_build(folder), "source": side})
        report = compare_builds(*sides)
    finally:
        for workdir in worktrees:
            remove_worktree(repository, workdir)
    if output_format == "json":
        return json.dumps(report, indent=2, ensure_ascii=False, default=str) + "\n", report
    return render_markdown(report), report


COMMAND = "diff"


def register(subparsers) -> None:
    from tnr_pipeline.stages import options

    options.add_step(
        subparsers,
        COMMAND,
        run,
        "compare two builds (data/processed/ folders or git revisions), table by table",
        (),
        {
            "old": {"help": "the build before: a data/processed/ folder, or a git revision to build"},
            "new": {"help": "the build after: a data/processed/ folder, or a git revision to build"},
            "--format": {"choices": ["markdown", "json"], "default": "markdown", "help": "report format"},
            "--output": {"default": None, "help": "also write the report to this file"},
            "--repository": {"default": ".", "help": "the git repository whose revisions are named (default: here)"},
            "--fail-on-broken-claims": {
                "action": "store_true",
                "help": "exit 1 when a claim that held no longer holds (strict_claims)",
            },
        },
    )


def run(args: argparse.Namespace) -> None:
    """Compare, print the report (and write it to --output); with --fail-on-broken-claims, exit 1 when a claim that
    held no longer holds."""
    try:
        text, report = compare(args.old, args.new, args.format, args.repository)
    except DiffInputError as error:
        if args.output:  # the reviewer reads the report (CI's job summary), so the failure goes there too
            io.write_text(args.output, render_failure(args.old, args.new, str(error), args.format))
        raise
    if args.output:
        io.write_text(args.output, text)
    print(text, end="")
    broken = [c["claim_id"] for c in report["claims_changed"] if c["was"] is True and c["now"] is not True]
    if broken and args.fail_on_broken_claims:
        raise BrokenClaims(broken)
