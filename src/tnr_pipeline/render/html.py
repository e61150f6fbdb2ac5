"""The HTML edge of the findings: Markdown to an HTML body with raw HTML disabled and every figure embedded as a
data URI, nothing loaded from the network."""

from __future__ import annotations

import base64
from pathlib import Path


def markdown_to_html(markdown: str, image_root: Path) -> str:
    """Markdown -> HTML body: raw HTML in the source is escaped, every image embedded as a data URI."""
    from markdown_it import MarkdownIt

    parser = MarkdownIt("commonmark", {"html": False}).enable("table")
    tokens = parser.parse(markdown)
    for token in tokens:
        for child in token.children or []:
            if child.type == "image":
                path = (image_root / child.attrGet("src")).resolve()
                encoded = base64.b64encode(path.read_bytes()).decode("ascii")
                child.attrSet("src", f"data:image/png;base64,{encoded}")
    return parser.renderer.render(tokens, parser.options, {})
