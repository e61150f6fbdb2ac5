"""The rendering: words in each language, escaping, the figures and the findings document. Builds on the
layers below; nothing below imports it.
"""
