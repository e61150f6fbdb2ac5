"""tnr-pipeline: a reproducible analysis pipeline for a case database of Russian transnational repression."""

__version__ = "0.1.0"
