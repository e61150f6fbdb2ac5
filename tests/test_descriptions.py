"""Every output says what data it comes from: the described inputs, the reconstruction notice, the output data
package, the build's closing summary, and the release files."""

from __future__ import annotations

import json

import frictionless
import pandas as pd
import pytest
import yaml

from helpers import ROOT, SHIPPED, SMALL_SHEET, compiled_russian, validate_with_frictionless, write_csv
from tnr_pipeline.inputs import descriptions
from tnr_pipeline.model import io
from tnr_pipeline.render import notices
from tnr_pipeline.render.i18n import Language
from tnr_pipeline.stages import describe_outputs

ENGLISH = Language("en")

RAW_PACKAGE = ROOT / "data" / "raw" / "datapackage.json"


@pytest.mark.parametrize("folder", [RAW_PACKAGE.parent, SHIPPED], ids=["data/raw", "frozen copy"])
def test_the_input_package_is_a_valid_data_package_describing_each_shipped_input(folder):
    package_path = folder / "datapackage.json"
    package = json.loads(package_path.read_text(encoding="utf-8"))
    report = frictionless.Package.validate_descriptor(package)
    assert report.valid, report.flatten(["note"])
    for name in ("cases.csv", "survey.csv", "context_figures.csv"):
        resource = descriptions.find_resource(package, package_path, folder / name)
        assert resource, name
        for key in ("title", "description", "sources", "licenses", descriptions.RECONSTRUCTION):
            assert resource.get(key), (name, key)


def test_the_frozen_package_says_which_shipped_inputs_are_reconstructions_and_why():
    package_path = SHIPPED / "datapackage.json"
    package = json.loads(package_path.read_text(encoding="utf-8"))
    for name in ("cases.csv", "survey.csv", "context_figures.csv"):
        assert descriptions.find_resource(package, package_path, SHIPPED / name)[descriptions.RECONSTRUCTION]["reason"]
    assert descriptions.describe_input(SHIPPED / "cases.csv", package_path, "case data")["reconstruction"]
    assert not descriptions.describe_input(SHIPPED / "context_figures.csv", package_path, "context figures")[
        "reconstruction"
    ]


def test_the_input_package_passes_the_reference_validator_cell_by_cell():
    result = validate_with_frictionless(RAW_PACKAGE)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "VALID" in result.stdout and "INVALID" not in result.stdout


def test_an_input_outside_the_package_is_not_described(tmp_path):
    elsewhere = write_csv(SMALL_SHEET, tmp_path / "cases.csv")
    described = descriptions.describe_input(elsewhere, RAW_PACKAGE, "case data")
    assert described == {
        "role": "case data",
        "described": False,
        "title": None,
        "reconstruction": False,
        "reason": None,
    }
    assert descriptions.describe_input(elsewhere, None, "case data")["described"] is False


def test_an_unreadable_input_package_is_named(tmp_path):
    bad = tmp_path / "datapackage.json"
    bad.write_text("{not json", encoding="utf-8")
    with pytest.raises(descriptions.DescriptionError, match="datapackage.json: not a readable JSON data package"):
        descriptions.describe_input(tmp_path / "cases.csv", bad, "case data")


def test_notice_and_source_note_name_the_reconstructed_inputs():
    described = {
        "data/raw/cases.csv": {
            "role": "case data",
            "described": True,
            "reconstruction": True,
            "reason": "invented rows",
        },
        "data/raw/context.csv": {"role": "context figures", "described": True, "reconstruction": False, "reason": None},
    }
    notice = notices.reconstruction_notice(described)
    assert notice.startswith("Reconstructed data, not the real cases: the case data (cases.csv: invented rows)")
    assert "context" not in notice
    assert notices.reconstruction_notice({}) == ""
    assert notices.describe_input(described["data/raw/cases.csv"], ENGLISH) == "reconstructed case data"
    assert notices.describe_input(described["data/raw/context.csv"], ENGLISH) == "context figures"
    assert notices.describe_input({}, ENGLISH) == "input"


