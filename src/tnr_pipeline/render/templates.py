"""The jinja2 environments of the findings (in one place): the Markdown one, strict and escaping every data value,
with gettext and the language's filters, and the HTML page's, autoescaping; each template compiled once per
process; rendering the findings as Markdown and the HTML page around a body."""

from __future__ import annotations

from pathlib import Path

from tnr_pipeline.render.escape import Raw, markdown_code
from tnr_pipeline.render.escape import markdown as escape_markdown
from tnr_pipeline.render.filters import Filters, setting_text
from tnr_pipeline.render.i18n import SOURCE_LANGUAGE, Language

# Each template's compiled code, by the kind of environment that compiled it ("markdown", "html": their settings
# change the code) and jinja2's key (the template's name and a checksum of its source).
_COMPILED: dict[tuple[str, str], bytes] = {}


def _compiled_templates(kind: str):
    """A bytecode cache in memory: every language's environment of one kind compiles a template once per process."""
    import jinja2

    class InMemory(jinja2.BytecodeCache):
        def load_bytecode(self, bucket) -> None:
            if (kind, bucket.key) in _COMPILED:
                bucket.bytecode_from_string(_COMPILED[(kind, bucket.key)])

        def dump_bytecode(self, bucket) -> None:
            _COMPILED[(kind, bucket.key)] = bucket.bytecode_to_string()

    return InMemory()


def environment(template_dir: str | Path, lang: Language | None = None):
    """The jinja2 environment in one language: strict, whitespace-tidy, escaping every data value for Markdown,
    with gettext (jinja2's i18n extension) and the language's filters."""
    import jinja2

    lang = lang or Language(SOURCE_LANGUAGE)
    env = jinja2.Environment(
        bytecode_cache=_compiled_templates("markdown"),
        loader=jinja2.FileSystemLoader(str(template_dir)),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        optimized=False,  # jinja's constant folding: a third of compiling the findings template, nothing at render
        finalize=escape_markdown,
        autoescape=False,
        extensions=["jinja2.ext.i18n", "jinja2.ext.do"],
    )
    env.policies["ext.i18n.trimmed"] = True
    env.install_gettext_callables(
        lambda message: Raw(lang.gettext(message)),
        lambda singular, plural, n: Raw(lang.ngettext(singular, plural, n)),
        newstyle=True,
        pgettext=lambda context, message: Raw(lang.pgettext(context, message)),
    )
    filters = Filters(lang)
    env.filters.update(
        num=filters.number,
        pct=filters.share,
        pvalue=filters.p_value,
        p_floored=filters.p_floored,
        p_stated=filters.p_stated,
        md=escape_markdown,
        code=markdown_code,
        setting=setting_text,
        decimals=filters.decimals,
        ci=filters.interval,
        cases=filters.cases,
        years=filters.years,
        mean_ci=filters.mean_interval,
        ratio_ci=filters.ratio_interval,
        bounds=filters.bounds,
        in_years=filters.in_years,
        verdict=filters.verdict,
        verdict_word=filters.verdict_word,
        observed=filters.observed,
        tested_verdict=filters.tested,
        as_markdown=Raw,  # the template's own Markdown (a macro's output, its data escaped inside): not escaped again
        check=filters.check,
        survey_share=filters.survey_share,
        level=lang.level,
        date=lang.date,
        join_and=filters.join,
        join_list=filters.join_list,
        counted=filters.counted,
    )
    return env


def html_environment(template_dir: str | Path):
    """The jinja2 environment of the HTML page: autoescaping, the body given as Markup (made from the Markdown)."""
    import jinja2

    return jinja2.Environment(
        bytecode_cache=_compiled_templates("html"),
        loader=jinja2.FileSystemLoader(str(template_dir)),
        undefined=jinja2.StrictUndefined,
        autoescape=True,
        keep_trailing_newline=True,
        optimized=False,
    )


def render_html(template_dir: str | Path, body: str, title: str, language: str = SOURCE_LANGUAGE) -> str:
    from markupsafe import Markup

    return (
        html_environment(template_dir)
        .get_template("findings.html.j2")
        .render(title=title, language=language, body=Markup(body))
    )


def render_markdown(template_dir: str | Path, context: dict, lang: Language | None = None) -> str:
    return environment(template_dir, lang).get_template("findings.md.j2").render(**context)
