"""The findings template's filters, in one language: numbers, intervals, verdicts and lists as that language writes
them, each returning Markdown (its data escaped) that the environment does not escape again."""

from __future__ import annotations

from tnr_pipeline.analysis.claims.notation import (
    CONTRADICTED,
    COUNTRY_SET_METRICS,
    DESCRIPTIVE,
    DOES_NOT_HOLD,
    HOLDS,
    NOT_CHECKABLE,
    NOT_ESTABLISHED,
    PERCENT_METRICS,
    RANK_METRICS,
    SUPPORTED,
    TIE_NOTE,
)
from tnr_pipeline.render.escape import Raw
from tnr_pipeline.render.escape import markdown as escape_markdown
from tnr_pipeline.render.i18n import N_, Language

# The words for the claims' checks (claims.CHECKS), as the ledger shows them.
CHECK_WORDS = {
    "equals": N_("equals"),
    "at_least": N_("at least"),
    "at_most": N_("at most"),
    "above": N_("above"),
    "below": N_("below"),
    "rounds_to": N_("rounds to"),
    "between": N_("in the range"),
    "includes_all": N_("includes"),
    "equals_set": N_("is exactly"),
    "not_checkable": N_("not checkable from the data"),
}


# The words for the claims' verdicts (claims.notation.VERDICTS); the failing ones in bold.
VERDICT_WORDS = {
    SUPPORTED: N_("supported"),
    NOT_ESTABLISHED: N_("not established"),
    CONTRADICTED: N_("**contradicted**"),
    HOLDS: N_("holds"),
    DOES_NOT_HOLD: N_("**does not hold**"),
    NOT_CHECKABLE: N_("not checkable"),
}


# The checks that, against 0, mean "none" (prose writes "expected none" for them).
ZERO_CHECKS = ("equals", "at_most")

# The smallest p-value prose and the headline give as a number: below it, "p < 0.001". A convention of writing, like
# the digits of a number: the tables keep every p-value exact.
P_FLOOR = 0.001


def _missing(value) -> bool:
    return value is None or (isinstance(value, float) and value != value)


