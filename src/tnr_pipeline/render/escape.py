"""Text from data, made to read literally in each format it reaches: one function per format.

What belongs here: the escaping of values that come from data or settings (case identifiers, country names, claim
sentences, labels, paths), never of the project's own markup. Every cell and sentence built from data goes through
one of these at the edge that writes it:

- Markdown (the findings document, the data-change report and so GitHub's job summary): `markdown`, or
  `markdown_code` for a value shown as a code span. A value always stays on one line, so a newline in data can
  neither end a table row nor start a list, a heading or a code block.
- HTML: the HTML edition is made from the escaped Markdown by markdown-it with raw HTML off, and its page by jinja2
  with autoescape on, so no escaping function of ours is needed there.
- SVG and PNG text: the figure style turns matplotlib's math parsing off (`text.parse_math: False` in
  figures.mplstyle), so a `$` in data is a dollar sign, and matplotlib writes every text as escaped XML.

`Raw` marks text that is already Markdown (formatted numbers, figure references, translated messages) so that it is
not escaped twice.
"""

from __future__ import annotations

import re

# Backslash-escaped in Markdown: every character that can start markup inline or in a table cell (CommonMark lets
# any ASCII punctuation be escaped; `&` so that an entity such as `&lt;` reads as written, `$` for GitHub's math).
MARKDOWN_SPECIAL = {c: "\\" + c for c in "\\`*_[]<>|#~&$"}


class Raw(str):
    """Text that is already Markdown: not escaped again. A message filled in with `%` escapes the data it is
    filled with."""

    def __mod__(self, values):
        if isinstance(values, dict):
            escaped = {key: markdown(value) for key, value in values.items()}
        elif isinstance(values, tuple):
            escaped = tuple(markdown(value) for value in values)
        else:
            escaped = markdown(values)
        return Raw(str.__mod__(self, escaped))


def one_line(text: str) -> str:
    """The text with every line break (any of CR, LF, CRLF, U+2028, ...) as one space."""
    return " ".join(text.splitlines())


def markdown(value: object) -> str:
    """A value from data as Markdown that shows it literally, on one line; `Raw` text is returned as it is and
    None as empty."""
    if isinstance(value, Raw):
        return value
    if value is None:
        return ""
    return "".join(MARKDOWN_SPECIAL.get(c, c) for c in one_line(str(value)))


def markdown_code(value: object) -> Raw:
    """A value from data as a Markdown code span, on one line (backticks dropped: a span cannot escape them; `|`
    escaped, which a table cell needs even inside a span)."""
    text = one_line(str(value))
    return Raw("`" + text.replace("`", "").replace("|", "\\|") + "`")


def markdown_code_block(text: str) -> str:
    """Text from a program (a build's error output) as a fenced Markdown code block, shown exactly as written: the
    fence is longer than any run of backticks in the text."""
    fence = "`" * max([3, *(len(run) + 1 for run in re.findall("`+", text))])
    return f"{fence}text\n{text.rstrip(chr(10))}\n{fence}"
