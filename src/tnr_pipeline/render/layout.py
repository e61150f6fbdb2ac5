"""Figure layout: the margins, titles and source lines every figure shares, and the edge that saves a figure.

What belongs here: fixed-margin layout measured from the few texts that set a margin (rather than tight_layout,
which draws the figure once more to measure every text), the small axis helpers the plots share, number wording
for titles (in the figure's language), and `save_figure`, which writes PNG and SVG byte-reproducibly. No figure is
drawn here.
"""

from __future__ import annotations

import functools
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from tnr_pipeline.model import io  # noqa: E402
from tnr_pipeline.render.i18n import Language  # noqa: E402

GREY, LIGHT = "#777777", "#e8e8e8"


def palette() -> list[str]:
    return plt.rcParams["axes.prop_cycle"].by_key()["color"]


# Margins in inches. Figures are laid out with fixed margins rather than tight_layout, which measures every text
# by drawing the figure once more (a third of all drawing time); only the texts that set a margin are measured.
EDGE = 0.12  # between the figure's edge and its title or source line
TICKS = 0.32  # tick labels (10 pt) and their ticks, below or beside an axis
LABEL = 0.24  # an axis label
SOURCE = 0.26  # the source line at the foot
RIGHT = 0.25


@functools.lru_cache(maxsize=4096)
def text_width(text: str, size: float, weight: str = "normal") -> float:
    """Width in inches of one line of `text` in the figures' font at `size` points, measured, not drawn (once per
    text: titles are wrapped by measuring each growing line, and labels repeat across figures)."""
    from matplotlib.font_manager import FontProperties
    from matplotlib.textpath import text_to_path

    width, _, _ = text_to_path.get_text_width_height_descent(
        text, FontProperties(size=size, weight=weight), ismath=False
    )
    return width / 72


def wrap(text: str, width: float, size: float, weight: str = "normal") -> list[str]:
    """`text` broken between words into lines no wider than `width` inches; never inside «quotes», never so that a
    line starts with a dash or ends with a one-letter word («в», «с», "a") or a number ("1,6 | раза")."""
    import re

    words: list[str] = []
    for word in text.split(" "):
        last = words[-1].rpartition(" ")[2] if words else ""
        if words and (
            word in ("—", "–")
            or words[-1].count("«") > words[-1].count("»")
            or (len(last) == 1 and last.isalpha())
            or re.fullmatch(r"\d+(?:[.,]\d+)?", last)
        ):
            words[-1] = f"{words[-1]} {word}"
        else:
            words.append(word)
    lines: list[str] = []
    for word in words:
        if lines and text_width(f"{lines[-1]} {word}", size, weight) <= width:
            lines[-1] = f"{lines[-1]} {word}"
        else:
            lines.append(word)
    return lines


