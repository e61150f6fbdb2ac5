"""The plots: one function per figure, from tables to a matplotlib Figure.

What belongs here: drawing. Every number drawn or written in a title is read from a table; no file is read or
written and nothing is computed that the statistics step should compute. Layout and saving are in
`figure_layout`, the map in `world_map`.
"""

from __future__ import annotations

import matplotlib
import numpy as np
import pandas as pd

from tnr_pipeline.figure_layout import (
    EDGE,
    GREY,
    LABEL,
    LIGHT,
    RIGHT,
    SOURCE,
    TICKS,
    finish,
    fold,
    gridlines_across,
    label_margin,
    number,
    palette,
    plt,
    share_axis,
)
from tnr_pipeline.settings import Analysis, Period, format_level

DENIAL_OF_ENTRY = "denial_of_entry"
SURVEY_LABELS = {
    "reduced_presence": "Reduced public or online presence",
    "considered_relocating": "Considered relocating again",
    "experienced_tnr": "Experienced any TNR",
}


def plot_cases_per_year(
    annual_counts: pd.DataFrame,
    period_summary: pd.DataFrame,
    period_ratios: pd.DataFrame,
    typology: pd.DataFrame,
    analysis: Analysis,
    tables: list[str],
    source: str,
):
    """Cases per year stacked by tactic family (Denial of Entry its own band), periods shaded, the headline scope's
    period means drawn; the title gives its rate ratio from the baseline to the comparison period."""
    families = list(dict.fromkeys(typology["family"]))
    labels = dict(zip(typology["family"], typology["family_label"]))
    doe_label = typology.set_index("code").loc[DENIAL_OF_ENTRY, "label"]
    band = annual_counts["tactic"].map(dict(zip(typology["code"], typology["family"])))
    band = band.where(annual_counts["tactic"] != DENIAL_OF_ENTRY, DENIAL_OF_ENTRY)
    table = annual_counts.assign(band=band).pivot_table(
        index="year", columns="band", values="cases", aggfunc="sum", fill_value=0
    )
    order = [f for f in families if f in table.columns] + [DENIAL_OF_ENTRY]
    colours = palette()
    figure, axes = plt.subplots()
    bottom = np.zeros(len(table))
    for name in order:
        values = table[name].to_numpy() if name in table else np.zeros(len(table))
        label = doe_label if name == DENIAL_OF_ENTRY else labels[name]
        colour = colours[4] if name == DENIAL_OF_ENTRY else colours[families.index(name) % 4]
        axes.bar(
            table.index,
            values,
            bottom=bottom,
            color=colour,
            label=label,
            width=0.8,
            hatch="//" if name == DENIAL_OF_ENTRY else None,
            edgecolor="white",
            linewidth=0.4,
        )
        bottom += values
    headline = analysis.role("headline").name
    overall = period_summary[period_summary["scope"] == headline].set_index("period")
    for i, period in enumerate(analysis.periods):
        axes.axvspan(
            period.first_year - 0.5, period.last_year + 0.5, color=LIGHT if i % 2 == 0 else "#f4f4f4", zorder=0
        )
        mean = overall.loc[period.name, "annual_mean"]
        axes.hlines(
            mean,
            period.first_year - 0.45,
            period.last_year + 0.45,
            colors="black",
            linestyles="--",
            linewidth=1.2,
            zorder=3,
        )
        axes.annotate(
            f"{period.label}: {mean:.1f} a year",
            (period.first_year - 0.45, mean),
            xytext=(2, 4),
            textcoords="offset points",
            fontsize=8,
        )
    axes.set_xlabel("Year")
    axes.set_ylabel("Cases")
    axes.set_xticks(table.index)
    axes.tick_params(axis="x", labelrotation=45)
    axes.legend(loc="upper left", title="Tactic family")
    ratio = float(period_ratios.set_index("scope").loc[headline, "ratio"])
    return finish(
        figure,
        f"Cases per year rose {fold(ratio)} from {analysis.baseline.label} to {analysis.comparison.label}",
        tables,
        source,
        bottom=0.5 + LABEL + SOURCE,
    )


