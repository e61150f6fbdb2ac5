"""Figures: drawn from small in-test tables, titles that state the data, byte-identical rebuilds."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from helpers import (
    ANALYSIS,
    ANALYSIS_JSON,
    PERIODS_JSON,
    compiled_russian,
    make_cases,
    small_context,
    small_survey_summary,
)
from tnr_pipeline.analysis.claims import verdicts
from tnr_pipeline.model import io, registry
from tnr_pipeline.model.reference import Reference
from tnr_pipeline.model.settings import parse_analysis, parse_periods
from tnr_pipeline.render import charts, figures, layout, world_map
from tnr_pipeline.render.i18n import Language
from tnr_pipeline.stages.compute_statistics import statistics_tables

ENGLISH = Language("en")


@pytest.fixture(scope="module")
def drawn(tmp_path_factory):
    periods, analysis, reference = parse_periods(PERIODS_JSON), parse_analysis(ANALYSIS_JSON), Reference()
    cases = make_cases(
        [("GEO", 2022, "denial_of_entry")] * 6
        + [("ARM", 2016, "detention")] * 2
        + [("ARM", 2023, "detention")] * 3
        + [("ESP", 2024, "assassination")],
        periods,
    )
    cases = cases.assign(
        host_country_name=cases["host_country"].map({"GEO": "Georgia", "ARM": "Armenia", "ESP": "Spain"})
    )

    tables = statistics_tables(cases, reference, analysis)
    tables.update(survey_summary=small_survey_summary(reference), context_figures=small_context())
    ledger = pd.DataFrame(
        [["eightfold", "F1", "Eightfold.", "ratio scope=all", "rounds_to", "8", "report", "'eightfold' as 8", ""]],
        columns=["claim_id", "section", "claim", "metric", "check", "expected", "source", "reading", "why"],
    )
    tables["claims"] = verdicts.check_claims(ledger, {"cases": cases, **tables}, analysis)
    folder = tmp_path_factory.mktemp("tables")
    ledger.to_csv(folder / "claims.csv", index=False)
    meta = io.provenance({"data/raw/cases.csv": "cd" * 32}, {})
    for name, frame in tables.items():
        io.write_parquet(frame, name, folder / f"{name}.parquet", meta)
    out = [tmp_path_factory.mktemp("a"), tmp_path_factory.mktemp("b")]
    typology = str(reference.directory / "typology.csv")
    paths = {name: str(folder / f"{name}.parquet") for name in tables}
    for target, workers in zip(out, (2, 1)):
        figures.draw_all(
            paths,
            {"en": {name: str(target / name) for name in registry.FIGURES}},
            typology,
            analysis,
            "ovd_info_prosecutions",
            workers,
            str(folder / "claims.csv"),
            origin_country="RUS",
        )
    return tables, out


def test_every_figure_written_as_png_and_svg(drawn):
    _, (first, _) = drawn
    assert sorted(p.name for p in first.iterdir()) == sorted(
        f"{n}.{e}" for n in registry.FIGURES for e in ("png", "svg")
    )


def test_rebuild_is_byte_identical_whether_drawn_by_two_workers_or_one(drawn):
    _, (first, second) = drawn
    for path in first.iterdir():
        assert path.read_bytes() == (second / path.name).read_bytes(), path.name


def title(figure) -> str:
    """A figure's title as one line (it is wrapped to the figure's width)."""
    return figure.get_suptitle().replace("\n", " ")


def test_titles_state_numbers_from_the_tables(drawn):
    tables, _ = drawn
    periods = parse_periods(PERIODS_JSON)
    typology = Reference().typology
    ratio = tables["period_ratios"].set_index("scope").loc["all", "ratio"]
    analysis = parse_analysis(ANALYSIS_JSON)
    figure = charts.plot_cases_per_year(
        tables["annual_counts"],
        tables["period_summary"],
        tables["period_ratios"],
        typology,
        analysis,
        "src",
        ENGLISH,
    )
    assert f"rose {ratio:.1f}-fold from Pre-war (2014–2021) to Post-invasion (2022–2024)" in title(figure)
    mix = charts.plot_tactic_mix(tables["period_breakdowns"], typology, "all", periods, "src", ENGLISH)
    assert title(mix).startswith("Denial of Entry made up 60% of cases in Post-invasion (2022–2024), 0% in")
    countries = charts.plot_countries(tables["country_summary"], "all", periods[0], periods[1], "src", ENGLISH)
    assert "3 host countries; 2 with a first case after 2021" in title(countries)


def test_russian_figures_speak_russian(drawn):

    tables, _ = drawn
    russian = compiled_russian()
    periods = parse_periods(
        {
            "pre_war": {"label": "Pre-war", "label_ru": "До войны", "first_year": 2014, "last_year": 2021},
            "post_invasion": {
                "label": "Post-invasion",
                "label_ru": "После вторжения",
                "first_year": 2022,
                "last_year": 2024,
            },
        }
    )
    typology = Reference().typology
    mix = charts.plot_tactic_mix(tables["period_breakdowns"], typology, "all", periods, "src", russian)
    assert title(mix).startswith("«Отказ во въезде» — 60\u00a0% случаев в периоде «После вторжения (2022–2024)»")
    countries = charts.plot_countries(tables["country_summary"], "all", periods[0], periods[1], "src", russian)
    assert title(countries).startswith("3 страны пребывания")  # few: страны
    assert "первый случай после 2021 года — в 2 странах (" in title(countries)  # the count agrees, names follow
    names = [label.get_text() for label in countries.axes[0].get_yticklabels()]
    assert names == ["Испания  [ЕС, впервые]", "Армения", "Грузия  [впервые]"]
    assert "src" in " ".join(text.get_text() for text in countries.texts)  # the source line as given
    import warnings

    with warnings.catch_warnings(record=True) as caught:  # every Cyrillic glyph is in the figures' font
        warnings.simplefilter("always")
        for figure in (mix, countries):
            figure.canvas.draw()
    assert [str(w.message) for w in caught if "missing from font" in str(w.message)] == []


def test_period_means_follow_the_roles_and_the_confidence_level(drawn):
    import json

    tables, _ = drawn
    reordered = dict(reversed(list(ANALYSIS["scopes"].items())))
    analysis = parse_analysis(json.dumps({**ANALYSIS, "scopes": reordered}))
    summary = tables["period_summary"].assign(confidence_level=0.9)
    ratios = tables["period_ratios"].assign(confidence_level=0.9)
    phrases = {
        "all": "all cases",
        "excluding_denial_of_entry": "excluding Denial of Entry",
        "freedom_house_physical": "x",
        "like_for_like": "y",
    }
    figure = charts.plot_period_means(summary, ratios, analysis, "src", ENGLISH, phrases)
    axes = figure.axes[0]
    ticks = ["All cases", "Excluding DoE", "FH physical", "Like for like"]
    assert [label.get_text() for label in axes.get_xticklabels()] == ticks
    assert axes.get_ylabel() == "Average cases per year (90% interval)"
    texts = " ".join(text.get_text() for text in figure.texts)
    assert "exact conditional 90% interval" in texts and "95%" not in texts
    all_ratio = ratios.set_index("scope").loc["all", "ratio"]
    assert title(figure).startswith(f"Annual cases rose {all_ratio:.1f}-fold (all cases)")


def test_long_titles_wrap_within_the_figure():
    lines = layout.wrap(
        "Denial of Entry made up 48% of cases in Post-invasion (2022–2024), 0% in Pre-war (2014–2021)", 8.76, 12, "bold"
    )
    assert len(lines) == 2 and all(layout.text_width(line, 12, "bold") <= 8.76 for line in lines)
    assert " ".join(lines).endswith("0% in Pre-war (2014–2021)")
    # never inside «quotes», never a line that starts with a dash: each break is the one a narrower width forces
    quoted = layout.wrap("в 4,2 раза (без категории «Отказ во въезде»)", 3.2, 12, "bold")
    assert quoted == ["в 4,2 раза (без категории", "«Отказ во въезде»)"]
    dashed = layout.wrap("самая низкая граница интервала — 4,0", 3.3, 12, "bold")
    assert dashed == ["самая низкая граница", "интервала — 4,0"]
    preposition = layout.wrap("0 % — в периоде «До войны (2014–2021)»", 1.1, 12, "bold")
    assert preposition[0] == "0 % —" and not any(line.endswith(" в") for line in preposition)
    number = layout.wrap("выросло в 1,6 раза, а число случаев", 1.3, 12, "bold")
    assert number[0] == "выросло" and number[1].startswith("в 1,6 раза")
    assert layout.label_margin(["Romania  [EU, new]"]) > layout.label_margin(["Spain"]) > layout.EDGE


def test_map_outlines_come_from_the_installed_package():
    shapes = world_map.load_country_shapes()
    assert {"GE", "AM", "KZ", "PL", "ES"} <= set(shapes)


def test_fold_wording_covers_zero_baselines():
    english = Language("en")
    assert layout.fold(8.1839, english) == "8.2-fold"
    assert layout.fold(float("inf"), english) == "from zero"
    assert layout.fold(float("nan"), english) == "(no case in either period)"
    assert ENGLISH.number(float("inf"), 2) == "∞" and ENGLISH.number(5.3288, 2) == "5.33"


def test_the_map_shades_more_cases_darker_and_draws_the_origin_state():
    import matplotlib.colors
    import pandas as pd

    from tnr_pipeline.model.settings import Period
    from tnr_pipeline.render import world_map
    from tnr_pipeline.render.figures import STYLE
    from tnr_pipeline.render.i18n import Language

    plt = world_map.plt
    plt.style.use(STYLE)
    summary = pd.DataFrame(
        {
            "scope": "all",
            "period": "post",
            "host_country": ["GEO", "MNG"],
            "host_country_name": ["Georgia", "Mongolia"],
            "cases": [30, 1],
        }
    )
    shapes = world_map.load_country_shapes()
    figure = world_map.plot_host_map(
        summary,
        "all",
        Period("post", "Post", 2022, 2024),
        {"GEO": "GE", "MNG": "MN"},
        shapes,
        "s",
        Language("en"),
        ("RU", "Russia"),
    )
    axes = figure.axes[0]
    hosts = axes.collections[-1]  # the host countries, drawn last, in the order of their outlines
    order = [code for code in ("GE", "MN") for _ in shapes[code]]
    brightness = {code: matplotlib.colors.rgb_to_hsv(face[:3])[2] for code, face in zip(order, hosts.get_facecolors())}
    assert brightness["GE"] < brightness["MN"]  # 30 cases darker than 1
    origin = axes.collections[-2]
    assert len(origin.get_paths()) > 0 and origin.get_hatch() == "///"
    assert "Russia: the state carrying out the repression" in [t.get_text() for t in axes.get_legend().get_texts()]
    plt.close(figure)


def test_map_labels_of_crowded_europe_do_not_overlap():
    import pandas as pd

    from tnr_pipeline.model.settings import Period
    from tnr_pipeline.render.figures import STYLE

    plt = world_map.plt
    plt.style.use(STYLE)
    shipped = {"GEO": ("GE", 30), "ARM": ("AM", 17), "KAZ": ("KZ", 14), "KGZ": ("KG", 7), "POL": ("PL", 6)}
    shipped |= {"DEU": ("DE", 3), "SRB": ("RS", 3), "FRA": ("FR", 2), "AUT": ("AT", 1), "BGR": ("BG", 1)}
    shipped |= {"CYP": ("CY", 1), "ESP": ("ES", 1), "ITA": ("IT", 1), "MNG": ("MN", 1), "ROU": ("RO", 1)}
    summary = pd.DataFrame(
        {
            "scope": "all",
            "period": "post",
            "host_country": list(shipped),
            "host_country_name": list(shipped),
            "cases": [n for _, n in shipped.values()],
        }
    )
    figure = world_map.plot_host_map(
        summary,
        "all",
        Period("post", "Post", 2022, 2024),
        {code: alpha2 for code, (alpha2, _) in shipped.items()},
        world_map.load_country_shapes(),
        "s",
        ENGLISH,
        ("RU", "Russia"),
    )
    renderer = figure.canvas.get_renderer()
    labels = [text for text in figure.axes[0].texts if text.get_text().split()[-1].isdigit()]
    assert len(labels) == len(shipped)
    boxes = [text.get_window_extent(renderer) for text in labels]
    overlapping = [
        (a.get_text(), b.get_text())
        for i, (a, box) in enumerate(zip(labels, boxes))
        for b, other in zip(labels[i + 1 :], boxes[i + 1 :])
        if box.overlaps(other)
    ]
    assert overlapping == []
    plt.close(figure)


def test_the_reports_ratios_are_marked_above_the_intervals_not_on_them(drawn):
    from tnr_pipeline.render.figures import STYLE

    tables, _ = drawn
    charts.plt.style.use(STYLE)
    ledger = pd.DataFrame(
        {"claim_id": ["eightfold"], "metric": ["ratio scope=all"], "check": ["rounds_to"], "expected": ["8"]}
    )
    phrases = {"all": "all cases", "excluding_denial_of_entry": "excluding DoE", "freedom_house_physical": "FH"}
    figure = charts.plot_robustness(
        tables["robustness"],
        tables["region_ratios"],
        ledger,
        parse_analysis(ANALYSIS_JSON),
        "src",
        ENGLISH,
        phrases,
        {},
    )
    renderer = figure.canvas.get_renderer()
    left = figure.axes[0]
    marks = [text for text in left.texts if text.get_text().startswith("the report:")]
    assert [text.get_text() for text in marks] == ["the report: ×8 (all cases)"]
    panel = left.get_window_extent(renderer)
    assert all(text.get_window_extent(renderer).y0 >= panel.y1 for text in marks)  # above the panel
    legend = left.get_legend().get_window_extent(renderer)
    points = [
        left.transData.transform(xy) for line in left.lines for xy in line.get_xydata() if line.get_marker() == "o"
    ]
    assert points and not [p for p in points if legend.contains(*p)]  # the legend covers no estimate
    charts.plt.close(figure)


def _texts_outside_or_overlapping(figure) -> list[str]:
    """Every text a drawn figure shows that reaches past the figure's edge, and every pair of tick labels on one axis
    that overlap (tick labels of ticks outside the view are made but never drawn, so they are left out)."""
    renderer = figure.canvas.get_renderer()
    edge = figure.bbox
    legends = [*figure.legends, *(axes.get_legend() for axes in figure.axes if axes.get_legend())]
    texts = [*figure.texts, *(text for legend in legends for text in legend.get_texts())]
    if figure._suptitle is not None:
        texts.append(figure._suptitle)
    tick_labels = []
    for axes in figure.axes:
        texts += [*axes.texts, axes.xaxis.label, axes.yaxis.label, axes.title]
        for axis in (axes.xaxis, axes.yaxis):
            low, high = sorted(axis.get_view_interval())
            tick_labels.append([tick.label1 for tick in axis.get_major_ticks() if low <= tick.get_loc() <= high])
    texts += [label for labels in tick_labels for label in labels]
    problems = []
    for text in texts:
        if not text.get_visible() or not text.get_text().strip():
            continue
        box = text.get_window_extent(renderer)
        if box.x0 < edge.x0 - 0.5 or box.x1 > edge.x1 + 0.5 or box.y0 < edge.y0 - 0.5 or box.y1 > edge.y1 + 0.5:
            problems.append(f"cut off: {text.get_text()!r}")
    for labels in tick_labels:
        boxes = [(t.get_text(), t.get_window_extent(renderer)) for t in labels if t.get_text()]
        problems += [
            f"overlap: {a!r} {b!r}"
            for i, (a, box) in enumerate(boxes)
            for b, other in boxes[i + 1 :]
            if box.overlaps(other)
        ]
    return problems


def test_russian_labels_fit_their_figure_and_never_overlap(drawn):
    """The Russian words are longer than the English: tick labels, legends and axis labels wrap or take columns so
    that nothing is cut at the figure's edge."""
    from tnr_pipeline.render.figures import STYLE

    tables, _ = drawn
    charts.plt.style.use(STYLE)
    russian = compiled_russian()
    analysis = parse_analysis(
        json.dumps(
            {
                **ANALYSIS,
                "scopes": {
                    "all": {"label": "All", "label_ru": "Все случаи"},
                    "excluding_denial_of_entry": {
                        "label": "x",
                        "label_ru": "Без категории «Отказ во въезде»",
                        "exclude_tactics": ["denial_of_entry"],
                    },
                    "freedom_house_physical": {
                        "label": "y",
                        "label_ru": "Методы физического воздействия (по Freedom House)",
                        "fh_counted_only": True,
                    },
                    "like_for_like": {
                        "label": "z",
                        "label_ru": "Сопоставимая типология (без двух категорий, добавленных в исследовании)",
                        "exclude_tactics": ["denial_of_entry", "denial_of_services"],
                    },
                },
            }
        )
    )
    phrases = {
        name: "без категории «Отказ во въезде»"
        for name in ("all", "excluding_denial_of_entry", "freedom_house_physical", "like_for_like")
    }
    means = charts.plot_period_means(
        tables["period_summary"], tables["period_ratios"], analysis, "src", russian, phrases
    )
    periods = list(analysis.periods)
    mix = charts.plot_tactic_mix(tables["period_breakdowns"], Reference().typology, "all", periods, "src", russian)
    countries = charts.plot_countries(tables["country_summary"], "all", *periods, "src", russian)
    for figure in (means, mix, countries):
        figure.canvas.draw()
        assert _texts_outside_or_overlapping(figure) == []
        charts.plt.close(figure)


def test_a_legend_takes_as_many_columns_as_fit():
    labels = ["Убийство", "Нападение", "Похищение и незаконный вывоз", "Задержание", "Незаконная депортация"]
    labels += ["Запрос об экстрадиции", "Цифровые угрозы", "Давление через близких", "Отказ во въезде"]
    labels += ["Отказ в консульских и государственных услугах"]
    assert layout.legend_columns(labels, 100, 8) == 5  # room for all five
    columns = layout.legend_columns(labels, 8.76, 8)
    assert 1 < columns < 5
    rows = -(-len(labels) // columns)
    chunks = [labels[start : start + rows] for start in range(0, len(labels), rows)]
    widths = [max(layout.text_width(label, 8) for label in chunk) + 4.8 * 8 / 72 for chunk in chunks]
    assert sum(widths) <= 8.76
    assert layout.legend_columns(["a very long label " * 20, "b"], 2, 8) == 1
