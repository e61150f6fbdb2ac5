"""The few lines the build prints at its end (reports/summary.txt): aggregates only, in the source language."""

from __future__ import annotations

from tnr_pipeline.model import registry
from tnr_pipeline.model.settings import SCOPE_ROLES
from tnr_pipeline.render.filters import Filters
from tnr_pipeline.render.i18n import SOURCE_LANGUAGE, Language


def build_summary(context: dict, markdown_path: str, html_path: str, editions: tuple[str, ...] = ()) -> str:
    """The few lines the build prints at its end: the headline ratio of each role scope with its interval, the
    claims that hold (naming those that do not), whether the data is reconstructed, and where the findings are.
    Aggregates only: nothing personal. In the source language: it is written for the person running the build, and
    names the other editions (`editions`: their language codes)."""
    filters = Filters(Language(SOURCE_LANGUAGE))
    lines = ["tnr-pipeline: findings built."]
    if context["reconstruction_notice"]:
        lines.append("  RECONSTRUCTED DATA, not the real cases (see the notice at the top of the findings).")
    for scope in dict.fromkeys(context["roles"][role]["name"] for role in SCOPE_ROLES):
        label = next(s["label"] for s in context["scopes"] if s["name"] == scope)
        lines.append(f"  {label}: rate ratio {filters.ratio_interval(context['ratio'][scope])}")
    ledger = context["ledger"]
    from tnr_pipeline.analysis.claims.notation import FAILING

    failing = [row["claim_id"] for row in context["claims"] if row["source"] == "report" and row["verdict"] in FAILING]
    lines.append(
        f"  The report's {ledger['statements']} statements about its data: {ledger['supported']} supported, "
        f"{ledger['not_established']} not established, {ledger['contradicted']} contradicted; "
        f"{ledger['holding']} of {ledger['descriptive']} about the documented list hold; "
        f"{ledger['not_checkable']} not checkable"
        + (f"; contradicted or not holding: {', '.join(failing)}" if failing else "")
    )
    if ledger["by_construction"]:
        lines.append(f"  {ledger['by_construction']} of them were drawn to hold by the reconstruction: not evidence")
    lines.append(
        f"  The pipeline's own checks that hold or are supported: {ledger['pipeline_holding']} of {ledger['pipeline']}"
    )
    lines.append(f"  Findings: {html_path} and {markdown_path}")
    for language in editions:
        from babel import Locale

        name = Locale.parse(language).get_display_name(SOURCE_LANGUAGE)
        paths = [registry.findings_path(extension, language) for extension in ("html", "md")]
        lines.append(f"  In {name}: {paths[0]} and {paths[1]}")
    return "\n".join(lines) + "\n"