class Filters:
    """The template's filters, in one language: numbers, intervals and verdicts as that language writes them."""

    def __init__(self, lang: Language):
        self.lang = lang

    def number(self, value: float, digits: int = 1) -> Raw:
        return Raw(self.lang.number(value, digits))

    def share(self, value: float, digits: int = 0) -> Raw:
        return Raw(self.lang.percent(value, digits))

    def p_value(self, value: float) -> Raw:
        return Raw(self.lang.general(value, 2))

    def p_floored(self, value: float) -> Raw:
        """A p-value as prose and the headline give it: '< 0.001' below P_FLOOR (an exact number that small says more
        about the model than about the data), else to two significant digits. Tables keep the exact number."""
        return self._p_in_words(value, N_("< {floor}"), "{p}")

    def p_stated(self, value: float) -> Raw:
        """'p < 0.001' or 'p = 0.021' (`p_floored`), for a sentence."""
        return self._p_in_words(value, N_("p < {floor}"), N_("p = {p}"))

    def _p_in_words(self, value: float, below: str, at: str) -> Raw:
        """The p-value in the words of `below` (under P_FLOOR) or `at` (messages with {floor} and {p})."""
        if not _missing(value) and value < P_FLOOR:
            return Raw(self.lang.gettext(below).format(floor=self.lang.general(P_FLOOR, 1)))
        return Raw(self.lang.gettext(at).format(p=self.p_value(value)))

    def cases(self, n: int) -> Raw:
        return Raw(self.lang.cases(n))

    def years(self, n: int) -> Raw:
        return Raw(self.lang.years(n))

    def in_years(self, text: str) -> Raw:
        """'in 2022–2023', 'в 2022–2023 гг.' from a year or a range of years written in the data ('2022', '2022–2023');
        any other text as 'in {text}'."""
        import re

        written = str(text).strip()
        found = re.fullmatch(r"(\d{4})\s*[–-]\s*(\d{4})", written)
        if found:
            return Raw(self.lang.gettext("in {first}–{last}").format(first=found[1], last=found[2]))
        if re.fullmatch(r"\d{4}", written):
            return Raw(self.lang.gettext("in {year}").format(year=written))
        return Raw(self.lang.gettext("in {period}").format(period=escape_markdown(text)))

    def mean_interval(self, row: dict) -> Raw:
        """'3.6 a year (80% CI 2.7–4.7)' from a period_summary row (the level from its confidence_level)."""
        return Raw(
            self.lang.gettext("{mean} a year ({level} CI {low}–{high})").format(
                mean=self.lang.number(row["annual_mean"]),
                level=self.lang.level(row["confidence_level"]),
                low=self.lang.number(row["annual_mean_ci_low"]),
                high=self.lang.number(row["annual_mean_ci_high"]),
            )
        )

    def ratio_interval(self, row: dict) -> Raw:
        """'8.18 (80% CI 6.04–11.13)' from a row with ratio, ci_low, ci_high and confidence_level."""
        return Raw(f"{self.lang.number(row['ratio'], 2)} ({self.interval(row)})")

    def bounds(self, row: dict | None) -> Raw:
        """'4.71–14.23': a row's interval without its level (the column's header names it); a dash where there is
        none."""
        if not row or _missing(row["ci_low"]) or _missing(row["ci_high"]):
            return Raw("—")
        return Raw(f"{self.lang.number(row['ci_low'], 2)}–{self.lang.number(row['ci_high'], 2)}")

    def survey_share(self, row: dict) -> Raw:
        """'13 of 40 (32.5%, Wilson 80% CI 24.1%–42.1%)' from a survey_summary row."""
        return Raw(
            self.lang.gettext("{n} of {respondents} ({share}, Wilson {level} CI {range})").format(
                n=row["n"],
                respondents=row["respondents"],
                share=self.lang.percent(row["share"], 1),
                level=self.lang.level(row["confidence_level"]),
                range=self.lang.percent_range(row["ci_low"], row["ci_high"], 1),
            )
        )

    def check(self, code: str) -> Raw:
        return Raw(escape_markdown(self.lang.gettext(CHECK_WORDS.get(code, code.replace("_", " ")))))

    def verdict(self, claim: dict | None) -> Raw:
        """'rounds to 8 — not established' from a claims row; a dash when the report makes no such claim."""
        if not claim:
            return Raw("—")
        expected = escape_markdown(self.lang.decimals(claim["expected"]))
        return Raw(f"{self.check(claim['check'])} {expected} — {self.verdict_word(claim)}")

    def decimals(self, text: str) -> Raw:
        return Raw(escape_markdown(self.lang.decimals(text)))

    def interval(self, row: dict) -> Raw:
        """'80% CI 6.04–11.13' from a row with ci_low, ci_high and confidence_level."""
        return Raw(
            self.lang.gettext("{level} CI {low}–{high}").format(
                level=self.lang.level(row["confidence_level"]),
                low=self.lang.number(row["ci_low"], 2),
                high=self.lang.number(row["ci_high"], 2),
            )
        )

    def tested(self, claim: dict) -> Raw:
        """A claims row's result in words, for prose: 'observed 29, expected equals 29: holds' (descriptive);
        'estimate 8.18 (80% CI 5.33–12.91), read as rounds to 8: not established' (an estimate); 'p = 0.021,
        Holm-adjusted 0.064; effect 3.16 (80% CI 1.13–8.87): not established' (a test); 'not checkable'. Prose writes
        values as words do: countries by name, a share as a percentage, a rank as an ordinal, zero as 'none'."""
        _ = self.lang.gettext
        if claim["verdict"] == NOT_CHECKABLE:
            return self.verdict_word(claim)
        metric = (claim.get("metric") or "").split(" ", 1)[0]
        if claim["kind"] == DESCRIPTIVE and metric in RANK_METRICS:
            return Raw(
                _("ranked {observed}, expected {expected}: {verdict}").format(
                    observed=self.ordinal_value(claim["observed"]),
                    expected=self.expected_rank(claim["check"], claim["expected"]),
                    verdict=self.verdict_word(claim),
                )
            )
        if claim["kind"] == DESCRIPTIVE and str(claim["expected"]).strip() == "0" and claim["check"] in ZERO_CHECKS:
            return Raw(
                _("observed {observed}, expected {expected}: {verdict}").format(
                    observed=self.prose_value(claim["observed"], metric),
                    expected=self.lang.gettext("none"),
                    verdict=self.verdict_word(claim),
                )
            )
        if claim["kind"] == DESCRIPTIVE:
            return Raw(
                _("observed {observed}, expected {check} {expected}: {verdict}").format(
                    observed=self.prose_value(claim["observed"], metric),
                    check=self.check(claim["check"]),
                    expected=self.prose_value(claim["expected"], metric),
                    verdict=self.verdict_word(claim),
                )
            )
        if _missing(claim["p_value"]):
            percent = metric in PERCENT_METRICS
            return Raw(
                _("estimate {estimate} ({interval}), read as {check} {expected}: {verdict}").format(
                    estimate=self.lang.percent(claim["estimate"], 1)
                    if percent
                    else self.lang.number(claim["estimate"], 2),
                    interval=self.percent_interval(claim) if percent else self.interval(claim),
                    check=self.check(claim["check"]),
                    expected=self.percent_expected(claim["expected"]) if percent else self.decimals(claim["expected"]),
                    verdict=self.verdict_word(claim),
                )
            )
        return Raw(
            _("p = {p}, Holm-adjusted {adjusted}; effect {estimate} ({interval}): {verdict}").format(
                p=self.lang.general(claim["p_value"], 2),
                adjusted=self.lang.general(claim["p_adjusted"], 2),
                estimate=self.lang.number(claim["estimate"], 2),
                interval=self.interval(claim),
                verdict=self.verdict_word(claim),
            )
        )

    def prose_value(self, text: str, metric: str) -> Raw:
        """An observed or expected value as a sentence gives it: countries by name ('Armenia, Georgia and
        Kazakhstan'), a count of zero as 'none', numbers as the language writes them, a ranking's tie in words."""
        import re

        written = str(text).strip()
        if metric in COUNTRY_SET_METRICS or re.fullmatch(r"[A-Z]{3}( [A-Z]{3})*", written):
            return self.country_names(written)
        if written == "0":
            return Raw(self.lang.gettext("none"))
        return self.observed_value(written)

    def country_names(self, text: str) -> Raw:
        """'ARM GEO KAZ' (and a ranking's tie note, 'ARM GEO (then a tie at the cut: KGZ SRB with 2 cases each)') with
        every alpha-3 code as the country's name in this language, listed as the language lists."""
        import re

        pattern = re.escape(TIE_NOTE).replace(r"\{tied\}", "(?P<tied>[A-Z ]+)").replace(r"\{cases\}", r"(?P<cases>\d+)")
        found = re.search(pattern, text)
        top = text[: found.start()] if found else text

        def names(codes: str) -> Raw:
            return self.join(sorted(self.lang.country_name(code) for code in codes.split()))

        if not top.split():
            named = Raw(self.lang.gettext("none"))
        else:
            named = names(top)
        if not found:
            return named
        tie = self.lang.gettext(TIE_NOTE).format(tied=names(found["tied"]), cases=found["cases"])
        return Raw(f"{named} {escape_markdown(tie)}")

    def ordinal_value(self, text: str) -> Raw:
        """A rank as an ordinal in this language ('1st', '1-е'); as written where it is not a whole number."""
        written = str(text).strip()
        return Raw(self.lang.ordinal(int(written))) if written.isdigit() else self.decimals(written)

    def expected_rank(self, check: str, expected: str) -> Raw:
        """What a rank is expected to be, as ordinals: 'at most 2' -> '1st or 2nd', 'equals 1' -> '1st'; another
        check as its words and the ordinal."""
        written = str(expected).strip()
        if not written.isdigit():
            return Raw(f"{self.check(check)} {self.decimals(written)}")
        rank = int(written)
        if check == "equals":
            return Raw(self.lang.ordinal(rank))
        if check == "at_most" and rank <= 4:
            ranks = [self.lang.ordinal(n) for n in range(1, rank + 1)]
            if len(ranks) == 1:
                return Raw(ranks[0])
            return Raw(self.lang.gettext("{items} or {last}").format(items=", ".join(ranks[:-1]), last=ranks[-1]))
        return Raw(f"{self.check(check)} {self.lang.ordinal(rank)}")

    def percent_interval(self, claim: dict) -> Raw:
        """'80% CI 24.1%–42.1%': a share's interval in percentages."""
        return Raw(
            self.lang.gettext("{level} CI {range}").format(
                level=self.lang.level(claim["confidence_level"]),
                range=self.lang.percent_range(claim["ci_low"], claim["ci_high"], 1),
            )
        )

    def percent_expected(self, expected: str) -> Raw:
        """A share's expected value in percentages: '0.25' -> '25%', '0.28..0.3334' -> '28%–33.34%'."""
        written = str(expected).strip()
        try:
            if ".." in written:
                low, high = (float(part) for part in written.split(".."))
                digits = max(_percent_digits(low), _percent_digits(high))
                return Raw(self.lang.percent_range(low, high, digits))
            value = float(written)
        except ValueError:
            return self.decimals(written)
        return Raw(self.lang.percent(value, _percent_digits(value)))

    def observed(self, claim: dict) -> Raw:
        """The ledger's observed cell: the value (descriptive), '8.18 (80% CI 5.33–12.91)' (an estimate), 'p = 0.021
        (Holm 0.064)' (a test), a dash when not checkable."""
        if claim["verdict"] == NOT_CHECKABLE:
            return Raw("—")
        if claim["kind"] == DESCRIPTIVE:
            return self.observed_value(claim["observed"])
        if _missing(claim["p_value"]):
            return Raw(f"{self.lang.number(claim['estimate'], 2)} ({self.interval(claim)})")
        return Raw(
            self.lang.gettext("p = {p} (Holm {adjusted})").format(
                p=self.lang.general(claim["p_value"], 2), adjusted=self.lang.general(claim["p_adjusted"], 2)
            )
        )

    def observed_value(self, text: str) -> Raw:
        """A descriptive row's observed value in this language: numbers as it writes them, and a ranking's tie at
        its cut (claims.notation.TIE_NOTE) in its words."""
        import re

        pattern = re.escape(TIE_NOTE).replace(r"\{tied\}", "(?P<tied>[A-Z ]+)").replace(r"\{cases\}", r"(?P<cases>\d+)")
        found = re.search(pattern, text)
        if not found:
            return self.decimals(text)
        top = text[: found.start()].strip()
        tie = self.lang.gettext(TIE_NOTE).format(tied=found["tied"], cases=found["cases"])
        return Raw(escape_markdown(f"{top} {tie}".strip()))

    def verdict_word(self, claim: dict) -> Raw:
        """The verdict of a claims row in this language's words (claims.notation.VERDICTS)."""
        return Raw(self.lang.gettext(VERDICT_WORDS[claim["verdict"]]))

    def counted(self, rows: list[dict], mark_eu: bool = False) -> list[Raw]:
        """Country rows as 'Poland (6)', or 'Italy (EU, 1)' with `mark_eu` for EU member states."""
        _ = self.lang.gettext
        return [
            Raw(
                (_("{name} (EU, {n})") if mark_eu and row["eu_member_at_end"] else _("{name} ({n})")).format(
                    name=escape_markdown(row["name"]), n=row["cases"]
                )
            )
            for row in rows
        ]

    def join_list(self, items: list, separator: str = ", ") -> Raw:
        return Raw(separator.join(escape_markdown(item) for item in items))

    def join(self, items: list) -> Raw:
        """'A, B and C' as the language joins a list (each item escaped unless already Markdown)."""
        items = [escape_markdown(item) for item in items]
        if len(items) < 2:
            return Raw("".join(items))
        return Raw(self.lang.gettext("{items} and {last}").format(items=", ".join(items[:-1]), last=items[-1]))


def _percent_digits(share: float) -> int:
    """The decimals a share needs as a percentage to say what was written: 0.25 -> 0 (25%), 0.3334 -> 2 (33.34%)."""
    points = f"{share * 100:.10f}".rstrip("0").rstrip(".")
    return len(points.partition(".")[2])


def setting_text(value: object) -> str:
    """A setting's value as config.yaml would write it on one line (YAML flow style: null, true, [en, ru],
    {first_year: 2014, ...}), never as a Python repr."""
    import json

    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, sort_keys=True)
