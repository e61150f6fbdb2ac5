"""The plots: one function per figure, from tables to a matplotlib Figure.

What belongs here: drawing. Every number drawn or written in a title is read from a table; no file is read or
written and nothing is computed that the statistics step should compute. Layout and saving are in
`figure_layout`, the map in `world_map`.
"""

from __future__ import annotations

import matplotlib
import numpy as np
import pandas as pd

from tnr_pipeline.model.settings import Analysis, Period
from tnr_pipeline.model.words import (
    COUNTRY_BOOTSTRAP,
    DROP_COUNTRY,
    DROP_TACTIC,
    GROUP_COMPARISON,
    SEGMENTED_TREND,
    is_assumption_variant,
    variant_family,
)
from tnr_pipeline.render.i18n import N_, Language, name_variant
from tnr_pipeline.render.layout import (
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
    legend_columns,
    line_height,
    palette,
    plt,
    ratio_axis,
    share_axis,
    wrap,
)

DENIAL_OF_ENTRY = "denial_of_entry"
# The questionnaire's yes/no items as the figure names them (source-language messages, translated where drawn).
SURVEY_LABELS = {
    "reduced_presence": N_("Reduced public or online presence"),
    "considered_relocating": N_("Considered relocating again"),
    "experienced_tnr": N_("Experienced any TNR"),
}


def plot_cases_per_year(
    annual_counts: pd.DataFrame,
    period_summary: pd.DataFrame,
    period_ratios: pd.DataFrame,
    typology: pd.DataFrame,
    analysis: Analysis,
    source: str,
    lang: Language,
):
    """Cases per year stacked by tactic family (Denial of Entry its own band), periods shaded, the headline scope's
    period means drawn; the title gives its rate ratio from the baseline to the comparison period."""
    _ = lang.gettext
    families = list(dict.fromkeys(typology["family"]))
    labels = {row["family"]: lang.label(row, "family_label") for row in typology.to_dict("records")}
    doe_label = lang.label(typology.set_index("code").loc[DENIAL_OF_ENTRY].to_dict())
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
    totals = dict(zip(table.index, bottom))
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
        # the mean's label at the end of the period whose bar is lower, so that it stays off the bars
        at_end = totals.get(period.last_year, 0) < totals.get(period.first_year, 0)
        axes.annotate(
            _("{period}: {mean} a year").format(period=period.label_in(lang.code), mean=lang.number(mean, 1)),
            (period.last_year + 0.45 if at_end else period.first_year - 0.45, mean),
            xytext=(-2 if at_end else 2, 4),
            textcoords="offset points",
            ha="right" if at_end else "left",
            fontsize=8,
        )
    axes.set_xlabel(_("Year"))
    axes.set_ylabel(_("Cases"))
    axes.set_xticks(table.index)
    axes.tick_params(axis="x", labelrotation=45)
    axes.legend(loc="upper left", title=_("Tactic family"))
    ratio = float(period_ratios.set_index("scope").loc[headline, "ratio"])
    title = _("Cases per year rose {fold} from {baseline} to {comparison}").format(
        fold=fold(ratio, lang),
        baseline=analysis.baseline.label_in(lang.code),
        comparison=analysis.comparison.label_in(lang.code),
    )
    return finish(figure, title, source, lang, bottom=0.5 + LABEL + SOURCE)


