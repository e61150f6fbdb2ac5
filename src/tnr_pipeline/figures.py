"""Stage 4, draw_figures: the statistics tables -> figures/*.png and *.svg.

What belongs here: one function per figure, from tables to a matplotlib Figure (no file access, no statistics:
every number drawn is read from a table), the fixed-margin layout they share, and the edges: `save_figure` writes
PNG and SVG byte-reproducibly, `draw_all` draws and saves them, in forked workers when asked. The style lives in
figures.mplstyle. Titles state the finding with numbers from the tables; a source line names the tables and the
raw input's hash.
"""

from __future__ import annotations

import xml.etree.ElementTree as ElementTree
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib.collections import PathCollection  # noqa: E402
from matplotlib.patches import Patch  # noqa: E402

from tnr_pipeline import io  # noqa: E402
from tnr_pipeline.settings import Period, Scope  # noqa: E402

STYLE = Path(__file__).with_name("figures.mplstyle")
FIGURES = ("cases_per_year", "period_means", "countries_before_after", "tactic_mix", "host_country_map",
           "prosecutions_and_cases", "survey_answers")
GREY, LIGHT = "#777777", "#e8e8e8"
DENIAL_OF_ENTRY = "denial_of_entry"
CONTEXT_SERIES = "ovd_info_prosecutions"
SURVEY_LABELS = {"reduced_presence": "Reduced public or online presence",
                 "considered_relocating": "Considered relocating again",
                 "experienced_tnr": "Experienced any TNR"}


def palette() -> list[str]:
    return plt.rcParams["axes.prop_cycle"].by_key()["color"]


# Margins in inches. Figures are laid out with fixed margins rather than tight_layout, which measures every text
# by drawing the figure once more (a third of all drawing time); only the texts that set a margin are measured.
EDGE = 0.12          # between the figure's edge and its title or source line
TICKS = 0.32         # tick labels (10 pt) and their ticks, below or beside an axis
LABEL = 0.24         # an axis label
SOURCE = 0.26        # the source line at the foot
RIGHT = 0.25


def text_width(text: str, size: float, weight: str = "normal") -> float:
    """Width in inches of one line of `text` in the figures' font at `size` points, measured, not drawn."""
    from matplotlib.font_manager import FontProperties
    from matplotlib.textpath import text_to_path

    width, _, _ = text_to_path.get_text_width_height_descent(text, FontProperties(size=size, weight=weight),
                                                             ismath=False)
    return width / 72


def wrap(text: str, width: float, size: float, weight: str = "normal") -> list[str]:
    """`text` broken between words into lines no wider than `width` inches."""
    lines: list[str] = []
    for word in text.split(" "):
        if lines and text_width(f"{lines[-1]} {word}", size, weight) <= width:
            lines[-1] = f"{lines[-1]} {word}"
        else:
            lines.append(word)
    return lines


def label_margin(labels, size: float | None = None) -> float:
    """Room in inches for the longest of these tick labels beside an axis, ticks and the figure's edge included."""
    size = size or plt.rcParams["font.size"]
    return max((text_width(str(label), size) for label in labels), default=0.0) + 0.18 + EDGE


def _finish(figure, title: str, tables: list[str], source: str, *, left: float = TICKS + LABEL,
            bottom: float = TICKS + LABEL + SOURCE, right: float = RIGHT, below_title: float = 0.12, **spacing):
    """Title the figure (wrapped to its width), place its axes with fixed margins in inches and add the source line."""
    width, height = figure.get_size_inches()
    size, weight = plt.rcParams["axes.titlesize"], plt.rcParams["axes.titleweight"]
    lines = wrap(title, width - 2 * EDGE, size, weight)
    figure.suptitle("\n".join(lines), x=EDGE / width, y=1 - EDGE / height, ha="left", va="top", fontsize=size,
                    fontweight=weight)
    top = EDGE + len(lines) * size * 1.25 / 72 + below_title
    figure.subplots_adjust(left=left / width, right=1 - right / width, bottom=bottom / height, top=1 - top / height,
                           **spacing)
    figure.text(EDGE / width, EDGE / height, f"Source: {', '.join(tables)} ({source}).", fontsize=7, color=GREY,
                ha="left", va="bottom")
    return figure


