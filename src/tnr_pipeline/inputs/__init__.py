"""The inputs: reading a person's spreadsheet, checking it against its schema, normalising its words to codes,
the problems found in it, and the data package that describes it. Builds on `model`.
"""
