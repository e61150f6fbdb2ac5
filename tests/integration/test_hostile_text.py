"""Hostile text in every input that reaches an output: a build whose case identifiers, claim sentences, context
figures and period labels carry HTML, Markdown table pipes, entities, newlines and dollar signs. Each output is
read by the tool its readers use: Markdown by a CommonMark renderer with raw HTML on (as GitHub renders the
findings and the job summary), the HTML edition as a browser's parser reads it, the SVG as XML."""

from __future__ import annotations

import shutil
import subprocess
import xml.etree.ElementTree as ET
from html.parser import HTMLParser

import pandas as pd
import pytest
import yaml
from markdown_it import MarkdownIt

from helpers import SHIPPED, copy_project, pipeline_env, run_snakemake

pytestmark = pytest.mark.integration

TAG = "<img src=x onerror=alert(3)>"
ENTITY = "&lt;b&gt;"  # literal text: must read as these nine characters, never as <b>
PIPE_ID = "K|1 " + ENTITY
CLAIM_TEXT = f"A sentence from the report\nwith a line break, {TAG}, a | pipe and {ENTITY}.\n- not a list"
PERIOD_LABEL = "Pre-war $x$ <i>y</i> & co"


def make_hostile(workdir):
    cases = pd.read_csv(workdir / "data" / "raw" / "cases.csv", dtype=str, keep_default_na=False)
    extra = pd.DataFrame(
        [
            [TAG, "2024", "", "Georgia", "detention", "activist", "verified", "media"],
            [PIPE_ID, "2023", "", "Armenia", "detention", "journalist", "verified", "media"],
        ],
        columns=cases.columns,
    )
    pd.concat([cases, extra]).to_csv(workdir / "data" / "raw" / "cases.csv", index=False)
    claims = pd.read_csv(workdir / "data" / "claims.csv", dtype=str, keep_default_na=False)
    claims.loc[0, ["claim", "claim_ru"]] = CLAIM_TEXT
    claims.loc[0, "expected"] = "120"  # the two added cases
    claims.to_csv(workdir / "data" / "claims.csv", index=False)
    context = pd.read_csv(workdir / "data" / "raw" / "context_figures.csv", dtype=str, keep_default_na=False)
    context.loc[:, ["source", "source_ru"]] = f"Source {TAG} | {ENTITY}"
    context.loc[:, ["measures", "measures_ru"]] = f"Measures\n# not a heading {TAG}"
    context.loc[:, "unit_ru"] = ""  # the Russian edition shows the English unit
    context.loc[:, "unit"] = context["unit"] + " <b>u</b>"
    context.to_csv(workdir / "data" / "raw" / "context_figures.csv", index=False)
    config = yaml.safe_load((workdir / "config.yaml").read_text(encoding="utf-8"))
    config["periods"]["pre_war"].update(label=PERIOD_LABEL, label_ru=PERIOD_LABEL)
    (workdir / "config.yaml").write_text(yaml.safe_dump(config, allow_unicode=True, sort_keys=False), encoding="utf-8")


@pytest.fixture(scope="module")
def builds(shipped_build, tmp_path_factory):
    """The shared build of the shipped data (only read) and the hostile one, in its own copy of the project."""
    workdir = copy_project(tmp_path_factory.mktemp("hostile"))
    shutil.copy(SHIPPED / "cases.csv", workdir / "data" / "raw" / "cases.csv")
    make_hostile(workdir)
    result = run_snakemake(workdir)
    assert result.returncode == 0, result.stdout + result.stderr[-4000:]
    return {"shipped": shipped_build[0], "hostile": workdir}


def render_as_github(markdown: str) -> str:
    """Markdown as GitHub renders it, raw HTML included (its sanitiser keeps <img>, <a> and <details>)."""
    return MarkdownIt("commonmark", {"html": True}).enable("table").render(markdown)


class Elements(HTMLParser):
    """Every element a browser's parser would make, with its attributes, and the text."""

    def __init__(self, html: str):
        super().__init__()
        self.tags: list[tuple[str, dict]] = []
        self.text: list[str] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data):
        self.text.append(data)