def _gridlines_across(axes) -> None:
    """Grid lines for a horizontal bar chart: vertical only."""
    axes.grid(axis="x")
    axes.grid(axis="y", visible=False)


def _share_axis(axes, label: str) -> None:
    """An x axis of shares from 0 to 100%."""
    axes.set_xlim(0, 1)
    axes.xaxis.set_major_formatter(matplotlib.ticker.PercentFormatter(1.0))
    _gridlines_across(axes)
    axes.set_xlabel(label)


def _fold(ratio: float) -> str:
    """'8.2-fold', or what an infinite or missing ratio means (no case in the baseline, or in neither period)."""
    if ratio != ratio:
        return "(no case in either period)"
    return f"{ratio:.1f}-fold" if ratio != float("inf") else "from zero"


def _number(value: float) -> str:
    return f"{value:.2f}" if value != float("inf") else "∞"


def save_figure(figure, directory: str | Path, stem: str) -> list[Path]:
    """Write a figure as PNG and SVG, with fixed metadata so a rebuild gives byte-identical files."""
    written = []
    for suffix, metadata in (("png", {"Software": None}), ("svg", {"Date": None, "Creator": None})):
        path = Path(directory) / f"{stem}.{suffix}"
        with io.atomic_path(path) as temporary:
            figure.savefig(temporary, format=suffix, metadata=metadata)
        written.append(path)
    plt.close(figure)
    return written


# ---- the figures ----------------------------------------------------------------------------------------------

def plot_cases_per_year(annual_counts: pd.DataFrame, period_summary: pd.DataFrame, typology: pd.DataFrame,
                        periods: list[Period], ratio: float, source: str):
    """Cases per year stacked by tactic family (Denial of Entry its own band), periods shaded, means drawn."""
    families = list(dict.fromkeys(typology["family"]))
    labels = dict(zip(typology["family"], typology["family_label"]))
    doe_label = typology.set_index("code").loc[DENIAL_OF_ENTRY, "label"]
    band = annual_counts["tactic"].map(dict(zip(typology["code"], typology["family"])))
    band = band.where(annual_counts["tactic"] != DENIAL_OF_ENTRY, DENIAL_OF_ENTRY)
    table = annual_counts.assign(band=band).pivot_table(index="year", columns="band", values="cases",
                                                        aggfunc="sum", fill_value=0)
    order = [f for f in families if f in table.columns] + [DENIAL_OF_ENTRY]
    colours = palette()
    figure, axes = plt.subplots()
    bottom = np.zeros(len(table))
    for i, name in enumerate(order):
        values = table[name].to_numpy() if name in table else np.zeros(len(table))
        label = doe_label if name == DENIAL_OF_ENTRY else labels[name]
        colour = colours[4] if name == DENIAL_OF_ENTRY else colours[families.index(name) % 4]
        axes.bar(table.index, values, bottom=bottom, color=colour, label=label, width=0.8,
                 hatch="//" if name == DENIAL_OF_ENTRY else None, edgecolor="white", linewidth=0.4)
        bottom += values
    overall = period_summary[period_summary["scope"] == period_summary["scope"].iloc[0]].set_index("period")
    for i, period in enumerate(periods):
        axes.axvspan(period.first_year - 0.5, period.last_year + 0.5, color=LIGHT if i % 2 == 0 else "#f4f4f4",
                     zorder=0)
        mean = overall.loc[period.name, "annual_mean"]
        axes.hlines(mean, period.first_year - 0.45, period.last_year + 0.45, colors="black", linestyles="--",
                    linewidth=1.2, zorder=3)
        axes.annotate(f"{period.label}: {mean:.1f} a year", (period.first_year - 0.45, mean),
                      xytext=(2, 4), textcoords="offset points", fontsize=8)
    first, last = periods[0], periods[-1]
    axes.set_xlabel("Year")
    axes.set_ylabel("Cases")
    axes.set_xticks(table.index)
    axes.tick_params(axis="x", labelrotation=45)
    axes.legend(loc="upper left", title="Tactic family")
    return _finish(figure, f"Cases per year rose {_fold(ratio)} from {first.label} to {last.label}",
                   ["annual_counts", "period_summary"], source, bottom=0.5 + LABEL + SOURCE)