def test_a_figure_source_line_names_each_input_in_words_with_its_hash_and_the_version():
    from tnr_pipeline.render.layout import describe_source

    provenance = {
        "inputs_sha256": {"data/raw/cases.csv": "92c52892c092" + "0" * 52},
        "inputs_described": {"data/raw/cases.csv": {"role": "case data", "described": True, "reconstruction": True}},
        "package_version": "0.1.0",
    }
    assert describe_source(provenance, ENGLISH) == (
        "Source: reconstructed case data (cases.csv, SHA-256 92c52892c092), tnr-pipeline 0.1.0. The data are "
        "reconstructed: these are not real cases."
    )
    assert describe_source(provenance, compiled_russian()) == (
        "Источник: реконструированные данные о случаях (cases.csv, SHA-256 92c52892c092), tnr-pipeline 0.1.0. "
        "Данные реконструированы — это не реальные случаи."
    )
    provenance["inputs_described"]["data/raw/cases.csv"]["reconstruction"] = False
    assert (
        describe_source(provenance, ENGLISH)
        == "Source: case data (cases.csv, SHA-256 92c52892c092), tnr-pipeline 0.1.0."
    )


# ---- the shipped build ----------------------------------------------------------------------------------------


# ---- release files ------------------------------------------------------------------------------------------


def test_citation_and_licence():
    citation = yaml.safe_load((ROOT / "CITATION.cff").read_text(encoding="utf-8"))
    for key in ("cff-version", "message", "title", "authors", "version", "license"):
        assert citation.get(key), key
    assert citation["license"] == "MIT"
    report = citation["references"][0]
    assert report["type"] == "report" and "Transnational Repression by the Russian Federation" in report["title"]
    licence = (ROOT / "LICENSE").read_text(encoding="utf-8")
    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert licence.startswith("MIT License") and 'license = "MIT"' in pyproject
    from tnr_pipeline import __version__

    assert citation["version"] == __version__
    assert "## [Unreleased]" in (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")


def test_small_tables_give_a_valid_output_package(tmp_path):
    from tnr_pipeline.inputs.schemas import save_table

    frame = pd.DataFrame(
        {
            "figure_id": ["a"],
            "series": pd.array([None], dtype="str"),
            "year": pd.array([None], dtype="Int64"),
            "refers_to": ["2022"],
            "value": [1.0],
            "unit": ["people"],
            "measures": ["m"],
            "source": ["s"],
            **{column: pd.array([None], dtype="str") for column in ("unit_ru", "measures_ru", "source_ru")},
        }
    )
    path = tmp_path / "context_figures.parquet"
    save_table(
        frame,
        "context_figures",
        path,
        io.provenance(
            {"x.csv": "0" * 64},
            {},
            {
                "x.csv": {
                    "role": "context figures",
                    "described": False,
                    "title": None,
                    "reconstruction": False,
                    "reason": None,
                }
            },
        ),
    )
    package = describe_outputs.execute(
        describe_outputs.Step({"context_figures": str(path)}, str(tmp_path / "datapackage.json"), None)
    )
    assert frictionless.Package.validate_descriptor(package).valid
    assert package["tnr:inputs"] == {"described": False, "note": "no description of the inputs was provided"}
    assert package["resources"][0]["path"] == "context_figures.parquet"


def test_the_summary_is_not_printed_when_a_table_is_newer(tmp_path, capsys):
    import os

    from tnr_pipeline.workflow.console import print_build_summary

    summary, table = tmp_path / "summary.txt", tmp_path / "cases.parquet"
    summary.write_text("tnr-pipeline: findings built.\n", encoding="utf-8")
    table.write_bytes(b"x")
    os.utime(table, (summary.stat().st_mtime - 10, summary.stat().st_mtime - 10))
    assert print_build_summary(summary, [str(table)]) and "findings built" in capsys.readouterr().out
    os.utime(table, (summary.stat().st_mtime + 10, summary.stat().st_mtime + 10))
    assert not print_build_summary(summary, [str(table)]) and capsys.readouterr().out == ""
    assert not print_build_summary(tmp_path / "missing.txt")


def test_the_notice_gives_the_reasons_in_the_documents_language():

    described = {
        "data/raw/cases.csv": {
            "role": "case data",
            "described": True,
            "reconstruction": True,
            "reason": "invented rows",
            "reason_ru": "вымышленные строки",
        },
        "data/raw/survey.csv": {
            "role": "questionnaire",
            "described": True,
            "reconstruction": True,
            "reason": "made up",
        },
    }
    russian = notices.reconstruction_notice(described, compiled_russian())
    assert "(cases.csv: вымышленные строки)" in russian
    assert "(survey.csv: made up)" in russian  # no Russian reason given: the English one, never none
    assert "(cases.csv: invented rows)" in notices.reconstruction_notice(described)
    shipped = descriptions.describe_input(SHIPPED / "cases.csv", SHIPPED / "datapackage.json", "case data")
    assert shipped["reason_ru"].startswith("список случаев, на котором основан доклад, не опубликован")
