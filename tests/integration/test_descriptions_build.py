"""Every output of a build says what data it comes from: the reconstruction notice in the findings, figures and
tables, the output data package (valid, every table with exactly its columns), the build's closing summary, and an
undescribed sheet named in the document. The descriptions' parts are checked fast in tests/test_descriptions.py."""

from __future__ import annotations

import csv
import json

import frictionless
import pyarrow.parquet as pq
import pytest

from helpers import SHIPPED, validate_with_frictionless
from tnr_pipeline.model import io
from tnr_pipeline.model.fields import TABLES, table_fields

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def built(shipped_build):
    return shipped_build


def test_the_findings_open_with_the_reconstruction_notice(built):
    workdir, _ = built
    markdown = (workdir / "reports" / "findings.md").read_text(encoding="utf-8")
    first_paragraph = markdown.split("\n\n")[1]
    assert first_paragraph.startswith("> **Reconstructed data, not the real cases: the case data (cases.csv")
    assert "the questionnaire (survey.csv" in first_paragraph
    html = (workdir / "reports" / "findings.html").read_text(encoding="utf-8")
    body = html[html.index("<body") :]
    assert body.index("Reconstructed data, not the real cases") < body.index("Headline")


def test_figures_and_tables_carry_the_reconstruction(built):
    workdir, _ = built
    for svg in (workdir / "figures").glob("*.svg"):
        text = svg.read_text(encoding="utf-8")
        if svg.stem == "survey_answers":
            assert "Source: reconstructed questionnaire answers (survey.csv" in text
            assert "The data are reconstructed: these are not real answers." in text
        elif svg.stem != "prosecutions_and_cases":
            assert "Source: reconstructed case data (cases.csv" in text, svg.name
            assert "The data are reconstructed: these are not real cases." in text, svg.name
    for table in ("cases", "period_ratios", "claims", "survey_summary"):
        described = io.read_provenance(workdir / "data" / "processed" / f"{table}.parquet")["inputs_described"]
        assert any(info["reconstruction"] for info in described.values()), table


def test_the_output_package_lists_every_table_with_exactly_its_columns(built):
    workdir, _ = built
    processed = workdir / "data" / "processed"
    package = json.loads((processed / "datapackage.json").read_text(encoding="utf-8"))
    report = frictionless.Package.validate_descriptor(package)
    assert report.valid, report.flatten(["note"])
    resources = {resource["name"]: resource for resource in package["resources"]}
    assert sorted(resources) == sorted(p.stem for p in processed.glob("*.parquet")) == sorted(TABLES)
    for name, resource in resources.items():
        columns = pq.ParquetFile(processed / resource["path"]).schema_arrow.names
        fields = resource["schema"]["fields"]
        assert [field["name"] for field in fields] == columns, name
        assert all(field["description"] for field in fields), name
        assert [f["description"] for f in fields] == [f.description for f in table_fields(name)]
    validated = validate_with_frictionless(processed / "datapackage.json")  # every cell, read from the Parquet
    assert validated.returncode == 0, validated.stdout + validated.stderr
    assert "INVALID" not in validated.stdout and validated.stdout.count("VALID") == len(TABLES)
    tactic = next(f for f in resources["cases"]["schema"]["fields"] if f["name"] == "tactic")
    assert "denial_of_entry" in tactic["constraints"]["enum"]
    provenance = package["tnr:provenance"]
    assert any(path.endswith("cases.csv") for path in provenance["inputs_sha256"])
    assert provenance["package_version"] and provenance["config"]["confidence_level"] == 0.95
    assert package["tnr:inputs"]["described"] and package["tnr:inputs"]["resources"]
    assert "Reconstructed data" in package["description"]


def test_the_build_ends_with_its_summary(built):
    _, console = built
    tail = console[console.rindex("tnr-pipeline: findings built.") :]
    assert "All cases: rate ratio 8.18 (95% CI 5.33–12.91)" in tail
    assert "Excluding Denial of Entry: rate ratio 4.23 (95% CI 2.60–6.98)" in tail
    # the frozen sheet's statements, each once, and those it marks not checkable, counted from the sheet itself
    sheet = list(csv.DictReader((SHIPPED / "claims.csv").open(encoding="utf-8")))
    statements = [row for row in sheet if row["source"] == "report" and not row["repeats"]]
    unchecked = sum(1 for row in statements if row["check"] == "not_checkable")
    assert f"The report's {len(statements)} statements about its data: " in tail
    assert f" about the documented list hold; {unchecked} not checkable" in tail
    assert "Findings: reports/findings.html and reports/findings.md" in tail
    assert "In Russian: reports/findings.ru.html and reports/findings.ru.md" in tail
    assert "RECONSTRUCTED DATA" in tail


def test_a_sheet_without_a_description_is_reported_in_the_document(small_build):
    workdir, outside = small_build.workdir, small_build.sheet  # the small sheet, named by its path outside the project
    markdown = (workdir / "reports" / "findings.md").read_text(encoding="utf-8")
    from tnr_pipeline.render.escape import markdown as escape_markdown

    assert f"No description of the case data was provided: {escape_markdown(outside.name)}" in markdown  # no folder
    assert f"the case data ({outside.name}" not in markdown.split("## Headline")[0]  # not called reconstructed
    assert "the questionnaire (survey.csv" in markdown.split("## Headline")[0]
    figure = (workdir / "figures" / "period_means.svg").read_text(encoding="utf-8")
    assert "RECONSTRUCTED" not in figure
