"""Reviewing a data change: `tnr-pipeline diff` between two builds, and between two git revisions."""

from __future__ import annotations

import json
import shutil
import subprocess

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from helpers import SHIPPED, TABLE_TARGETS, copy_build, copy_project, pipeline_env, run_snakemake

pytestmark = pytest.mark.integration


def edit_cases(path):
    """One case added, one removed, one recoded, one moved across the period boundary."""
    lines = path.read_text(encoding="utf-8").splitlines()
    kept = [line for line in lines if not line.startswith("TNR-001,")]  # removed: 2014, Kazakhstan, detention
    edited = []
    for line in kept:
        if line.startswith("TNR-050,"):
            fields = line.split(",")
            fields[4] = "unlawful_deportation" if fields[4] != "unlawful_deportation" else "detention"
            line = ",".join(fields)
        if line.startswith("TNR-025,"):  # 2021 -> 2022: from the baseline into the comparison period
            fields = line.split(",")
            fields[1], fields[2] = "2022", ""
            line = ",".join(fields)
        edited.append(line)
    edited.append("TNR-200,2024,,Georgia,detention,activist,verified,media")
    path.write_text("\n".join(edited) + "\n", encoding="utf-8")


@pytest.fixture(scope="module")
def two_builds(shipped_build, tmp_path_factory):
    """The old side: the tables of the shared build of the shipped data (only read). The new side: a copy of that
    build (its outputs and times kept) whose tables are built again after edit_cases."""
    built, _ = shipped_build
    workdir = copy_build(built, tmp_path_factory.mktemp("diff") / "project")
    edit_cases(workdir / "data" / "raw" / "cases.csv")
    result = run_snakemake(workdir, *TABLE_TARGETS)  # what the diff reads, as `tnr-pipeline diff` builds a revision
    assert result.returncode == 0, result.stdout + result.stderr
    return built / "data" / "processed", workdir / "data" / "processed"


def diff(*args: str, cwd=None) -> subprocess.CompletedProcess:
    return subprocess.run(["tnr-pipeline", "diff", *args], capture_output=True, text=True, env=pipeline_env(), cwd=cwd)


def test_the_diff_names_exactly_the_changed_cases_and_what_changed(two_builds):
    old, new = two_builds
    result = diff(str(old), str(new), "--format", "json")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    cases = report["tables"]["cases"]
    assert [row["case_id"] for row in cases["added"]] == ["TNR-200"]
    assert [row["case_id"] for row in cases["removed"]] == ["TNR-001"]
    changed = {(c["key"]["case_id"], c["column"]): (c["old"], c["new"]) for c in cases["changed"]}
    assert {case_id for case_id, _ in changed} == {"TNR-025", "TNR-050"}
    assert changed[("TNR-025", "year")] == (2021, 2022) and changed[("TNR-025", "period")] == (
        "pre_war",
        "post_invasion",
    )
    assert changed[("TNR-050", "tactic")][1] in ("unlawful_deportation", "detention")
    assert "full_name" not in json.dumps(cases) and "source" not in {c["column"] for c in cases["changed"]}


def test_the_diff_shows_the_statistics_and_claims_the_change_moves(two_builds):
    old, new = two_builds
    report = json.loads(diff(str(old), str(new), "--format", "json").stdout)
    headline = {row["scope"]: row for row in report["headline"]}["all"]
    before = pd.read_parquet(old / "period_ratios.parquet").set_index("scope").loc["all"]
    after = pd.read_parquet(new / "period_ratios.parquet").set_index("scope").loc["all"]
    assert headline["ratio_old"] == pytest.approx(before["ratio"]) and headline["ratio_new"] == pytest.approx(
        after["ratio"]
    )
    summary = {
        (c["key"]["scope"], c["key"]["period"], c["column"]): (c["old"], c["new"])
        for c in report["tables"]["period_summary"]["changed"]
    }
    # TNR-001 (2014) removed and TNR-025 moved out of the baseline; TNR-025 moved in and TNR-200 added
    assert summary[("all", "pre_war", "cases")] == (29, 27) and summary[("all", "post_invasion", "cases")] == (89, 91)
    old_claims = pd.read_parquet(old / "claims.parquet").set_index("claim_id")["holds"]
    new_claims = pd.read_parquet(new / "claims.parquet").set_index("claim_id")["holds"]
    moved = sorted(old_claims.index[old_claims != new_claims.reindex(old_claims.index)])
    assert [c["claim_id"] for c in report["claims_changed"]] == moved
    assert {"pre_war_cases", "post_invasion_cases"} <= set(moved)
    assert "context_figures" in report["unchanged_tables"] and "survey_summary" in report["unchanged_tables"]
    markdown = diff(str(old), str(new)).stdout
    assert "| TNR-200 | added |" in markdown and "| TNR-001 | removed |" in markdown
    assert "| TNR-025 | changed | year: 2021 → 2022; period: pre\\_war → post\\_invasion |" in markdown
    assert "**⚠" in markdown and "pre_war_cases" in markdown and "**now fails**" in markdown
    assert f"| all | {before['ratio']:.4g} [" in markdown
    assert "Unchanged tables: " in markdown


def test_identical_builds_say_so_and_stop(two_builds):
    old, _ = two_builds
    result = diff(str(old), str(old))
    assert result.returncode == 0
    assert "The inputs are identical on both sides" in result.stdout and "## Cases" not in result.stdout