def plot_period_means(period_summary: pd.DataFrame, period_ratios: pd.DataFrame, scopes: list[Scope],
                      periods: dict[str, Period], source: str):
    """Annual means of the baseline and comparison period for each scope, 95% intervals, the ratio written on."""
    colours = palette()
    figure, axes = plt.subplots()
    ratios = period_ratios.set_index("scope")
    summary = period_summary.set_index(["scope", "period"])
    baseline, comparison = ratios["baseline"].iloc[0], ratios["comparison"].iloc[0]
    width = 0.38
    for i, scope in enumerate(scopes):
        for j, (period, colour) in enumerate(((baseline, colours[0]), (comparison, colours[1]))):
            row = summary.loc[(scope.name, period)]
            error = [[row["annual_mean"] - row["annual_mean_ci_low"]],
                     [row["annual_mean_ci_high"] - row["annual_mean"]]]
            axes.bar(i + (j - 0.5) * width, row["annual_mean"], width, yerr=error, capsize=4, color=colour,
                     label=periods[period].label if i == 0 else None, error_kw={"linewidth": 1})
        ratio = ratios.loc[scope.name]
        top = summary.loc[(scope.name, comparison), "annual_mean_ci_high"]
        axes.annotate(f"×{_number(ratio['ratio'])}\n[{_number(ratio['ci_low'])}, {_number(ratio['ci_high'])}]",
                      (i, top),
                      xytext=(0, 6), textcoords="offset points", ha="center", fontsize=8)
    axes.set_xticks(range(len(scopes)), [scope.label for scope in scopes])
    axes.set_ylabel("Average cases per year (95% interval)")
    level = ratios["confidence_level"].iloc[0]
    first, second = ratios.loc[scopes[0].name, "ratio"], ratios.loc[scopes[min(1, len(scopes) - 1)].name, "ratio"]
    axes.legend(loc="upper right")
    axes.margins(y=0.15)
    figure.text(EDGE / figure.get_figwidth(), (EDGE + SOURCE) / figure.get_figheight(),
                f"Rate ratio with exact conditional {level:.0%} interval written above each pair.", fontsize=8,
                color=GREY)
    return _finish(figure, f"Annual cases rose {_fold(first)} ({scopes[0].label.lower()}), {_fold(second)} "
                   f"({scopes[min(1, len(scopes) - 1)].label.lower()})", ["period_summary", "period_ratios"], source,
                   bottom=TICKS + 0.22 + SOURCE + 0.05)


def plot_countries(country_summary: pd.DataFrame, scope: str, baseline: Period, comparison: Period, source: str):
    """Cases per host country before and after, EU members and countries new since the baseline marked."""
    colours = palette()
    rows = country_summary[country_summary["scope"] == scope]
    wide = rows.pivot_table(index="host_country", columns="period", values="cases", aggfunc="sum")
    info = rows.drop_duplicates("host_country").set_index("host_country")
    wide = wide.assign(total=wide[comparison.name]).sort_values(["total", baseline.name], ascending=True)
    figure, axes = plt.subplots(figsize=(9, 0.38 * len(wide) + 1.8))
    y = np.arange(len(wide))
    axes.barh(y + 0.2, wide[baseline.name], 0.4, color=colours[0], label=baseline.label)
    axes.barh(y - 0.2, wide[comparison.name], 0.4, color=colours[1], label=comparison.label)
    names = []
    for code in wide.index:
        name = info.loc[code, "host_country_name"]
        marks = (["EU"] if info.loc[code, "eu_member_at_end"] else []) + \
                (["new"] if info.loc[code, "new_in_comparison"] else [])
        names.append(f"{name}  [{', '.join(marks)}]" if marks else name)
    axes.set_yticks(y, names)
    for position, value in zip(y, wide[comparison.name]):
        axes.text(value + 0.3, position - 0.2, str(int(value)), va="center", fontsize=7)
    _gridlines_across(axes)
    new = info[info["new_in_comparison"]]["host_country_name"].tolist()
    axes.legend(loc="lower right")
    axes.set_xlabel(f"Cases   ([EU] EU member state in {comparison.last_year}; [new] no case before "
                    f"{comparison.first_year}, at least one since)")
    return _finish(figure, f"{len(wide)} host countries; {len(new)} with a first case after {baseline.last_year}"
                   + (f": {', '.join(new)}" if new else ""), ["country_summary"], source, left=label_margin(names))