def plot_period_means(
    period_summary: pd.DataFrame, period_ratios: pd.DataFrame, analysis: Analysis, tables: list[str], source: str
):
    """Annual means of the baseline and comparison period for each scope with their intervals, the rate ratio and
    its interval written on; the title gives the headline and the without-Denial-of-Entry ratios."""
    colours = palette()
    figure, axes = plt.subplots()
    ratios = period_ratios.set_index("scope")
    summary = period_summary.set_index(["scope", "period"])
    scopes = analysis.scopes_to_show
    width = 0.38
    for i, scope in enumerate(scopes):
        for j, (period, colour) in enumerate(((analysis.baseline, colours[0]), (analysis.comparison, colours[1]))):
            row = summary.loc[(scope.name, period.name)]
            error = [
                [row["annual_mean"] - row["annual_mean_ci_low"]],
                [row["annual_mean_ci_high"] - row["annual_mean"]],
            ]
            axes.bar(
                i + (j - 0.5) * width,
                row["annual_mean"],
                width,
                yerr=error,
                capsize=4,
                color=colour,
                label=period.label if i == 0 else None,
                error_kw={"linewidth": 1},
            )
        ratio = ratios.loc[scope.name]
        top = summary.loc[(scope.name, analysis.comparison.name), "annual_mean_ci_high"]
        axes.annotate(
            f"×{number(ratio['ratio'])}\n[{number(ratio['ci_low'])}, {number(ratio['ci_high'])}]",
            (i, top),
            xytext=(0, 6),
            textcoords="offset points",
            ha="center",
            fontsize=8,
        )
    axes.set_xticks(range(len(scopes)), [scope.label for scope in scopes])
    mean_level = format_level(float(period_summary["confidence_level"].iloc[0]))
    axes.set_ylabel(f"Average cases per year ({mean_level} interval)")
    ratio_level = format_level(float(ratios["confidence_level"].iloc[0]))
    headline, without = analysis.role("headline"), analysis.role("without_denial_of_entry")
    axes.legend(loc="upper right")
    axes.margins(y=0.15)
    figure.text(
        EDGE / figure.get_figwidth(),
        (EDGE + SOURCE) / figure.get_figheight(),
        f"Rate ratio with exact conditional {ratio_level} interval written above each pair.",
        fontsize=8,
        color=GREY,
    )
    return finish(
        figure,
        f"Annual cases rose {fold(ratios.loc[headline.name, 'ratio'])} ({headline.label.lower()}), "
        f"{fold(ratios.loc[without.name, 'ratio'])} ({without.label.lower()})",
        tables,
        source,
        bottom=TICKS + 0.22 + SOURCE + 0.05,
    )


def plot_countries(
    country_summary: pd.DataFrame, scope: str, baseline: Period, comparison: Period, tables: list[str], source: str
):
    """Cases per host country before and after, EU members and countries new in the comparison period marked."""
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
        marks = (["EU"] if info.loc[code, "eu_member_at_end"] else []) + (
            ["new"] if info.loc[code, "new_in_comparison"] else []
        )
        names.append(f"{name}  [{', '.join(marks)}]" if marks else name)
    axes.set_yticks(y, names)
    for position, value in zip(y, wide[comparison.name]):
        axes.text(value + 0.3, position - 0.2, str(int(value)), va="center", fontsize=7)
    gridlines_across(axes)
    new = info[info["new_in_comparison"]]["host_country_name"].tolist()
    axes.legend(loc="lower right")
    axes.set_xlabel(
        f"Cases   ([EU] EU member state in {comparison.last_year}; [new] no case before "
        f"{comparison.first_year}, at least one since)"
    )
    return finish(
        figure,
        f"{len(wide)} host countries; {len(new)} with a first case after "
        f"{comparison.first_year - 1}" + (f": {', '.join(new)}" if new else ""),
        tables,
        source,
        left=label_margin(names),
    )


def _text_colour(colour: str) -> str:
    red, green, blue = matplotlib.colors.to_rgb(colour)
    return "white" if 0.2126 * red + 0.7152 * green + 0.0722 * blue < 0.45 else "black"