def test_a_broken_claim_fails_only_when_asked(two_builds):
    old, new = two_builds
    assert diff(str(old), str(new)).returncode == 0
    strict = diff(str(old), str(new), "--fail-on-broken-claims")
    assert strict.returncode == 1 and "pre_war_cases" in strict.stderr and "Traceback" not in strict.stderr


def test_mismatched_schemas_are_reported_not_crashed_on(two_builds, tmp_path):
    old, new = two_builds
    other = tmp_path / "processed"
    shutil.copytree(new, other)
    table = pq.read_table(other / "period_ratios.parquet")
    table = table.append_column("extra_column", pa.array([1.0] * table.num_rows)).drop_columns(["p_value"])
    pq.write_table(table, other / "period_ratios.parquet")
    result = diff(str(old), str(other), "--format", "json")
    assert result.returncode == 0, result.stderr
    schema = json.loads(result.stdout)["tables"]["period_ratios"]["schema"]
    assert schema == {"added_columns": ["extra_column"], "removed_columns": ["p_value"]}
    assert (
        "Schema changed: added columns: extra\\_column; removed columns: p\\_value" in diff(str(old), str(other)).stdout
    )


def test_p_values_that_differ_only_below_1e_15_are_listed(two_builds, tmp_path):
    """Two builds alike but for the headline p-values, which move by a factor of ten far below 1e-15."""
    old, _ = two_builds
    other = tmp_path / "processed"
    shutil.copytree(old, other)
    table = pq.read_table(other / "period_ratios.parquet")
    meta = json.loads(table.schema.metadata[b"tnr_pipeline"])
    meta["config"]["note"] = "p-values edited by the test"  # a different build, so the sides are compared
    frame = table.to_pandas()
    assert (frame["p_value"] < 1e-15).any()
    frame["p_value"] = frame["p_value"] / 10
    edited = pa.Table.from_pandas(frame, schema=table.schema, preserve_index=False)
    pq.write_table(
        edited.replace_schema_metadata({**table.schema.metadata, b"tnr_pipeline": json.dumps(meta)}),
        other / "period_ratios.parquet",
    )
    report = json.loads(diff(str(old), str(other), "--format", "json").stdout)
    changed = {
        (c["key"]["scope"], c["column"]): (c["old"], c["new"]) for c in report["tables"]["period_ratios"]["changed"]
    }
    expected = pd.read_parquet(old / "period_ratios.parquet").set_index("scope")["p_value"]
    assert changed == {(scope, "p_value"): (p, p / 10) for scope, p in expected.items()}
    markdown = diff(str(old), str(other)).stdout
    tiny = expected[expected < 1e-15].index[0]
    assert f"| scope={tiny} | p\\_value | {expected[tiny]:.4g} | {expected[tiny] / 10:.4g} |" in markdown


def test_a_side_that_cannot_be_read_writes_its_error_into_the_report(tmp_path):
    """CI appends the report to the job summary: a failure must show there, as written, not as an empty summary."""
    report = tmp_path / "summary.md"
    result = diff(
        str(tmp_path / "nothing"), str(tmp_path / "nothing"), "--repository", str(tmp_path), "--output", str(report)
    )
    assert result.returncode == 1
    text = report.read_text(encoding="utf-8")
    assert "**The comparison could not be made.**" in text
    assert "```text\n" in text and "neither a folder of built tables nor a git revision" in text


def test_unreadable_sides_exit_one_with_a_message(tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "cases.parquet").write_bytes(b"not parquet")
    for side, expected in (
        (empty, "holds no Parquet table"),
        (broken, "cannot be read as a table"),
        (tmp_path / "nothing", "neither a folder of built tables nor a git revision"),
    ):
        result = diff(str(side), str(side), "--repository", str(tmp_path))
        assert result.returncode == 1 and expected in result.stderr and "Traceback" not in result.stderr


def test_two_git_revisions_are_built_in_worktrees_and_compared(tmp_path):
    repo = copy_project(tmp_path / "repo")
    shutil.copy(SHIPPED / "cases.csv", repo / "data" / "raw" / "cases.csv")
    (repo / ".gitignore").write_text("data/processed/\nlogs/\n.snakemake/\nfigures/\nreports/\n", encoding="utf-8")
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@example.invalid"]
    subprocess.run([*git, "init", "-q"], cwd=repo, check=True)
    subprocess.run([*git, "add", "-A"], cwd=repo, check=True)
    subprocess.run([*git, "commit", "-qm", "base"], cwd=repo, check=True)
    edit_cases(repo / "data" / "raw" / "cases.csv")
    subprocess.run([*git, "commit", "-qam", "edit"], cwd=repo, check=True)
    scratch = tmp_path / "tmp"  # the temporary folder the diff uses, so what it leaves there can be seen
    scratch.mkdir()
    result = subprocess.run(
        ["tnr-pipeline", "diff", "HEAD~1", "HEAD", "--format", "json"],
        capture_output=True,
        text=True,
        env={**pipeline_env(), "TMPDIR": str(scratch)},
        cwd=repo,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert list(scratch.iterdir()) == []  # no tnr-diff-* folder is left behind
    report = json.loads(result.stdout)
    assert [row["case_id"] for row in report["tables"]["cases"]["added"]] == ["TNR-200"]
    assert report["old"] == "HEAD~1" and report["new"] == "HEAD"
    listed = subprocess.run(["git", "worktree", "list"], cwd=repo, capture_output=True, text=True).stdout
    assert len(listed.strip().splitlines()) == 1  # the temporary worktrees are gone
