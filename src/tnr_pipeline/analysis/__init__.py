"""The analysis: the exact statistics, the tables built from the cases, and the claims notation with its
measures and verdicts. Stores codes, never wording. Builds on `model` and `inputs`.
"""