def _text_colour(colour: str) -> str:
    red, green, blue = matplotlib.colors.to_rgb(colour)
    return "white" if 0.2126 * red + 0.7152 * green + 0.0722 * blue < 0.45 else "black"


def plot_tactic_mix(period_breakdowns: pd.DataFrame, typology: pd.DataFrame, scope: str, periods: list[Period],
                    source: str):
    """Share of each tactic in each period (100% bars, the typology's colours), Denial of Entry hatched."""
    colours = dict(zip(typology["code"], typology["colour"]))
    rows = period_breakdowns[(period_breakdowns["dimension"] == "tactic") & (period_breakdowns["scope"] == scope)]
    tactics = list(dict.fromkeys(rows["category"]))
    labels = dict(zip(rows["category"], rows["category_label"]))
    shares = rows.pivot_table(index="period", columns="category", values="share", aggfunc="sum").fillna(0)
    figure, axes = plt.subplots(figsize=(9, 1.2 * len(periods) + 2.2))
    for j, period in enumerate(periods):
        left = 0.0
        for i, tactic in enumerate(tactics):
            share = float(shares.loc[period.name, tactic]) if period.name in shares.index else 0.0
            axes.barh(j, share, left=left, color=colours[tactic],
                      hatch="//" if tactic == DENIAL_OF_ENTRY else None, edgecolor="white", linewidth=0.4,
                      label=labels[tactic] if j == 0 else None)
            if share >= 0.05:
                axes.text(left + share / 2, j, f"{share:.0%}", ha="center", va="center", fontsize=7,
                          color=_text_colour(colours[tactic]))
            left += share
    period_labels = [p.label for p in periods]
    axes.set_yticks(range(len(periods)), period_labels)
    _share_axis(axes, "Share of the period's cases")
    last = shares.loc[periods[-1].name] if periods[-1].name in shares.index else pd.Series(0.0, index=tactics)
    top = last.idxmax()
    before = shares.loc[periods[0].name, top] if periods[0].name in shares.index else 0.0
    legend_rows = -(-len(tactics) // 5)
    figure.legend(loc="lower center", bbox_to_anchor=(0.5, (EDGE + SOURCE - 0.1) / figure.get_figheight()), ncol=5,
                  fontsize=8)
    return _finish(figure, f"{labels[top]} made up {last[top]:.0%} of cases in {periods[-1].label}, "
                   f"{before:.0%} in {periods[0].label}", ["period_breakdowns"], source,
                   left=label_margin(period_labels), bottom=TICKS + LABEL + 0.2 * legend_rows + 0.2 + SOURCE)


def load_country_shapes() -> dict[str, list]:
    """Country outlines (alpha-2 -> matplotlib paths) from the world map SVG that pygal-maps-world ships."""
    import pygal_maps_world
    from svgpath2mpl import parse_path

    svg = Path(pygal_maps_world.__file__).with_name("worldmap.svg")
    namespace = "{http://www.w3.org/2000/svg}"
    shapes = {}
    for group in ElementTree.parse(svg).getroot().iter(f"{namespace}g"):
        classes = group.get("class", "").split()
        if "country" in classes:
            shapes[classes[0].upper()] = [parse_path(path.get("d")) for path in group.iter(f"{namespace}path")]
    return shapes


def _bounds(path) -> tuple[float, float, float, float]:
    """x0, y0, x1, y1 of an outline's vertices (control points included): cheap, and close enough for layout."""
    low, high = path.vertices.min(axis=0), path.vertices.max(axis=0)
    return float(low[0]), float(low[1]), float(high[0]), float(high[1])


def _area(path) -> float:
    x0, y0, x1, y1 = _bounds(path)
    return (x1 - x0) * (y1 - y0)


def _label_countries(axes, shapes: dict[str, list], texts: dict[str, str], order: list[str],
                     units_per_point: float) -> None:
    """Label each country at its largest outline, or nearby with a leader line where labels would collide.

    Placement is greedy and deterministic: countries in `order` take the first free spot among their centre
    (for countries wide enough to hold the label) and rings of offsets around it.
    """
    placed: list[tuple[float, float, float, float]] = []
    height = 11 * units_per_point
    for code in order:
        bx0, by0, bx1, by1 = _bounds(max(shapes[code], key=_area))
        x, y = (bx0 + bx1) / 2, (by0 + by1) / 2
        width = len(texts[code]) * 4.6 * units_per_point
        offsets = [(0.0, 0.0)] if bx1 - bx0 > width else []
        offsets += [(dx * step, dy * step) for step in (45, 80, 115, 150)
                    for dx, dy in ((0, -1), (1, 0), (0, 1), (-1, 0), (1, -1), (1, 1), (-1, 1), (-1, -1))]
        for dx, dy in offsets:
            candidate = (x + dx - width / 2, y + dy - height / 2, x + dx + width / 2, y + dy + height / 2)
            if all(candidate[2] < b[0] or candidate[0] > b[2] or candidate[3] < b[1] or candidate[1] > b[3]
                   for b in placed):
                break
        placed.append(candidate)
        arrow = None if (dx, dy) == (0.0, 0.0) else {"arrowstyle": "-", "color": "#333333", "linewidth": 0.6}
        axes.annotate(texts[code], (x, y), xytext=(x + dx, y + dy), textcoords="data", ha="center", va="center",
                      fontsize=7, arrowprops=arrow,
                      bbox={"boxstyle": "round,pad=0.15", "facecolor": "white", "alpha": 0.85, "linewidth": 0})


def plot_host_map(country_summary: pd.DataFrame, scope: str, comparison: Period, alpha2: dict[str, str],
                  shapes: dict[str, list], source: str):
    """Host countries shaded by their cases in the comparison period, on a map drawn from packaged outlines."""
    rows = country_summary[(country_summary["scope"] == scope) & (country_summary["period"] == comparison.name)]
    cases = {alpha2.get(code): int(n) for code, n in zip(rows["host_country"], rows["cases"])}
    names = {alpha2.get(code): name for code, name in zip(rows["host_country"], rows["host_country_name"])}
    drawn = {code: paths for code, paths in shapes.items() if code in cases}
    extents = [_bounds(path) for paths in drawn.values() for path in paths]
    if extents:
        x0 = min(e[0] for e in extents) - 60
        y0 = min(e[1] for e in extents) - 60
        x1 = max(e[2] for e in extents) + 60
        y1 = max(e[3] for e in extents) + 60
    else:
        x0, x1, y0, y1 = 950, 2100, 150, 550
    colormap = plt.get_cmap()
    top = max(cases.values(), default=0) or 1
    norm = matplotlib.colors.PowerNorm(0.5, vmin=0, vmax=top)
    # The map's width: the figure's less its edges and the colour bar (15% of the width and a 5% gap, its defaults).
    map_width = (10 - 2 * EDGE) * 0.8
    figure, axes = plt.subplots(figsize=(10, 0.55 + SOURCE + 0.1 + map_width * (y1 - y0) / (x1 - x0)))
    # Two collections (other countries, host countries) instead of one patch per outline: far fewer artists.
    # Only outlines that reach into the view are drawn.
    def in_view(path) -> bool:
        bx0, by0, bx1, by1 = _bounds(path)
        return bx1 >= x0 and bx0 <= x1 and by1 >= y0 and by0 <= y1

    background = [path for code, paths in shapes.items() if code not in cases for path in paths if in_view(path)]
    axes.add_collection(PathCollection(background, facecolors=LIGHT, edgecolors="#999999", linewidths=0.3))
    hosts = [(path, code) for code, paths in drawn.items() for path in paths if in_view(path)]
    faces = ["#ffffff" if cases[code] == 0 else colormap(norm(cases[code])) for _, code in hosts]
    axes.add_collection(PathCollection([path for path, _ in hosts], facecolors=faces, edgecolors="black",
                                       linewidths=0.6))
    _label_countries(axes, drawn, {code: f"{names[code]} {cases[code]}" for code in drawn},
                     sorted(drawn, key=lambda code: (-cases[code], code)), (x1 - x0) / 10 / 72)
    axes.set_xlim(x0, x1)
    axes.set_ylim(y1, y0)  # SVG y runs downwards
    axes.set_aspect("equal")
    axes.axis("off")
    ranked = sorted(cases.items(), key=lambda item: (-item[1], names[item[0]]))
    leaders = ", ".join(names[code] for code, n in ranked[:3] if n > 0)
    with_cases = sum(1 for n in cases.values() if n > 0)
    mappable = matplotlib.cm.ScalarMappable(cmap=colormap, norm=norm)
    figure.colorbar(mappable, ax=axes, shrink=0.6, label=f"Cases, {comparison.label}")
    axes.legend(handles=[Patch(facecolor="#ffffff", edgecolor="black", label="host country, no case in period"),
                         Patch(facecolor=LIGHT, edgecolor="#999999", label="no case in the data")],
                loc="lower left", fontsize=7)
    return _finish(figure, f"Cases since {comparison.first_year} in {with_cases} host countries, most in {leaders}",
                   ["country_summary", "map outlines: pygal-maps-world"], source, left=EDGE, bottom=SOURCE,
                   right=EDGE)


def plot_prosecutions_and_cases(context_figures: pd.DataFrame, annual_counts: pd.DataFrame, series: str,
                                source: str):
    """Domestic prosecutions (a context series) beside transnational repression cases, for the years with both."""
    colours = palette()
    yearly = context_figures[context_figures["series"] == series].dropna(subset=["year"])
    cases = annual_counts.groupby("year")["cases"].sum()
    years = sorted(int(y) for y in yearly["year"] if int(y) in cases.index)
    figure, (left, right) = plt.subplots(1, 2, figsize=(9, 4.4))
    values = yearly.set_index(yearly["year"].astype(int))["value"]
    labels = [str(y) for y in years]
    left.bar(labels, [values[y] for y in years], color=colours[0])
    right.bar(labels, [cases[y] for y in years], color=colours[1])
    unit = yearly["unit"].iloc[0] if len(yearly) else ""
    left.set_title("Political persecution in Russia", fontsize=10)
    left.set_ylabel(f"{unit.capitalize()} (OVD-Info)" if unit else "Count")
    right.set_title("Transnational repression cases", fontsize=10)
    right.set_ylabel("Cases (this data)")
    for axes, numbers in ((left, [values[y] for y in years]), (right, [cases[y] for y in years])):
        for x, value in zip(labels, numbers):
            axes.annotate(f"{value:,.0f}", (x, value), xytext=(0, 3), textcoords="offset points", ha="center",
                          fontsize=8)
    title = "Domestic prosecutions and cases abroad"
    if len(years) >= 2:
        first, last = years[0], years[-1]
        abroad = cases[last] / cases[first] if cases[first] else float("inf")
        title = (f"From {first} to {last}, domestic prosecutions rose {_fold(values[last] / values[first])} "
                 f"and cases abroad {_fold(abroad)}")
    gap = TICKS + LABEL + 0.3  # the right panel's tick labels and axis label
    panel = (figure.get_figwidth() - (TICKS + LABEL + 0.4) - RIGHT - gap) / 2
    return _finish(figure, title, ["context_figures", "annual_counts"], source, left=TICKS + LABEL + 0.4,
                   bottom=TICKS + SOURCE, below_title=0.35, wspace=gap / panel)


def plot_survey_answers(survey_summary: pd.DataFrame, labels: dict[str, str], source: str):
    """Share answering yes to each questionnaire item and share reporting each tactic, with Wilson intervals."""
    colours = palette()
    yes = survey_summary[survey_summary["answer"] == "yes"]
    tactics = survey_summary[(survey_summary["question"] == "tactics_experienced")]
    rows = pd.concat([yes.assign(label=yes["question"].map(labels), group=0),
                      tactics.assign(label=tactics["answer"].map(labels), group=1)], ignore_index=True)
    rows = rows.iloc[::-1].reset_index(drop=True)
    figure, axes = plt.subplots(figsize=(9, 0.32 * len(rows) + 1.9))
    error = [rows["share"] - rows["ci_low"], rows["ci_high"] - rows["share"]]
    axes.barh(rows.index, rows["share"], xerr=error, capsize=3, error_kw={"linewidth": 0.9},
              color=[colours[0] if group == 0 else colours[5] for group in rows["group"]])
    for y, row in rows.iterrows():
        axes.text(row["ci_high"] + 0.01, y, f"{row['n']} of {row['respondents']}", va="center", fontsize=7)
    axes.set_yticks(rows.index, rows["label"])
    _share_axis(axes, "Share of respondents (Wilson 95% interval)")
    reduced = yes[yes["question"] == "reduced_presence"]
    title = "Questionnaire answers"
    if len(reduced):
        row = reduced.iloc[0]
        title = (f"Reduced public and online presence: {row['n']} of {row['respondents']} respondents "
                 f"({row['share']:.1%})")
    return _finish(figure, title, ["survey_summary"], source, left=label_margin(rows["label"]))


# ---- the stage -------------------------------------------------------------------------------------------------

def describe_source(provenance: dict) -> str:
    inputs = ", ".join(f"{Path(path).name} sha256 {digest[:12]}" for path, digest in
                       provenance["inputs_sha256"].items())
    return f"{inputs}; tnr-pipeline {provenance['package_version']}"


def run(tables_dir: str, output_dir: str, typology_path: str, periods: list[Period], scopes: list[Scope],
        workers: int = 1) -> list[Path]:
    """Draw every figure from the tables in `tables_dir` (statistics, survey summary, context figures)."""
    plt.style.use(STYLE)
    tables_dir = Path(tables_dir)
    read = lambda name: io.read_parquet(tables_dir / f"{name}.parquet")  # noqa: E731
    annual, summary, ratios = read("annual_counts"), read("period_summary"), read("period_ratios")
    countries, breakdowns = read("country_summary"), read("period_breakdowns")
    survey, context = read("survey_summary"), read("context_figures")
    typology = pd.read_csv(typology_path, dtype=str, keep_default_na=False)
    source = describe_source(io.read_provenance(tables_dir / "period_summary.parquet"))
    survey_source = describe_source(io.read_provenance(tables_dir / "survey_summary.parquet"))
    by_name = {p.name: p for p in periods}
    baseline, comparison = by_name[ratios["baseline"].iloc[0]], by_name[ratios["comparison"].iloc[0]]
    first_scope = scopes[0].name
    ratio = float(ratios.set_index("scope").loc[first_scope, "ratio"])
    survey_labels = {**SURVEY_LABELS, **dict(zip(typology["code"], typology["label"]))}

    def host_country_map():
        import pycountry

        alpha2 = {c.alpha_3: c.alpha_2 for c in pycountry.countries}
        return plot_host_map(countries, first_scope, comparison, alpha2, load_country_shapes(), source)

    drawings = {  # the slowest first, so that parallel workers finish together
        "host_country_map": host_country_map,
        "cases_per_year": lambda: plot_cases_per_year(annual, summary, typology, periods, ratio, source),
        "countries_before_after": lambda: plot_countries(countries, first_scope, baseline, comparison, source),
        "period_means": lambda: plot_period_means(summary, ratios, scopes, by_name, source),
        "tactic_mix": lambda: plot_tactic_mix(breakdowns, typology, first_scope, [baseline, comparison], source),
        "survey_answers": lambda: plot_survey_answers(survey, survey_labels, survey_source),
        "prosecutions_and_cases": lambda: plot_prosecutions_and_cases(context, annual, CONTEXT_SERIES, source),
    }
    return draw_all(drawings, output_dir, workers)


# The drawings a pool of forked workers draws from: functions cannot be sent to a process, but a forked one has them.
_DRAWINGS: dict = {}


def _draw_and_save(stem: str, output_dir: str | Path) -> list[Path]:
    return save_figure(_DRAWINGS[stem](), output_dir, stem)


def draw_all(drawings: dict, output_dir: str | Path, workers: int = 1) -> list[Path]:
    """Draw and save each figure (stem -> function returning the Figure), in `workers` processes where the system
    can fork: forked workers share the imports and tables already loaded, so they start at once. The files are the
    same whatever the number of workers; they are listed in the order of `drawings`."""
    import multiprocessing

    _DRAWINGS.clear()
    _DRAWINGS.update(drawings)
    try:
        jobs = [(stem, output_dir) for stem in drawings]
        if workers > 1 and len(jobs) > 1 and "fork" in multiprocessing.get_all_start_methods():
            with multiprocessing.get_context("fork").Pool(min(workers, len(jobs))) as pool:
                written = pool.starmap(_draw_and_save, jobs, chunksize=1)
        else:
            written = [_draw_and_save(*job) for job in jobs]
    finally:
        _DRAWINGS.clear()
    return [path for paths in written for path in paths]