def plot_period_means(
    period_summary: pd.DataFrame,
    period_ratios: pd.DataFrame,
    analysis: Analysis,
    source: str,
    lang: Language,
    scope_phrases: dict[str, str],
):
    """Annual means of the baseline and comparison period for each scope with their intervals, the rate ratio and
    its interval written on; the title gives the headline and the without-Denial-of-Entry ratios."""
    _ = lang.gettext
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
                label=period.label_in(lang.code) if i == 0 else None,
                error_kw={"linewidth": 1},
            )
        ratio = ratios.loc[scope.name]
        top = summary.loc[(scope.name, analysis.comparison.name), "annual_mean_ci_high"]
        axes.annotate(
            _("×{ratio}\n[{low}, {high}]").format(
                ratio=lang.number(ratio["ratio"], 2),
                low=lang.number(ratio["ci_low"], 2),
                high=lang.number(ratio["ci_high"], 2),
            ),
            (i, top),
            xytext=(0, 6),
            textcoords="offset points",
            ha="center",
            fontsize=8,
        )
    group = (figure.get_figwidth() - TICKS - LABEL - RIGHT) / len(scopes) - 0.15  # each scope's share of the axis
    names = [wrap(scope.label_in(lang.code), group, plt.rcParams["font.size"]) for scope in scopes]
    axes.set_xticks(range(len(scopes)), ["\n".join(lines) for lines in names])
    extra_lines = max(len(lines) for lines in names) - 1
    mean_level = lang.level(float(period_summary["confidence_level"].iloc[0]))
    axes.set_ylabel(_("Average cases per year ({level} interval)").format(level=mean_level))
    ratio_level = lang.level(float(ratios["confidence_level"].iloc[0]))
    headline, without = analysis.role("headline"), analysis.role("without_denial_of_entry")
    axes.legend(loc="upper right")
    axes.margins(y=0.15)
    figure.text(
        EDGE / figure.get_figwidth(),
        (EDGE + SOURCE) / figure.get_figheight(),
        _("Rate ratio with exact conditional {level} interval written above each pair.").format(level=ratio_level),
        fontsize=8,
        color=GREY,
    )
    title = _("Annual cases rose {fold} ({scope}), {fold_without} ({scope_without})").format(
        fold=fold(ratios.loc[headline.name, "ratio"], lang),
        scope=scope_phrases[headline.name],
        fold_without=fold(ratios.loc[without.name, "ratio"], lang),
        scope_without=scope_phrases[without.name],
    )
    bottom = TICKS + extra_lines * line_height(plt.rcParams["font.size"]) + 0.22 + SOURCE + 0.05
    return finish(figure, title, source, lang, bottom=bottom)


def plot_countries(
    country_summary: pd.DataFrame,
    scope: str,
    baseline: Period,
    comparison: Period,
    source: str,
    lang: Language,
):
    """Cases per host country before and after, EU members and countries new in the comparison period marked."""
    _ = lang.gettext
    colours = palette()
    rows = country_summary[country_summary["scope"] == scope]
    wide = rows.pivot_table(index="host_country", columns="period", values="cases", aggfunc="sum")
    info = rows.drop_duplicates("host_country").set_index("host_country")
    wide = wide.assign(total=wide[comparison.name]).sort_values(["total", baseline.name], ascending=True)
    figure, axes = plt.subplots(figsize=(9, 0.38 * len(wide) + 1.8))
    y = np.arange(len(wide))
    axes.barh(y + 0.2, wide[baseline.name], 0.4, color=colours[0], label=baseline.label_in(lang.code))
    axes.barh(y - 0.2, wide[comparison.name], 0.4, color=colours[1], label=comparison.label_in(lang.code))
    names = []
    for code in wide.index:
        name = lang.country_name(code, info.loc[code, "host_country_name"])
        marks = ([_("EU")] if info.loc[code, "eu_member_at_end"] else []) + (
            [_("new")] if info.loc[code, "new_in_comparison"] else []
        )
        names.append(f"{name}  [{', '.join(marks)}]" if marks else name)
    axes.set_yticks(y, names)
    for position, value in zip(y, wide[comparison.name]):
        # a fixed gap in points after the bar, so a count stays inside the axes' margin at any scale
        axes.annotate(
            str(int(value)), (value, position - 0.2), xytext=(4, 0), textcoords="offset points", va="center", fontsize=7
        )
    gridlines_across(axes)
    new_rows = info[info["new_in_comparison"]]
    new = [lang.country_name(code, name) for code, name in zip(new_rows.index, new_rows["host_country_name"])]
    axes.legend(loc="lower right")
    left = label_margin(names)
    size = plt.rcParams["axes.labelsize"]
    key = _("[{eu}] EU member state in {last_year}; [{new}] no case before {first_year}, at least one since").format(
        eu=_("EU"), new=_("new"), last_year=comparison.last_year, first_year=comparison.first_year
    )
    # the axis says what it counts; the tags' key follows on its own lines
    label_lines = [_("Number of cases"), *wrap(key, figure.get_figwidth() - left - RIGHT, size)]
    axes.set_xlabel("\n".join(label_lines))
    hosts = lang.ngettext("{n} host country", "{n} host countries", len(wide)).format(n=len(wide))
    year = comparison.first_year - 1
    if new:
        first = lang.ngettext(
            "{n_new} with a first case after {year}: {countries}",
            "{n_new} with a first case after {year}: {countries}",
            len(new),
        ).format(n_new=len(new), year=year, countries=", ".join(new))
    else:
        first = _("{n_new} with a first case after {year}").format(n_new=0, year=year)
    title = _("{hosts}; {first}").format(hosts=hosts, first=first)
    bottom = TICKS + LABEL + SOURCE + (len(label_lines) - 1) * line_height(size)
    return finish(figure, title, source, lang, left=left, bottom=bottom)


