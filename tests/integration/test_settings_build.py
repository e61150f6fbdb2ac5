"""Settings in a build: snakemake refuses bad settings naming each without a traceback, a build at 90% says 90
everywhere (and reordering the settings changes nothing), an English-only build writes no other edition, and a
Russian sheet is read with a columns mapping from a configfile."""

from __future__ import annotations

import shutil

import pandas as pd
import pytest
import yaml

from helpers import MAPPING, MARKER, SHIPPED, copy_build, copy_project, run_snakemake, russian_sheet

pytestmark = pytest.mark.integration


def _bad_config(workdir, **changes):
    path = workdir / "bad.yaml"
    path.write_text(yaml.safe_dump(changes), encoding="utf-8")
    return run_snakemake(workdir, "-n", "--configfile", str(path))


def test_snakemake_refuses_bad_settings_naming_each_without_traceback(tmp_path):
    workdir = copy_project(tmp_path / "w")
    shutil.copy(SHIPPED / "cases.csv", workdir / "data" / "raw" / "cases.csv")
    result = _bad_config(
        workdir,
        comparison="pre_war",
        confidence_level=1.2,
        scopes={"odd": {"label": "Odd", "exclude_tactics": ["nonsense"]}},
        periods={
            "extra": {"label": "E", "first_year": 2020, "last_year": 2023},
            "reversed": {"label": "R", "first_year": 2030, "last_year": 2026},
        },
    )
    output = result.stdout + result.stderr
    assert result.returncode == 1
    assert "Traceback" not in output and 'File "' not in output
    for expected in (
        "baseline and comparison are both 'pre_war'",
        "confidence_level: 1.2",
        "scopes.odd.exclude_tactics: 'nonsense'",
        "periods.reversed: first_year 2030 is after",
        "overlap",
    ):
        assert expected in output, output
    assert not (workdir / "data" / "processed" / "cases.parquet").exists()


def _document_numbers(workdir) -> str:
    """The findings up to Provenance (which lists the settings as given, in their order)."""
    markdown = (workdir / "reports" / "findings.md").read_text(encoding="utf-8")
    return markdown[: markdown.index("## Provenance")]


def test_a_build_at_90_percent_says_90_everywhere_and_reordering_changes_nothing(tmp_path, shipped_build):
    import pandas as pd

    normal, _ = shipped_build
    workdir = copy_build(normal, tmp_path / "w")  # the level reruns the statistics and all that follows them
    result = run_snakemake(workdir, "--config", "confidence_level=0.9")
    assert result.returncode == 0, result.stdout + result.stderr
    markdown = (workdir / "reports" / "findings.md").read_text(encoding="utf-8")
    html = (workdir / "reports" / "findings.html").read_text(encoding="utf-8")
    assert "95%" not in markdown and "95%" not in html
    assert "8.18 (90% CI" in markdown and "Wilson 90% CI" in markdown and "Rate ratio (90% CI)" in markdown
    for name in ("period_summary", "period_ratios", "survey_summary"):
        assert pd.read_parquet(workdir / "data" / "processed" / f"{name}.parquet")["confidence_level"].eq(0.9).all()
    for svg in (workdir / "figures").glob("*.svg"):
        assert "95%" not in svg.read_text(encoding="utf-8"), svg.name

    config = yaml.safe_load((workdir / "config.yaml").read_text(encoding="utf-8"))
    config["scopes"] = dict(reversed(list(config["scopes"].items())))
    config["periods"] = dict(reversed(list(config["periods"].items())))
    (workdir / "config.yaml").write_text(yaml.safe_dump(config, allow_unicode=True, sort_keys=False), encoding="utf-8")
    result = run_snakemake(workdir)
    assert result.returncode == 0, result.stdout + result.stderr
    reordered = _document_numbers(workdir)
    assert reordered == _document_numbers(normal)
    assert "a rate ratio of **8.18 (95% CI 5.33–12.91)**" in reordered
    assert "by a factor of 4.23 (95% CI 2.60–6.98)" in reordered
    for figure in ("period_means", "cases_per_year"):
        assert (workdir / "figures" / f"{figure}.svg").read_bytes() == (
            normal / "figures" / f"{figure}.svg"
        ).read_bytes()


def test_an_english_only_build_from_clean_writes_no_other_edition(small_build):
    """The README's `snakemake --config languages=[en]`, from clean (the shared build of the small sheet): the
    document step is given no other edition."""
    workdir = small_build.workdir
    assert "languages=[en]" in small_build.settings
    assert (workdir / "reports" / "findings.md").exists() and (workdir / "reports" / "findings.html").exists()
    assert not list((workdir / "reports").glob("findings.*.*")) and not (workdir / "figures" / "ru").exists()
    summary = (workdir / "reports" / "summary.txt").read_text(encoding="utf-8")
    assert "Findings: reports/findings.html and reports/findings.md" in summary and "In Russian" not in summary


def test_snakemake_reads_a_russian_sheet_with_a_columns_mapping_from_a_configfile(tmp_path, english):
    import yaml

    workdir = copy_project(tmp_path / "w")
    raw = workdir / "data" / "raw" / "дела.csv"
    raw.write_bytes(russian_sheet().to_csv(index=False, sep=";").encode("cp1251"))
    settings = workdir / "russian.yaml"
    settings.write_text(
        yaml.safe_dump({"raw_cases": "data/raw/дела.csv", "columns": {"cases": MAPPING}}, allow_unicode=True),
        encoding="utf-8",
    )
    result = run_snakemake(workdir, "data/processed/cases.parquet", "--configfile", str(settings))
    assert result.returncode == 0, result.stdout + result.stderr
    pd.testing.assert_frame_equal(pd.read_parquet(workdir / "data" / "processed" / "cases.parquet"), english)
    log = (workdir / "logs" / "validate_cases.log").read_text(encoding="utf-8")
    assert "encoding: Windows-1251" in log and MARKER not in log
