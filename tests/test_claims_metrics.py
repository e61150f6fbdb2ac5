"""The claims' metrics are one table: every entry of measures.METRICS carries its own measure function and the table
it reads, and `measure` is a lookup in it, with no branch on a metric's name."""

from __future__ import annotations

import dataclasses
import inspect
import re

import pytest

from test_stats import make_cases
from tnr_pipeline.analysis.claims import measures, notation
from tnr_pipeline.model import registry


def test_every_metric_has_its_measure_function_and_reads_a_table_the_step_loads():
    assert measures.METRICS
    for name, metric in measures.METRICS.items():
        assert callable(metric.measure), name
        assert metric.reads in registry.CLAIMS_READS, name


def test_no_metric_is_chosen_by_comparing_its_name_or_its_filters():
    source = inspect.getsource(measures)
    compared = re.findall(r"(?:==|!=|startswith\()\s*\"(\w+)\"", source)
    assert not set(compared) & set(measures.METRICS)
    assert "== CASE_FILTERS" not in source
    assert not any(f'"{name}"' in inspect.getsource(measures.measure) for name in measures.METRICS)


@pytest.fixture()
def cases(periods, reference):
    rows = [("GEO", 2022, "detention")] * 3 + [("ARM", 2016, "detention")]
    return measures.prepare_cases(make_cases(rows, periods), reference.region_groups)


def test_measure_calls_the_function_of_the_metrics_entry_on_the_table_it_reads(monkeypatch, cases, analysis):
    assert measures.measure("n_cases year=2022", {"cases": cases}, analysis) == 3
    calls = []

    def instead(parsed, table, settings):
        calls.append((parsed, table, settings))
        return 42

    for name in ("n_cases", "ratio"):
        monkeypatch.setitem(measures.METRICS, name, dataclasses.replace(measures.METRICS[name], measure=instead))
    period_ratios = object()  # measure passes the table through; only the function reads it
    tables = {"cases": cases, "period_ratios": period_ratios}
    assert measures.measure("n_cases year=2022", tables, analysis) == 42
    assert measures.measure("ratio scope=all", tables, analysis) == 42
    assert [(parsed, settings) for parsed, _, settings in calls] == [
        (notation.parse_metric("n_cases year=2022"), analysis),
        (notation.parse_metric("ratio scope=all"), analysis),
    ]
    assert calls[0][1] is cases and calls[1][1] is period_ratios


@pytest.mark.parametrize(
    "metric, message",
    [
        ("n_cases among year=2022", "n_cases does not take 'among'"),
        ("share tactic=detention", "share needs 'among'"),
        ("n_cases colour=red", "unknown filter 'colour' for n_cases"),
        ("n_colours", "unknown metric 'n_colours'"),
    ],
)
def test_measure_refuses_a_metric_its_entry_does_not_allow(cases, analysis, metric, message):
    with pytest.raises(ValueError) as refused:
        measures.measure(metric, {"cases": cases}, analysis)
    assert str(refused.value) == message
