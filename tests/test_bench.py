"""The benchmark script's own parts, so that its numbers stay about this workflow: the synthetic sheet passes the
input contract with its mixed spellings, and floor (c) is this workflow's DAG. No timing here."""

from __future__ import annotations

import importlib.util

from helpers import ROOT, run_ingest

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
