"""Marking messages for translation where they are defined, in any layer: `N_("text")` returns the text unchanged,
and `make messages` extracts it (babel.cfg's keyword N_). It is translated where it is shown, in `render.i18n`."""

from __future__ import annotations


def N_(message: str) -> str:
    """Mark a message for extraction where it is defined; it is translated where it is shown."""
    return message
