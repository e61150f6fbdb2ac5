"""The words that say what the inputs are: the notice that opens the findings when an input is reconstructed, and
what a figure's source line calls each input. Read from the inputs' descriptions (`inputs.descriptions`), worded in the
reader's language."""

from __future__ import annotations

from pathlib import Path

from tnr_pipeline.inputs.descriptions import ROLES, reconstructed
from tnr_pipeline.render.i18n import N_, SOURCE_LANGUAGE, Language

# What a reconstructed input is, by its role (inputs.descriptions.ROLES), for a figure's source line.
RECONSTRUCTED_ROLES = {
    "case data": N_("reconstructed case data"),
    "questionnaire": N_("reconstructed questionnaire answers"),
    "context figures": N_("reconstructed context figures"),
}


def describe_input(info: dict, lang: Language) -> str:
    """What an input is, in words, from its description: 'case data', 'reconstructed case data'; 'input' where it
    has no role."""
    role = info.get("role")
    if not role:
        return lang.gettext("input")
    if info.get("reconstruction"):
        return lang.gettext(RECONSTRUCTED_ROLES.get(role, role))
    return lang.gettext(role)


def _role_order(role: str) -> int:
    return ROLES.index(role) if role in ROLES else len(ROLES)


# ---- the output package ---------------------------------------------------------------------------------------


def reconstruction_notice(described: dict[str, dict], lang: Language | None = None) -> str:
    """One paragraph naming the reconstructed inputs and what that means for the numbers ('' when none is). The
    reasons are quoted from the input package, in the language's words where it gives them (`reason_ru`)."""
    lang = lang or Language(SOURCE_LANGUAGE)
    invented = reconstructed(described)
    if not invented:
        return ""
    parts = [
        lang.gettext("the {role} ({file}: {reason})").format(
            role=lang.gettext(info["role"]),
            file=Path(path).name,
            reason=lang.label(info, "reason") if info["reason"] else lang.gettext("a reconstruction"),
        )
        for path, info in sorted(invented.items(), key=lambda item: _role_order(item[1]["role"]))
    ]
    return lang.gettext(
        "Reconstructed data, not the real cases: {inputs}. Every number computed from them shows what the method "
        "gives on data consistent with the report's published aggregates; none is a finding about real cases or "
        "people."
    ).format(inputs="; ".join(parts))
