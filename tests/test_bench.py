"""The benchmark script's own parts, so that its numbers stay about this workflow: the synthetic sheet passes the
input contract with its mixed spellings, and floor (c) is this workflow's DAG. No timing here."""

from __future__ import annotations

import importlib.util
import re
import shutil

import pytest

from helpers import ROOT, SHIPPED, copy_project, run_ingest, run_snakemake

spec = importlib.util.spec_from_file_location("run_benchmarks", ROOT / "bench" / "run_benchmarks.py")
bench = importlib.util.module_from_spec(spec)
spec.loader.exec_module(bench)


def test_synthetic_cases_pass_the_input_contract(tmp_path, periods):
    rows = bench.generate_cases(400)
    sheet = bench.write_csv(rows, tmp_path / "synthetic.csv")
    cases, _ = run_ingest(tmp_path, sheet, periods)
    assert len(cases) == 400
    raw_countries = {row[3] for row in rows[1:]}
    assert len(raw_countries) > cases["host_country"].nunique()  # several spellings of one country
    assert "notes" not in cases.columns


def _ordering(workdir) -> set[tuple[str, str]]:
    """Every (before, after) pair of rules in the rule graph, transitively: which step must wait for which."""
    graph = run_snakemake(workdir, "--rulegraph", "--forceall")
    assert graph.returncode == 0, graph.stderr
    names = dict(re.findall(r'^\s*(\d+)\[label = "(\w+)"', graph.stdout, re.M))
    pairs = {
        (names[a], names[b]) for a, b in re.findall(r"^\s*(\d+) -> (\d+)", graph.stdout, re.M) if names[b] != "all"
    }
    while True:
        more = {(a, d) for a, b in pairs for c, d in pairs if b == c} - pairs
        if not more:
            return pairs
        pairs |= more


@pytest.mark.integration
def test_floor_c_has_the_workflows_steps_in_the_same_order(tmp_path):
    skeleton = bench.write_skeleton(tmp_path / "skeleton")
    workflow = copy_project(tmp_path / "workflow")
    shutil.copy(SHIPPED / "cases.csv", workflow / "data" / "raw" / "cases.csv")
    real = _ordering(workflow)
    assert {rule for pair in real for rule in pair} == set(bench.STEP_IMPORTS)
    assert _ordering(skeleton) == real
