"""The benchmark's floor (c) is this workflow's DAG: the skeleton workflow of bench/ orders its steps exactly as the
Snakefile does (snakemake --rulegraph on both). The benchmark's own parts are checked fast in tests/test_bench.py."""

from __future__ import annotations

import importlib.util
import re
import shutil

import pytest

from helpers import ROOT, SHIPPED, copy_project, run_snakemake

spec = importlib.util.spec_from_file_location("run_benchmarks", ROOT / "bench" / "run_benchmarks.py")
bench = importlib.util.module_from_spec(spec)
spec.loader.exec_module(bench)

pytestmark = pytest.mark.integration


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


def test_floor_c_has_the_workflows_steps_in_the_same_order(tmp_path):
    skeleton = bench.write_skeleton(tmp_path / "skeleton")
    workflow = copy_project(tmp_path / "workflow")
    shutil.copy(SHIPPED / "cases.csv", workflow / "data" / "raw" / "cases.csv")
    real = _ordering(workflow)
    assert {rule for pair in real for rule in pair} == set(bench.STEP_IMPORTS)
    assert _ordering(skeleton) == real
