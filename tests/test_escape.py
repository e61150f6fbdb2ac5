"""The escaping functions give exactly what each format needs: every Markdown special character behind a
backslash, every line break as one space, code spans without backticks; text already Markdown left alone."""

from __future__ import annotations

import pytest

from tnr_pipeline.render.escape import Raw, markdown, markdown_code, markdown_code_block, one_line


@pytest.mark.parametrize(
    "text, escaped",
    [
        ("<script>", "\\<script\\>"),
        ("a|b", "a\\|b"),
        ("&lt;b&gt;", "\\&lt;b\\&gt;"),
        ("*bold* _it_ `code`", "\\*bold\\* \\_it\\_ \\`code\\`"),
        ("[link](x) ![img](y)", "\\[link\\](x) !\\[img\\](y)"),
        ("# heading ~strike~", "\\# heading \\~strike\\~"),
        ("$x$", "\\$x\\$"),
        ("back\\slash", "back\\\\slash"),
        ("line\nbreak", "line break"),
        ("crlf\r\nand cr\rand sep\u2028end", "crlf and cr and sep end"),
        ("trailing\n", "trailing"),
        ("Грузия (30)", "Грузия (30)"),
        ("", ""),
        (None, ""),
        (12, "12"),
    ],
)
def test_markdown_escapes_each_special_character_and_every_line_break(text, escaped):
    assert markdown(text) == escaped


def test_markdown_leaves_raw_markdown_alone():
    assert markdown(Raw("**8.18**")) == "**8.18**"


def test_a_message_filled_with_data_escapes_the_data_however_it_is_given():
    for filled in (
        Raw("%(name)s holds") % {"name": "<b>"},
        Raw("%s holds") % ("<b>",),
        Raw("%s holds") % "<b>",
    ):
        assert filled == "\\<b\\> holds" and isinstance(filled, Raw)
    assert Raw("%s and %s") % ("a|b", Raw("**c**")) == "a\\|b and **c**"


@pytest.mark.parametrize(
    "text, code",
    [("pre_war", "`pre_war`"), ("a`b", "`ab`"), ("a|b", "`a\\|b`"), ("two\nlines", "`two lines`"), (None, "`None`")],
)
def test_markdown_code(text, code):
    assert markdown_code(text) == code


def test_one_line():
    assert one_line("a\nb\r\nc") == "a b c" and one_line("") == ""


def test_code_block_fence_is_longer_than_any_run_of_backticks():
    assert markdown_code_block("plain") == "```text\nplain\n```"
    assert markdown_code_block("a ```` b\n") == "`````text\na ```` b\n`````"
    assert markdown_code_block("indented\n  end  \n\n") == "```text\nindented\n  end  \n```"  # only newlines go