def plot_tactic_mix(
    period_breakdowns: pd.DataFrame,
    typology: pd.DataFrame,
    scope: str,
    periods: list[Period],
    tables: list[str],
    source: str,
):
    """Share of each tactic in each period (100% bars, the typology's colours), Denial of Entry hatched."""
    colours = dict(zip(typology["code"], typology["colour"]))
    rows = period_breakdowns[(period_breakdowns["dimension"] == "tactic") & (period_breakdowns["scope"] == scope)]
    tactics = list(dict.fromkeys(rows["category"]))
    labels = dict(zip(rows["category"], rows["category_label"]))
    shares = rows.pivot_table(index="period", columns="category", values="share", aggfunc="sum").fillna(0)
    figure, axes = plt.subplots(figsize=(9, 1.2 * len(periods) + 2.2))
    for j, period in enumerate(periods):
        left = 0.0
        for tactic in tactics:
            share = float(shares.loc[period.name, tactic]) if period.name in shares.index else 0.0
            axes.barh(
                j,
                share,
                left=left,
                color=colours[tactic],
                hatch="//" if tactic == DENIAL_OF_ENTRY else None,
                edgecolor="white",
                linewidth=0.4,
                label=labels[tactic] if j == 0 else None,
            )
            if share >= 0.05:
                axes.text(
                    left + share / 2,
                    j,
                    f"{share:.0%}",
                    ha="center",
                    va="center",
                    fontsize=7,
                    color=_text_colour(colours[tactic]),
                )
            left += share
    period_labels = [p.label for p in periods]
    axes.set_yticks(range(len(periods)), period_labels)
    share_axis(axes, "Share of the period's cases")
    last = shares.loc[periods[-1].name] if periods[-1].name in shares.index else pd.Series(0.0, index=tactics)
    top = last.idxmax()
    before = shares.loc[periods[0].name, top] if periods[0].name in shares.index else 0.0
    legend_rows = -(-len(tactics) // 5)
    figure.legend(
        loc="lower center", bbox_to_anchor=(0.5, (EDGE + SOURCE - 0.1) / figure.get_figheight()), ncol=5, fontsize=8
    )
    return finish(
        figure,
        f"{labels[top]} made up {last[top]:.0%} of cases in {periods[-1].label}, {before:.0%} in {periods[0].label}",
        tables,
        source,
        left=label_margin(period_labels),
        bottom=TICKS + LABEL + 0.2 * legend_rows + 0.2 + SOURCE,
    )


def plot_prosecutions_and_cases(
    context_figures: pd.DataFrame, annual_counts: pd.DataFrame, series: str, tables: list[str], source: str
):
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
            axes.annotate(
                f"{value:,.0f}", (x, value), xytext=(0, 3), textcoords="offset points", ha="center", fontsize=8
            )
    title = "Domestic prosecutions and cases abroad"
    if len(years) >= 2:
        first, last = years[0], years[-1]
        abroad = cases[last] / cases[first] if cases[first] else float("inf")
        title = (
            f"From {first} to {last}, domestic prosecutions rose {fold(values[last] / values[first])} "
            f"and cases abroad {fold(abroad)}"
        )
    gap = TICKS + LABEL + 0.3  # the right panel's tick labels and axis label
    panel = (figure.get_figwidth() - (TICKS + LABEL + 0.4) - RIGHT - gap) / 2
    return finish(
        figure,
        title,
        tables,
        source,
        left=TICKS + LABEL + 0.4,
        bottom=TICKS + SOURCE,
        below_title=0.35,
        wspace=gap / panel,
    )


def plot_survey_answers(survey_summary: pd.DataFrame, labels: dict[str, str], tables: list[str], source: str):
    """Share answering yes to each questionnaire item and share reporting each tactic, with Wilson intervals."""
    colours = palette()
    yes = survey_summary[survey_summary["answer"] == "yes"]
    tactics = survey_summary[(survey_summary["question"] == "tactics_experienced")]
    rows = pd.concat(
        [
            yes.assign(label=yes["question"].map(labels), group=0),
            tactics.assign(label=tactics["answer"].map(labels), group=1),
        ],
        ignore_index=True,
    )
    rows = rows.iloc[::-1].reset_index(drop=True)
    figure, axes = plt.subplots(figsize=(9, 0.32 * len(rows) + 1.9))
    error = [rows["share"] - rows["ci_low"], rows["ci_high"] - rows["share"]]
    axes.barh(
        rows.index,
        rows["share"],
        xerr=error,
        capsize=3,
        error_kw={"linewidth": 0.9},
        color=[colours[0] if group == 0 else colours[5] for group in rows["group"]],
    )
    for y, row in rows.iterrows():
        axes.text(row["ci_high"] + 0.01, y, f"{row['n']} of {row['respondents']}", va="center", fontsize=7)
    axes.set_yticks(rows.index, rows["label"])
    level = format_level(float(survey_summary["confidence_level"].iloc[0]))
    share_axis(axes, f"Share of respondents (Wilson {level} interval)")
    reduced = yes[yes["question"] == "reduced_presence"]
    title = "Questionnaire answers"
    if len(reduced):
        row = reduced.iloc[0]
        title = (
            f"Reduced public and online presence: {row['n']} of {row['respondents']} respondents ({row['share']:.1%})"
        )
    return finish(figure, title, tables, source, left=label_margin(rows["label"]))


def _report_marks(claims: pd.DataFrame, scopes) -> list[tuple[float, str]]:
    """The report's own ratios to mark ("eightfold", "fourfold"): the expected value of each `rounds_to` claim on a
    scope's ratio, read from the claims file (checked by the claims step; a value that is not a number is skipped)."""
    marks = []
    for scope in scopes:
        rows = claims[(claims["metric"].str.strip() == f"ratio scope={scope.name}") & (claims["check"] == "rounds_to")]
        for expected in rows["expected"]:
            try:
                marks.append((float(expected), f"the report: ×{expected} ({scope.label.lower()})"))
            except ValueError:
                continue
    return marks


def plot_robustness(
    robustness: pd.DataFrame,
    region_ratios: pd.DataFrame,
    claims: pd.DataFrame,
    analysis: Analysis,
    tables: list[str],
    source: str,
):
    """Forest plot: every variant's rate ratio and interval for the headline and without-Denial-of-Entry scopes,
    the report's own ratios marked; beside it, each region group's rate ratio in the headline scope."""
    colours = palette()
    scopes = list(dict.fromkeys(analysis.roles[role] for role in ("headline", "without_denial_of_entry")))
    variants = list(dict.fromkeys(robustness["variant"]))
    figure, (left, right) = plt.subplots(
        1, 2, figsize=(11, 0.32 * len(variants) + 2.6), gridspec_kw={"width_ratios": [2.4, 1]}
    )
    rows = robustness.set_index(["scope", "variant"])
    positions = np.arange(len(variants))
    for k, scope in enumerate(scopes):
        offset = (k - (len(scopes) - 1) / 2) * 0.18
        mine = rows.loc[scope.name].reindex(list(reversed(variants)))
        _intervals(left, mine, positions + offset, colours[k], "o", scope.label)
    for value, label in _report_marks(claims, scopes):
        left.axvline(value, color=GREY, linestyle="--", linewidth=1)
        left.annotate(label, (value, len(variants) - 0.4), rotation=90, fontsize=7, color=GREY, ha="right", va="top")
    left.axvline(1, color="black", linewidth=0.8)
    left.set_xscale("log")
    left.set_yticks(range(len(variants)), list(reversed(variants)))
    level = format_level(float(robustness["confidence_level"].iloc[0]))
    left.set_xlabel(f"Rate ratio, {analysis.comparison.label} vs {analysis.baseline.label} ({level} interval)")
    left.legend(loc="lower left", fontsize=8)
    headline = analysis.role("headline")
    mine = region_ratios[region_ratios["scope"] == headline.name]
    groups = mine[mine["region_group"] != "near_abroad_vs_eu"].iloc[::-1]
    _intervals(right, groups, np.arange(len(groups)), colours[2], "s", None)
    right.axvline(1, color="black", linewidth=0.8)
    right.set_xscale("log")
    right.set_yticks(range(len(groups)), list(groups["region_group"]))
    panel_title = f"Region groups ({headline.label.lower()})"
    versus = mine[mine["region_group"] == "near_abroad_vs_eu"]
    if len(versus):
        row = versus.iloc[0]
        panel_title += f"\nnear abroad vs EU: ×{number(row['ratio'])}\nFisher's exact p = {row['p_value']:.2g}"
    right.set_title(panel_title, fontsize=9)
    right.set_xlabel("Rate ratio")
    head = robustness[robustness["scope"] == headline.name]
    title = (
        f"The {headline.label.lower()} ratio stays between {head['ratio'].min():.1f} and "
        f"{head['ratio'].max():.1f} under every variant; the lowest interval bound is {head['ci_low'].min():.1f}"
    )
    margin = label_margin(variants)
    gap = label_margin(groups["region_group"]) + 0.2
    panels = figure.get_figwidth() - margin - 0.4 - gap
    return finish(
        figure,
        title,
        tables,
        source,
        left=margin,
        bottom=TICKS + LABEL + SOURCE + 0.1,
        right=0.4,
        below_title=0.65,
        wspace=gap / (panels / 2),
    )


def _intervals(axes, rows: pd.DataFrame, y: np.ndarray, colour: str, marker: str, label: str | None) -> None:
    """Rate ratios and their intervals on a log axis, in one call; a ratio of zero or none is left out, an open bound
    drawn to the ratio."""
    ratio = rows["ratio"].to_numpy(dtype=float)
    shown = np.isfinite(ratio) & (ratio > 0)
    ratio, y = ratio[shown], y[shown]
    low = rows["ci_low"].to_numpy(dtype=float)[shown]
    high = rows["ci_high"].to_numpy(dtype=float)[shown]
    low = np.where(np.isfinite(low) & (low > 0), low, ratio)
    high = np.where(np.isfinite(high), high, ratio)
    axes.errorbar(
        ratio,
        y,
        xerr=[ratio - low, high - ratio],
        fmt=marker,
        color=colour,
        markersize=4,
        capsize=2,
        linewidth=1,
        linestyle="none",
        label=label,
    )