def _text_colour(colour: str) -> str:
    red, green, blue = matplotlib.colors.to_rgb(colour)
    return "white" if 0.2126 * red + 0.7152 * green + 0.0722 * blue < 0.45 else "black"


def plot_tactic_mix(
    period_breakdowns: pd.DataFrame,
    typology: pd.DataFrame,
    scope: str,
    periods: list[Period],
    source: str,
    lang: Language,
):
    """Share of each tactic in each period (100% bars, the typology's colours), Denial of Entry hatched."""
    _ = lang.gettext
    colours = dict(zip(typology["code"], typology["colour"]))
    rows = period_breakdowns[(period_breakdowns["dimension"] == "tactic") & (period_breakdowns["scope"] == scope)]
    tactics = list(dict.fromkeys(rows["category"]))
    translated = {row["code"]: lang.label(row) for row in typology.to_dict("records")}
    labels = {code: translated.get(code, label) for code, label in zip(rows["category"], rows["category_label"])}
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
                    lang.percent(share, 0),
                    ha="center",
                    va="center",
                    fontsize=7,
                    color=_text_colour(colours[tactic]),
                )
            left += share
    period_labels = [p.label_in(lang.code) for p in periods]
    axes.set_yticks(range(len(periods)), period_labels)
    share_axis(axes, _("Share of the period's cases"), lang)
    last = shares.loc[periods[-1].name] if periods[-1].name in shares.index else pd.Series(0.0, index=tactics)
    top = last.idxmax()
    before = shares.loc[periods[0].name, top] if periods[0].name in shares.index else 0.0
    columns = legend_columns([labels[tactic] for tactic in tactics], figure.get_figwidth() - 2 * EDGE, 8)
    legend_rows = -(-len(tactics) // columns)
    figure.legend(
        loc="lower center",
        bbox_to_anchor=(0.5, (EDGE + SOURCE - 0.1) / figure.get_figheight()),
        ncol=columns,
        fontsize=8,
    )
    title = _("{tactic} made up {share} of cases in {period}, {share_before} in {period_before}").format(
        tactic=labels[top],
        share=lang.percent(last[top], 0),
        period=periods[-1].label_in(lang.code),
        share_before=lang.percent(before, 0),
        period_before=periods[0].label_in(lang.code),
    )
    return finish(
        figure,
        title,
        source,
        lang,
        left=label_margin(period_labels),
        bottom=TICKS + LABEL + 0.2 * legend_rows + 0.2 + SOURCE,
    )


def plot_prosecutions_and_cases(
    context_figures: pd.DataFrame,
    annual_counts: pd.DataFrame,
    series: str,
    source: str,
    lang: Language,
    reconstructed: bool = False,
):
    """Domestic prosecutions (a context series) beside transnational repression cases, for the years with both; the
    cases' axis says when they are reconstructed."""
    _ = lang.gettext
    colours = palette()
    yearly = context_figures[context_figures["series"] == series].dropna(subset=["year"])
    cases = annual_counts.groupby("year")["cases"].sum()
    years = sorted(int(y) for y in yearly["year"] if int(y) in cases.index)
    figure, (left, right) = plt.subplots(1, 2, figsize=(9, 4.4))
    values = yearly.set_index(yearly["year"].astype(int))["value"]
    labels = [str(y) for y in years]
    left.bar(labels, [values[y] for y in years], color=colours[0])
    right.bar(labels, [cases[y] for y in years], color=colours[1])
    unit = lang.label(yearly.iloc[0].to_dict(), "unit") if len(yearly) else ""
    measures = lang.label(yearly.iloc[0].to_dict(), "measures").rstrip(".") if len(yearly) else ""
    # The left panel says what the series measures in the data's own words (context_figures: measures, measures_ru).
    measures_lines = wrap(measures, 3.5, 9)
    left.set_title("\n".join(measures_lines) if measures else _("Count"), fontsize=9)
    left.set_ylabel(_("Number of {unit} (OVD-Info)").format(unit=unit) if unit else _("Count"))
    right.set_title(_("Transnational repression cases"), fontsize=10)
    right.set_ylabel(_("Number of cases (reconstructed data)") if reconstructed else _("Number of cases (case data)"))
    for axes, numbers in ((left, [values[y] for y in years]), (right, [cases[y] for y in years])):
        for x, value in zip(labels, numbers):
            axes.annotate(
                lang.number(value, 0), (x, value), xytext=(0, 3), textcoords="offset points", ha="center", fontsize=8
            )
    title = _("Domestic prosecutions and cases abroad")
    if len(years) >= 2:
        first, last = years[0], years[-1]
        abroad = cases[last] / cases[first] if cases[first] else float("inf")
        title = _("From {first} to {last}, domestic prosecutions rose {fold} and cases abroad {fold_abroad}").format(
            first=first, last=last, fold=fold(values[last] / values[first], lang), fold_abroad=fold(abroad, lang)
        )
    gap = TICKS + LABEL + 0.3  # the right panel's tick labels and axis label
    panel = (figure.get_figwidth() - (TICKS + LABEL + 0.4) - RIGHT - gap) / 2
    return finish(
        figure,
        title,
        source,
        lang,
        left=TICKS + LABEL + 0.4,
        bottom=TICKS + SOURCE,
        below_title=0.35 + 0.15 * max(0, len(measures_lines) - 1),
        wspace=gap / panel,
    )


def plot_survey_answers(survey_summary: pd.DataFrame, labels: dict[str, str], source: str, lang: Language):
    """Share answering yes to each questionnaire item and share reporting each tactic, with Wilson intervals (the
    items' and tactics' names given in `labels`, in the figure's language)."""
    _ = lang.gettext
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
        text = _("{n} of {respondents}").format(n=row["n"], respondents=row["respondents"])
        axes.text(row["ci_high"] + 0.01, y, text, va="center", fontsize=7)
    axes.set_yticks(rows.index, rows["label"])
    level = lang.level(float(survey_summary["confidence_level"].iloc[0]))
    share_axis(axes, _("Share of respondents (Wilson {level} interval)").format(level=level), lang)
    reduced = yes[yes["question"] == "reduced_presence"]
    title = _("Questionnaire answers")
    if len(reduced):
        row = reduced.iloc[0]
        title = lang.ngettext(
            "Reduced public and online presence: {n} of {respondents} respondent ({share})",
            "Reduced public and online presence: {n} of {respondents} respondents ({share})",
            int(row["respondents"]),
        ).format(n=row["n"], respondents=row["respondents"], share=lang.percent(row["share"], 1))
    return finish(figure, title, source, lang, left=label_margin(rows["label"]))


def _report_marks(
    claims: pd.DataFrame, scope, lang: Language, scope_phrases: dict[str, str]
) -> list[tuple[float, str]]:
    """The report's own ratios for a scope ("eightfold", "fourfold"): the expected value of each `rounds_to` claim on
    the scope's ratio, read from the claims file (checked by the claims step; a value that is not a number is
    skipped)."""
    marks = []
    rows = claims[(claims["metric"].str.strip() == f"ratio scope={scope.name}") & (claims["check"] == "rounds_to")]
    for expected in rows["expected"]:
        try:
            label = lang.gettext("the report: ×{ratio} ({scope})").format(
                ratio=expected, scope=scope_phrases[scope.name]
            )
            marks.append((float(expected), label))
        except ValueError:
            continue
    return marks


def plot_robustness(
    robustness: pd.DataFrame,
    region_ratios: pd.DataFrame,
    claims: pd.DataFrame,
    analysis: Analysis,
    source: str,
    lang: Language,
    scope_phrases: dict[str, str],
    region_labels: dict[str, str],
    tactic_labels: dict[str, str] | None = None,
):
    """Forest plot: the rate ratio and interval of every variant of the headline's assumptions, of the jump beyond a
    shared trend, of the host countries resampled, and of the host country and the tactic whose leaving out moves
    the headline's ratio most either way (`shown_variants`), for the headline and without-Denial-of-Entry scopes,
    the report's own ratios marked; beside it, each region group's rate ratio in the headline scope. Rows are named
    in words (`region_labels`: group code -> its name in the figure's language)."""
    _ = lang.gettext
    colours = palette()
    scopes = list(dict.fromkeys(analysis.roles[role] for role in ("headline", "without_denial_of_entry")))
    headline = analysis.role("headline")
    variants = shown_variants(robustness, headline.name)
    robustness = robustness[robustness["variant"].isin(variants)]
    figure, (left, right) = plt.subplots(
        1, 2, figsize=(11, 0.32 * len(variants) + 2.6), gridspec_kw={"width_ratios": [2.4, 1]}
    )
    rows = robustness.set_index(["scope", "variant"])
    positions = np.arange(len(variants))
    for k, scope in enumerate(scopes):
        offset = (k - (len(scopes) - 1) / 2) * 0.18
        mine = rows.loc[scope.name].reindex(list(reversed(variants)))
        _intervals(left, mine, positions + offset, colours[k], "o", scope.label_in(lang.code))
    marks = [
        (value, label, colours[k])
        for k, scope in enumerate(scopes)
        for value, label in _report_marks(claims, scope, lang, scope_phrases)
    ]
    for row, (value, label, colour) in enumerate(marks):  # above the panel, one row each, ending at their line
        left.axvline(value, color=colour, linestyle="--", linewidth=1, alpha=0.7)
        left.annotate(
            label,
            (value, 1),
            xycoords=("data", "axes fraction"),
            xytext=(0, 2 + 10 * row),
            textcoords="offset points",
            fontsize=7,
            color=colour,
            ha="right",
            va="bottom",
        )
    left.axvline(1, color="black", linewidth=0.8)
    ratio_axis(left, lang)
    variant_names = [name_variant(variant, lang, tactic_labels) for variant in variants]
    left.set_yticks(range(len(variants)), list(reversed(variant_names)))
    level = lang.level(float(robustness["confidence_level"].iloc[0]))
    left.set_xlabel(
        _("Rate ratio, {comparison} vs {baseline} ({level} interval)").format(
            comparison=analysis.comparison.label_in(lang.code),
            baseline=analysis.baseline.label_in(lang.code),
            level=level,
        )
    )
    left.set_ylim(-0.6, len(variants) + 0.4)  # a free row at the top holds the legend, clear of every interval
    left.legend(loc="upper left", ncol=len(scopes), fontsize=8)
    mine = region_ratios[region_ratios["scope"] == headline.name]
    groups = mine[mine["region_group"] != GROUP_COMPARISON].iloc[::-1]
    _intervals(right, groups, np.arange(len(groups)), colours[2], "s", None)
    right.axvline(1, color="black", linewidth=0.8)
    ratio_axis(right, lang)
    group_names = [region_labels.get(group, group) for group in groups["region_group"]]
    right.set_yticks(range(len(groups)), group_names)
    panel_title = _("Region groups ({scope})").format(scope=scope_phrases[headline.name])
    versus = mine[mine["region_group"] == GROUP_COMPARISON]
    if len(versus):
        row = versus.iloc[0]
        panel_title += "\n" + _("near abroad vs EU: ×{ratio}\nFisher's exact p = {p}").format(
            ratio=lang.number(row["ratio"], 2), p=lang.general(row["p_value"], 2)
        )
    right.set_title(panel_title, fontsize=9, loc="right")  # wider than its panel: it extends over the row names
    right.set_xlabel(_("Rate ratio"))
    head = robustness[robustness["scope"] == headline.name]
    title = _(
        "The ratio ({scope}) stays between {low} and {high} under every variant shown; the lowest interval bound is "
        "{bound}"
    ).format(
        scope=scope_phrases[headline.name],
        low=lang.number(head["ratio"].min(), 1),
        high=lang.number(head["ratio"].max(), 1),
        bound=lang.number(head["ci_low"].min(), 1),
    )
    margin = label_margin(variant_names)
    gap = label_margin(group_names) + 0.2
    panels = figure.get_figwidth() - margin - 0.4 - gap
    return finish(
        figure,
        title,
        source,
        lang,
        left=margin,
        bottom=TICKS + LABEL + SOURCE + 0.1,
        right=0.4,
        below_title=0.65,
        wspace=gap / (panels / 2),
    )


def shown_variants(robustness: pd.DataFrame, scope: str) -> list[str]:
    """The variants the robustness figure shows, in the table's order: every variant of the headline's assumptions,
    the jump beyond a shared trend, the countries resampled, and of the one-at-a-time variants (a host country, a
    tactic left out) the two that give `scope` its lowest and its highest ratio. Documentation growth (the ratio
    divided by a number) and the later period's own trend (not a rate ratio) are left to the findings' text."""
    mine = robustness[robustness["scope"] == scope]
    shown = {v for v in mine["variant"] if is_assumption_variant(v) or v in (SEGMENTED_TREND, COUNTRY_BOOTSTRAP)}
    for prefix in (DROP_COUNTRY, DROP_TACTIC):
        family = mine[mine["variant"].map(variant_family) == prefix].dropna(subset=["ratio"])
        if len(family):
            shown |= {family.loc[family["ratio"].idxmin(), "variant"], family.loc[family["ratio"].idxmax(), "variant"]}
    return [v for v in dict.fromkeys(robustness["variant"]) if v in shown]


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