def legend_columns(labels, width: float, size: float, most: int = 5) -> int:
    """The most columns (up to `most`) in which a legend of these labels, filled column by column as matplotlib
    fills it, fits `width` inches: each column as wide as its longest label plus the handle and the gaps."""
    labels = [str(label) for label in labels]
    extra = (2.0 + 0.8 + 2.0) * size / 72  # handlelength + handletextpad + columnspacing, in font sizes
    for columns in range(min(most, len(labels)), 1, -1):
        rows = -(-len(labels) // columns)
        chunks = [labels[start : start + rows] for start in range(0, len(labels), rows)]
        if sum(max(text_width(label, size) for label in chunk) + extra for chunk in chunks) <= width:
            return columns
    return 1


def line_height(size: float) -> float:
    """The height in inches one line of text at `size` points takes (matplotlib's line spacing, 1.25)."""
    return size * 1.25 / 72


def label_margin(labels, size: float | None = None) -> float:
    """Room in inches for the longest of these tick labels beside an axis, ticks and the figure's edge included."""
    size = size or plt.rcParams["font.size"]
    return max((text_width(str(label), size) for label in labels), default=0.0) + 0.18 + EDGE


def finish(
    figure,
    title: str,
    source: str,
    lang: Language,
    *,
    left: float = TICKS + LABEL,
    bottom: float = TICKS + LABEL + SOURCE,
    right: float = RIGHT,
    below_title: float = 0.12,
    **spacing,
):
    """Title the figure (wrapped to its width), place its axes with fixed margins in inches and add the source line
    (`source`: its words, from `describe_source`)."""
    width, height = figure.get_size_inches()
    size, weight = plt.rcParams["axes.titlesize"], plt.rcParams["axes.titleweight"]
    lines = wrap(title, width - 2 * EDGE, size, weight)
    figure.suptitle(
        "\n".join(lines), x=EDGE / width, y=1 - EDGE / height, ha="left", va="top", fontsize=size, fontweight=weight
    )
    top = EDGE + len(lines) * line_height(size) + below_title
    source_lines = wrap(source, width - 2 * EDGE - 0.3, 7)  # room for hinting
    bottom += (len(source_lines) - 1) * line_height(7)  # a long source line wraps, and takes its room
    figure.subplots_adjust(
        left=left / width, right=1 - right / width, bottom=bottom / height, top=1 - top / height, **spacing
    )
    figure.text(EDGE / width, EDGE / height, "\n".join(source_lines), fontsize=7, color=GREY, ha="left", va="bottom")
    return figure


def gridlines_across(axes) -> None:
    """Grid lines for a horizontal bar chart: vertical only."""
    axes.grid(axis="x")
    axes.grid(axis="y", visible=False)


def share_axis(axes, label: str, lang: Language) -> None:
    """An x axis of shares from 0 to 100%, written as the language writes percentages."""
    axes.set_xlim(0, 1)
    axes.xaxis.set_major_formatter(matplotlib.ticker.FuncFormatter(lambda value, _: lang.percent(value, 0)))
    gridlines_across(axes)
    axes.set_xlabel(label)


def ratio_axis(axes, lang: Language) -> None:
    """A logarithmic x axis of ratios, ticked at 1, 2, 5 times each power of ten and written as plain numbers in the
    language (0,5 / 1 / 2 / 5 / 10 / 20), with no minor tick labels."""
    axes.set_xscale("log")
    axes.xaxis.set_major_locator(matplotlib.ticker.LogLocator(base=10, subs=(1, 2, 5)))
    axes.xaxis.set_major_formatter(
        matplotlib.ticker.FuncFormatter(lambda value, _: lang.number(value, 0 if value >= 1 else 1))
    )
    axes.xaxis.set_minor_formatter(matplotlib.ticker.NullFormatter())


def fold(ratio: float, lang: Language) -> str:
    """'8.2-fold' ('7-fold' when whole), or what an infinite or missing ratio means (no case in the baseline, or in
    neither period)."""
    if ratio != ratio:
        return lang.gettext("(no case in either period)")
    if ratio == float("inf"):
        return lang.gettext("from zero")
    whole = round(ratio, 1) == round(ratio)  # 7.0 is written 7
    # The plural form follows the number as written: a whole number takes its own ("в 7 раз", "в 2 раза"), a fraction
    # the form Russian gives fractions, which is the form of 2 ("в 1,6 раза").
    return lang.ngettext("{ratio}-fold", "{ratio}-fold", round(ratio) if whole else 2).format(
        ratio=lang.number(ratio, 0 if whole else 1)
    )


def save_figure(figure, stem: str | Path) -> list[Path]:
    """Write a figure as PNG and SVG beside `stem` (a path without extension), with fixed metadata so that a rebuild
    gives byte-identical files."""
    written = []
    # PNG compression level 3 rather than Pillow's 6: the same pixels, 4% larger, a third less time to encode
    options = {"png": {"metadata": {"Software": None}, "pil_kwargs": {"compress_level": 3}}}
    options["svg"] = {"metadata": {"Date": None, "Creator": None}}
    for suffix, keywords in options.items():
        path = Path(f"{stem}.{suffix}")
        with io.atomic_path(path) as temporary:
            figure.savefig(temporary, format=suffix, **keywords)
        written.append(path)
    plt.close(figure)
    return written


def describe_source(provenance: dict, lang: Language) -> str:
    """A figure's source line, in words, for a figure that travels alone: each input it is drawn from, by what it is,
    its file name and hash, then the package version, and, when any input is a reconstruction, that the data are
    reconstructed ('Source: reconstructed case data (cases.csv, SHA-256 92c52892c092), tnr-pipeline 0.1.0. The data
    are reconstructed: these are not real cases.')."""
    from tnr_pipeline.render.notices import describe_input

    described = provenance.get("inputs_described", {})
    inputs = [
        lang.gettext("{what} ({file}, SHA-256 {digest})").format(
            what=describe_input(described.get(path, {}), lang), file=Path(path).name, digest=digest[:12]
        )
        for path, digest in provenance["inputs_sha256"].items()
    ]
    text = lang.gettext("Source: {inputs}, tnr-pipeline {version}.").format(
        inputs=lang.gettext(", ").join(inputs), version=provenance["package_version"]
    )
    roles = {info.get("role") for info in described.values() if info.get("reconstruction")}
    if "case data" in roles:
        text += " " + lang.gettext("The data are reconstructed: these are not real cases.")
    elif roles:
        text += " " + lang.gettext("The data are reconstructed: these are not real answers.")
    return text
