"""The questionnaire and the context figures: schema, bad input, Wilson intervals, claims."""

from __future__ import annotations

import pandas as pd
import pytest

from helpers import MARKER, SHIPPED, write_csv
from tnr_pipeline.inputs.problems import InputInvalid
from tnr_pipeline.model.reference import Reference
from tnr_pipeline.stages import summarise_survey, validate_context

SURVEY = pd.DataFrame(
    [
        ["R1", "Germany", "Denial of Entry; detention", "yes", "no", "yes", f"{MARKER} my story"],
        ["R2", "GE", "", "no", "", "no", ""],
        ["R3", "Poland", "denial_of_services", "Yes", "yes", "yes", f"{MARKER}"],
        ["R4", "Armenia", "", "no", "no", "", ""],
    ],
    columns=[
        "respondent_id",
        "country_of_residence",
        "tactics_experienced",
        "reduced_presence",
        "considered_relocating",
        "experienced_tnr",
        "free_text",
    ],
)


def run_survey(tmp_path, frame):
    raw = write_csv(frame, tmp_path / "survey.csv")
    out = tmp_path / "out"
    summary = summarise_survey.execute(
        summarise_survey.Step(
            str(raw),
            str(out / "responses.parquet"),
            str(out / "summary.parquet"),
            str(Reference().directory),
            0.95,
            {},
        )
    )
    return summary, pd.read_parquet(out / "responses.parquet")


def survey_problems(tmp_path, frame):
    with pytest.raises(InputInvalid) as raised:
        run_survey(tmp_path, frame)
    assert not (tmp_path / "out" / "summary.parquet").exists()
    assert not (tmp_path / "out" / "responses.parquet").exists()
    return [str(p) for p in raised.value.problems]


def test_shipped_reconstruction_gives_the_report_numbers(tmp_path):
    out = tmp_path / "out"
    summary = summarise_survey.execute(
        summarise_survey.Step(
            str(SHIPPED / "survey.csv"),
            str(out / "r.parquet"),
            str(out / "s.parquet"),
            str(Reference().directory),
            0.95,
            {},
        )
    )
    row = summary.set_index(["question", "answer"]).loc[("reduced_presence", "yes")]
    assert (row["n"], row["respondents"]) == (13, 40)
    assert (round(row["share"], 3), round(row["ci_low"], 3), round(row["ci_high"], 3)) == (0.325, 0.201, 0.480)
    digital = summary.set_index(["question", "answer"]).loc[("tactics_experienced", "digital_threat")]
    assert digital["n"] == 0


def test_small_survey_is_coded_and_summarised(tmp_path):
    summary, responses = run_survey(tmp_path, SURVEY)
    assert responses["country_of_residence"].tolist() == ["DEU", "GEO", "POL", "ARM"]
    assert responses["tactics_experienced"].tolist() == ["detention;denial_of_entry", "", "denial_of_services", ""]
    assert responses["considered_relocating"].isna().tolist() == [False, True, False, False]
    rows = summary.set_index(["question", "answer"])
    assert tuple(rows.loc[("considered_relocating", "yes"), ["n", "respondents"]]) == (1, 3)
    assert tuple(rows.loc[("experienced_tnr", "yes"), ["n", "respondents"]]) == (2, 3)
    assert tuple(rows.loc[("tactics_experienced", "detention"), ["n", "respondents"]]) == (1, 4)
    assert "free_text" not in responses.columns


def test_free_text_never_reaches_outputs(tmp_path):
    run_survey(tmp_path, SURVEY)
    for path in (tmp_path / "out").iterdir():
        assert MARKER.encode() not in path.read_bytes()


def test_survey_bad_input_lists_every_problem(tmp_path):
    bad = SURVEY.copy()
    bad.loc[0, "tactics_experienced"] = "denial of entry; hacking"
    bad.loc[1, "reduced_presence"] = "maybe"
    bad.loc[2, "respondent_id"] = "R1"
    bad.loc[3, "country_of_residence"] = "Armenai"
    bad.loc[3, "tactics_experienced"] = "detention"
    bad.loc[3, "experienced_tnr"] = "no"
    messages = survey_problems(tmp_path, bad)
    assert [m.split(":")[0] for m in messages] == [
        'rows 2, 4, column "respondent_id"',
        'row 2, column "tactics_experienced"',
        'row 3, column "reduced_presence"',
        'row 5, column "country_of_residence"',
        'row 5, column "experienced_tnr"',
    ]
    assert "Closest known names: Armenia" in messages[3]
    assert MARKER not in "\n".join(messages)


def test_survey_missing_column_is_named(tmp_path):
    messages = survey_problems(tmp_path, SURVEY.drop(columns=["experienced_tnr"]))
    assert any('column "experienced_tnr" is missing' in m for m in messages)


def run_context(tmp_path, frame):
    raw = write_csv(frame, tmp_path / "context.csv")
    out = tmp_path / "out"
    validate_context.execute(validate_context.Step(str(raw), str(out / "context.parquet"), {}))
    return pd.read_parquet(out / "context.parquet")


def test_shipped_context_figures_are_sourced_and_only_for_given_years(tmp_path):
    frame = pd.read_csv(SHIPPED / "context_figures.csv", dtype=str, keep_default_na=False)
    figures = run_context(tmp_path, frame).set_index("figure_id")
    assert figures.loc["exodus_estimate", "value"] == 900_000
    series = figures[figures["series"] == "ovd_info_prosecutions"]
    assert dict(zip(series["year"], series["value"])) == {2021: 521.0, 2022: 846.0}
    assert (figures["source"].str.len() > 10).all() and (figures["measures"].str.len() > 10).all()


def test_context_figure_without_source_or_number_is_refused(tmp_path):
    frame = pd.read_csv(SHIPPED / "context_figures.csv", dtype=str, keep_default_na=False)
    frame.loc[1, "source"] = ""
    frame.loc[2, "value"] = "about 800"
    frame.loc[2, "year"] = ""
    with pytest.raises(InputInvalid) as raised:
        run_context(tmp_path, frame)
    messages = [str(p) for p in raised.value.problems]
    assert [m.split(":")[0] for m in messages] == [
        'row 3, column "source"',
        'row 4, column "value"',
        'row 4, column "year"',
    ]
    assert not (tmp_path / "out" / "context.parquet").exists()


def test_a_list_of_tactics_gets_the_closest_words_for_each_item_not_recognised(tmp_path):
    bad = SURVEY.copy()
    bad.loc[0, "tactics_experienced"] = "denial of entry; Задержане"
    bad.loc[2, "tactics_experienced"] = "Задержане"
    assert survey_problems(tmp_path, bad) == [
        'row 2, column "tactics_experienced": "denial of entry; Задержане" names a tactic that is not in the '
        "typology. Allowed: typology codes or labels separated by ';' (assassination (Assassination), assault "
        "(Assault), rendition (Rendition), detention (Detention), unlawful_deportation (Unlawful deportation), "
        "extradition_request (Extradition request), digital_threat (Digital threat), coercion_by_proxy (Coercion by "
        "proxy), denial_of_entry (Denial of Entry), denial_of_services (Denial of Services)), or blank. "
        'For "Задержане": Closest known names: Задержание (detention).',
        'row 4, column "tactics_experienced": "Задержане" names a tactic that is not in the typology. Allowed: as '
        'for row 2 above. For "Задержане": Closest known names: Задержание (detention).',
    ]
