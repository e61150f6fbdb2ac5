"""The model: what the data is. Every table's fields, the registry of outputs, the settings, the reference
data and the file edges of the tables (Parquet with provenance). Imports nothing of the layers above.
"""