def assert_no_element_from_data(html: str) -> None:
    parsed = Elements(html)
    figures = ("data:image/png;base64,", "../figures/")  # embedded (HTML) or beside the document (Markdown)
    assert not [a for t, a in parsed.tags if t == "img" and not a.get("src", "").startswith(figures)]
    assert not [t for t, _ in parsed.tags if t in ("script", "i", "b")]
    assert all("onerror" not in attributes for _, attributes in parsed.tags)


class Tables(HTMLParser):
    """Every table a browser's parser would make: its rows, each a list of cell texts (header row first)."""

    def __init__(self, html: str):
        super().__init__()
        self.tables: list[list[list[str]]] = []
        self.in_cell = False
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        if tag == "table":
            self.tables.append([])
        elif tag == "tr":
            self.tables[-1].append([])
        elif tag in ("td", "th"):
            self.tables[-1][-1].append("")
            self.in_cell = True

    def handle_endtag(self, tag):
        if tag in ("td", "th"):
            self.in_cell = False

    def handle_data(self, data):
        if self.in_cell:
            self.tables[-1][-1][-1] += data


def table_rows(html: str, header: str) -> list[list[str]]:
    """The body rows of the rendered table whose first header cell is `header`, as cell texts."""
    for table in Tables(html).tables:
        if table and table[0] and table[0][0].strip() == header:
            return table[1:]
    raise AssertionError(f"no table headed {header!r}")


@pytest.mark.parametrize("document, ledger_header", [("findings.md", "No."), ("findings.ru.md", "№")])
def test_the_findings_show_hostile_text_literally_and_keep_every_table_row(builds, document, ledger_header):
    markdown = (builds["hostile"] / "reports" / document).read_text(encoding="utf-8")
    html = render_as_github(markdown)
    assert_no_element_from_data(html)
    text = "".join(Elements(html).text)
    assert ENTITY in text and TAG in text and "$x$" in text  # shown as written
    claims = pd.read_parquet(builds["hostile"] / "data" / "processed" / "claims.parquet")
    ledger = table_rows(html, ledger_header)
    assert len(ledger) == len(claims), "a line break in a claim's sentence ended the ledger table"
    assert CLAIM_TEXT.replace("\n", " ") in [cell for row in ledger for cell in row]


@pytest.mark.parametrize("document", ["findings.html", "findings.ru.html"])
def test_the_html_editions_make_no_element_from_data(builds, document):
    html = (builds["hostile"] / "reports" / document).read_text(encoding="utf-8")
    assert_no_element_from_data(html)
    text = "".join(Elements(html).text)
    assert ENTITY in text and TAG in text


def test_the_figures_write_hostile_labels_as_text(builds):
    for svg in (builds["hostile"] / "figures").glob("*.svg"):
        root = ET.parse(svg).getroot()  # well-formed XML, whatever the labels hold
        assert not [e for e in root.iter() if e.tag.endswith("}img") or e.tag.endswith("}script")], svg.name
    legend = ET.parse(builds["hostile"] / "figures" / "period_means.svg").getroot()
    texts = "".join("".join(e.itertext()) for e in legend.iter() if e.tag.endswith("}text"))
    assert PERIOD_LABEL in texts  # the dollar signs are not math, the tags are text


def test_the_diff_report_escapes_every_value_for_the_job_summary(builds, tmp_path):
    summary = tmp_path / "summary.md"
    result = subprocess.run(
        [
            "tnr-pipeline",
            "diff",
            str(builds["shipped"] / "data" / "processed"),
            str(builds["hostile"] / "data" / "processed"),
            "--output",
            str(summary),
        ],
        capture_output=True,
        text=True,
        env=pipeline_env(),
    )
    assert result.returncode == 0, result.stderr
    html = render_as_github(summary.read_text(encoding="utf-8"))
    assert_no_element_from_data(html)
    cases = table_rows(html, "case_id")
    assert sorted(row[0] for row in cases) == sorted([TAG, PIPE_ID])  # one cell each: the pipe did not split it
    assert all(len(row) == 3 for row in cases)
    text = "".join(Elements(html).text)
    assert CLAIM_TEXT.replace("\n", " ") in text and f"Source {TAG} | {ENTITY}" in text
