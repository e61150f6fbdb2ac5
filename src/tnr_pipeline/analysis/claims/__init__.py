"""The report's claims (config: claims) checked against the cases and the statistics.

Four modules, each importing only those above it in this list:
  notation   how a metric is written (`METRIC [FILTER ...] [among FILTER ...]`), the case filters, the kinds of
             value, the checks and the columns of the claims sheet
  measures   each metric's measure function, METRICS (the one table of the metrics: what each takes, gives and
             reads, and its function) and `measure`, a lookup in it
  sheet      reading the claims sheet and checking every row before anything is measured (a claim that cannot be
             checked stops the step, named by its row and claim_id)
  verdicts   each row's verdict by its kind (descriptive: holds or does_not_hold; inferential: supported,
             not_established or contradicted, by its interval, and a test by its Holm-adjusted p), and the ledger
             (only `--strict` turns a contradicted or not holding row into a failed build: ClaimsFailed); a sentence
             the case data cannot test is a `not_checkable` row that says why

The stage that writes claims.parquet is stages/check_claims. Stores codes, never wording.
"""
