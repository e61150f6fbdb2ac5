"""The world map: country outlines from the SVG map that pygal-maps-world ships, and the host-country map.

What belongs here: reading the packaged outlines (nothing is downloaded), their bounds, the greedy placement of
country labels, and `plot_host_map`. Drawing only: the numbers come from country_summary.
"""

from __future__ import annotations

import xml.etree.ElementTree as ElementTree
from pathlib import Path

import matplotlib
import pandas as pd
from matplotlib.collections import PathCollection
from matplotlib.patches import Patch

from tnr_pipeline.model.settings import Period
from tnr_pipeline.render.i18n import Language, join_and
from tnr_pipeline.render.layout import EDGE, LIGHT, SOURCE, finish, plt, text_width

ORIGIN = "#c9c9c9"  # the origin state: a grey of its own, hatched, so that it reads as land and not as water


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


def _label_countries(
    axes, shapes: dict[str, list], texts: dict[str, str], order: list[str], units_per_point: float
) -> None:
    """Label each country at its largest outline, or nearby with a leader line where labels would collide.

    Placement is greedy and deterministic: countries in `order` take the first free spot among their centre
    (for countries wide enough to hold the label) and rings of offsets around it. A spot is free when its label,
    measured in the figures' font, keeps a gap to every label placed and covers no other labelled country's centre.
    """
    centres = {}
    for code in order:
        bx0, by0, bx1, by1 = _bounds(max(shapes[code], key=_area))
        centres[code] = ((bx0 + bx1) / 2, (by0 + by1) / 2, bx1 - bx0)
    gap = 3 * units_per_point
    placed: list[tuple[float, float, float, float]] = []
    height = 11 * units_per_point
    for code in order:
        x, y, country_width = centres[code]
        width = (text_width(texts[code], 7) * 72 + 4) * units_per_point
        others = [(ox, oy) for other, (ox, oy, _) in centres.items() if other != code]
        offsets = [(0.0, 0.0)] if country_width > width else []
        offsets += [
            (dx * step, dy * step)
            for step in (25, 45, 70, 100, 135, 170)
            for dx, dy in ((0, -1), (1, 0), (0, 1), (-1, 0), (1, -1), (1, 1), (-1, 1), (-1, -1))
        ]
        for dx, dy in offsets:
            candidate = (x + dx - width / 2, y + dy - height / 2, x + dx + width / 2, y + dy + height / 2)
            if all(
                candidate[2] + gap < b[0]
                or candidate[0] > b[2] + gap
                or candidate[3] + gap < b[1]
                or candidate[1] > b[3] + gap
                for b in placed
            ) and not any(
                candidate[0] <= ox <= candidate[2] and candidate[1] <= oy <= candidate[3] for ox, oy in others
            ):
                break
        placed.append(candidate)
        arrow = None if (dx, dy) == (0.0, 0.0) else {"arrowstyle": "-", "color": "#333333", "linewidth": 0.6}
        axes.annotate(
            texts[code],
            (x, y),
            xytext=(x + dx, y + dy),
            textcoords="data",
            ha="center",
            va="center",
            fontsize=7,
            arrowprops=arrow,
            bbox={"boxstyle": "round,pad=0.15", "facecolor": "white", "alpha": 0.85, "linewidth": 0},
        )


def plot_host_map(
    country_summary: pd.DataFrame,
    scope: str,
    comparison: Period,
    alpha2: dict[str, str],
    shapes: dict[str, list],
    source: str,
    lang: Language,
    origin: tuple[str | None, str] = (None, ""),
):
    """Host countries shaded by their cases in the comparison period (few light, many dark), on a map drawn from
    packaged outlines, with the origin state (`origin`: its alpha-2 code and name) drawn and named as such."""
    _ = lang.gettext
    rows = country_summary[(country_summary["scope"] == scope) & (country_summary["period"] == comparison.name)]
    cases = {alpha2.get(code): int(n) for code, n in zip(rows["host_country"], rows["cases"])}
    names = {
        alpha2.get(code): lang.country_name(code, name)
        for code, name in zip(rows["host_country"], rows["host_country_name"])
    }
    drawn = {code: paths for code, paths in shapes.items() if code in cases}
    extents = [_bounds(path) for paths in drawn.values() for path in paths]
    if extents:
        x0 = min(e[0] for e in extents) - 60
        y0 = min(e[1] for e in extents) - 60
        x1 = max(e[2] for e in extents) + 60
        y1 = max(e[3] for e in extents) + 60
    else:
        x0, x1, y0, y1 = 950, 2100, 150, 550
    colormap = plt.get_cmap().reversed()  # the style's sequential map, light for few cases and dark for many
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

    origin_code, origin_name = origin
    background = [
        path
        for code, paths in shapes.items()
        if code not in cases and code != origin_code
        for path in paths
        if in_view(path)
    ]
    axes.add_collection(PathCollection(background, facecolors=LIGHT, edgecolors="#999999", linewidths=0.3))
    origin_paths = [path for path in shapes.get(origin_code, []) if in_view(path)]
    axes.add_collection(
        PathCollection(origin_paths, facecolors=ORIGIN, edgecolors="#555555", linewidths=0.6, hatch="///")
    )
    hosts = [(path, code) for code, paths in drawn.items() for path in paths if in_view(path)]
    faces = ["#ffffff" if cases[code] == 0 else colormap(norm(cases[code])) for _, code in hosts]
    axes.add_collection(
        PathCollection([path for path, _ in hosts], facecolors=faces, edgecolors="black", linewidths=0.6)
    )
    _label_countries(
        axes,
        drawn,
        {code: f"{names[code]} {cases[code]}" for code in drawn},
        sorted(drawn, key=lambda code: (-cases[code], code)),
        (x1 - x0) / map_width / 72,
    )
    axes.set_xlim(x0, x1)
    axes.set_ylim(y1, y0)  # SVG y runs downwards
    axes.set_aspect("equal")
    axes.axis("off")
    ranked = sorted(cases.items(), key=lambda item: (-item[1], names[item[0]]))
    leaders = join_and([_("{name} ({n})").format(name=names[code], n=n) for code, n in ranked[:3] if n > 0], lang)
    with_cases = sum(1 for n in cases.values() if n > 0)
    mappable = matplotlib.cm.ScalarMappable(cmap=colormap, norm=norm)
    figure.colorbar(mappable, ax=axes, shrink=0.6, label=_("Cases, {period}").format(period=comparison.span))
    axes.legend(
        handles=[
            Patch(
                facecolor="#ffffff",
                edgecolor="black",
                label=_("host country with no case in {span}").format(span=comparison.span),
            ),
            Patch(facecolor=LIGHT, edgecolor="#999999", label=_("no case in the data")),
            *(
                [
                    Patch(
                        facecolor=ORIGIN,
                        edgecolor="#555555",
                        hatch="///",
                        label=_("{country}: the state carrying out the repression").format(country=origin_name),
                    )
                ]
                if origin_paths
                else []
            ),
        ],
        loc="lower left",
        fontsize=7,
    )
    return finish(
        figure,
        lang.ngettext(
            "Cases since {year} in {n} host country, most in {leaders}",
            "Cases since {year} in {n} host countries, most in {leaders}",
            with_cases,
        ).format(year=comparison.first_year, n=with_cases, leaders=leaders),
        source + " " + _("Map outlines: pygal-maps-world."),
        lang,
        left=EDGE,
        bottom=SOURCE,
        right=EDGE,
    )
